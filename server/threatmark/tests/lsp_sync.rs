//! Text sync through the real binary: edits land in arrival order even in a burst, and
//! after any sequence of incremental edits the server's text and diagnostics equal those
//! of a fresh open of the same text (SPEC §2's ordering invariant).

mod lsp_support;

use lsp_support::{Client, Options, apply_edits, file_uri, range, without_version};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::json;
use std::path::Path;

const DOC: &str = "# Ledger export\n\n## Threat model\n\n### Assets\n\n| ID | Asset | Classification |\n|----|-------|----------------|\n| A1 | Ledger exports | confidential |\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity |\n|----|--------|-------|--------|----------|\n| T1 | S | A1 | A caller pretends to be the scheduler and exports a ledger | High |\n\n### Mitigations\n\n- M1: signed jobs.\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("docs/design")).expect("mkdir");
    dir
}

fn doc_uri(root: &Path, name: &str) -> String {
    file_uri(&root.join("docs/design").join(name))
}

fn pull_client(root: &Path) -> Client {
    Client::start(Options {
        root: Some(root),
        pull: true,
        ..Options::default()
    })
}

/// 2,000 incremental edits sent without waiting: each appends one character at the end
/// of the first line, so any reordering changes the text.
#[test]
fn text_sync_burst_keeps_arrival_order() {
    if !cfg!(debug_assertions) {
        return; // reads the text back with a debug-build request
    }
    let dir = workspace();
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        ..Options::default()
    });
    let uri = doc_uri(dir.path(), "burst.md");
    client.open(&uri, DOC);
    let first_line = DOC.lines().next().unwrap_or_default().len() as u32;
    let mut typed = String::new();
    for i in 0..2000u32 {
        let c = char::from(b'a' + (i % 26) as u8);
        let at = first_line + i;
        client.change(&uri, i64::from(i) + 2, [0, at], [0, at], &c.to_string());
        typed.push(c);
    }
    let expected = DOC.replacen("# Ledger export", &format!("# Ledger export{typed}"), 1);
    assert_eq!(client.server_text(&uri), expected);
    // The diagnostics published last are for the last version.
    let last = client.published(&uri, Some(2001));
    assert_eq!(last["version"], 2001);
    let stale = client
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
        .map(|n| n["params"]["version"].as_i64().unwrap_or_default())
        .collect::<Vec<_>>();
    assert!(
        stale.windows(2).all(|w| w[0] <= w[1]),
        "published out of order: {stale:?}"
    );
}

/// 200 edits alternating between typing a new threat row and a new mitigation, then
/// deleting part of each: the diagnostics equal a fresh open's.
#[test]
fn two_hundred_alternating_edits_end_like_a_fresh_open() {
    let dir = workspace();
    let mut client = pull_client(dir.path());
    let uri = doc_uri(dir.path(), "alternating.md");
    client.open(&uri, DOC);
    let mut text = DOC.to_string();
    let row = "| T2 | Tampering, DoS | A1 | An operator alters an export and floods the queue 😀 | Hihg |";
    let item = "- M2: exports are signed and 威胁 queues are bounded.";
    let row_line = 15; // after T1's row
    let mut version = 1;
    let mut send =
        |client: &mut Client, text: &mut String, start: [u32; 2], end: [u32; 2], new: &str| {
            version += 1;
            let edit = json!({"range": range(start, end), "newText": new});
            *text = apply_edits(text, &[edit], false);
            client.change(&uri, version, start, end, new);
        };
    // Open a line for each.
    send(&mut client, &mut text, [row_line, 0], [row_line, 0], "\n");
    let item_line = text.lines().count() as u32;
    send(&mut client, &mut text, [item_line, 0], [item_line, 0], "");
    let (row_chars, item_chars): (Vec<char>, Vec<char>) =
        (row.chars().collect(), item.chars().collect());
    let (mut r, mut m) = (0u32, 0u32);
    for i in 0..196 {
        if i % 2 == 0 {
            let c = row_chars[(i / 2) % row_chars.len()].to_string();
            send(&mut client, &mut text, [row_line, r], [row_line, r], &c);
            r += c.encode_utf16().count() as u32;
        } else {
            let c = item_chars[(i / 2) % item_chars.len()].to_string();
            send(&mut client, &mut text, [item_line, m], [item_line, m], &c);
            m += c.encode_utf16().count() as u32;
        }
    }
    // Two deletions: the row's first cell and the item's last characters.
    send(&mut client, &mut text, [row_line, 0], [row_line, 5], "| T9");
    send(
        &mut client,
        &mut text,
        [item_line, m.saturating_sub(3)],
        [item_line, m],
        "",
    );
    assert_eq!(version, 201, "200 edits after the open");
    if cfg!(debug_assertions) {
        assert_eq!(client.server_text(&uri), text);
    }
    let edited = client.pull(&uri);
    let fresh_uri = doc_uri(dir.path(), "fresh.md");
    client.open(&fresh_uri, &text);
    let fresh = client.pull(&fresh_uri);
    assert!(!fresh.is_empty());
    assert_eq!(without_version(&edited), without_version(&fresh));
}

/// Random edit sequences (line terminators of every kind, emoji, CJK, table pipes)
/// through the binary: the server's text equals the same edits applied to a `String`,
/// and its diagnostics equal a fresh open of that text.
#[test]
fn random_edit_sequences_match_a_fresh_open() {
    let dir = workspace();
    // proptest's closure is `Fn`: one server for every case, borrowed per case.
    let client = std::cell::RefCell::new(pull_client(dir.path()));
    let case = std::cell::Cell::new(0);
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("😀".to_string()),
        Just("威胁".to_string()),
        Just("| T".to_string()),
        Just("### Threats\n".to_string()),
        Just("\t".to_string()),
        "[a-z ]{1,6}",
    ];
    let text = prop::collection::vec(piece, 0..4).prop_map(|v| v.concat());
    let edit = (0u32..24, 0u32..40, 0u32..3, 0u32..20, text);
    let edits = prop::collection::vec(edit, 1..25);
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let result = runner.run(&(edits, any::<bool>()), |(edits, crlf)| {
        let mut client = client.borrow_mut();
        case.set(case.get() + 1);
        let case = case.get();
        let uri = doc_uri(dir.path(), &format!("random-{case}.md"));
        let mut text = if crlf {
            DOC.replace('\n', "\r\n")
        } else {
            DOC.to_string()
        };
        client.open(&uri, &text);
        for (i, (line, col, lines, cols, new)) in edits.iter().enumerate() {
            let (start, end) = ([*line, *col], [line + lines, col + cols]);
            text = apply_edits(
                &text,
                &[json!({"range": range(start, end), "newText": new})],
                false,
            );
            client.change(&uri, i as i64 + 2, start, end, new);
        }
        if cfg!(debug_assertions) {
            prop_assert_eq!(client.server_text(&uri), text.clone());
        }
        let edited = client.pull(&uri);
        let fresh_uri = doc_uri(dir.path(), &format!("random-{case}-fresh.md"));
        client.open(&fresh_uri, &text);
        let fresh = client.pull(&fresh_uri);
        prop_assert_eq!(without_version(&edited), without_version(&fresh));
        client.close(&uri);
        client.close(&fresh_uri);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A client that does not pull: a burst of edits sent back to back gets one
/// `publishDiagnostics`, for the newest version, equal to a fresh open's.
#[test]
fn pushed_diagnostics_come_once_after_a_burst_with_the_newest_version() {
    let dir = workspace();
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        ..Options::default()
    });
    let uri = doc_uri(dir.path(), "pushed.md");
    client.open(&uri, DOC);
    client.published(&uri, Some(1));
    // Type a second threat row, character by character, all within the debounce.
    let row = "\n| T2 | T | A1 | An operator alters an export | Hihg |";
    let at = [14u32, DOC.lines().nth(14).map_or(0, |l| l.len() as u32)];
    let mut col = at[1];
    let mut line = at[0];
    let mut version = 1;
    for c in row.chars() {
        version += 1;
        client.change(&uri, version, [line, col], [line, col], &c.to_string());
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += c.len_utf16() as u32;
        }
    }
    let text = DOC.replacen(
        "exports a ledger | High |",
        &format!("exports a ledger | High |{row}"),
        1,
    );
    let last = client.published(&uri, Some(version));
    // A request answered after the publication: anything published before it is in.
    if cfg!(debug_assertions) {
        assert_eq!(client.server_text(&uri), text);
    }
    let earlier: Vec<i64> = client
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
        .map(|n| n["params"]["version"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(
        earlier,
        Vec::<i64>::new(),
        "published for older versions too"
    );
    let pushed = last["diagnostics"].as_array().cloned().unwrap_or_default();
    let mut fresh_client = pull_client(dir.path());
    let fresh_uri = doc_uri(dir.path(), "fresh.md");
    fresh_client.open(&fresh_uri, &text);
    let fresh = fresh_client.pull(&fresh_uri);
    assert!(!fresh.is_empty());
    assert_eq!(without_version(&pushed), without_version(&fresh));
}
