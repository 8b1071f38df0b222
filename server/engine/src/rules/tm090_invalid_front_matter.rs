//! TM090 invalid-front-matter: the front matter is not valid YAML, or a known key has a
//! wrong type or value.

use super::{Context, RuleMeta};
use crate::finding::{Finding, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM090",
    name: "invalid-front-matter",
    default_level: Level::Error,
    summary: "The front matter is not valid YAML, or a known key has a wrong value.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on front matter (the YAML between `---` lines at the very top) that does not
parse, and on a known key with a wrong type or value: `status` other than `draft`,
`in-review` or `approved`; `last_reviewed` that is not a `YYYY-MM-DD` date; `risk` other
than `low`, `medium` or `high`; `reviewers` that is not a list of names.

## Why does it matter?
The review date, status, reviewers and risk drive other checks and the security team's
portfolio report. A value that cannot be read is as good as missing, silently.

## Example
```md
---
status: done
last_reviewed: last week
---
```

## How to fix
Use the values listed above. Unknown keys are fine: teams keep their own metadata.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(fm) = cx.doc.front_matter.as_ref() else { return };
    for e in &fm.errors {
        out.push(Finding::new(&META, e.range, e.message.clone()));
    }
}
