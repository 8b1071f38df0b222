//! The editor features of `threatmark lsp` through the real binary: hover, completion,
//! document and workspace symbols, the code lens, definition, references, rename,
//! folding ranges and the suppression quick fix. Each test asserts the returned content.

mod lsp_support;

use lsp_support::{Client, Options, apply_edits, file_uri, find, position, range, without_version};
use serde_json::{Value, json};
use std::path::Path;

/// A complete design doc whose diagram nodes are named by asset ids, with a list
/// reference to an asset, a suppression comment and an emoji.
const DOC: &str = "---
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

### Data flow diagram

```mermaid
flowchart LR
  sched[/Scheduler/]
  subgraph cluster [Export cluster]
    A2((Export worker))
    A1[(Ledger exports)]
  end
  sched -->|job| A2
  A2 -->|write| A1
```

### Assets

| ID | Asset | Type | Classification |
|----|-------|------|----------------|
| A1 | Ledger exports | data store | confidential |
| A2 | Export worker | process | internal |

### Threats

| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |
|----|--------|-------|--------|----------|------------|--------|
| T1 | Spoofing | A2 | A caller on the cluster network submits jobs as the scheduler and exports another tenant's ledger | High | M1 | Mitigated |
| T2 | T | A1 | An operator with bucket write access replaces a stored export with altered figures 😀 | High | M2 | Mitigated |
| T3 | R, I, D, E | A1 | A tenant denies having requested an export and support cannot show who asked for it | Low | M3 | Mitigated |

### Mitigations

- M1: Jobs carry a signed scheduler token that the worker verifies.
- M2: The bucket (A1) is write-once and exports are signed.
- M3: Every export request is logged with the tenant session id.

<!-- threatmark-disable-next-line TM011 -- the worker is covered by the platform design -->
### Review

Walked through with the ledger team.
";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("docs/design")).expect("mkdir");
    dir
}

fn doc_uri(root: &Path, name: &str) -> String {
    file_uri(&root.join("docs/design").join(name))
}

fn client(root: &Path) -> Client {
    Client::start(Options {
        root: Some(root),
        pull: true,
        ..Options::default()
    })
}

fn at(uri: &str, text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(find(text, needle, nth, delta))})
}

fn hover_text(client: &mut Client, uri: &str, text: &str, needle: &str, delta: usize) -> String {
    let hover = client
        .request("textDocument/hover", at(uri, text, needle, 0, delta))
        .expect("hover");
    assert_eq!(hover["contents"]["kind"], "markdown", "{needle}: {hover}");
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hovers_coach_on_stride_assets_threats_nodes_severities_and_rule_codes() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    // A STRIDE letter in a category cell, and a word.
    let letter = hover_text(&mut client, &uri, DOC, "| T2 | T |", 7);
    assert!(
        letter.contains("*Tampering* (T) threatens **integrity**"),
        "{letter}"
    );
    let word = hover_text(&mut client, &uri, DOC, "Spoofing | A2", 2);
    assert!(
        word.contains("pretending to be another user or service?"),
        "{word}"
    );
    assert!(word.contains("**authenticity**"), "{word}");
    // An asset id: its row and the threats against it.
    let asset = hover_text(&mut client, &uri, DOC, "| A1 | Ledger", 2);
    assert!(
        asset.contains("**A1 · Ledger exports** — confidential"),
        "{asset}"
    );
    assert!(
        asset.contains("**T2**") && asset.contains("**T3**"),
        "{asset}"
    );
    // A threat id: its row.
    let threat = hover_text(&mut client, &uri, DOC, "| T1 |", 2);
    assert!(
        threat.contains("**T1** · Spoofing · High · mitigated"),
        "{threat}"
    );
    assert!(threat.contains("Mitigation: M1"), "{threat}");
    // A diagram node: its element type and STRIDE per element.
    let node = hover_text(&mut client, &uri, DOC, "A2((Export worker))", 0);
    assert!(
        node.contains("**Export worker** (`A2`) — process"),
        "{node}"
    );
    assert!(node.contains("STRIDE per element"), "{node}");
    // A severity: its meaning and remediation time.
    let severity = hover_text(&mut client, &uri, DOC, "| High | M1", 3);
    assert!(severity.contains("Fix within **30 days**"), "{severity}");
    // A rule code in a suppression comment.
    let rule = hover_text(&mut client, &uri, DOC, "TM011 --", 1);
    assert!(rule.contains("**TM011** `unthreatened-asset`"), "{rule}");
    // The hover's range is the word under the cursor.
    let hover = client
        .request("textDocument/hover", at(&uri, DOC, "| T1 |", 0, 3))
        .expect("hover");
    let start = find(DOC, "| T1 |", 0, 2);
    assert_eq!(hover["range"], range(start, [start[0], start[1] + 2]));
    // Nothing to say on plain prose.
    let none = client
        .request(
            "textDocument/hover",
            at(&uri, DOC, "A worker exports", 0, 3),
        )
        .expect("hover");
    assert_eq!(none, Value::Null);
}

#[test]
fn other_markdown_gets_hovers_and_completions_but_no_diagnostics() {
    let dir = workspace();
    let mut client = client(dir.path());
    let readme = file_uri(&dir.path().join("README.md"));
    let text = "# Widget\n\nNotes on Spoofing.\n\n#\n";
    client.open(&readme, text);
    assert_eq!(client.pull(&readme), Vec::<Value>::new());
    let hover = hover_text(&mut client, &readme, text, "Spoofing", 2);
    assert!(hover.contains("*Spoofing* (S)"), "{hover}");
    let items = completion_labels(&mut client, &readme, text, "\n#\n", 2);
    assert!(items.contains(&"# Threat model".to_string()), "{items:?}");
}

fn completions(
    client: &mut Client,
    uri: &str,
    text: &str,
    needle: &str,
    delta: usize,
) -> Vec<Value> {
    client
        .request("textDocument/completion", at(uri, text, needle, 0, delta))
        .expect("completion")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn completion_labels(
    client: &mut Client,
    uri: &str,
    text: &str,
    needle: &str,
    delta: usize,
) -> Vec<String> {
    completions(client, uri, text, needle, delta)
        .iter()
        .map(|i| i["label"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Each context of SPEC §7, in a copy of the doc with the line being typed.
#[test]
fn completions_in_every_context() {
    let dir = workspace();
    let mut client = client(dir.path());
    let mut n = 0;
    // The cursor stands right after `needle`.
    let mut labels = |client: &mut Client, text: &str, needle: &str| {
        n += 1;
        let uri = doc_uri(dir.path(), &format!("typing-{n}.md"));
        client.open(&uri, text);
        let items = completions(client, &uri, text, needle, needle.len());
        (uri, items)
    };
    let names = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // Categories in a category cell.
    let text = DOC.replace("| T3 |", "| T4 | \n| T3 |");
    let (_, items) = labels(&mut client, &text, "| T4 | ");
    assert_eq!(
        names(&items),
        [
            "Spoofing",
            "Tampering",
            "Repudiation",
            "Information disclosure",
            "Denial of service",
            "Elevation of privilege"
        ]
    );
    assert_eq!(items[0]["kind"], 20, "enum member");
    // Assets (id and name) in a target cell.
    let text = DOC.replace("| T3 |", "| T4 | S | \n| T3 |");
    let (_, items) = labels(&mut client, &text, "| T4 | S | ");
    assert_eq!(names(&items), ["A1", "A2"]);
    assert!(
        items[0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Ledger exports")
            || items[0]["documentation"]
                .to_string()
                .contains("Ledger exports"),
        "{items:#?}"
    );
    // The threat statement snippet in a description cell, replacing nothing.
    let text = DOC.replace("| T3 |", "| T4 | S | A1 | \n| T3 |");
    let (_, items) = labels(&mut client, &text, "| T4 | S | A1 | ");
    let snippet = items
        .iter()
        .find(|i| i["label"] == "Threat statement")
        .expect("the threat statement snippet");
    assert_eq!(snippet["insertTextFormat"], 2);
    assert!(
        snippet["textEdit"]["newText"]
            .as_str()
            .unwrap_or_default()
            .starts_with("A ${1:"),
        "{snippet}"
    );
    // Scale values: severity, classification.
    let text = DOC.replace("| T3 |", "| T4 | S | A1 | Someone | \n| T3 |");
    let (_, items) = labels(&mut client, &text, "| T4 | S | A1 | Someone | ");
    assert_eq!(
        names(&items),
        ["Critical", "High", "Medium", "Low", "Informational"]
    );
    let text = DOC.replace(
        "| A2 | Export worker | process | internal |",
        "| A2 | Export worker | process | internal |\n| A3 | Keys | secret | ",
    );
    let (_, items) = labels(&mut client, &text, "| A3 | Keys | secret | ");
    assert_eq!(
        names(&items),
        ["public", "internal", "confidential", "restricted"]
    );
    // The status scale in a status cell.
    let text = DOC.replace("| High | M1 | Mitigated |", "| High | M1 |  |");
    let (_, items) = labels(&mut client, &text, "| High | M1 | ");
    assert_eq!(
        names(&items),
        [
            "Open",
            "In progress",
            "Mitigated",
            "Accepted",
            "Transferred",
            "Not applicable"
        ]
    );
    // The next free id in a new row.
    let last_row = "| Low | M3 | Mitigated |";
    let text = DOC.replace(last_row, &format!("{last_row}\n| "));
    let (_, items) = labels(&mut client, &text, &format!("{last_row}\n| "));
    assert_eq!(names(&items), ["T4"]);
    assert_eq!(items[0]["detail"], "next free threat id");
    // Mitigation ids in a mitigation cell.
    let text = DOC.replace("| High | M1 |", "| High |  |");
    let (_, items) = labels(&mut client, &text, "| High | ");
    assert_eq!(names(&items), ["M1", "M2", "M3"]);
    // Section snippets after `#`.
    let text = DOC.replace("### Review", "#\n### Review");
    let uri = doc_uri(dir.path(), "typing-section.md");
    client.open(&uri, &text);
    let items = completions(&mut client, &uri, &text, "\n#\n### Review", 2);
    assert!(
        names(&items).contains(&"# Mitigations".to_string()),
        "{items:#?}"
    );
    let start = find(&text, "\n#\n### Review", 0, 1);
    assert_eq!(
        items[0]["textEdit"]["range"],
        range(start, [start[0], start[1] + 1]),
        "{uri}"
    );
    // Node ids inside the mermaid block.
    let text = DOC.replace("  sched -->|job| A2", "  sched -->|job| A2\n  sched --> ");
    let (_, items) = labels(&mut client, &text, "  sched --> ");
    assert_eq!(names(&items), ["sched", "A2", "A1"]);
    // Front-matter keys.
    let text = DOC.replace("owner: team-ledger", "owner: team-ledger\nsec");
    let (_, items) = labels(&mut client, &text, "\nsec");
    assert!(
        names(&items).contains(&"security_reviewer".to_string()),
        "{items:#?}"
    );
    assert_eq!(
        items
            .iter()
            .find(|i| i["label"] == "security_reviewer")
            .map(|i| i["textEdit"]["newText"].clone()),
        Some(json!("security_reviewer: "))
    );
}

#[test]
fn document_and_workspace_symbols() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("docs/design/other.md"),
        "# Other\n\n## Threat model\n\n### Assets\n\n- A1 **Ledger archive** (restricted)\n",
    )
    .expect("write");
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("documentSymbol");
    let root = &symbols[0];
    assert_eq!(root["name"], "Ledger export");
    let model = &root["children"][0];
    assert_eq!(model["name"], "Threat model");
    let sections: Vec<&str> = model["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        sections,
        [
            "Scope",
            "Data flow diagram",
            "Assets",
            "Threats",
            "Mitigations",
            "Review"
        ]
    );
    let assets = &model["children"][2]["children"];
    let names: Vec<&str> = assets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["A1 Ledger exports", "A2 Export worker"]);
    assert_eq!(
        assets[0]["selectionRange"],
        range(
            find(DOC, "| A1 |", 0, 2),
            [find(DOC, "| A1 |", 0, 2)[0], find(DOC, "| A1 |", 0, 4)[1]]
        )
    );
    let threats = model["children"][3]["children"].as_array().unwrap();
    assert_eq!(threats.len(), 3);
    assert!(
        threats[0]["name"]
            .as_str()
            .unwrap_or_default()
            .starts_with("T1"),
        "{threats:#?}"
    );

    // Workspace symbols: the open doc and the one on disk.
    let found = client
        .request("workspace/symbol", json!({"query": "ledger"}))
        .expect("workspace/symbol");
    let found = found.as_array().cloned().unwrap_or_default();
    let in_file = |name: &str, file: &str| {
        found.iter().any(|s| {
            s["name"] == name
                && s["location"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(file)
        })
    };
    assert!(in_file("A1 Ledger exports", "export.md"), "{found:#?}");
    assert!(in_file("A1 Ledger archive", "other.md"), "{found:#?}");
    assert!(
        !found.iter().any(|s| s["name"] == "A2 Export worker"),
        "{found:#?}"
    );
}

#[test]
fn the_code_lens_sums_up_the_threat_model_with_its_risk_tier() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("codeLens");
    assert_eq!(
        lenses,
        json!([{
            "range": range(find(DOC, "## Threat model", 0, 0), find(DOC, "## Threat model", 0, 15)),
            "command": {"title": "STRIDE 6/6 · 3 threats · 0 unmitigated · reviewed 53 days ago · risk low", "command": ""},
        }])
    );
}

#[test]
fn folding_ranges_cover_sections_tables_and_blocks() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("foldingRange");
    let folds: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap_or_default(),
                f["endLine"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let line = |needle: &str| u64::from(find(DOC, needle, 0, 0)[0]);
    // The front matter, the threat-model section, the mermaid block, the threats table.
    assert!(folds.contains(&(0, 5)), "{folds:?}");
    assert!(
        folds.contains(&(line("## Threat model"), line("Walked through"))),
        "{folds:?}"
    );
    assert!(
        folds.contains(&(line("```mermaid"), line("```\n\n### Assets"))),
        "{folds:?}"
    );
    assert!(
        folds.contains(&(line("| ID | STRIDE"), line("| T3 |"))),
        "{folds:?}"
    );
}

#[test]
fn definition_and_references_of_an_asset_id() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let definition = client
        .request(
            "textDocument/definition",
            at(&uri, DOC, "| T2 | T | A1", 0, 12),
        )
        .expect("definition");
    let def_start = find(DOC, "| A1 | Ledger", 0, 2);
    assert_eq!(
        definition,
        json!({"uri": uri, "range": range(def_start, [def_start[0], def_start[1] + 2])})
    );
    let refs = |client: &mut Client, include: bool| -> Vec<[u32; 2]> {
        let mut params = at(&uri, DOC, "| A1 | Ledger", 0, 2);
        params["context"] = json!({"includeDeclaration": include});
        client
            .request("textDocument/references", params)
            .expect("references")
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                [
                    l["range"]["start"]["line"].as_u64().unwrap_or_default() as u32,
                    l["range"]["start"]["character"]
                        .as_u64()
                        .unwrap_or_default() as u32,
                ]
            })
            .collect()
    };
    let node = find(DOC, "A1[(", 0, 0);
    let edge = find(DOC, "-->|write| A1", 0, 11);
    let t2 = find(DOC, "| T2 | T | A1", 0, 11);
    let t3 = find(DOC, "D, E | A1", 0, 7);
    let list = find(DOC, "(A1)", 0, 1);
    assert_eq!(
        refs(&mut client, true),
        [node, edge, def_start, t2, t3, list]
    );
    assert_eq!(refs(&mut client, false), [node, edge, t2, t3, list]);
}

/// Rename of an asset id updates the inventory, the table cells, the list reference and
/// the diagram nodes, and nothing else.
#[test]
fn rename_an_asset_id_everywhere() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let before = client.pull(&uri);
    let prepared = client
        .request(
            "textDocument/prepareRename",
            at(&uri, DOC, "| A1 | Ledger", 0, 3),
        )
        .expect("prepareRename");
    let def_start = find(DOC, "| A1 | Ledger", 0, 2);
    assert_eq!(prepared, range(def_start, [def_start[0], def_start[1] + 2]));
    let mut params = at(&uri, DOC, "| A1 | Ledger", 0, 3);
    params["newName"] = json!("A7");
    let edit = client
        .request("textDocument/rename", params)
        .expect("rename");
    let change = &edit["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": uri, "version": 1}));
    let edits = change["edits"].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 6);
    let renamed = apply_edits(DOC, &edits, false);
    let expected = DOC
        .replace("A1[(Ledger", "A7[(Ledger")
        .replace("-->|write| A1", "-->|write| A7")
        .replace("| A1 | Ledger", "| A7 | Ledger")
        .replace("| T | A1 |", "| T | A7 |")
        .replace("D, E | A1 |", "D, E | A7 |")
        .replace("(A1)", "(A7)");
    assert_eq!(renamed, expected);
    // The renamed doc has the same findings as before: no dangling reference.
    client.replace_all(&uri, 2, &renamed);
    assert_eq!(
        without_version(&client.pull(&uri)),
        without_version(&before)
    );
    // A name already in use is refused with a message.
    let mut params = at(&uri, &renamed, "| A7 | Ledger", 0, 3);
    params["newName"] = json!("A2");
    let refused = client
        .request("textDocument/rename", params)
        .expect_err("refused");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already"),
        "{refused}"
    );
}

/// "Suppress TMxxx here…": the comment lands on the right line with a reason to fill
/// in, the finding is gone, and the command selects the placeholder.
#[test]
fn suppress_a_finding_here() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    // An asset no threat targets: TM011 (info) on its row.
    let text = DOC.replace(
        "| A2 | Export worker | process | internal |",
        "| A2 | Export worker | process | internal |\n| A3 | Audit log | data store | internal |",
    );
    client.open(&uri, &text);
    let diagnostics = client.pull(&uri);
    let tm011 = diagnostics
        .iter()
        .find(|d| d["code"] == "TM011")
        .cloned()
        .expect("TM011");
    let actions = client.code_actions(
        &uri,
        tm011["range"].clone(),
        vec![tm011.clone()],
        Some(vec!["quickfix"]),
    );
    let suppress = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Suppress TM011")
        })
        .cloned()
        .expect("a suppress action");
    assert_eq!(suppress["diagnostics"], json!([tm011]));
    let edits = suppress["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply_edits(&text, &edits, false);
    assert!(fixed.contains("| A3 | Audit log | data store | internal <!-- threatmark-disable-line TM011 -- reason --> |") || fixed.contains("threatmark-disable-line TM011 -- reason"), "{fixed}");
    // The command selects `reason` in the edited text.
    let command = &suppress["command"];
    assert_eq!(command["command"], "threatmark.selectRange");
    let selection = command["arguments"][1].clone();
    let reason = find(&fixed, "-- reason", 0, 3);
    assert_eq!(selection, range(reason, [reason[0], reason[1] + 6]));
    let executed = client.request(
        "workspace/executeCommand",
        json!({"command": "threatmark.selectRange", "arguments": command["arguments"]}),
    );
    assert_eq!(executed, Ok(Value::Null));
    let shown = client.server_request("window/showDocument");
    assert_eq!(shown["params"]["selection"], selection);
    // With a reason written, the finding is gone.
    client.replace_all(
        &uri,
        2,
        &fixed.replace("-- reason", "-- the audit log has its own design"),
    );
    let after = client.pull(&uri);
    assert!(!after.iter().any(|d| d["code"] == "TM011"), "{after:#?}");
}

/// Mitigation and threat ids navigate and rename too.
#[test]
fn definition_and_rename_of_mitigation_and_threat_ids() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    // From the mitigation cell of T1 to the M1 list item.
    let definition = client
        .request(
            "textDocument/definition",
            at(&uri, DOC, "| M1 | Mitigated", 0, 3),
        )
        .expect("definition");
    let m1 = find(DOC, "- M1:", 0, 2);
    assert_eq!(definition["range"], range(m1, [m1[0], m1[1] + 2]));
    // M2: its list item and the table cell that refers to it.
    let mut params = at(&uri, DOC, "- M2:", 0, 3);
    params["newName"] = json!("M7");
    let edit = client
        .request("textDocument/rename", params)
        .expect("rename");
    let edits = edit["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let renamed = apply_edits(DOC, &edits, false);
    assert_eq!(
        renamed,
        DOC.replace("| M2 |", "| M7 |").replace("- M2:", "- M7:")
    );
    // A threat id.
    let mut params = at(&uri, DOC, "| T3 |", 0, 3);
    params["newName"] = json!("T9");
    let edit = client
        .request("textDocument/rename", params)
        .expect("rename");
    let edits = edit["documentChanges"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        apply_edits(DOC, &edits, false),
        DOC.replace("| T3 |", "| T9 |")
    );
}

/// Requests right after an edit answer about the new text, whether the server reuses an
/// analysis or parses the text it has not analysed yet.
#[test]
fn hover_completion_and_lens_after_an_edit_see_the_new_text() {
    let dir = workspace();
    let mut client = client(dir.path());
    let uri = doc_uri(dir.path(), "export.md");
    client.open(&uri, DOC);
    let before = hover_text(&mut client, &uri, DOC, "| T1 |", 2);
    assert!(before.contains("**T1** · Spoofing · High"), "{before}");
    // T1's severity becomes Low, and a new row is started under T3; asked at once.
    let high = find(DOC, "| High | M1", 0, 2);
    client.change(&uri, 2, high, [high[0], high[1] + 4], "Low");
    let text = DOC.replacen("| High | M1", "| Low | M1", 1);
    let after = hover_text(&mut client, &uri, &text, "| T1 |", 2);
    assert!(after.contains("**T1** · Spoofing · Low"), "{after}");
    let row = "cannot show who asked for it | Low | M3 | Mitigated |";
    let row_end = find(&text, row, 0, row.len());
    client.change(&uri, 3, row_end, row_end, "\n| T4 | ");
    let text = text.replacen("| M3 | Mitigated |", "| M3 | Mitigated |\n| T4 | ", 1);
    let labels = completion_labels(&mut client, &uri, &text, "| T4 | ", 7);
    assert_eq!(labels.len(), 6, "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("Spoofing")), "{labels:?}");
    // The lens reads the full analysis of the new text: four threats now.
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("codeLens");
    let title = lenses[0]["command"]["title"].as_str().unwrap_or_default();
    assert!(title.contains("4 threats"), "{lenses}");
    // Once analysed, the same answers.
    let again = hover_text(&mut client, &uri, &text, "| T1 |", 2);
    assert_eq!(again, after);
}

/// More documents open than the server keeps full analyses for: the first one, long
/// dropped from that set, still answers pull diagnostics (the same report, the same
/// `resultId`), hovers, the lens and quick fixes, and an edit to it is seen.
#[test]
fn a_document_evicted_from_the_analysis_cache_still_answers() {
    let dir = workspace();
    let mut client = client(dir.path());
    // Without M3's line, T3 names a mitigation that does not exist: one finding at least.
    let first_text = DOC.replacen("| High | M1", "| Low | M1", 1).replacen(
        "- M3: Every export request is logged with the tenant session id.\n",
        "",
        1,
    );
    let first = doc_uri(dir.path(), "first.md");
    client.open(&first, &first_text);
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": first}}),
        )
        .expect("diagnostic");
    let diagnostics = report["items"].as_array().cloned().unwrap_or_default();
    assert!(!diagnostics.is_empty(), "{report}");
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": first}}),
        )
        .expect("codeLens");
    for i in 0..30 {
        let uri = doc_uri(dir.path(), &format!("other-{i}.md"));
        client.open(&uri, DOC);
        client.pull(&uri);
    }
    // The same report, unchanged by `resultId`.
    let unchanged = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": first}, "previousResultId": report["resultId"]}),
        )
        .expect("diagnostic");
    assert_eq!(unchanged["kind"], "unchanged", "{unchanged}");
    assert_eq!(unchanged["resultId"], report["resultId"]);
    assert_eq!(client.pull(&first), diagnostics);
    let hover = hover_text(&mut client, &first, &first_text, "| T1 |", 2);
    assert!(hover.contains("**T1** · Spoofing · Low"), "{hover}");
    let lens_again = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": first}}),
        )
        .expect("codeLens");
    assert_eq!(lens_again, lens);
    let fixes = client.code_actions(
        &first,
        diagnostics[0]["range"].clone(),
        vec![diagnostics[0].clone()],
        Some(vec!["quickfix"]),
    );
    assert!(!fixes.is_empty(), "no quick fix for {}", diagnostics[0]);
    // Edit it once more: M3's line is back, so that finding goes.
    let mitigations = find(&first_text, "- M2:", 0, 0);
    let m3 = [mitigations[0] + 1, 0];
    client.change(
        &first,
        2,
        m3,
        m3,
        "- M3: Every export request is logged with the tenant session id.\n",
    );
    let edited = client.pull(&first);
    assert_ne!(edited, diagnostics);
    assert!(
        edited.len() < diagnostics.len(),
        "{edited:?} vs {diagnostics:?}"
    );
}
