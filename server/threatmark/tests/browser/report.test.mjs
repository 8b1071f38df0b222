// The page `threatmark report --format html` writes, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core): it loads from file:// with no network
// request and no console error, sorts, filters, shows hostile doc text as text, and is
// complete with JavaScript off. scripts/test-report builds the page from the fixture
// corpora (org + hostile: six design docs) and runs this file with
// REPORT_HTML=<page> REPORT_SCREENSHOT=<png>.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const PAGE = process.env.REPORT_HTML;
const SCREENSHOT = process.env.REPORT_SCREENSHOT;
const HOSTILE = "<script>window.__x=1</script>";
const DOCS = 6;

let browser;

before(async () => {
  assert.ok(PAGE && existsSync(PAGE), `REPORT_HTML must name the report page (got ${PAGE})`);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh page that records every request and every console error. */
async function open(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(PAGE).href, { waitUntil: "load" });
  // Let anything the page might start after load (fonts, images) show up.
  await page.waitForTimeout(300);
  return { context, page, requests, errors };
}

function visibleTitles(page) {
  return page.$$eval("#docs-table tbody tr", (rows) =>
    rows.filter((r) => !r.hidden).map((r) => r.querySelector("td.d b").textContent),
  );
}

test("loads from file:// with no network request and no console error", async () => {
  const { context, page, requests, errors } = await open();
  const network = requests.filter((u) => !u.startsWith("file:"));
  assert.deepEqual(network, [], "requests that are not file://");
  assert.deepEqual(requests, [pathToFileURL(PAGE).href], "the page is the only thing loaded");
  assert.deepEqual(errors, [], "console errors");
  assert.equal(await page.title(), "Threat-model portfolio · 2026-11-23");
  if (SCREENSHOT) {
    // Rows off screen are not rendered (content-visibility: auto): make the whole page
    // the screen.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1400, height });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }
  await context.close();
});

test("a hostile doc title shows as text and runs nothing", async () => {
  const { context, page, errors } = await open();
  assert.equal(await page.evaluate(() => typeof window.__x), "undefined");
  assert.equal(await page.evaluate(() => typeof window.__y), "undefined");
  assert.ok((await visibleTitles(page)).includes(HOSTILE), "the title is shown verbatim");
  // Only the page's own script element exists.
  assert.equal(await page.locator("script").count(), 1);
  assert.equal(await page.locator("img").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("clicking a column header sorts the rows by it", async () => {
  const { context, page, errors } = await open();
  const initial = await visibleTitles(page);
  assert.equal(initial.length, DOCS);
  // Highest risk first by default.
  const tiers = await page.$$eval("#docs-table tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(tiers, [...tiers].sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b)));

  await page.locator("#docs-table thead th").filter({ hasText: /^Doc$/ }).locator("button").click();
  const byTitle = await visibleTitles(page);
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  assert.deepEqual(byTitle, [...initial].sort(collator.compare), "ascending by title");
  assert.notDeepEqual(byTitle, initial, "the order changed");
  assert.equal(await page.locator("#docs-table thead th").filter({ hasText: /^Doc$/ }).getAttribute("aria-sort"), "ascending");

  await page.locator("#docs-table thead th").filter({ hasText: /^Doc$/ }).locator("button").click();
  assert.deepEqual(await visibleTitles(page), [...byTitle].reverse(), "second click: descending");

  // Numbers sort as numbers: most open critical/high threats first.
  await page.locator("#docs-table thead th").filter({ hasText: /^Open crit\/high$/ }).locator("button").click();
  const counts = await page.$$eval("#docs-table tbody tr", (rows) =>
    rows.map((r) => Number(r.cells[12].getAttribute("data-v"))),
  );
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  assert.ok(counts[0] > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the filter box narrows the rows", async () => {
  const { context, page, errors } = await open();
  await page.fill("#filter", "platform");
  await page.waitForFunction(() => document.getElementById("shown").textContent.startsWith("2 of"));
  assert.deepEqual((await visibleTitles(page)).sort(), ["Build cache", "Job queue"]);
  assert.equal(await page.textContent("#shown"), `2 of ${DOCS} docs`);

  await page.fill("#filter", "platform cache");
  await page.waitForFunction(() => document.getElementById("shown").textContent.startsWith("1 of"));
  assert.deepEqual(await visibleTitles(page), ["Build cache"]);

  await page.fill("#filter", "");
  await page.waitForFunction((n) => document.getElementById("shown").textContent === `${n} docs`, DOCS);
  assert.equal((await visibleTitles(page)).length, DOCS);
  assert.deepEqual(errors, []);
  await context.close();
});

test("with JavaScript off every table is complete", async () => {
  const { context, page, requests } = await open({ javaScriptEnabled: false });
  assert.equal(await page.locator("#docs-table tbody tr").count(), DOCS);
  assert.equal(await page.locator("#docs-table tbody tr:visible").count(), DOCS);
  assert.equal(await page.locator("#tools").isVisible(), false, "no dead filter box");
  assert.ok(await page.locator("svg[aria-label='Risk tiers']").isVisible());
  assert.ok(await page.locator("#docs-table td.d b", { hasText: HOSTILE }).isVisible());
  assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
  await context.close();
});
