// How usable the report page is at scale: load it in headless Chromium and time the
// load, a sort and a filter. A measurement for BENCHMARKS.md, not a test:
//   REPORT_HTML=bench/.out/report/report.html node server/threatmark/tests/browser/scale.mjs
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const page_path = process.env.REPORT_HTML;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
const requests = [];
page.on("request", (r) => requests.push(r.url()));
let t = Date.now();
await page.goto(pathToFileURL(page_path).href, { waitUntil: "load", timeout: 120000 });
const load = Date.now() - t;
const rows = await page.locator("#docs-table tbody tr").count();

async function timed(action, ready) {
  const start = Date.now();
  await action();
  await page.waitForFunction(ready, null, { timeout: 120000 });
  return Date.now() - start;
}
const header = (name) => page.locator("#docs-table thead th").filter({ hasText: new RegExp(`^${name}$`) }).locator("button");
const sortDoc = await timed(() => header("Doc").click(), () =>
  document.querySelector("#docs-table thead th:nth-child(2)").getAttribute("aria-sort") === "ascending");
const sortReviewed = await timed(() => header("Last reviewed").click(), () =>
  document.querySelector("#docs-table thead th:nth-child(14)").getAttribute("aria-sort") === "descending");
const filter = await timed(() => page.fill("#filter", "team-007"), () =>
  document.getElementById("shown").textContent.includes(" of "));
const shown = await page.textContent("#shown");
console.log(JSON.stringify({ rows, load_ms: load, sort_by_doc_ms: sortDoc, sort_by_last_reviewed_ms: sortReviewed, filter_ms: filter, filter_result: shown, non_file_requests: requests.filter((u) => !u.startsWith("file:")).length }));
await browser.close();
