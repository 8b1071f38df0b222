//! TM041 security-review-recommended: a sensitive design names no security reviewer.

use super::{Context, RuleMeta, edits};
use crate::finding::{Applicability, Finding, FindingData, Fix, Level};
use crate::knowledge;
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM041",
    name: "security-review-recommended",
    default_level: Level::Info,
    summary: "The doc touches a sensitive topic and names no security reviewer.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires when the doc mentions a sensitive topic (authentication, authorization, personal
data, health data, payment data, internet exposure, secrets; keywords are matched as
whole words and can be extended in `[sensitive_topics]`) and its front matter has no
`security_reviewer`. `data.topics` lists the topics found.

## Why does it matter?
Self-serve threat modeling works because most designs do not need a security engineer.
The few that handle credentials, money, personal data or the open internet do: a second
pair of trained eyes there is cheap compared with an incident.

## Example
```md
---
title: Password reset by e-mail
---
```

## How to fix
Ask your security champion or the security team to review the threat model, and name
them in front matter: `security_reviewer: jane`.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let fm = cx.doc.front_matter.as_ref();
    if fm.is_some_and(|f| f.security_reviewer.as_ref().is_some_and(|r| !r.value.trim().is_empty())) {
        return;
    }
    let topics = cx.facts.topics.clone();
    if topics.is_empty() {
        return;
    }
    let labels: Vec<String> = topics
        .iter()
        .map(|id| knowledge::topics().iter().find(|t| t.id == *id).map_or_else(|| id.replace('_', " "), |t| t.label.clone()))
        .collect();
    let range = cx
        .doc
        .title_heading()
        .map(|h| h.range)
        .unwrap_or_else(|| TextRange::new(0, cx.text.find('\n').unwrap_or(cx.text.len())));
    out.push(
        Finding::new(
            &META,
            range,
            format!(
                "This design touches {}. Who from security will look at the threat model? Name them as `security_reviewer`.",
                labels.join(", ")
            ),
        )
        .with_data(FindingData { topics, ..FindingData::default() })
        .with_fix(Fix {
            title: "Add a security reviewer to front matter".to_string(),
            applicability: Applicability::Unsafe,
            edits: vec![edits::set_front_matter(cx, "security_reviewer", "<name>", None)],
        }),
    );
}
