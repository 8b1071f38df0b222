//! TM042 approved-without-review: an approved doc names no reviewers.

use super::{Context, RuleMeta};
use crate::finding::{Finding, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM042",
    name: "approved-without-review",
    default_level: Level::Warning,
    summary: "An approved doc names no reviewers.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on `status: approved` in front matter when there is no `reviewers` list (or it is
empty). A missing review date is reported by `stale-threat-model`.

## Why does it matter?
Approval means somebody other than the author agreed with the design and its threat
model. Naming them records who to ask later, and keeps approval from being a status the
author sets alone.

## Example
```md
---
status: approved
---
```

## How to fix
Add who reviewed it: `reviewers: [mira, tobias]`. If nobody did, the status is
`in-review`.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(fm) = cx.doc.front_matter.as_ref() else { return };
    let Some(status) = fm.status.as_ref().filter(|s| s.value == "approved") else { return };
    if fm.reviewers.iter().any(|r| !r.value.trim().is_empty()) {
        return;
    }
    out.push(Finding::new(
        &META,
        status.range,
        "This design is approved but names no reviewers. Who besides the author agreed with it?",
    ));
}
