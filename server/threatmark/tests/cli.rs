//! The `threatmark` binary end to end: each test writes its fixture files into a fresh
//! temporary directory, runs the real binary there with a fixed "today" and no colors,
//! and checks the exit status, stdout and stderr.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

/// A design doc by its path, with no threat model: TM001 and its safe fix.
const NO_THREAT_MODEL: &str = "# X\n\nSome design.\n";

const README: &str =
    "# Widget\n\nA small library.\n\n## Security\n\nReport issues to security@example.com.\n";

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

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatmark"));
    cmd.args(args)
        .current_dir(dir)
        .env("THREATMARK_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(command(dir, args), None)
}

fn run_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    run_with(command(dir, args), Some(stdin))
}

fn run_with(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run threatmark: {e}"));
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input)
            .unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("threatmark did not finish: {e}"));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"))
}

fn write(dir: &Path, relative: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is no JSON ({e}): {run:?}"))
}

fn codes(file: &Value) -> Vec<String> {
    file["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- exit status

#[test]
fn a_clean_directory_passes() {
    let dir = tempdir();
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "No markdown files to check.\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn markdown_that_is_no_design_doc_is_never_nagged() {
    let dir = tempdir();
    write(dir.path(), "README.md", README);
    write(dir.path(), "docs/guide.md", "# Guide\n\nHow to use it.\n");
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "No design docs found (2 files checked).\n");
    // Named explicitly, a README is still not nagged.
    let r = run(dir.path(), &["check", "README.md"]);
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn a_design_doc_without_a_threat_model_fails() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("warning[TM001]: "), "{r:?}");
    assert!(r.stdout.contains(" --> docs/design/x.md:1:1\n"), "{r:?}");
    assert!(r.stdout.contains("(2 files checked)"), "{r:?}");
    // TM001 is a warning: failing on errors only lets it pass.
    let r = run(dir.path(), &["check", "--fail-on", "error"]);
    assert_eq!(r.code, Some(0), "{r:?}");
}

#[test]
fn human_output_of_a_small_fixture() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check"]);
    insta::assert_snapshot!(format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    ));
}

#[test]
fn a_missing_path_is_an_error() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    let r = run(dir.path(), &["check", "docs", "nope.md"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stderr, "error: nope.md: no such file or directory\n");
    assert_eq!(r.stdout, "");
}

#[test]
fn a_bad_config_value_names_the_key_and_the_line() {
    let dir = tempdir();
    write(
        dir.path(),
        ".threatmark.toml",
        "# team settings\nstale_after_months = \"nine\"\n",
    );
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    // Found from a subdirectory too: the nearest config in the ancestors.
    let r = run(&dir.path().join("docs"), &["check"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
    assert!(r.stderr.contains("stale_after_months"), "{r:?}");
    assert!(r.stderr.contains(".threatmark.toml:2:"), "{r:?}");
    assert_eq!(r.stdout, "");
}

#[test]
fn unknown_config_keys_and_rule_codes_are_warnings() {
    let dir = tempdir();
    write(
        dir.path(),
        ".threatmark.toml",
        "colour = \"red\"\n[rules]\nTM999 = \"off\"\nTM011 = \"off\"\n",
    );
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert!(warnings.iter().any(|l| l.contains("colour")), "{r:?}");
    assert!(warnings.iter().any(|l| l.contains("TM999")), "{r:?}");
    assert!(!r.stderr.contains("TM011"), "{r:?}");
}

#[test]
fn an_explicit_config_file_is_used() {
    let dir = tempdir();
    write(
        dir.path(),
        "settings/threatmark.toml",
        "stale_after_months = \"nine\"\n",
    );
    write(dir.path(), "README.md", README);
    let r = run(
        dir.path(),
        &["check", "--config", "settings/threatmark.toml"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("settings/threatmark.toml:1:"), "{r:?}");
    let r = run(dir.path(), &["check", "--config", "missing.toml"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("missing.toml"), "{r:?}");
}

#[test]
fn a_methodology_file_that_does_not_parse_stops_the_check() {
    let dir = tempdir();
    write(
        dir.path(),
        ".threatmark.toml",
        "methodology = \"team.toml\"\n",
    );
    write(
        dir.path(),
        "team.toml",
        "name = \"Team\"\n[[category]]\nid = \"phishing\"\n",
    );
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("team.toml"), "{r:?}");
}

#[test]
fn a_team_methodology_file_supplies_the_questions() {
    let dir = tempdir();
    let stride = include_str!("../../engine/src/knowledge/stride.toml");
    let first = "questions = [\n";
    let at = stride
        .match_indices(first)
        .nth(2)
        .map(|(i, _)| i + first.len())
        .unwrap_or(0);
    let team = format!(
        "{}  \"Which ledger entry proves who asked for this?\",\n{}",
        &stride[..at],
        &stride[at..]
    );
    write(
        dir.path(),
        ".threatmark.toml",
        "methodology = \"team.toml\"\n",
    );
    write(dir.path(), "team.toml", team);
    write(
        dir.path(),
        "design/x.md",
        "# X\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Threat |\n|----|----|----|\n| T1 | S, T, I, D, E | a caller forges a token and reads every order |\n",
    );
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v = json(&r);
    let repudiation = v["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "TM020")
        .map(|f| f["message"].as_str().unwrap_or("").to_string());
    assert_eq!(
        repudiation.as_deref(),
        Some("No threat addresses Repudiation. Which ledger entry proves who asked for this?"),
        "{r:?}"
    );
}

#[test]
fn positions_count_unicode_characters_across_crlf_tabs_emoji_and_cjk() {
    let dir = tempdir();
    // Line 9 holds CJK, an emoji and a tab before the bad category `Spofing`.
    let doc = "# 支付 🚀\r\n\r\n## Threat model\r\n\r\n### Threats\r\n\r\n| ID | STRIDE | Threat |\r\n|----|----|----|\r\n| 漢字🚀 |\tSpofing | an attacker forges a payment callback and marks an invoice paid |\r\n";
    write(dir.path(), "design/x.md", doc);
    let r = run(
        dir.path(),
        &["check", "--format", "json", "--fail-on", "error"],
    );
    let v = json(&r);
    let finding = v["files"][0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == "TM021")
        .cloned()
        .unwrap_or_default();
    // `| 漢字🚀 |` is 7 characters (one each, though 3, 3 and 4 bytes), then the tab:
    // `Spofing` starts at character 9 and ends just past character 15.
    assert_eq!(finding["line"], 9, "{r:?}");
    assert_eq!(finding["column"], 9, "{r:?}");
    assert_eq!(finding["end_line"], 9, "{r:?}");
    assert_eq!(finding["end_column"], 16, "{r:?}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempdir();
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--fail-on", "sometimes"],
        &["frobnicate"],
    ] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(r.stderr.contains("error:"), "{args:?}: {r:?}");
    }
}

#[test]
fn a_bad_today_is_an_error() {
    let dir = tempdir();
    let mut cmd = command(dir.path(), &["check"]);
    cmd.env("THREATMARK_TODAY", "23/11/2026");
    let r = run_with(cmd, None);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("THREATMARK_TODAY") && r.stderr.contains("YYYY-MM-DD"),
        "{r:?}"
    );
}

#[test]
fn version_and_help() {
    let dir = tempdir();
    let r = run(dir.path(), &["--version"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(
        r.stdout.trim(),
        format!("threatmark {}", env!("CARGO_PKG_VERSION"))
    );
    let r = run(dir.path(), &["check", "--help"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    for flag in [
        "--format",
        "--fail-on",
        "--fix",
        "--config",
        "--stdin-filename",
    ] {
        assert!(r.stdout.contains(flag), "{flag}: {r:?}");
    }
}

/// `lsp` speaks only LSP on stdout: with no client (stdin at its end) it exits cleanly
/// and writes nothing there. `tests/lsp*.rs` drive it as an editor does.
#[test]
fn lsp_without_a_client_exits_cleanly_and_keeps_stdout_empty() {
    let dir = tempdir();
    for args in [&["lsp"][..], &["lsp", "--stdio"]] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert_eq!(r.stdout, "");
    }
}

// ---------------------------------------------------------------- the walk

#[test]
fn the_walk_respects_gitignore_and_skips_hidden_folders() {
    let dir = tempdir();
    write(dir.path(), ".gitignore", "build/\n");
    write(dir.path(), "build/design/gen.md", NO_THREAT_MODEL);
    write(dir.path(), ".github/design/x.md", NO_THREAT_MODEL);
    write(dir.path(), "notes.txt", NO_THREAT_MODEL);
    write(dir.path(), "docs/b.markdown", "# B\n");
    write(dir.path(), "docs/a.md", "# A\n");
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let out = json(&r);
    let paths: Vec<&str> = out["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, ["docs/a.md", "docs/b.markdown"]);
    // A file named explicitly is checked whatever the ignore files say.
    let r = run(dir.path(), &["check", "build/design/gen.md"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains(" --> build/design/gen.md:1:1"), "{r:?}");
}

#[test]
fn paths_are_relative_to_the_current_directory_and_globs_to_the_root() {
    let dir = tempdir();
    write(dir.path(), ".threatmark.toml", "stale_after_months = 9\n");
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    let r = run(&dir.path().join("docs"), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let out = json(&r);
    assert_eq!(out["files"][0]["path"], "design/x.md");
    assert_eq!(out["files"][0]["design_doc"], true);
}

#[test]
fn invalid_utf8_is_checked_but_never_fixed() {
    let dir = tempdir();
    let mut bytes = NO_THREAT_MODEL.as_bytes().to_vec();
    bytes.extend_from_slice(b"Caf\xe9 menu.\n");
    write(dir.path(), "docs/design/x.md", &bytes);
    let r = run(dir.path(), &["check", "--fix"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("docs/design/x.md: not valid UTF-8"),
        "{r:?}"
    );
    assert!(r.stderr.contains("not fixed"), "{r:?}");
    assert_eq!(
        std::fs::read(dir.path().join("docs/design/x.md")).ok(),
        Some(bytes)
    );
}

// ---------------------------------------------------------------- linked threat models

const LINKING_DESIGN: &str = "# Export\n\nWe export ledgers. See the [threat model](export-threat-model.md).\n\n\
## Architecture\n\n```mermaid\nflowchart LR\n  u[/User/] --> api((API))\n  api --> db[(Ledger)]\n```\n";

const LINKED_THREAT_MODEL: &str = "# Threat model\n\n## Scope\n\nThe export API.\n\n## Threats\n\n\
| ID | STRIDE | Asset | Threat | Severity | Mitigation |\n|---|---|---|---|---|---|\n\
| T1 | Spoofing | Ledger | An attacker with a stolen token reads the ledger of another merchant | High | |\n";

#[test]
fn a_threat_model_in_a_linked_file_is_checked_as_the_design_docs() {
    let dir = tempdir();
    write(dir.path(), "docs/design/export.md", LINKING_DESIGN);
    write(
        dir.path(),
        "docs/design/export-threat-model.md",
        LINKED_THREAT_MODEL,
    );
    for args in [
        &["check", "--format", "json"][..],
        &["check", "docs/design/export.md", "--format", "json"],
    ] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, Some(1), "{args:?}: {r:?}");
        let out = json(&r);
        let files = out["files"].as_array().cloned().unwrap_or_default();
        let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
        assert_eq!(
            paths,
            [
                "docs/design/export-threat-model.md",
                "docs/design/export.md"
            ],
            "{args:?}"
        );
        assert!(
            !codes(&files[1]).contains(&"TM001".to_string()),
            "the design doc has a threat model: {r:?}"
        );
        assert_eq!(files[0]["design_doc"], true);
        assert!(codes(&files[0]).contains(&"TM030".to_string()), "{r:?}");
    }
    // From stdin, the linked file is read from disk too.
    let r = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "docs/design/export.md"],
        LINKING_DESIGN.as_bytes(),
    );
    assert!(!r.stdout.contains("TM001"), "{r:?}");
}

#[test]
fn fix_fixes_a_design_doc_and_its_linked_threat_model_once() {
    let dir = tempdir();
    write(dir.path(), "docs/design/export.md", LINKING_DESIGN);
    write(
        dir.path(),
        "docs/design/export-threat-model.md",
        LINKED_THREAT_MODEL,
    );
    let r = run(dir.path(), &["check", "--fix"]);
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    let design = read(dir.path(), "docs/design/export.md");
    let threat_model = read(dir.path(), "docs/design/export-threat-model.md");
    assert_lines_kept(LINKING_DESIGN, &design);
    assert_lines_kept(LINKED_THREAT_MODEL, &threat_model);
    let again = run(dir.path(), &["check", "--fix"]);
    assert!(
        again.stderr.contains("Fixed 0 findings in 0 files."),
        "{again:?}"
    );
    assert_eq!(read(dir.path(), "docs/design/export.md"), design);
    assert_eq!(
        read(dir.path(), "docs/design/export-threat-model.md"),
        threat_model
    );
}

// ---------------------------------------------------------------- formats

#[test]
fn json_has_the_shape_of_spec_8_1() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let out = json(&r);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    let sorted = |k: &[&str]| {
        let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&out), sorted(&["version", "files", "summary"]));
    assert_eq!(out["version"], 1);
    let files = out["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 2, "{r:?}");

    // Sorted by path; the README is listed, as no design doc.
    let readme = &files[0];
    assert_eq!(readme["path"], "README.md");
    assert_eq!(readme["design_doc"], false);
    assert_eq!(
        keys(readme),
        sorted(&["path", "design_doc", "title", "suppressed", "findings"])
    );
    assert_eq!(readme["findings"], Value::Array(vec![]));

    let doc = &files[1];
    assert_eq!(
        keys(doc),
        sorted(&[
            "path",
            "design_doc",
            "title",
            "risk",
            "suppressed",
            "findings"
        ])
    );
    assert_eq!(doc["path"], "docs/design/x.md");
    assert_eq!(doc["design_doc"], true);
    assert_eq!(doc["title"], "X");
    assert!(doc["suppressed"].is_u64());
    let risk = &doc["risk"];
    assert_eq!(keys(risk), sorted(&["tier", "topics", "activities"]));
    assert!(
        ["low", "medium", "high"].contains(&risk["tier"].as_str().unwrap_or("")),
        "{risk}"
    );
    assert!(
        risk["topics"]
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string))
    );
    assert!(
        risk["activities"]
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string))
    );

    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.is_empty(), "{r:?}");
    for f in &findings {
        assert_eq!(
            keys(f),
            sorted(&[
                "code",
                "name",
                "level",
                "message",
                "line",
                "column",
                "end_line",
                "end_column",
                "data",
                "fixes"
            ])
        );
        assert!(
            f["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("TM") && c.len() == 5),
            "{f}"
        );
        assert!(
            f["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty() && !n.contains(' ')),
            "{f}"
        );
        assert!(
            ["error", "warning", "info", "hint"].contains(&f["level"].as_str().unwrap_or("")),
            "{f}"
        );
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(f[key].as_u64().is_some_and(|n| n >= 1), "{key}: {f}");
        }
        let start = (f["line"].as_u64(), f["column"].as_u64());
        let end = (f["end_line"].as_u64(), f["end_column"].as_u64());
        assert!(start <= end, "{f}");
        assert!(f["data"].is_object(), "{f}");
        for fix in f["fixes"].as_array().into_iter().flatten() {
            assert_eq!(keys(fix), sorted(&["title", "applicability", "edits"]));
            assert!(fix["title"].is_string());
            assert!(
                ["safe", "unsafe", "display_only"]
                    .contains(&fix["applicability"].as_str().unwrap_or(""))
            );
            for edit in fix["edits"].as_array().into_iter().flatten() {
                assert_eq!(
                    keys(edit),
                    sorted(&["line", "column", "end_line", "end_column", "new_text"])
                );
                assert!(edit["new_text"].is_string());
            }
        }
    }
    let tm001 = findings
        .iter()
        .find(|f| f["code"] == "TM001")
        .cloned()
        .unwrap_or_default();
    assert_eq!(tm001["name"], "missing-threat-model");
    assert_eq!(
        (tm001["line"].as_u64(), tm001["column"].as_u64()),
        (Some(1), Some(1))
    );

    let summary = &out["summary"];
    assert_eq!(
        keys(summary),
        sorted(&[
            "files",
            "design_docs",
            "errors",
            "warnings",
            "infos",
            "hints",
            "suppressed"
        ])
    );
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["design_docs"], 1);
    let total: u64 = ["errors", "warnings", "infos", "hints"]
        .iter()
        .filter_map(|k| summary[k].as_u64())
        .sum();
    assert_eq!(total, findings.len() as u64);
}

#[test]
fn sarif_has_the_required_fields() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    let r = run(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let log = json(&r);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].is_string());
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "threatmark");
    assert!(driver["version"].is_string() && driver["informationUri"].is_string());
    let rules = driver["rules"].as_array().cloned().unwrap_or_default();
    assert!(rules.len() >= 20, "every registry rule: {}", rules.len());
    for rule in &rules {
        assert!(
            rule["id"].as_str().is_some_and(|id| id.starts_with("TM")),
            "{rule}"
        );
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
    }
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    for result in &results {
        assert!(result["ruleId"].is_string(), "{result}");
        assert!(result["message"]["text"].is_string(), "{result}");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "docs/design/x.md");
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1),
            "{result}"
        );
        let index = result["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules.get(index).map(|r| &r["id"]), Some(&result["ruleId"]));
    }
    assert!(results.iter().any(|r| r["ruleId"] == "TM001"));
}

#[test]
fn github_annotations() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    let r = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(!r.stdout.is_empty());
    for line in r.stdout.lines() {
        let ok = ["::error file=", "::warning file=", "::notice file="]
            .iter()
            .any(|p| line.starts_with(p));
        assert!(ok, "{line}");
        assert!(
            line.contains(",line=") && line.contains(",col=") && line.contains(",endLine="),
            "{line}"
        );
        assert!(line.contains(",title=TM"), "{line}");
    }
    let tm001 = r
        .stdout
        .lines()
        .find(|l| l.contains(",title=TM001 missing-threat-model::"));
    assert!(tm001.is_some_and(|l| l.starts_with("::warning file=docs/design/x.md,line=1,col=1,endLine=")), "{r:?}");
}

// ---------------------------------------------------------------- stdin

#[test]
fn stdin_is_checked_as_the_named_file() {
    let dir = tempdir();
    let r = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "docs/design/x.md"],
        NO_THREAT_MODEL.as_bytes(),
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains(" --> docs/design/x.md:1:1"), "{r:?}");
    let r = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "README.md"],
        NO_THREAT_MODEL.as_bytes(),
    );
    assert_eq!(r.code, Some(0), "a README is no design doc: {r:?}");
    let r = run_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "docs/design/x.md",
            "--format",
            "json",
        ],
        NO_THREAT_MODEL.as_bytes(),
    );
    assert_eq!(json(&r)["files"][0]["path"], "docs/design/x.md");
}

#[test]
fn stdin_with_fix_writes_the_text_to_stdout_and_findings_to_stderr() {
    let dir = tempdir();
    let r = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "docs/design/x.md", "--fix"],
        NO_THREAT_MODEL.as_bytes(),
    );
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    assert_lines_kept(NO_THREAT_MODEL, &r.stdout);
    assert_ne!(
        r.stdout, NO_THREAT_MODEL,
        "the safe TM001 fix applies: {r:?}"
    );
    assert!(r.stderr.contains("Fixed "), "{r:?}");
    assert!(
        !dir.path().join("docs").exists(),
        "nothing is written to disk"
    );
    // Fixing the fixed text again changes nothing.
    let again = run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "docs/design/x.md", "--fix"],
        r.stdout.as_bytes(),
    );
    assert_eq!(again.stdout, r.stdout, "{again:?}");
}

// ---------------------------------------------------------------- --fix

/// Every line of `original` is in `fixed`, in the same order.
fn assert_lines_kept(original: &str, fixed: &str) {
    let mut rest = fixed.lines();
    for line in original.lines() {
        assert!(
            rest.any(|l| l == line),
            "line {line:?} of the original is missing or out of order in:\n{fixed}"
        );
    }
}

#[test]
fn fix_applies_safe_fixes_once() {
    let dir = tempdir();
    write(dir.path(), "docs/design/x.md", NO_THREAT_MODEL);
    write(dir.path(), "README.md", README);
    let r = run(dir.path(), &["check", "--fix"]);
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    let first = read(dir.path(), "docs/design/x.md");
    assert_ne!(first, NO_THREAT_MODEL, "{r:?}");
    assert_lines_kept(NO_THREAT_MODEL, &first);
    assert!(
        first.contains("Threat model") || first.contains("threat model"),
        "{first}"
    );
    assert!(
        r.stderr.contains("Fixed ") && r.stderr.contains(" in 1 file."),
        "{r:?}"
    );
    assert!(!r.stdout.contains("TM001"), "no TM001 after the fix: {r:?}");
    assert_eq!(
        read(dir.path(), "README.md"),
        README,
        "other markdown is never touched"
    );

    let again = run(dir.path(), &["check", "--fix"]);
    assert_eq!(again.code, r.code, "{again:?}");
    assert_eq!(
        read(dir.path(), "docs/design/x.md"),
        first,
        "a second --fix changes nothing"
    );
    assert!(
        again.stderr.contains("Fixed 0 findings in 0 files."),
        "{again:?}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("docs/design"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(leftovers, ["x.md"], "no temporary files are left");
}

#[test]
fn fix_keeps_a_byte_order_mark_and_crlf_lines() {
    let dir = tempdir();
    let original = "\u{feff}# X\r\n\r\nSome design.\r\n";
    write(dir.path(), "docs/design/x.md", original);
    let r = run(dir.path(), &["check", "--fix"]);
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    let fixed = read(dir.path(), "docs/design/x.md");
    assert!(fixed.starts_with("\u{feff}# X\r\n"), "{fixed:?}");
    assert_lines_kept(
        original.trim_start_matches('\u{feff}'),
        fixed.trim_start_matches('\u{feff}'),
    );
}

// ---------------------------------------------------------------- init

#[test]
fn init_writes_a_design_doc_that_check_reads() {
    let dir = tempdir();
    let r = run(dir.path(), &["init"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("design.md") && r.stderr.contains("Run: threatmark check design.md"),
        "{r:?}"
    );
    let text = read(dir.path(), "design.md");
    assert!(text.contains(&format!("last_reviewed: {TODAY}")), "{text}");

    let r = run(dir.path(), &["check", "design.md", "--format", "json"]);
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    let out = json(&r);
    let file = &out["files"][0];
    assert_eq!(file["design_doc"], true, "{r:?}");
    // The template holds placeholders for the writer to replace (TM050 and friends), but
    // its structure is complete and well-formed.
    let structural = [
        "TM001", "TM002", "TM021", "TM033", "TM034", "TM040", "TM060", "TM090", "TM091",
    ];
    for code in codes(file) {
        assert!(
            !structural.contains(&code.as_str()),
            "{code} in the template: {r:?}"
        );
    }

    let r = run(dir.path(), &["init"]);
    assert_eq!(r.code, Some(2), "refuses to overwrite: {r:?}");
    assert!(
        r.stderr.contains("already exists") && r.stderr.contains("--force"),
        "{r:?}"
    );
    std::fs::write(dir.path().join("design.md"), "mine").ok();
    let r = run(dir.path(), &["init", "--force"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(read(dir.path(), "design.md"), text);
}

#[test]
fn init_to_stdout_and_into_new_folders() {
    let dir = tempdir();
    let r = run(dir.path(), &["init", "-"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.starts_with("---\n") && r.stdout.contains("## Threat model"),
        "{r:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path())
            .map(Iterator::count)
            .unwrap_or(0),
        0,
        "nothing written"
    );
    let r = run(dir.path(), &["init", "docs/design/export.md"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(dir.path().join("docs/design/export.md").is_file());
}

#[test]
fn init_example_billing_is_a_practice_doc_with_gaps() {
    let dir = tempdir();
    let r = run(dir.path(), &["init", "billing.md", "--example", "billing"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = run(dir.path(), &["check", "billing.md", "--format", "json"]);
    assert_eq!(
        r.code,
        Some(1),
        "the practice doc has deliberate gaps: {r:?}"
    );
    let v = json(&r);
    assert_eq!(v["files"][0]["design_doc"], true);
    // Every gap of the README's training table is found.
    let found: Vec<(String, String)> = v["files"][0]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or("").to_string(),
                        f["data"].to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let has = |code: &str, data: &str| found.iter().any(|(c, d)| c == code && d.contains(data));
    for (code, data) in [
        ("TM042", ""),
        ("TM040", ""),
        ("TM002", "scope"),
        ("TM050", ""),
        ("TM012", ""),
        ("TM020", "repudiation"),
        ("TM020", "denial_of_service"),
        ("TM021", ""),
        ("TM030", ""),
        ("TM032", ""),
        ("TM034", ""),
        ("TM010", "Payment processor"),
        ("TM010", "Webhook events"),
        ("TM022", "hooks"),
        ("TM031", ""),
        ("TM041", ""),
    ] {
        assert!(has(code, data), "{code} {data} not found in {found:?}");
    }
    let r = run(dir.path(), &["init", "x.md", "--example", "shop"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("billing"), "{r:?}");
    assert!(!dir.path().join("x.md").exists());
}

// ---------------------------------------------------------------- explain

#[test]
fn explain_rules_and_categories() {
    let dir = tempdir();
    let r = run(dir.path(), &["explain", "TM020"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.starts_with("TM020 stride-unaddressed (warning)"),
        "{r:?}"
    );
    let lower = run(dir.path(), &["explain", "tm020"]);
    assert_eq!(lower.stdout, r.stdout);

    let r = run(dir.path(), &["explain", "spoofing"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.starts_with("Spoofing (S)"), "{r:?}");
    assert!(
        r.stdout.contains("authenticity") && r.stdout.contains('?'),
        "{r:?}"
    );

    for topic in ["D", "DoS", "denial of service"] {
        let r = run(dir.path(), &["explain", topic]);
        assert_eq!(r.code, Some(0), "{topic}: {r:?}");
        assert!(
            r.stdout.starts_with("Denial of service (D)"),
            "{topic}: {r:?}"
        );
    }

    let r = run(dir.path(), &["explain", "nope"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.starts_with("error: `nope`"), "{r:?}");
    assert_eq!(r.stdout, "");
}

#[test]
fn explain_lists_everything() {
    let dir = tempdir();
    let r = run(dir.path(), &["explain"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("TM001") && r.stdout.contains("missing-threat-model"),
        "{r:?}"
    );
    assert!(r.stdout.contains("Elevation of privilege"), "{r:?}");
    let list = run(dir.path(), &["explain", "--list"]);
    assert_eq!(list.stdout, r.stdout);
}

#[test]
fn explain_element_types() {
    let dir = tempdir();
    for topic in ["data_store", "data store", "Data-Store"] {
        let r = run(dir.path(), &["explain", topic]);
        assert_eq!(r.code, Some(0), "{topic}: {r:?}");
        assert!(
            r.stdout.starts_with("Data store (diagram element type)"),
            "{r:?}"
        );
        assert!(
            r.stdout
                .contains("STRIDE per element: Tampering (T), Information disclosure (I), Denial of service (D)"),
            "{r:?}"
        );
        assert!(
            r.stdout
                .contains("Also Repudiation (R) when its name says it holds: log"),
            "{r:?}"
        );
    }
    let r = run(dir.path(), &["explain", "external entity"]);
    assert!(r.stdout.contains("Spoofing (S), Repudiation (R)"), "{r:?}");
    let list = run(dir.path(), &["explain", "--list"]);
    assert!(list.stdout.contains("Diagram element types:"), "{list:?}");
    assert!(list.stdout.contains("process          STRIDE"), "{list:?}");
}

/// SPEC §5 TM001: the skeleton is pre-filled from the diagram, so after `--fix` every data
/// store of the diagram is in the inventory.
#[test]
fn fix_prefills_the_threat_model_from_the_diagram() {
    let dir = tempdir();
    let doc = "# Export service\n\n## Architecture\n\n```mermaid\nflowchart LR\n  merchant[/Merchant/] -->|request| api\n  subgraph vpc [VPC]\n    api((Export API)) --> ledger[(Ledger DB)]\n    api --> bucket[(Export bucket)]\n  end\n```\n";
    write(dir.path(), "design/export.md", doc);
    let before = json(&run(dir.path(), &["check", "--format", "json"]));
    assert_eq!(codes(&before["files"][0]), ["TM001"], "{before}");

    let r = run(dir.path(), &["check", "--fix", "--format", "json"]);
    let fixed = read(dir.path(), "design/export.md");
    assert!(fixed.starts_with(doc.trim_end_matches('\n')), "{fixed}");
    assert!(
        fixed.contains("| A1 | Ledger DB | data store |")
            && fixed.contains("| A2 | Export bucket | data store |"),
        "{fixed}"
    );
    assert!(
        fixed.contains("The data-flow diagram is in *Architecture* above"),
        "{fixed}"
    );
    let after = json(&r);
    let codes = codes(&after["files"][0]);
    assert!(
        !codes.iter().any(|c| c == "TM001" || c == "TM010"),
        "{codes:?}"
    );
    // What is left is the coaching path: placeholders to answer and elements to cover.
    assert!(codes.iter().any(|c| c == "TM050"), "{codes:?}");
}

#[test]
fn a_broken_diagram_is_an_error_at_the_mistake() {
    let dir = tempdir();
    write(
        dir.path(),
        "design/broken.md",
        "# Broken\n\n## Threat model\n\n```mermaid\nflowchart LR\n  a[API] --> b[(DB)\n```\n",
    );
    let r = run(dir.path(), &["check", "--format", "json"]);
    let v = json(&r);
    let tm060: Vec<&Value> = v["files"][0]["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["code"] == "TM060").collect())
        .unwrap_or_default();
    assert_eq!(tm060.len(), 1, "{v}");
    assert_eq!(tm060[0]["level"], "error");
    assert_eq!(tm060[0]["line"], 7);
    assert_eq!(r.code, Some(1));
}

/// Issue 9: the walk survives a symlink loop and a file name that is not UTF-8, and
/// checks everything else.
#[cfg(unix)]
#[test]
fn the_walk_survives_symlink_loops_and_non_utf8_names() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir();
    write(dir.path(), "design/a.md", NO_THREAT_MODEL);
    std::os::unix::fs::symlink("..", dir.path().join("design/loop"))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
    let odd = dir
        .path()
        .join("design")
        .join(std::ffi::OsStr::from_bytes(b"bad\xffname.md"));
    std::fs::write(&odd, NO_THREAT_MODEL).unwrap_or_else(|e| panic!("{e}"));
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v = json(&r);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.contains(&"design/a.md"), "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("design/bad") && p.ends_with("name.md")),
        "{paths:?}"
    );
}

// ---------------------------------------------------------------- streaming

/// More files than `check` analyses before writing their output (its window, 256), so
/// that the output is written in several windows.
const MANY: usize = 300;

fn with_threads(dir: &Path, args: &[&str], threads: &str) -> Run {
    let mut cmd = command(dir, args);
    cmd.env("RAYON_NUM_THREADS", threads);
    run_with(cmd, None)
}

fn json_paths(run: &Run) -> Vec<String> {
    json(run)["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| f["path"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A tree of design docs (some with findings that have fixes), READMEs and folders whose
/// names sort differently as strings and as paths (`docs/` before `docs-old/`). File `i`
/// is in a design folder when `i` is even; a third of the files have a threat-model
/// heading (design docs wherever they are), a third have no threat model. Some are not
/// valid UTF-8, for warnings on stderr from several windows.
fn many_files(dir: &Path) {
    for i in 0..MANY {
        let folder = ["docs/design", "docs-old", "docs/design/sub", "a"][i % 4];
        let text = match i % 3 {
            0 => NO_THREAT_MODEL.to_string(),
            1 => README.to_string(),
            _ => format!(
                "# Doc {i}\n\n## Threat model\n\n| ID | STRIDE | Threat |\n|---|---|---|\n| T1 | Spoofing | Someone |\n"
            ),
        };
        let mut bytes = text.into_bytes();
        if i % 50 == 7 {
            bytes.extend_from_slice(b"Caf\xe9.\n");
        }
        write(dir, &format!("{folder}/f{i:03}.md"), bytes);
    }
}

#[test]
fn output_is_in_path_order_and_the_same_on_one_and_many_threads() {
    let dir = tempdir();
    many_files(dir.path());
    for format in ["human", "json", "sarif", "github"] {
        let args = ["check", "--format", format];
        let one = with_threads(dir.path(), &args, "1");
        let many = with_threads(dir.path(), &args, "4");
        assert_eq!(one.code, Some(1), "{format}: {one:?}");
        assert_eq!(one.code, many.code, "{format}");
        assert_eq!(one.stdout, many.stdout, "{format}: stdout differs");
        assert_eq!(one.stderr, many.stderr, "{format}: stderr differs");
    }
    let r = with_threads(dir.path(), &["check", "--format", "json"], "4");
    let paths = json_paths(&r);
    assert_eq!(paths.len(), MANY, "{r:?}");
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
    assert_eq!(paths, sorted, "path order");
    assert!(paths[0].starts_with("a/"), "{paths:?}");
    let docs = paths.iter().position(|p| p.starts_with("docs/"));
    let old = paths.iter().position(|p| p.starts_with("docs-old/"));
    assert!(docs < old, "docs/ sorts before docs-old/: {paths:?}");
    let warned: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .filter_map(|l| l.split(": not valid UTF-8").next())
        .collect();
    assert_eq!(warned.len(), MANY / 50, "{r:?}");
    let mut warned_sorted = warned.clone();
    warned_sorted.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
    assert_eq!(warned, warned_sorted, "warnings in path order");
    let summary = &json(&r)["summary"];
    assert_eq!(summary["files"], MANY, "{summary}");
    let design_docs = (0..MANY).filter(|i| i % 3 == 2 || i % 2 == 0).count();
    assert_eq!(summary["design_docs"], design_docs, "{summary}");
}

#[test]
fn more_files_than_a_window_are_all_reported_once_in_every_format() {
    let dir = tempdir();
    many_files(dir.path());
    let json_run = run(dir.path(), &["check", "--format", "json"]);
    let out = json(&json_run);
    let findings: usize = out["files"]
        .as_array()
        .map(|f| f.iter().map(|f| codes(f).len()).sum())
        .unwrap_or_default();
    // Each design doc without a threat model (in a design folder) has TM001.
    let tm001: usize = out["files"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|f| codes(f).contains(&"TM001".to_string()))
                .count()
        })
        .unwrap_or_default();
    assert_eq!(tm001, MANY / 6, "{json_run:?}");
    let sarif = run(dir.path(), &["check", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap_or_default();
    let results = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    assert_eq!(results, findings, "one SARIF result per finding");
    let github = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(github.stdout.lines().count(), findings, "{github:?}");
    let human = run(dir.path(), &["check"]);
    assert_eq!(
        human.stdout.matches("\n --> ").count() + usize::from(human.stdout.starts_with(" --> ")),
        findings,
        "one snippet per finding"
    );
    assert!(
        human.stdout.trim_end().lines().last().is_some_and(|l| l
            .contains(&format!("({MANY} files checked)"))
            || l.contains("fixable with")),
        "the summary comes last: {human:?}"
    );
}

/// A threat-model file that sorts before the design doc linking it, with more files
/// between them than fit in a window.
fn threat_model_first(dir: &Path) {
    write(dir, "docs/a/export-threat-model.md", LINKED_THREAT_MODEL);
    for i in 0..MANY {
        write(dir, &format!("docs/b/f{i:03}.md"), README);
    }
    write(dir, "docs/c/design/export.md", linking_design_in_c());
}

fn linking_design_in_c() -> String {
    LINKING_DESIGN.replace(
        "(export-threat-model.md)",
        "(../../a/export-threat-model.md)",
    )
}

#[test]
fn a_threat_model_before_its_design_doc_is_reported_as_the_pair() {
    let dir = tempdir();
    threat_model_first(dir.path());
    // A threat-model file that no design doc links keeps its own record.
    write(
        dir.path(),
        "docs/d/orphan-threat-model.md",
        LINKED_THREAT_MODEL,
    );
    let r = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let out = json(&r);
    let files = out["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), MANY + 3, "each file once: {r:?}");
    assert_eq!(files[0]["path"], "docs/a/export-threat-model.md");
    assert_eq!(files[MANY + 1]["path"], "docs/c/design/export.md");
    assert_eq!(files[MANY + 2]["path"], "docs/d/orphan-threat-model.md");
    // Checked with the design doc: its diagram is in force, so the threat model's
    // findings are those of the pair, not of the file on its own.
    let alone = run(
        dir.path(),
        &["check", "docs/a/export-threat-model.md", "--format", "json"],
    );
    let pair = run(
        dir.path(),
        &[
            "check",
            "docs/c/design/export.md",
            "docs/a/export-threat-model.md",
            "--format",
            "json",
        ],
    );
    let alone = json(&alone)["files"][0].clone();
    let pair = json(&pair)["files"][0].clone();
    assert_eq!(pair["path"], "docs/a/export-threat-model.md");
    assert_ne!(alone, pair, "the pair must differ from the file alone");
    assert_eq!(files[0], pair, "{r:?}");
    assert!(codes(&files[0]).contains(&"TM030".to_string()), "{r:?}");
    assert!(
        !codes(&files[MANY + 1]).contains(&"TM001".to_string()),
        "the design doc has a threat model: {r:?}"
    );
    // The same in every format as on one thread.
    for format in ["human", "json", "sarif", "github"] {
        let args = ["check", "--format", format];
        let one = with_threads(dir.path(), &args, "1");
        let many = with_threads(dir.path(), &args, "3");
        assert_eq!(one.stdout, many.stdout, "{format}");
    }
}

#[test]
fn fix_works_across_windows_and_on_a_held_threat_model() {
    let dir = tempdir();
    threat_model_first(dir.path());
    for i in 0..MANY {
        write(
            dir.path(),
            &format!("docs/design/x{i:03}.md"),
            NO_THREAT_MODEL,
        );
    }
    let r = run(dir.path(), &["check", "--fix"]);
    assert!(r.code == Some(0) || r.code == Some(1), "{r:?}");
    for i in 0..MANY {
        let fixed = read(dir.path(), &format!("docs/design/x{i:03}.md"));
        assert_ne!(fixed, NO_THREAT_MODEL, "x{i:03}.md was not fixed: {r:?}");
        assert_lines_kept(NO_THREAT_MODEL, &fixed);
    }
    let threat_model = read(dir.path(), "docs/a/export-threat-model.md");
    assert_lines_kept(LINKED_THREAT_MODEL, &threat_model);
    let design = read(dir.path(), "docs/c/design/export.md");
    let changed = MANY
        + usize::from(threat_model != LINKED_THREAT_MODEL)
        + usize::from(design != linking_design_in_c());
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("Fixed ") && l.ends_with(&format!(" in {changed} files."))),
        "{changed} files changed: {r:?}"
    );
    assert!(!r.stdout.contains("TM001"), "no TM001 after the fix");
    let again = run(dir.path(), &["check", "--fix"]);
    assert!(
        again.stderr.contains("Fixed 0 findings in 0 files."),
        "{again:?}"
    );
}
