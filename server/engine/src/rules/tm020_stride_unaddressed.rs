//! TM020 stride-unaddressed: a STRIDE category has no threat and no not-applicable
//! statement.

use super::edits::{self, NewThreat};
use super::{Context, RuleMeta, tm002_missing_section};
use crate::document::SectionKind;
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
use crate::knowledge::{fill, templates};
use crate::stride::StrideCategory;

pub const META: RuleMeta = RuleMeta {
    code: "TM020",
    name: "stride-unaddressed",
    default_level: Level::Warning,
    summary: "A STRIDE category has no threat and no not-applicable statement.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires once for each STRIDE category (spoofing, tampering, repudiation, information
disclosure, denial of service, elevation of privilege) that no threat names and no
not-applicable statement rules out. `data.category` names it.

## Why does it matter?
STRIDE is a checklist against blind spots: teams think of the threats they already
defend against and miss the rest. A category nobody looked at is the one an attacker
will. Saying why a category does not apply is as good as a threat: it shows the
question was asked.

## Example
```md
| ID | STRIDE | Threat |
|----|--------|--------|
| T1 | Spoofing | A caller replays a stolen token |
```
(five categories unaddressed)

## How to fix
Add a threat for the category (the fix adds a row with the category's guiding question
as a placeholder), or state that it does not apply and why:
`- Repudiation: not applicable — the service keeps no user-initiated actions.`
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // When TM001 or TM002 (threats) fires, its skeleton covers every category.
    if cx.doc.threat_model.is_none() || !tm002_missing_section::is_present(cx, SectionKind::Threats) {
        return;
    }
    let anchor = cx
        .doc
        .section(SectionKind::Threats)
        .or_else(|| cx.doc.section(SectionKind::ThreatModel))
        .map(|s| s.heading_range);
    let Some(range) = anchor else { return };
    for category in StrideCategory::ALL {
        if cx.facts.addressed.contains(&category) {
            continue;
        }
        let question = cx
            .methodology
            .category(category)
            .and_then(|info| info.questions.first())
            .cloned()
            .unwrap_or_else(|| format!("What could go wrong: {}?", category.name()));
        let mut finding = Finding::new(
            &META,
            range,
            format!("No threat addresses {}. {question}", category.name()),
        )
        .with_data(FindingData { category: Some(category), ..FindingData::default() });
        let placeholder = format!("<{}>", question.trim_end_matches('.'));
        if let Some(edit) = edits::add_threat(
            cx,
            &NewThreat { category: Some(category), target: None, description: &placeholder },
        ) {
            finding = finding.with_fix(Fix {
                title: format!("Add a threat row for {}", category.name()),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
        finding = finding.with_fix(Fix {
            title: format!("State that {} does not apply", category.name()),
            applicability: Applicability::Unsafe,
            edits: vec![not_applicable_line(cx, category)],
        });
        out.push(finding);
    }
}

/// `- Repudiation: not applicable — <reason>` at the end of the threats section.
fn not_applicable_line(cx: &Context<'_>, category: StrideCategory) -> Edit {
    let nl = edits::eol(cx.text);
    let section = cx.doc.section(SectionKind::Threats).or_else(|| cx.doc.section(SectionKind::ThreatModel));
    let at = section.map_or(cx.text.len(), |s| s.range.end);
    let item = fill(&templates().not_applicable_item, &[("category", category.name())]);
    let before = &cx.text[..at];
    let lead = if before.ends_with("\n\n") || before.ends_with("\r\n\r\n") {
        ""
    } else if before.ends_with('\n') {
        nl
    } else {
        "\n\n"
    };
    let trail = if at < cx.text.len() { nl } else { "" };
    Edit::insert(at, format!("{lead}{}{nl}{trail}", item.trim_end()))
}
