//! TM091 unjustified-suppression: a suppression comment without a reason, or naming a
//! code that does not exist.

use super::{Context, RuleMeta, lookup};
use crate::finding::{Finding, FindingData, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM091",
    name: "unjustified-suppression",
    default_level: Level::Warning,
    summary: "A suppression comment gives no reason, or names a code that does not exist.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Checks the suppression comments `threatmark-disable-line`, `threatmark-disable-next-line`
and `threatmark-disable`. A comment without a reason after ` -- ` silences nothing and is
reported; a code that is no rule is reported while the comment's other codes still apply.

## Why does it matter?
A suppression is a design decision (\"this finding does not apply here\"). Written with
its reason, it is reviewed with the design; without one, it only hides a finding.

## Example
```md
<!-- threatmark-disable-next-line TM011 -->
```

## How to fix
Add the reason: `<!-- threatmark-disable-next-line TM011 -- the audit log has its own
design -->`, and check the codes against `threatmark explain`.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for s in &cx.doc.suppressions {
        if s.codes.is_empty() {
            out.push(Finding::new(&META, s.range, "This suppression names no rule. Which finding did you decide does not apply?"));
            continue;
        }
        if s.reason.is_none() {
            let codes: Vec<&str> = s.codes.iter().map(|c| c.value.as_str()).collect();
            out.push(Finding::new(
                &META,
                s.range,
                format!(
                    "This suppression of {} gives no reason, so it silences nothing. Why does the finding not apply? Add it after ` -- `.",
                    codes.join(", ")
                ),
            ));
        }
        for code in &s.codes {
            if lookup(&code.value).is_none() {
                out.push(
                    Finding::new(&META, code.range, format!("`{}` is not a threatmark rule. Did you mean another code?", code.value))
                        .with_data(FindingData { id: Some(code.value.clone()), ..FindingData::default() }),
                );
            }
        }
    }
}
