//! TM023 unjustified-not-applicable: a not-applicable statement gives no reason.

use super::facts::ThreatStatus;
use super::{Context, RuleMeta};
use crate::document::not_applicable::{leading_not_applicable, reason_words};
use crate::finding::{Finding, FindingData, Level};
use crate::stride::StrideCategory;

pub const META: RuleMeta = RuleMeta {
    code: "TM023",
    name: "unjustified-not-applicable",
    default_level: Level::Warning,
    summary: "A not-applicable statement gives no reason (fewer than three words).",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a statement that a STRIDE category does not apply (`Repudiation: not
applicable`, `DoS: N/A`, `out of scope`, a category section that only says \"Not
applicable\") when it gives no reason, or a reason of fewer than three words. Also
fires on a threat whose status is not applicable when neither its description nor its
status gives three words of reason. `data.category` names the category.

## Why does it matter?
\"Not applicable\" is a decision, and a reviewer can only check a decision whose
reasoning is written down. Without a reason, it cannot be told apart from a category
nobody thought about, and it goes stale silently when the design changes.

## Example
```md
- Repudiation: not applicable
- Denial of service: N/A — internal only
```

## How to fix
Say why the category cannot happen in this design, in a sentence a reviewer can
check against the diagram:
`- Repudiation: not applicable — the service keeps no user-initiated actions.`
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for na in &cx.doc.not_applicable {
        if na.is_justified() {
            continue;
        }
        let names = category_names(&na.categories);
        let subject = match &na.element {
            Some(e) => format!("{names} for {}", e.value),
            None => names,
        };
        let message = match &na.reason {
            Some(r) => format!(
                "{subject} is marked not applicable, but `{}` is not a reason yet. Why can it not happen in this design?",
                r.value
            ),
            None => format!("{subject} is marked not applicable without a reason. Why does it not apply to this design?"),
        };
        let data = FindingData {
            category: na.categories.first().copied(),
            element: na.element.as_ref().map(|e| e.value.clone()),
            ..FindingData::default()
        };
        out.push(Finding::new(&META, na.range, message).with_data(data));
    }

    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        if facts.status != Some(ThreatStatus::NotApplicable) || facts.placeholder {
            continue;
        }
        // A row that is also read as a statement was reported above.
        if cx.doc.not_applicable.iter().any(|na| na.range == threat.range) {
            continue;
        }
        let described = threat.description.as_ref().map_or(0, |d| reason_words(&d.value));
        let in_status = threat.status.as_ref().map_or(0, |s| {
            leading_not_applicable(&s.value).map_or(0, |r| reason_words(s.value.get(r).unwrap_or("")))
        });
        if described.max(in_status) >= 3 {
            continue;
        }
        let who = match &threat.id {
            Some(id) => id.value.clone(),
            None => "This threat".to_string(),
        };
        let message = format!(
            "{who} is marked not applicable without a reason. Why can it not happen in this design?"
        );
        let data = FindingData {
            category: threat.categories.first().copied(),
            id: threat.id.as_ref().map(|i| i.value.clone()),
            ..FindingData::default()
        };
        out.push(Finding::new(&META, threat.range, message).with_data(data));
    }
}

fn category_names(categories: &[StrideCategory]) -> String {
    let names: Vec<&str> = categories.iter().map(|c| c.name()).collect();
    match names.as_slice() {
        [] => "This category".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
