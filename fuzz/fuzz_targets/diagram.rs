//! Arbitrary bytes as the body of a mermaid flowchart, at the top level, in a list item
//! or in a blockquote (the first byte chooses): the diagram model never panics, its
//! ranges lie on the text and every id range spells its element's id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatmark_engine::config::Config;
use threatmark_engine::document::Document;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let (open, indent) = match choice % 3 {
        0 => ("", ""),
        1 => ("- ", "  "),
        _ => ("> ", "> "),
    };
    let mut text = format!("# D\n\n## Threat model\n\n{open}```mermaid\n{indent}flowchart LR\n");
    for line in body.lines() {
        text.push_str(indent);
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(indent);
    text.push_str("```\n");
    let config = Config::default();
    let doc = Document::parse(&text, &config);
    for d in &doc.diagrams {
        for e in &d.elements {
            for r in std::iter::once(e.range).chain(e.id_ranges.iter().copied()) {
                assert!(r.start <= r.end && r.end <= text.len());
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
            for r in &e.id_ranges {
                assert_eq!(r.slice(&text), e.id);
            }
            assert!(e.boundary.is_none_or(|b| b < d.boundaries.len()));
        }
        for f in &d.flows {
            assert!(f.from < d.elements.len() && f.to < d.elements.len());
            assert!(f.range.end <= text.len());
        }
        for b in &d.boundaries {
            assert!(b.parent.is_none_or(|p| p < d.boundaries.len()));
        }
        for e in &d.errors {
            assert!(e.range.end <= text.len() && text.is_char_boundary(e.range.start));
        }
    }
    let _ = threatmark_engine::generate_threat_rows(&text, &doc, &config, jiff::civil::date(2026, 11, 23));
});
