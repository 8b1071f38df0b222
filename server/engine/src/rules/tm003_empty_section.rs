//! TM003 empty-section: a required subsection holds nothing but placeholders.

use super::{Context, RuleMeta, placeholder};
use crate::document::{Section, SectionKind};
use crate::finding::{Finding, FindingData, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM003",
    name: "empty-section",
    default_level: Level::Warning,
    summary: "A required subsection holds nothing but placeholders.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on the heading of a scope, diagram, assets, threats or mitigations section whose
content is empty or only placeholders (`TODO`, `TBD`, `<…>`, `...`, HTML comments).

## Why does it matter?
An empty section looks done in a table of contents and in review, but it answers
nothing. It is the most common way a threat model is left unfinished.

## Example
```md
### Assets

TBD
```

## How to fix
Write the section, or delete the heading if the part really lives elsewhere (then the
missing-section rule will tell you what is still expected).
";

/// The required sections of the doc whose content is only placeholders.
pub fn empty_sections<'a>(cx: &'a Context<'_>) -> impl Iterator<Item = &'a Section> {
    SectionKind::REQUIRED.into_iter().filter_map(|kind| {
        let s = cx.doc.section(kind)?;
        placeholder::only_placeholders(s.body.slice(cx.text)).then_some(s)
    })
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in empty_sections(cx) {
        let Some(kind) = s.kind else { continue };
        let heading = cx.doc.headings.get(s.heading).map_or("", |h| h.text.as_str());
        out.push(
            Finding::new(
                &META,
                s.heading_range,
                format!("`{heading}` is empty. {}", question(kind)),
            )
            .with_data(FindingData { section: Some(kind), ..FindingData::default() }),
        );
    }
}

fn question(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Scope => "What is in scope, and what did you deliberately leave out?",
        SectionKind::Diagram => "Can you draw where data flows and which trust boundaries it crosses?",
        SectionKind::Assets => "What would an attacker want from this system?",
        SectionKind::Threats => "What can go wrong, category by category?",
        _ => "What will you do about each threat?",
    }
}
