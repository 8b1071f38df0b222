//! TM002 missing-section: the threat model lacks one of its required subsections.

use super::{Context, RuleMeta, edits, skeleton};
use crate::document::SectionKind;
use crate::finding::{Applicability, Finding, FindingData, Fix, Level};
use crate::rules::facts::ThreatStatus;

pub const META: RuleMeta = RuleMeta {
    code: "TM002",
    name: "missing-section",
    default_level: Level::Warning,
    summary: "The threat model lacks scope, diagram, assets, threats or mitigations.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires once for each required part the threat model lacks: scope, a data-flow diagram,
the asset inventory, the threats and the mitigations (`data.section` names it).

A part counts when its heading is there under any of its aliases (`What are we
protecting?` is the asset inventory), and also when its content is: threats written as
STRIDE category sections need no `Threats` heading, and no mitigations section is needed
when every threat that needs a mitigation carries its own. A mermaid flowchart in the
threat model, or in an architecture, design or overview section, is the diagram.

## Why does it matter?
Each part answers one of the four questions of threat modeling. Without a scope, nobody
knows what was considered; without a diagram, threats are guessed rather than found;
without assets, nobody knows what is worth protecting; without mitigations, a threat list
is a worry list.

## Example
```md
## Threat model
### Threats
| ID | STRIDE | Threat | Severity | Mitigation |
|----|--------|--------|----------|------------|
| T1 | S | A caller replays a stolen token to export another tenant's data | High | M1 |
```
(no scope, diagram, assets or mitigations)

## How to fix
Add the missing subsection. The fix inserts its skeleton where it belongs in the order
scope, diagram, assets, threats, mitigations.
";

/// Whether the threat model has the part `kind`, by heading or by content (see DOCS).
pub fn is_present(cx: &Context<'_>, kind: SectionKind) -> bool {
    let doc = cx.doc;
    if doc.section_index(kind).is_some() {
        return true;
    }
    match kind {
        SectionKind::Diagram => {
            doc.has_diagram()
                || cx.link == (super::LinkRole::ThreatModelOfDesign { design_has_diagram: true })
        }
        SectionKind::Assets => !doc.assets.assets.is_empty(),
        SectionKind::Threats => !doc.threats.is_empty() || !doc.not_applicable.is_empty(),
        SectionKind::Mitigations => {
            !doc.threats.is_empty()
                && doc.threats.iter().zip(&cx.facts.threats).all(|(_, f)| {
                    f.has_mitigation
                        || matches!(
                            f.status,
                            Some(ThreatStatus::Accepted | ThreatStatus::Transferred | ThreatStatus::NotApplicable)
                        )
                })
        }
        _ => false,
    }
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(tm) = cx.doc.threat_model.and_then(|i| cx.doc.sections.get(i)) else { return };
    let hashes = edits::subsection_hashes(cx);
    for kind in SectionKind::REQUIRED {
        if is_present(cx, kind) {
            continue;
        }
        let at = edits::subsection_insert_at(cx, kind).unwrap_or(tm.range.end);
        let edit = edits::insert_block(cx.text, at, &skeleton::subsection(cx, kind, &hashes));
        let message = match kind {
            SectionKind::Scope => "The threat model has no scope. What exactly are you building, and what did you leave out?",
            SectionKind::Diagram => "The threat model has no data-flow diagram. Where does data enter, where is it stored, and which trust boundaries does it cross?",
            SectionKind::Assets => "The threat model has no asset inventory. What are you protecting, and how sensitive is each piece?",
            SectionKind::Threats => "The threat model lists no threats. What can go wrong, category by category?",
            _ => "The threat model has no mitigations. What are you going to do about each threat?",
        };
        out.push(
            Finding::new(&META, tm.heading_range, message)
                .with_data(FindingData { section: Some(kind), ..FindingData::default() })
                .with_fix(Fix {
                    title: format!("Add the missing {} section", kind.label()),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                }),
        );
    }
}
