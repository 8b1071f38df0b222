//! TM040 stale-threat-model: the threat model has not been reviewed for too long.

use super::{Context, RuleMeta, edits};
use crate::finding::{Applicability, Edit, Finding, Fix, Level};
use crate::span::TextRange;
use crate::summary::Review;

pub const META: RuleMeta = RuleMeta {
    code: "TM040",
    name: "stale-threat-model",
    default_level: Level::Warning,
    summary: "The threat model was last reviewed too long ago, or an approved doc has no review date.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Reads the review date from front matter (`last_reviewed: 2026-03-01`, or nested as
`threat_model: {last_reviewed: …}`) or from a `Last reviewed: 2026-03-01` line in the
threat-model section. Fires when that date is older than `stale_after_months` (default 9)
before today, or when the doc's `status` is `approved` and there is no date at all.

## Why does it matter?
Designs drift: new endpoints, new stores, new callers. A threat model that has not been
looked at since the design changed describes a system that no longer exists. A review
date makes the drift visible to the team and to the security team's portfolio report.

## Example
```md
---
status: approved
last_reviewed: 2024-01-15
---
```

## How to fix
Walk through the threat model with the team: has the diagram changed, are there new
assets, are the mitigations in place? Then update the date. The fix sets it to today; use
it only after the review happened.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let review = Review::of(cx.doc, cx.config, cx.today);
    if !review.stale {
        return;
    }
    let fm = cx.doc.front_matter.as_ref();
    let today = cx.today.to_string();
    let fix = |range: Option<TextRange>| Fix {
        title: "Mark threat model reviewed today".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![match range {
            Some(r) => Edit::replace(r, today.clone()),
            None => edits::set_front_matter(cx, "last_reviewed", &today, None),
        }],
    };
    match (Review::recorded(cx.doc), review.days_since) {
        (Some(date), Some(age)) => {
            let months = cx.config.stale_after_months;
            out.push(
                Finding::new(
                    &META,
                    date.range,
                    format!(
                        "The threat model was last reviewed on {} ({age} days ago, more than {months} months). Has the design changed since?",
                        date.value
                    ),
                )
                .with_fix(fix(Some(date.range))),
            );
        }
        _ => {
            let anchor = cx
                .doc
                .threat_model
                .and_then(|i| cx.doc.sections.get(i))
                .map(|s| s.heading_range)
                .or_else(|| fm.and_then(|f| f.status.as_ref()).map(|s| s.range))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    anchor,
                    "This design is approved but its threat model has no review date. When was it last walked through with the team?",
                )
                .with_fix(fix(None)),
            );
        }
    }
}
