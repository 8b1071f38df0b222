//! Whatever text comes in, the engine returns an analysis: no panic, ranges inside the
//! text on character boundaries, fixes whose edits apply.

use proptest::prelude::*;
use std::path::Path;
use threatmark_engine::config::Config;
use threatmark_engine::{Analysis, Source, analyze};

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

fn check_ranges(text: &str, a: &Analysis) {
    for f in &a.findings {
        assert!(
            f.range.start <= f.range.end && f.range.end <= text.len(),
            "{} range {:?}",
            f.code,
            f.range
        );
        assert!(
            text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end),
            "{} off boundary",
            f.code
        );
        for fix in &f.fixes {
            for e in &fix.edits {
                assert!(
                    e.range.end <= text.len()
                        && text.is_char_boundary(e.range.start)
                        && text.is_char_boundary(e.range.end)
                );
            }
        }
    }
}

/// Lines that look like the parts of a threat model, shuffled into arbitrary documents.
fn markdown_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---".to_string()),
        Just("title: x\nstatus: approved\nlast_reviewed: 2020-01-01".to_string()),
        Just("# Title".to_string()),
        Just("## Threat model".to_string()),
        Just("### Threats".to_string()),
        Just("### Assets".to_string()),
        Just("### Mitigations".to_string()),
        Just("### Spoofing and Tampering".to_string()),
        Just("#### TH-1 Forged token (High)".to_string()),
        Just("#### Mitigations".to_string()),
        Just("Risks:".to_string()),
        Just("Mitigations:".to_string()),
        Just("| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |".to_string()),
        Just("|----|----|----|----|----|----|----|".to_string()),
        Just("| T1 | S/T | A1, A9 | a caller forges | Hgih | M7 | Mitigated |".to_string()),
        Just("| ID | Asset | Classification |".to_string()),
        Just("| A1 | Orders | secret |".to_string()),
        Just(
            "- **T4** [Tampering, Bogus] (High) on A1 — x. Mitigation: M2. Ticket: SEC-9."
                .to_string()
        ),
        Just("- A2 **Tokens** (confidential) — y".to_string()),
        Just("- Repudiation: not applicable".to_string()),
        Just("- M1: do things".to_string()),
        Just("Assets: A1\nStatus: Accepted".to_string()),
        Just("<!-- threatmark-disable-next-line TM011 -->".to_string()),
        Just("```mermaid\nflowchart LR\n  a --> b[(s)]\n```".to_string()),
        Just("```".to_string()),
        Just("> - nested | quote".to_string()),
        Just("  - indented item".to_string()),
        Just("<Placeholder here?> TODO".to_string()),
        "[^\n]{0,40}",
        "\\PC{0,30}",
    ]
}

/// Pieces of mermaid flowcharts, well-formed and broken, for the diagram reader.
fn flowchart_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("subgraph vpc [Payments VPC]".to_string()),
        Just("subgraph \"Title with spaces\"".to_string()),
        Just("end".to_string()),
        Just("direction TB".to_string()),
        Just("api((API)) -->|card details| db[(Orders DB)]".to_string()),
        Just("user[/User/] -- reads --> api".to_string()),
        Just("a & b -.-> c ==> d".to_string()),
        Just("a <--> b[\"`**md** label`\"]".to_string()),
        Just("x:::store --o y:::external".to_string()),
        Just("class a,b store".to_string()),
        Just("classDef store fill:#f9f".to_string()),
        Just("style a fill:#f9f".to_string()),
        Just("linkStyle 0 stroke:red".to_string()),
        Just("click a \"https://example.invalid\"".to_string()),
        Just("%% comment".to_string()),
        Just("a[unclosed --> b".to_string()),
        Just("a -->".to_string()),
        Just("-->".to_string()),
        Just("[(]".to_string()),
        "[a-z]{1,3}[\\[\\(\\{/>]{0,2}[^\n`]{0,12}[\\]\\)\\}/]{0,2}",
        "[-=.<>ox|&;: ]{0,8}",
        "\\PC{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any flowchart text, at the top level or inside a list item or blockquote, reads
    /// without panicking, and every position the diagram model holds lies on the text.
    #[test]
    fn arbitrary_flowcharts_never_panic(
        pieces in prop::collection::vec(flowchart_piece(), 0..40),
        prefix in prop_oneof![Just(""), Just("  "), Just("> "), Just("- ")],
        sep in prop_oneof![Just("\n"), Just("\r\n"), Just(";"), Just("\n\n")],
    ) {
        let indent = if prefix == "- " { "  " } else { prefix };
        let mut text = format!("# D\n\n## Threat model\n\n{prefix}```mermaid\n{indent}flowchart LR\n");
        for p in &pieces {
            text.push_str(indent);
            text.push_str(p);
            text.push_str(sep);
            if sep == ";" {
                text.push('\n');
            }
        }
        text.push_str(indent);
        text.push_str("```\n");
        let a = analyze(Source { path: "design/x.md", text: &text }, &Config::default(), today());
        check_ranges(&text, &a);
        for d in &a.document.diagrams {
            let ranges = d.elements.iter().flat_map(|e| std::iter::once(e.range).chain(e.id_ranges.iter().copied()))
                .chain(d.flows.iter().map(|f| f.range))
                .chain(d.boundaries.iter().flat_map(|b| [b.range, b.id_range]))
                .chain(d.errors.iter().map(|e| e.range));
            for r in ranges {
                prop_assert!(r.start <= r.end && r.end <= text.len());
                prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
            for f in &d.flows {
                prop_assert!(f.from < d.elements.len() && f.to < d.elements.len());
            }
            for e in &d.elements {
                prop_assert!(e.boundary.is_none_or(|b| b < d.boundaries.len()));
                for r in &e.id_ranges {
                    prop_assert_eq!(r.slice(&text), e.id.as_str());
                }
            }
        }
        if let Some(fix) = threatmark_engine::generate_threat_rows(&text, &a.document, &Config::default(), today()) {
            for e in &fix.edits {
                prop_assert!(e.range.end <= text.len() && text.is_char_boundary(e.range.start));
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        let a = analyze(Source { path: "design/x.md", text: &text }, &Config::default(), today());
        check_ranges(&text, &a);
    }

    #[test]
    fn shuffled_threat_models_never_panic(
        lines in prop::collection::vec(markdown_line(), 0..60),
        sep in prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n")],
    ) {
        let text = lines.join(sep);
        let a = analyze(Source { path: "design/x.md", text: &text }, &Config::default(), today());
        check_ranges(&text, &a);
        // Every fix applies and the result analyses again without panicking.
        for f in a.findings.iter().take(5) {
            for fix in &f.fixes {
                let mut edits = fix.edits.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
                let mut fixed = text.clone();
                for e in edits {
                    fixed.replace_range(e.range.start..e.range.end, &e.new_text);
                }
                let again = analyze(Source { path: "design/x.md", text: &fixed }, &Config::default(), today());
                check_ranges(&fixed, &again);
            }
        }
    }
}

/// The 657 real design docs of the shared corpus, each checked as a design doc.
#[test]
fn real_design_docs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/keps");
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("shared corpus not found at {}; skipped", root.display());
        return;
    };
    let mut stack: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    let mut checked = 0;
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.filter_map(Result::ok).map(|e| e.path()));
            }
        } else if p.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let a = analyze(
                Source {
                    path: "design/README.md",
                    text: &text,
                },
                &Config::default(),
                today(),
            );
            check_ranges(&text, &a);
            checked += 1;
        }
    }
    assert!(checked > 600, "only {checked} corpus docs found");
}
