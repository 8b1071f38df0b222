//! The editor features accept any offset of any text: every function is called at every
//! character boundary (and past the end) of real and generated docs, and every range it
//! returns lies inside the text on character boundaries.

use proptest::prelude::*;
use std::path::Path;
use threatmark_engine::config::Config;
use threatmark_engine::ide;
use threatmark_engine::{Source, TextRange, analyze};

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

fn valid(text: &str, r: TextRange, what: &str) {
    assert!(
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end),
        "{what}: bad range {r:?}"
    );
}

/// Calls every offset-taking feature at every boundary, and the whole-document ones once.
fn exercise(text: &str) {
    let config = Config::default();
    let a = analyze(
        Source {
            path: "docs/design/x.md",
            text,
        },
        &config,
        today(),
    );
    let offsets = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len(), text.len() + 7]);
    for offset in offsets {
        if let Some(h) = ide::hover(&a, text, &config, offset) {
            valid(text, h.range, "hover");
            assert!(!h.markdown.is_empty());
        }
        for c in ide::completions(&a, text, &config, offset) {
            valid(text, c.replace, "completion");
        }
        if let Some(s) = ide::symbol_at(&a, text, offset) {
            valid(text, s.range, "symbol");
            for r in ide::references(&a, text, offset, true) {
                valid(text, r, "reference");
            }
            if let Some(d) = ide::definition(&a, text, offset) {
                valid(text, d, "definition");
            }
            if ide::prepare_rename(&a, text, offset).is_some() {
                let new = match s.kind {
                    ide::IdKind::Asset => "A99",
                    ide::IdKind::Threat => "T99",
                    ide::IdKind::Mitigation => "M99",
                };
                let edits = ide::rename(&a, text, offset, new).unwrap_or_default();
                for e in &edits {
                    valid(text, e.range, "rename");
                }
            }
        }
    }
    fn walk(text: &str, symbols: &[ide::Symbol], parent: Option<TextRange>) {
        for s in symbols {
            valid(text, s.range, "symbol range");
            assert!(
                parent.is_none_or(|p| p.covers(s.range)),
                "{} outside its parent",
                s.name
            );
            assert!(s.range.covers(s.selection_range), "{}", s.name);
            assert!(!s.name.trim().is_empty(), "a symbol without a name");
            walk(text, &s.children, Some(s.range));
        }
    }
    walk(text, &ide::document_symbols(&a, text), None);
    for f in ide::folding_ranges(&a, text) {
        valid(text, f.range, "fold");
    }
    if let Some(l) = ide::code_lens(&a, text, &config, today()) {
        valid(text, l.range, "lens");
    }
    for f in &a.findings {
        if let Some(s) = ide::suppress_fix(&a, text, f) {
            for e in &s.fix.edits {
                valid(text, e.range, "suppress");
            }
        }
    }
}

#[test]
fn every_offset_of_the_examples() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/examples");
    let mut checked = 0;
    for name in [
        "push-notifications.md",
        "image-signing.md",
        "partner-sftp-export.md",
    ] {
        let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
            continue;
        };
        exercise(&text);
        // The same doc with CRLF line ends, and cut short in the middle of a row.
        exercise(&text.replace('\n', "\r\n"));
        let cut = text.find("| T").map_or(text.len() / 2, |i| i + 5);
        exercise(&text[..cut]);
        checked += 1;
    }
    assert_eq!(checked, 3, "the shared examples are missing");
}

#[test]
fn every_offset_of_awkward_text() {
    exercise("");
    exercise("#");
    exercise(
        "---\ntitle: é\n---\n# Dé 🎉\n\n## Threat model\n\n| ID | STRIDE | Asset |\n|--|--|--|\n| T1 | 🎉/S | A1,\u{3000}A2 |\n| ",
    );
    exercise(
        "## Threat model\n\n- **T1** [Tamp\n- A1 **x** (\n```mermaid\nflowchart LR\n  A1[(Store)] --> b\n",
    );
    exercise("| a |\n|---|\n| b | c | d |\n\n<!-- threatmark-disable-line TM0 -- x -->\r\n");
}

fn markdown_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_string()),
        Just("title: x\nstatus: ".to_string()),
        Just("# Title".to_string()),
        Just("## Threat model".to_string()),
        Just("### Threats".to_string()),
        Just("### Assets".to_string()),
        Just("### Mitigations".to_string()),
        Just("### Spoofing".to_string()),
        Just("#### TH-1 Forged token (High)".to_string()),
        Just("| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |".to_string()),
        Just("|----|----|----|----|----|----|----|".to_string()),
        Just("| T1 | S/T | A1, A9 | a caller forges | Hgih | M7 | Mitigated |".to_string()),
        Just("| T2 | ".to_string()),
        Just("| ID | Asset | Classification |".to_string()),
        Just("| A1 | Orders | secret |".to_string()),
        Just("- **T4** [Tampering, Info] (High) on A1 — x. Mitigation: M2.".to_string()),
        Just("- A2 **Tokens** (confidential) — y".to_string()),
        Just("- M1: do things for T1".to_string()),
        Just("Assets: A1\nSeverity: ".to_string()),
        Just("<!-- threatmark-disable-next-line TM011 -- because -->".to_string()),
        Just("```mermaid\nflowchart LR\n  A1[(s)] --> b((p))\n```".to_string()),
        Just("```".to_string()),
        "[^\n]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_docs_at_every_offset(
        lines in prop::collection::vec(markdown_line(), 0..14),
        sep in prop_oneof![Just("\n"), Just("\r\n")],
    ) {
        exercise(&lines.join(sep));
    }
}

/// The real design docs of the shared corpus: the whole-document features everywhere, the
/// offset ones at a sample of offsets (every offset of 657 docs would take minutes in a debug build).
#[test]
fn real_design_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("shared corpus not found at {}; skipped", root.display());
        return;
    };
    let config = Config::default();
    let mut stack: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    let mut checked = 0;
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.filter_map(Result::ok).map(|e| e.path()));
            }
            continue;
        }
        if p.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let a = analyze(
            Source {
                path: "design/x.md",
                text: &text,
            },
            &config,
            today(),
        );
        let _ = ide::document_symbols(&a, &text);
        for f in ide::folding_ranges(&a, &text) {
            valid(&text, f.range, "fold");
        }
        let _ = ide::code_lens(&a, &text, &config, today());
        for (i, _) in text.char_indices().step_by(401) {
            if let Some(h) = ide::hover(&a, &text, &config, i) {
                valid(&text, h.range, "hover");
            }
            for c in ide::completions(&a, &text, &config, i) {
                valid(&text, c.replace, "completion");
            }
            for r in ide::references(&a, &text, i, true) {
                valid(&text, r, "reference");
            }
        }
        checked += 1;
    }
    assert!(checked > 600, "only {checked} corpus docs found");
}
