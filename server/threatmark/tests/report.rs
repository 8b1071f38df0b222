//! `threatmark report` end to end: each test copies a fixture corpus from
//! `tests/fixtures/report/` into a fresh temporary directory, runs the real binary there
//! with a fixed "today" and no colors, and checks the exit status and the output.
//!
//! The `org` corpus: `payments/` holds a high-tier stale doc with an untracked critical
//! threat; `identity/` a doc with a justified not-applicable category and a fully
//! mitigated one; `platform/` owner-less docs (their team is the folder), one keeping its
//! threat model in a linked file, plus a README and a runbook that are no design docs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

/// A temporary directory holding copies of the named fixture corpora.
fn corpus(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
    for name in names {
        copy_dir(&fixtures().join(name), &dir.path().join(name));
    }
    dir
}

fn run_at(dir: &Path, today: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_threatmark"))
        .args(args)
        .current_dir(dir)
        .env("THREATMARK_TODAY", today)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run threatmark: {e}"));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_at(dir, TODAY, args)
}

fn json_at(dir: &Path, today: &str, args: &[&str]) -> Value {
    let r = run_at(dir, today, args);
    assert_eq!(r.code, Some(0), "{r:?}");
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{r:?}"))
}

fn doc<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["docs"]
        .as_array()
        .and_then(|docs| docs.iter().find(|d| d["path"] == path))
        .unwrap_or_else(|| panic!("no doc {path} in {report:#}"))
}

fn states(doc: &Value) -> Vec<String> {
    doc["coverage"]
        .as_array()
        .map(|cells| {
            cells
                .iter()
                .map(|c| {
                    format!(
                        "{}={}",
                        c["category"].as_str().unwrap_or("?"),
                        c["state"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

const LEDGER: &str = "org/payments/design/ledger-export.md";
const SESSION: &str = "org/identity/design/session-service.md";
const AUDIT: &str = "org/identity/design/audit-log.md";
const CACHE: &str = "org/platform/design/cache.md";
const QUEUE: &str = "org/platform/design/queue.md";

#[test]
fn json_lists_design_docs_highest_risk_first() {
    let dir = corpus(&["org"]);
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    assert_eq!(r["version"], 1);
    assert_eq!(r["today"], TODAY);
    assert_eq!(r["stale_after_months"], 9);
    // The README, the runbook and the linked threat-model file are read but no rows.
    assert_eq!(r["files"], 8);
    let paths: Vec<&str> = r["docs"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["path"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(paths, [LEDGER, AUDIT, SESSION, QUEUE, CACHE]);
    let tiers: Vec<&str> = r["docs"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|d| d["risk"]["tier"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(tiers, ["high", "medium", "medium", "medium", "low"]);
}

#[test]
fn json_coverage_cells() {
    let dir = corpus(&["org"]);
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    assert_eq!(
        states(doc(&r, LEDGER)),
        [
            "spoofing=threat",
            "tampering=threat",
            "repudiation=missing",
            "information_disclosure=threat",
            "denial_of_service=missing",
            "elevation_of_privilege=missing"
        ]
    );
    let session = doc(&r, SESSION);
    assert_eq!(session["coverage"][2]["state"], "not_applicable");
    assert_eq!(
        session["coverage"][2]["reason"],
        "the service keeps no user-initiated actions, only cookie checks."
    );
    assert_eq!(session["coverage"][0]["threats"], 1);
    assert_eq!(
        states(doc(&r, CACHE)),
        [
            "spoofing=threat",
            "tampering=threat",
            "repudiation=missing",
            "information_disclosure=missing",
            "denial_of_service=unjustified",
            "elevation_of_privilege=missing"
        ]
    );
    // The linked threat model's threats cover the design doc.
    let queue = doc(&r, QUEUE);
    assert_eq!(
        queue["threat_model_path"],
        "org/platform/design/queue-threat-model.md"
    );
    assert!(
        states(queue).iter().all(|s| s.ends_with("=threat")),
        "{queue:#}"
    );
    assert_eq!(queue["review"]["last_reviewed"], "2026-08-01");
}

#[test]
fn json_threats_and_findings() {
    let dir = corpus(&["org"]);
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    let ledger = doc(&r, LEDGER);
    let t = &ledger["threats"];
    assert_eq!(
        (&t["total"], &t["open"], &t["mitigated"], &t["accepted"]),
        (
            &Value::from(3),
            &Value::from(2),
            &Value::from(1),
            &Value::from(0)
        )
    );
    assert_eq!(t["open_critical_high"], 2);
    // T3 is tracked by PAY-12; T1 has no ticket.
    assert_eq!(t["untracked_critical_high"], 1);
    let critical = &t["by_severity"][0];
    assert_eq!(critical["severity"], "critical");
    assert_eq!(
        (&critical["open"], &critical["mitigated"]),
        (&Value::from(1), &Value::from(0))
    );
    let high = &t["by_severity"][1];
    assert_eq!(
        (&high["open"], &high["mitigated"]),
        (&Value::from(1), &Value::from(1))
    );
    assert_eq!(ledger["owner"], "payments");
    assert_eq!(ledger["status"], "approved");
    assert_eq!(ledger["security_reviewer"], Value::Null);
    assert_eq!(
        ledger["risk"]["topics"],
        serde_json::json!(["authentication", "payment_data", "internet_exposure"])
    );
    assert!(
        ledger["findings"]["errors"].as_u64().unwrap_or(0) > 0,
        "{ledger:#}"
    );
    assert_eq!(ledger["suppressed"], 0);
    // The audit log's six threats are all mitigated.
    let audit = doc(&r, AUDIT);
    assert_eq!(
        (&audit["threats"]["total"], &audit["threats"]["mitigated"]),
        (&Value::from(6), &Value::from(6))
    );
    assert_eq!(audit["security_reviewer"], Value::Null);
    // Its security-review finding is suppressed in the doc, and counted.
    assert_eq!(audit["suppressed"], 1);
    assert_eq!(audit["findings"]["infos"], 0);
    assert_eq!(doc(&r, SESSION)["security_reviewer"], "carla");
}

#[test]
fn json_staleness_follows_today_and_the_config() {
    let dir = corpus(&["org"]);
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    let review = &doc(&r, LEDGER)["review"];
    assert_eq!(review["last_reviewed"], "2025-01-10");
    assert_eq!(review["days_since"], 682);
    assert_eq!(review["stale"], true);
    assert_eq!(doc(&r, SESSION)["review"]["stale"], false);
    assert_eq!(doc(&r, SESSION)["review"]["days_since"], 53);
    // No review date on a doc that is not approved: not stale, never reviewed.
    let cache = &doc(&r, CACHE)["review"];
    assert_eq!(
        (&cache["last_reviewed"], &cache["stale"]),
        (&Value::Null, &Value::Bool(false))
    );

    // Nine months after 2025-01-10 is 2025-10-10: stale from the day after (TM040's rule).
    let due = json_at(
        dir.path(),
        "2025-10-10",
        &["report", "org", "--format", "json"],
    );
    assert_eq!(doc(&due, LEDGER)["review"]["stale"], false);
    let after = json_at(
        dir.path(),
        "2025-10-11",
        &["report", "org", "--format", "json"],
    );
    assert_eq!(doc(&after, LEDGER)["review"]["stale"], true);

    // The config's stale_after_months, as TM040 reads it.
    std::fs::write(dir.path().join("lenient.toml"), "stale_after_months = 24\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let lenient = json_at(
        dir.path(),
        TODAY,
        &[
            "report",
            "org",
            "--format",
            "json",
            "--config",
            "lenient.toml",
        ],
    );
    assert_eq!(lenient["stale_after_months"], 24);
    assert_eq!(doc(&lenient, LEDGER)["review"]["stale"], false);
    assert_eq!(lenient["totals"]["stale"], 0);
}

#[test]
fn json_totals_teams_and_the_queue() {
    let dir = corpus(&["org"]);
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    let t = &r["totals"];
    assert_eq!(t["design_docs"], 5);
    assert_eq!(
        t["tiers"],
        serde_json::json!({"high": 1, "medium": 3, "low": 1})
    );
    assert_eq!(t["stale"], 1);
    assert_eq!(t["fully_covered"], 3);
    assert_eq!(
        t["cells"],
        serde_json::json!({"threat": 22, "not_applicable": 1, "unjustified": 1, "missing": 6})
    );
    assert_eq!(
        (&t["threats"], &t["open_threats"], &t["mitigated_threats"]),
        (&Value::from(17), &Value::from(3), &Value::from(14))
    );
    assert_eq!(
        (&t["open_critical_high"], &t["untracked_critical_high"]),
        (&Value::from(2), &Value::from(1))
    );
    assert_eq!(t["needs_a_human"], 1);

    let queue = r["needs_a_human"].as_array().cloned().unwrap_or_default();
    assert_eq!(queue.len(), 1, "{queue:#?}");
    assert_eq!(queue[0]["path"], LEDGER);
    assert_eq!(queue[0]["tier"], "high");
    assert_eq!(
        queue[0]["reasons"],
        serde_json::json!([
            "high_tier_no_security_reviewer",
            "untracked_critical_high",
            "stale"
        ])
    );

    let teams: Vec<(String, u64)> = r["teams"]
        .as_array()
        .map(|teams| {
            teams
                .iter()
                .map(|t| {
                    (
                        t["team"].as_str().unwrap_or("?").to_string(),
                        t["design_docs"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    // `platform` has no owner in front matter: its docs are grouped by their top folder.
    assert_eq!(
        teams,
        [
            ("identity".to_string(), 2),
            ("payments".to_string(), 1),
            ("platform".to_string(), 2)
        ]
    );
    let cache = doc(&r, CACHE);
    assert_eq!(
        (&cache["owner"], &cache["team"]),
        (&Value::Null, &Value::from("platform"))
    );
    let payments = &r["teams"][1];
    assert_eq!(payments["open_critical_high"], 2);
    assert_eq!(
        payments["coverage"][2],
        serde_json::json!({"category": "repudiation", "threat": 0, "not_applicable": 0, "unjustified": 0, "missing": 1})
    );
}

#[test]
fn a_high_tier_doc_with_a_security_reviewer_and_nothing_open_needs_no_human() {
    let dir = corpus(&["org"]);
    let ledger = dir.path().join(LEDGER);
    let text = std::fs::read_to_string(&ledger).unwrap_or_else(|e| panic!("{e}"));
    let reviewed = text
        .replace(
            "reviewers: [ana]\n",
            "reviewers: [ana]\nsecurity_reviewer: dee\n",
        )
        .replace("2025-01-10", "2026-11-01")
        .replace("| Critical | | Open | |", "| Critical | | Open | PAY-13 |");
    std::fs::write(&ledger, reviewed).unwrap_or_else(|e| panic!("{e}"));
    let r = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    assert_eq!(doc(&r, LEDGER)["risk"]["tier"], "high");
    assert_eq!(doc(&r, LEDGER)["needs_a_human"], serde_json::json!([]));
    assert_eq!(r["needs_a_human"], serde_json::json!([]));
}

#[test]
fn markdown_report() {
    let dir = corpus(&["org"]);
    let r = run(dir.path(), &["report", "org", "--format", "markdown"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let md = &r.stdout;
    assert!(md.starts_with("# Threat-model portfolio\n"), "{md}");
    assert!(
        md.contains("| risk tiers | 1 high · 3 medium · 1 low |"),
        "{md}"
    );
    assert!(md.contains("## Needs a human\n\n- **Ledger export** [org/payments/design/ledger-export.md](<org/payments/design/ledger-export.md>) (payments, high tier): high risk, no security reviewer; open critical/high threat without a ticket; stale threat model\n"), "{md}");
    assert!(
        md.contains("| platform | 2 | 0 | 1 | 1 | 0 | 3 | 0 | 0 | 0 |"),
        "{md}"
    );
    assert!(md.contains("| S | T | n/a | I | D | E |"), "{md}");
    assert!(md.contains("2025-01-10 (682 days) **stale**"), "{md}");
    assert!(
        md.contains("Recommended activities by tier: high: security review, penetration test before launch; medium: security champion review; low: none."),
        "{md}"
    );
    assert!(!md.contains("README") && !md.contains("runbooks"), "{md}");
    assert!(r.stderr.is_empty(), "{r:?}");
}

#[test]
fn output_files_are_written_whole_and_replaced() {
    let dir = corpus(&["org"]);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("report.json"), "old").unwrap_or_else(|e| panic!("{e}"));
    let r = run(
        dir.path(),
        &["report", "org", "--format", "json", "-o", "out/report.json"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr
            .contains("Wrote the report on 5 design docs to out/report.json."),
        "{r:?}"
    );
    let written = std::fs::read_to_string(out.join("report.json")).unwrap_or_default();
    let value: Value = serde_json::from_str(&written).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value["totals"]["design_docs"], 5);
    let names: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["report.json"], "no temporary file is left behind");
}

#[test]
fn html_is_one_self_contained_page_with_escaped_doc_text() {
    let dir = corpus(&["org", "hostile"]);
    std::fs::create_dir(dir.path().join("site")).unwrap_or_else(|e| panic!("{e}"));
    let r = run(
        dir.path(),
        &[
            "report",
            "org",
            "hostile",
            "--format",
            "html",
            "-o",
            "site/index.html",
        ],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let html = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap_or_default();
    assert!(html.starts_with("<!doctype html>"), "{html}");
    // Nothing to fetch: no external URL anywhere, and a policy that forbids fetching.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(html.contains("default-src 'none'"));
    // The doc text is there as text only.
    assert!(
        html.contains("<b>&lt;script&gt;window.__x=1&lt;/script&gt;</b>"),
        "{html}"
    );
    assert!(!html.contains("<script>window.__x"));
    assert!(html.contains("&lt;img src=x onerror=window.__y=1&gt;"));
    assert!(!html.contains("<img"));
    // A placeholder written in a doc is not expanded by the template.
    assert!(
        html.contains("&quot;&lt;b&gt;quoted&lt;/b&gt;&quot; &amp; {{docs}} are only text"),
        "{html}"
    );
    // Links are relative to the page.
    assert!(
        html.contains("href=\"../org/payments/design/ledger-export.md\""),
        "{html}"
    );
    // Exactly one script element: the page's own.
    assert_eq!(html.matches("<script").count(), 1);
    // The tables are rendered on the server: complete without JavaScript.
    assert_eq!(
        html.matches("<tr><td data-v=").count(),
        6 + 2,
        "six docs, two in the queue"
    );
    assert!(html.contains("<svg role=\"img\" aria-label=\"Risk tiers\""));
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    let dir = corpus(&["org"]);
    let r = run(dir.path(), &["report", "org", "--format", "pdf"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("invalid value 'pdf'") && r.stderr.contains("html, json, markdown"),
        "{r:?}"
    );

    let r = run(dir.path(), &["report", "org"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("error: --format html writes a whole web page: give a file with -o FILE"),
        "{r:?}"
    );
    assert!(r.stdout.is_empty());

    let r = run(
        dir.path(),
        &["report", "org", "--format", "json", "-o", "nowhere/r.json"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("error: -o nowhere/r.json: the folder nowhere does not exist"),
        "{r:?}"
    );

    let r = run(
        dir.path(),
        &["report", "org", "--format", "json", "-o", "org"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("is a folder"), "{r:?}");

    let r = run(dir.path(), &["report", "missing", "--format", "json"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("error: missing: no such file or directory"),
        "{r:?}"
    );
    assert!(r.stdout.is_empty());

    let r = run_at(
        dir.path(),
        "someday",
        &["report", "org", "--format", "json"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("THREATMARK_TODAY"), "{r:?}");
}

#[test]
fn html_to_stdout_on_request() {
    let dir = corpus(&["org"]);
    let r = run(
        dir.path(),
        &["report", "org", "--format", "html", "-o", "-"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("<!doctype html>"));
    assert!(
        r.stdout
            .contains("href=\"org/payments/design/ledger-export.md\"")
    );
}

#[test]
fn report_and_check_count_the_same_findings() {
    let dir = corpus(&["org"]);
    let report = json_at(dir.path(), TODAY, &["report", "org", "--format", "json"]);
    let r = run(dir.path(), &["check", "org", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let check: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}"));
    for key in ["errors", "warnings", "infos", "hints"] {
        assert_eq!(
            report["totals"]["findings"][key], check["summary"][key],
            "{key}"
        );
    }
    assert_eq!(
        report["totals"]["suppressed"],
        check["summary"]["suppressed"]
    );
    // check lists the linked threat-model file on its own; the report folds it into its
    // design doc.
    assert_eq!(check["summary"]["design_docs"], 6);
    assert_eq!(report["totals"]["design_docs"], 5);
    assert_eq!(report["files"], check["summary"]["files"]);
}

/// Issue 9: an XSS payload in every field a design doc can set (file and folder names,
/// title, heading, owner, status, reviewers, risk, dates, threat text, a not-applicable
/// reason) reaches the page as text only.
#[test]
fn payloads_in_every_doc_field_stay_text() {
    const P: &str = "<svg onload=alert(1)>";
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let folder = dir
        .path()
        .join("<iframe src=javascript:alert(2)>")
        .join("design");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    let doc = format!(
        "---\ntitle: \"{P} title\"\nowner: \"{P} owner\"\nstatus: \"{P}\"\nsecurity_reviewer: \"{P}\"\nreviewers: [\"{P}\"]\nrisk: \"{P}\"\nlast_reviewed: \"{P}\"\n---\n\n# {P} heading\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status | Ticket |\n|----|--------|-------|--------|----------|------------|--------|--------|\n| {P} | S{P} | {P} | {P} payments token | High{P} | {P} | Open{P} | {P} |\n\n- Repudiation: not applicable — {P} because reasons are text.\n"
    );
    std::fs::write(folder.join("<img src=x onerror=alert(3)>.md"), doc)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("report.html");
    let r = run(
        dir.path(),
        &["report", ".", "--format", "html", "-o", "report.html"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let html = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(html.contains("&lt;svg onload=alert(1)&gt; title"), "{html}");
    for tag in ["<svg onload", "<iframe", "<img"] {
        assert!(!html.contains(tag), "{tag} reached the page unescaped");
    }
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert_eq!(html.matches("<script").count(), 1);
    // The markdown report escapes too: it is rendered by code hosts.
    let md = run(dir.path(), &["report", ".", "--format", "markdown"]);
    assert_eq!(md.code, Some(0), "{md:?}");
    for tag in ["<svg onload", "<iframe", "<img"] {
        assert!(
            !md.stdout.contains(tag),
            "{tag} in markdown:\n{}",
            md.stdout
        );
    }
}
