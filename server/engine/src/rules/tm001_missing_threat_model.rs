//! TM001 missing-threat-model: a design doc has no threat-model section.

use super::{Context, RuleMeta, edits, skeleton};
use crate::finding::{Applicability, Edit, Finding, Fix, Level};
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM001",
    name: "missing-threat-model",
    default_level: Level::Warning,
    summary: "A design doc has no threat-model section.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires once on a design doc that has no threat-model section: no heading such as
`Threat model`, `Security considerations` or `Threat analysis`.

## Why does it matter?
A design is cheapest to change while it is still a document. A threat model written with
the design answers four questions while answers are still cheap: what are we building,
what can go wrong, what are we going to do about it, and did we do a good enough job?

## Example
```md
# Ledger export

## Overview
The export job copies ledger rows to a partner bucket every night.
```

## How to fix
Add a `## Threat model` section with scope, a data-flow diagram, the assets, the threats
(one per STRIDE category at least), their mitigations and a review note. The fix inserts
that skeleton at the end of the doc, leaving out subsections the doc already has; then
replace each `<placeholder>` with your answer.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.doc.threat_model.is_some() || cx.link == super::LinkRole::DesignWithLinkedThreatModel {
        return;
    }
    let (range, level) = match cx.doc.title_heading() {
        Some(h) => (h.range, h.level),
        None => {
            let first_line = cx.text.find(['\n', '\r']).unwrap_or(cx.text.len());
            (TextRange::new(0, first_line), 1)
        }
    };
    let container_level = level.saturating_add(1).clamp(2, 6);
    let skeleton = skeleton::threat_model(cx, container_level);
    let nl = edits::eol(cx.text);
    let trimmed_end = cx.text.trim_end().len();
    // Insert after the last non-blank text, keeping one blank line before the skeleton.
    let edit = Edit::replace(TextRange::new(trimmed_end, cx.text.len()), format!("{nl}{nl}{skeleton}"));
    out.push(
        Finding::new(
            &META,
            range,
            "This design doc has no threat model. What are you building, what can go wrong, and what will you do about it?",
        )
        .with_fix(Fix {
            title: "Insert a threat-model skeleton".to_string(),
            applicability: Applicability::Safe,
            edits: vec![edit],
        }),
    );
}
