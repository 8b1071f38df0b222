//! `threatmark lsp` end to end: the real binary over stdio, driven as an editor drives it
//! (tests/lsp_support is the client). Each test asserts what the server returns.

mod lsp_support;

use lsp_support::{Client, Options, apply_edits, codes, file_uri, range};
use serde_json::{Value, json};
use std::path::Path;

/// A design doc (by its path) with findings that have fixes: TM002 (no diagram, safe
/// insertion), TM020 (Spoofing unaddressed once `Spoofng` is misspelt; two unsafe
/// fixes), TM021 (`Spoofng`, safe replacement), TM031 (`Hihg`, safe replacement, on a
/// line that also holds an emoji).
const EXPORT: &str = "---
title: Ledger export
owner: team-ledger
status: draft
last_reviewed: 2026-10-01
---

# Ledger export

A worker exports the ledger to a bucket.

## Threat model

### Scope

The export worker and the bucket.

### Assets

| ID | Asset | Type | Classification |
|----|-------|------|----------------|
| A1 | Ledger exports | data store | confidential |
| A2 | Export worker | process | internal |

### Threats

| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |
|----|--------|-------|--------|----------|------------|--------|
| T1 | Spoofng | A2 | A caller on the cluster network submits jobs as the scheduler and exports another tenant's ledger | High | M1 | Mitigated |
| T2 | T | A1 | An operator with bucket write access replaces a stored export with altered figures 😀 | Hihg | M2 | Mitigated |
| T3 | R, I, D, E | A1 | A tenant denies having requested an export and support cannot show who asked for it | Low | M3 | Mitigated |

### Mitigations

- M1: Jobs carry a signed scheduler token that the worker verifies.
- M2: The bucket is write-once and exports are signed.
- M3: Every export request is logged with the tenant session id.

### Review

Walked through with the ledger team.
";

/// A README: markdown that is no design doc (a bare `## Security` section).
const README: &str =
    "# Widget\n\nA small library.\n\n## Security\n\nReport issues to security@example.com.\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("docs/design")).expect("mkdir");
    dir
}

fn doc_uri(root: &Path, name: &str) -> String {
    file_uri(&root.join("docs/design").join(name))
}

fn by_code<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

fn pull_client(root: &Path) -> Client {
    Client::start(Options {
        root: Some(root),
        pull: true,
        ..Options::default()
    })
}

#[test]
fn initialize_negotiates_the_position_encoding_and_announces_features() {
    let dir = workspace();
    let mut utf16 = Client::start(Options {
        root: Some(dir.path()),
        ..Options::default()
    });
    let caps = utf16.initialize_result["capabilities"].clone();
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["diagnosticProvider"]["workspaceDiagnostics"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!([
            "quickfix",
            "source.fixAll.threatmark",
            "refactor.rewrite.threatmark.generateThreatRows"
        ])
    );
    assert_eq!(utf16.initialize_result["serverInfo"]["name"], "threatmark");
    // Logs go to window/logMessage (and stderr), never to stdout.
    let log = utf16.notification("a log line", |m| m["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ready")
    );
    assert!(utf16.stderr_shows("ready"), "{}", utf16.stderr());
    assert!(utf16.shutdown().success());

    let utf8 = Client::start(Options {
        root: Some(dir.path()),
        utf8: true,
        ..Options::default()
    });
    assert_eq!(
        utf8.initialize_result["capabilities"]["positionEncoding"],
        "utf-8"
    );
}

#[test]
fn pushed_diagnostics_carry_version_source_code_description_and_data() {
    let dir = workspace();
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        ..Options::default()
    });
    let uri = doc_uri(dir.path(), "export.md");
    client.open_version(&uri, EXPORT, 7);
    let published = client.published(&uri, Some(7));
    let diagnostics = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(codes(&diagnostics), ["TM002", "TM020", "TM021", "TM031"]);
    for d in &diagnostics {
        assert_eq!(d["source"], "threatmark");
        assert_eq!(
            d["codeDescription"]["href"],
            format!(
                "threatmark://explain/{}",
                d["code"].as_str().unwrap_or_default()
            )
        );
        assert_eq!(d["data"]["version"], 7);
    }
    let tm021 = by_code(&diagnostics, "TM021");
    assert_eq!(tm021["severity"], 1);
    assert_eq!(tm021["range"], range([28, 7], [28, 14]));
    assert!(
        tm021["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Did you mean Spoofing?")
    );
    assert_eq!(
        by_code(&diagnostics, "TM020")["data"]["category"],
        "spoofing"
    );
    assert_eq!(by_code(&diagnostics, "TM002")["data"]["section"], "diagram");

    // An edit: the next publish is for the new version and reflects it.
    client.change(&uri, 8, [28, 7], [28, 14], "Spoofing");
    let published = client.published(&uri, Some(8));
    let diagnostics = published["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(codes(&diagnostics), ["TM002", "TM031"]);

    // Closing clears them.
    client.close(&uri);
    let cleared = client.published(&uri, None);
    assert_eq!(cleared["diagnostics"], json!([]));
}

#[test]
fn markdown_that_is_no_design_doc_gets_no_diagnostics() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let readme = file_uri(&dir.path().join("README.md"));
    client.open(&readme, README);
    assert_eq!(client.pull(&readme), Vec::<Value>::new());
    // A doc at a design doc's path is checked.
    let design = doc_uri(dir.path(), "widget.md");
    client.open(&design, "# Widget\n\nA small library.\n");
    assert_eq!(codes(&client.pull(&design)), ["TM001"]);
}

#[test]
fn pull_diagnostics_report_unchanged_until_the_text_changes() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    let first = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("diagnostic");
    assert_eq!(first["kind"], "full");
    assert_eq!(
        codes(first["items"].as_array().unwrap()),
        ["TM002", "TM020", "TM021", "TM031"]
    );
    let id = first["resultId"].clone();
    let again = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": id}),
        )
        .expect("diagnostic");
    assert_eq!(again, json!({"kind": "unchanged", "resultId": id}));
    client.change(&uri, 2, [29, 104], [29, 108], "High");
    let changed = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": id}),
        )
        .expect("diagnostic");
    assert_eq!(changed["kind"], "full");
    assert_eq!(
        codes(changed["items"].as_array().unwrap()),
        ["TM002", "TM020", "TM021"]
    );
    // No push to a client that pulls.
    assert!(
        !client
            .notifications
            .iter()
            .any(|n| n["method"] == "textDocument/publishDiagnostics"),
        "{:#?}",
        client.notifications
    );
}

#[test]
fn workspace_diagnostics_cover_open_and_closed_files() {
    let dir = workspace();
    let closed = dir.path().join("docs/design/closed.md");
    std::fs::write(&closed, "# Closed\n\nNo threat model here.\n").expect("write");
    std::fs::write(dir.path().join("README.md"), README).expect("write");
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open_version(&uri, EXPORT, 3);
    let report = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .expect("workspace/diagnostic");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    let find = |u: &str| {
        items
            .iter()
            .find(|i| i["uri"] == u)
            .unwrap_or_else(|| panic!("no report for {u} in {items:#?}"))
            .clone()
    };
    let open = find(&uri);
    assert_eq!(open["version"], 3);
    assert_eq!(
        codes(open["items"].as_array().unwrap()),
        ["TM002", "TM020", "TM021", "TM031"]
    );
    let closed_report = find(&file_uri(&closed));
    assert_eq!(closed_report["version"], Value::Null);
    assert_eq!(codes(closed_report["items"].as_array().unwrap()), ["TM001"]);
    let readme = find(&file_uri(&dir.path().join("README.md")));
    assert_eq!(readme["items"], json!([]));
    // Asked again with the result ids: nothing changed.
    let previous: Vec<Value> = items
        .iter()
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    let again = client
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .expect("workspace/diagnostic");
    let kinds: Vec<&Value> = again["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["kind"])
        .collect();
    assert!(kinds.iter().all(|k| *k == "unchanged"), "{again:#}");
    // A closed file changed on disk: reported again, from its new text.
    std::fs::write(&closed, "# Closed\n\n## Threat model\n\nTBD\n").expect("write");
    let changed = client
        .request(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .expect("workspace/diagnostic");
    let report = changed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["uri"] == file_uri(&closed))
        .cloned()
        .unwrap_or_default();
    assert_eq!(report["kind"], "full", "{changed:#}");
    assert!(!codes(report["items"].as_array().unwrap()).contains(&"TM001".to_string()));
}

#[test]
fn utf8_and_utf16_ranges_differ_by_the_emoji_width() {
    let dir = workspace();
    let uri = doc_uri(dir.path(), "export.md");
    let tm031 = |utf8: bool| {
        let mut client = Client::start(Options {
            root: Some(dir.path()),
            utf8,
            pull: true,
            ..Options::default()
        });
        client.open(&uri, EXPORT);
        by_code(&client.pull(&uri), "TM031")["range"].clone()
    };
    let (utf8, utf16) = (tm031(true), tm031(false));
    let line = EXPORT.lines().nth(29).unwrap_or_default();
    let hihg = line.find("Hihg").unwrap_or_default();
    assert_eq!(utf8, range([29, hihg as u32], [29, hihg as u32 + 4]));
    for end in ["start", "end"] {
        assert_eq!(utf8[end]["line"], utf16[end]["line"]);
        let (a, b) = (
            utf8[end]["character"].as_u64().unwrap_or_default(),
            utf16[end]["character"].as_u64().unwrap_or_default(),
        );
        // 😀 is 4 UTF-8 code units and 2 UTF-16 code units.
        assert_eq!(a - b, 2, "{end}: {utf8} vs {utf16}");
    }
}

#[test]
fn crlf_documents_get_the_same_positions_as_lf_ones() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let lf = doc_uri(dir.path(), "lf.md");
    let crlf = doc_uri(dir.path(), "crlf.md");
    let crlf_text = EXPORT.replace('\n', "\r\n");
    client.open(&lf, EXPORT);
    client.open(&crlf, &crlf_text);
    let lf_diagnostics = client.pull(&lf);
    assert_eq!(client.pull(&crlf), lf_diagnostics);
    // An incremental edit at a CRLF line's end lands before its `\r\n`.
    client.change(&crlf, 2, [29, 200], [29, 200], " |");
    let text = client.server_text(&crlf);
    assert!(text.contains("| Mitigated | |\r\n| T3"), "{text:?}");
    let expected = crlf_text.replacen(
        "| Hihg | M2 | Mitigated |",
        "| Hihg | M2 | Mitigated | |",
        1,
    );
    assert_eq!(text, expected);
}

/// Every quick fix of every finding, applied to the text as an editor would: the
/// finding it fixes is gone, and no line outside the edit changed.
#[test]
fn each_quick_fix_removes_its_finding_and_touches_only_its_target() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    let diagnostics = client.pull(&uri);
    let mut applied = 0;
    for (n, d) in diagnostics.iter().enumerate() {
        let actions = client.code_actions(
            &uri,
            d["range"].clone(),
            vec![d.clone()],
            Some(vec!["quickfix"]),
        );
        for action in actions {
            assert_eq!(action["kind"], "quickfix");
            assert_eq!(action["diagnostics"], json!([d]));
            let change = &action["edit"]["documentChanges"][0];
            assert_eq!(change["textDocument"], json!({"uri": uri, "version": 1}));
            let edits = change["edits"].as_array().cloned().unwrap_or_default();
            let fixed = apply_edits(EXPORT, &edits, false);
            assert_unchanged_outside(EXPORT, &fixed, &edits);

            // A fresh document holding the fixed text.
            let fixed_uri = doc_uri(dir.path(), &format!("fixed-{n}-{applied}.md"));
            client.open(&fixed_uri, &fixed);
            let after = client.pull(&fixed_uri);
            let same_finding = |x: &Value| {
                x["code"] == d["code"] && x["data"]["category"] == d["data"]["category"]
            };
            assert!(
                !after.iter().any(same_finding),
                "{} left {} in place:\n{fixed}\n{after:#?}",
                action["title"],
                d["code"]
            );
            applied += 1;
        }
    }
    // TM002 (1), TM020 (2), TM021 (1), TM031 (1), and "Suppress … here" for each of the
    // four findings.
    assert_eq!(applied, 9);
}

/// The lines before the first edit and after the last are the same in both texts.
fn assert_unchanged_outside(before: &str, after: &str, edits: &[Value]) {
    let first = edits
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap_or_default())
        .min()
        .unwrap_or_default() as usize;
    let last = edits
        .iter()
        .map(|e| e["range"]["end"]["line"].as_u64().unwrap_or_default())
        .max()
        .unwrap_or_default() as usize;
    let (b, a): (Vec<&str>, Vec<&str>) =
        (before.split('\n').collect(), after.split('\n').collect());
    assert_eq!(b[..first], a[..first], "a line before the edit changed");
    let tail = b.len() - last - 1;
    assert_eq!(
        b[b.len() - tail..],
        a[a.len() - tail..],
        "a line after the edit changed"
    );
}

#[test]
fn fix_all_applies_the_safe_fixes_as_check_fix_does_with_line_edits() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    let actions = client.code_actions(
        &uri,
        range([0, 0], [0, 0]),
        vec![],
        Some(vec!["source.fixAll"]),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let action = &actions[0];
    assert_eq!(action["kind"], "source.fixAll.threatmark");
    // TM002's diagram, then (next round) TM010's inventory row for the diagram's store,
    // TM021's and TM031's cells.
    assert_eq!(action["title"], "Fix 4 threatmark findings");
    let edits = action["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // Three places (the new diagram section, the new asset row, the two adjacent rows
    // with a misspelt cell), not one replace from the first change to the last.
    assert_eq!(edits.len(), 3, "{edits:#?}");
    assert_eq!(edits[2]["range"], range([28, 0], [30, 0]));
    let fixed = apply_edits(EXPORT, &edits, false);
    // The same text as `check --fix` (one implementation, threatmark_engine::fix).
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_threatmark"))
        .args([
            "check",
            "--fix",
            "--stdin-filename",
            "docs/design/export.md",
        ])
        .current_dir(dir.path())
        .env("THREATMARK_TODAY", lsp_support::TODAY)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn check");
    std::io::Write::write_all(&mut cli.stdin.take().expect("stdin"), EXPORT.as_bytes())
        .expect("write");
    let output = cli.wait_with_output().expect("check --fix");
    assert_eq!(fixed, String::from_utf8_lossy(&output.stdout));

    client.replace_all(&uri, 2, &fixed);
    let left = codes(&client.pull(&uri));
    for gone in ["TM002", "TM010", "TM021", "TM031"] {
        assert!(!left.iter().any(|c| c == gone), "{gone} in {left:?}");
    }
    // `quickfix` alone does not include fixAll.
    let quick = client.code_actions(&uri, range([0, 0], [0, 0]), vec![], Some(vec!["quickfix"]));
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"), "{quick:#?}");
}

/// The refactor adds a placeholder row for each diagram element's uncovered categories,
/// inside the threats table, and nothing else; afterwards TM022 is gone.
#[test]
fn generate_threat_rows_from_the_diagram() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    let text = EXPORT
        .replace("Spoofng", "Spoofing")
        .replace("Hihg", "High")
        .replacen(
            "### Assets",
            "### Data flow diagram\n\n```mermaid\nflowchart LR\n  sched[/Scheduler/]\n  subgraph cluster [Export cluster]\n    worker((Export worker))\n    exports[(Ledger exports)]\n  end\n  sched -->|job| worker\n  worker -->|write| exports\n```\n\n### Assets",
            1,
        );
    client.open(&uri, &text);
    let before = client.pull(&uri);
    assert!(codes(&before).contains(&"TM022".to_string()), "{before:#?}");
    let actions = client.code_actions(&uri, range([0, 0], [0, 0]), vec![], Some(vec!["refactor"]));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["title"], "Generate threat rows from diagram");
    assert_eq!(
        actions[0]["kind"],
        "refactor.rewrite.threatmark.generateThreatRows"
    );
    let edits = actions[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let generated = apply_edits(&text, &edits, false);
    assert_unchanged_outside(&text, &generated, &edits);
    let added: Vec<&str> = generated
        .lines()
        .filter(|l| !text.lines().any(|o| o == *l))
        .collect();
    assert!(!added.is_empty());
    assert!(added.iter().all(|l| l.starts_with("| T")), "{added:#?}");
    client.replace_all(&uri, 2, &generated);
    let after = client.pull(&uri);
    assert!(!codes(&after).contains(&"TM022".to_string()), "{after:#?}");
    // Nothing more to generate.
    let again = client.code_actions(&uri, range([0, 0], [0, 0]), vec![], Some(vec!["refactor"]));
    assert_eq!(again, Vec::<Value>::new());
}

#[test]
fn a_quick_fix_for_an_outdated_diagnostic_is_not_offered() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    let tm031 = by_code(&client.pull(&uri), "TM031").clone();
    // A line inserted above: the old diagnostic's range no longer holds `Hihg`.
    client.change(&uri, 2, [0, 0], [0, 0], "\n");
    let actions = client.code_actions(
        &uri,
        tm031["range"].clone(),
        vec![tm031.clone()],
        Some(vec!["quickfix"]),
    );
    assert_eq!(actions, Vec::<Value>::new());
    // The fresh diagnostic gets its fix, for the new version.
    let fresh = by_code(&client.pull(&uri), "TM031").clone();
    let actions = client.code_actions(
        &uri,
        fresh["range"].clone(),
        vec![fresh],
        Some(vec!["quickfix"]),
    );
    let titles: Vec<&Value> = actions.iter().map(|a| &a["title"]).collect();
    assert_eq!(titles, ["Replace with High", "Suppress TM031 here…"]);
    assert_eq!(
        actions[0]["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
}

#[test]
fn the_workspace_config_file_applies_and_an_invalid_one_keeps_the_last_good() {
    let dir = workspace();
    let config = dir.path().join(".threatmark.toml");
    std::fs::write(&config, "[rules]\nTM031 = \"off\"\n").expect("write");
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    assert_eq!(codes(&client.pull(&uri)), ["TM002", "TM020", "TM021"]);
    // The server watches the file (registered dynamically).
    let registration = client.server_request("client/registerCapability");
    // A valid file: its diagnostics are published empty.
    let initial = client.published(&file_uri(&config), None);
    assert_eq!(initial["diagnostics"], json!([]));
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );

    std::fs::write(
        &config,
        "stale_after_months = \"soon\"\n[rules]\nTM031 = \"info\"\n",
    )
    .expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 2}]}),
    );
    let shown = client.notification("showMessage", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("last valid configuration")
    );
    let on_file = client.published(&file_uri(&config), None);
    let diagnostics = on_file["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 0);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("stale_after_months")
    );
    // The last good configuration (TM031 off) is still in force.
    assert_eq!(codes(&client.pull(&uri)), ["TM002", "TM020", "TM021"]);

    // Fixed: the new file applies, and its diagnostics are cleared.
    std::fs::write(&config, "[rules]\nTM021 = \"off\"\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 2}]}),
    );
    let cleared = client.published(&file_uri(&config), None);
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(codes(&client.pull(&uri)), ["TM002", "TM020", "TM031"]);
}

#[test]
fn editor_settings_apply_under_the_config_file() {
    let dir = workspace();
    std::fs::write(
        dir.path().join(".threatmark.toml"),
        "[rules]\nTM031 = \"off\"\n",
    )
    .expect("write");
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        pull: true,
        settings: Some(
            json!({"rules": {"TM021": "off", "TM031": "error"}, "server": {"path": "x"}}),
        ),
        ..Options::default()
    });
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    // The settings arrive after `initialized`; the server asks for a refresh then.
    let asked = client.server_request("workspace/configuration");
    assert_eq!(asked["params"]["items"][0]["section"], "threatmark");
    client.server_request("workspace/diagnostic/refresh");
    // TM021 is off by the settings; TM031 is off by the file, which wins over the
    // settings' "error".
    assert_eq!(codes(&client.pull(&uri)), ["TM002", "TM020"]);
}

#[test]
fn a_panicking_request_is_an_internal_error_and_the_server_keeps_serving() {
    if !cfg!(debug_assertions) {
        // The injection exists in debug builds only (src/lsp/guard.rs).
        return;
    }
    let dir = workspace();
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        pull: true,
        env: vec![("THREATMARK_LSP_TEST_PANIC", "textDocument/diagnostic")],
        ..Options::default()
    });
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, EXPORT);
    let error = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect_err("the injected panic");
    assert_eq!(error["code"], -32603, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("textDocument/diagnostic")
    );
    // The next requests are answered.
    let actions = client.code_actions(
        &uri,
        range([28, 8], [28, 8]),
        vec![],
        Some(vec!["quickfix"]),
    );
    assert_eq!(actions[0]["title"], "Replace with Spoofing");
    let again = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(again.is_err());
    assert!(client.shutdown().success());
}

/// A design doc that keeps its threat model in a linked file (SPEC §3) is analysed with
/// it, as `check` does; an edit to the open threat-model file re-checks the design doc.
#[test]
fn a_linked_threat_model_file_counts_and_its_edits_recheck_the_design_doc() {
    let dir = workspace();
    let tm_path = dir.path().join("docs/design/export-threat-model.md");
    let tm_text = EXPORT.replacen(
        "# Ledger export\n\nA worker exports the ledger to a bucket.\n\n## Threat model",
        "# Threat model",
        1,
    );
    std::fs::write(&tm_path, &tm_text).expect("write");
    let design_text = "# Ledger export\n\nA worker exports the ledger. Its threat model: [threat model](export-threat-model.md).\n";
    let mut client = pull_client(dir.path());
    let design = doc_uri(dir.path(), "export.md");
    client.open(&design, design_text);
    // No TM001: the linked file is its threat model.
    assert!(!codes(&client.pull(&design)).contains(&"TM001".to_string()));

    // The threat-model file, open: its findings are its own (the misspelt category).
    let tm_uri = file_uri(&tm_path);
    client.open(&tm_uri, &tm_text);
    assert!(codes(&client.pull(&tm_uri)).contains(&"TM021".to_string()));
    // It stops being a threat model: the design doc has none any more.
    client.change(&tm_uri, 2, [0, 0], [0, 14], "# Notes");
    assert!(codes(&client.pull(&design)).contains(&"TM001".to_string()));
    // Closed, it is read from disk again; a change there (reported by the watcher)
    // re-checks the design doc.
    client.close(&tm_uri);
    assert!(!codes(&client.pull(&design)).contains(&"TM001".to_string()));
    std::fs::write(&tm_path, "# Notes\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": tm_uri, "type": 2}]}),
    );
    client.server_request("workspace/diagnostic/refresh");
    assert!(codes(&client.pull(&design)).contains(&"TM001".to_string()));
}

/// A threat-model file opened before its design doc is checked on its own first (no
/// diagram of its own: TM002); once the design doc, which has the diagram, is open, it
/// is checked with it.
#[test]
fn a_threat_model_file_opened_first_is_rechecked_with_its_design_doc() {
    let dir = workspace();
    let tm_path = dir.path().join("docs/design/export-threat-model.md");
    let tm_text = EXPORT.replacen(
        "# Ledger export\n\nA worker exports the ledger to a bucket.\n\n## Threat model",
        "# Threat model",
        1,
    );
    std::fs::write(&tm_path, &tm_text).expect("write");
    let mut client = pull_client(dir.path());
    let tm_uri = file_uri(&tm_path);
    client.open(&tm_uri, &tm_text);
    let alone = client.pull(&tm_uri);
    assert!(
        alone
            .iter()
            .any(|d| d["code"] == "TM002" && d["data"]["section"] == "diagram"),
        "{alone:#?}"
    );
    let design = doc_uri(dir.path(), "export.md");
    let design_text = "# Ledger export\n\nThe threat model: [threat model](export-threat-model.md).\n\n## Architecture\n\n```mermaid\nflowchart LR\n  A2((Export worker)) --> A1[(Ledger exports)]\n```\n";
    client.open(&design, design_text);
    let design_codes = codes(&client.pull(&design));
    assert!(
        !design_codes.contains(&"TM001".to_string()),
        "{design_codes:?}"
    );
    let together = client.pull(&tm_uri);
    assert!(
        !together
            .iter()
            .any(|d| d["code"] == "TM002" && d["data"]["section"] == "diagram"),
        "{together:#?}"
    );
}

/// In a CRLF document, the lines a fix inserts end with `\r\n` too.
#[test]
fn fixes_in_a_crlf_document_insert_crlf_lines() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "crlf.md");
    let text = EXPORT.replace('\n', "\r\n");
    client.open(&uri, &text);
    let lone_lf = |t: &str| {
        t.match_indices('\n')
            .any(|(i, _)| i == 0 || &t[i - 1..i] != "\r")
    };
    let tm002 = by_code(&client.pull(&uri), "TM002").clone();
    let actions = client.code_actions(
        &uri,
        tm002["range"].clone(),
        vec![tm002],
        Some(vec!["quickfix"]),
    );
    let edits = actions[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply_edits(&text, &edits, false);
    assert!(fixed.contains("### Data flow diagram\r\n"), "{fixed:?}");
    assert!(!lone_lf(&fixed), "{fixed:?}");
    let all = client.code_actions(
        &uri,
        range([0, 0], [0, 0]),
        vec![],
        Some(vec!["source.fixAll"]),
    );
    let edits = all[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply_edits(&text, &edits, false);
    assert!(fixed.contains("| T1 | Spoofing | A2 |"));
    assert!(!lone_lf(&fixed), "{fixed:?}");
}
