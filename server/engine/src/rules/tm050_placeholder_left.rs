//! TM050 placeholder-left: template placeholder text left inside the threat model.

use super::{Context, RuleMeta, placeholder, tm003_empty_section};
use crate::document::Block;
use crate::finding::{Finding, Level};
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM050",
    name: "placeholder-left",
    default_level: Level::Warning,
    summary: "Template placeholder text is left inside the threat model.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each placeholder left inside the threat-model section: an angle-bracketed
prompt such as `<What stops a caller from pretending to be the export worker?>` or
`<reason>`, or a `TODO`, `TBD`, `FIXME` or `XXX` marker. Text in code blocks and HTML
comments is ignored, and so is a section that is empty but for placeholders (the
empty-section rule reports that once).

## Why does it matter?
Skeletons and templates ask questions in placeholders. A placeholder left in place is a
question nobody answered, in a document that otherwise looks finished.

## Example
```md
| T3 | Repudiation | A2 | <How would you prove who changed the export destination?> |
```

## How to fix
Replace the placeholder with the answer. If the answer is that a category does not
apply, say so with a reason.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(tm) = cx.doc.threat_model.and_then(|i| cx.doc.sections.get(i)) else { return };
    let empty: Vec<TextRange> = tm003_empty_section::empty_sections(cx).map(|s| s.range).collect();
    let skip: Vec<TextRange> = cx
        .doc
        .blocks_in(tm.range)
        .filter_map(|b| if let Block::Code(c) = b { Some(c.range) } else { None })
        .chain(comments(cx.text, tm.range))
        .chain(empty)
        .collect();
    let body = tm.range.slice(cx.text);
    for r in placeholder::find(body) {
        let range = TextRange::new(tm.range.start + r.start, tm.range.start + r.end);
        if skip.iter().any(|s| s.covers(range)) || in_code_span(cx.text, range.start) {
            continue;
        }
        let text = range.slice(cx.text);
        let message = if text.starts_with('<') {
            format!("This placeholder still waits for an answer: {text}")
        } else {
            format!("`{text}` left in the threat model. What is the answer?")
        };
        out.push(Finding::new(&META, range, message));
    }
}

/// Whether `offset` lies inside an inline code span on its line (an odd number of
/// backticks before it).
fn in_code_span(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..offset].matches('`').count() % 2 == 1
}

/// HTML comment ranges within `range`.
fn comments(text: &str, range: TextRange) -> Vec<TextRange> {
    let slice = range.slice(text);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = slice[from..].find("<!--") {
        let s = from + start;
        let e = slice[s..].find("-->").map_or(slice.len(), |i| s + i + 3);
        out.push(TextRange::new(range.start + s, range.start + e));
        from = e;
    }
    out
}
