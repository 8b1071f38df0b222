//! TM011 unthreatened-asset: an inventory asset no threat targets.

use super::edits::{self, NewThreat};
use super::tm010_unlisted_asset::Resolution;
use super::{Context, RuleMeta};
use crate::document::ThreatShape;
use crate::document::columns::{ThreatField, map_header, threat_field};
use crate::finding::{Applicability, Finding, FindingData, Fix, Level};
use std::collections::BTreeSet;

pub const META: RuleMeta = RuleMeta {
    code: "TM011",
    name: "unthreatened-asset",
    default_level: Level::Info,
    summary: "An inventory asset that no threat targets.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each asset of the inventory that no threat names as its target, by id or by
name. `data.asset` holds its name and `data.id` its id, if it has one. A not-applicable
statement about the asset (`- Audit log, tampering: not applicable — …`) counts as
having looked at it. Nothing fires while the doc has no threats at all: that is the
missing-section rule's to say.

## Why does it matter?
An asset is in the inventory because it is worth protecting. If no threat is about it,
either nobody asked what could happen to it, or the threats that are about it do not
say so, and a reader cannot check that its sensitivity was taken into account.

## Example
```md
### Assets
- A1 **Device tokens** (confidential) — one per installed app.
- A2 **Push payload** (confidential) — sent to a third party.

### Threats
- **T1** [Tampering] (Medium) on A1 — a bug in token refresh overwrites another
  customer's token. Mitigation: M1.
```
(`Push payload` has no threat)

## How to fix
Ask what could go wrong with the asset — who could read, change, destroy or deny access
to it — and add a threat that names it as its target. If a threat already covers it,
add the asset to that threat's targets. The fix adds a threat for it with a question
to answer.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let doc = cx.doc;
    if doc.threats.is_empty() {
        return;
    }
    let mut targeted: BTreeSet<usize> = BTreeSet::new();
    for targets in &cx.facts.targets {
        for r in targets {
            if let Resolution::Asset(i) = r.resolution {
                targeted.insert(i);
            }
        }
    }
    // A statement that a category does not apply to the asset shows it was considered.
    for na in &doc.not_applicable {
        if let Some(element) = &na.element
            && let Some(i) = doc
                .assets
                .find(&element.value)
                .and_then(|a| position(cx, a))
        {
            targeted.insert(i);
        }
    }
    let can_link = new_threats_carry_targets(cx);
    for (i, asset) in doc.assets.assets.iter().enumerate() {
        // A skeleton's placeholder asset is TM050's to report.
        if targeted.contains(&i) || super::placeholder::only_placeholders(&asset.name.value) {
            continue;
        }
        let name = asset.name.value.as_str();
        let id = asset.id.as_ref().map(|i| i.value.clone());
        let message = format!(
            "No threat targets `{name}`. Who would want to read, change or destroy it, and what stops them?"
        );
        let mut finding = Finding::new(&META, asset.range, message).with_data(FindingData {
            asset: Some(name.to_string()),
            id: id.clone(),
            ..FindingData::default()
        });
        if can_link {
            let target = id.as_deref().unwrap_or(name);
            let description = format!(
                "<What could go wrong with {}?>",
                name.replace(['<', '>', '|'], " ").trim()
            );
            let new = NewThreat {
                category: None,
                target: Some(target),
                description: &description,
            };
            if let Some(edit) = edits::add_threat(cx, &new) {
                finding = finding.with_fix(Fix {
                    title: format!("Add a threat for `{name}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
        }
        out.push(finding);
    }
}

fn position(cx: &Context<'_>, asset: &crate::document::Asset) -> Option<usize> {
    cx.doc
        .assets
        .assets
        .iter()
        .position(|a| std::ptr::eq(a, asset))
}

/// Whether a threat added by [`edits::add_threat`] can name its target: not when the
/// doc's threats table has no asset column.
fn new_threats_carry_targets(cx: &Context<'_>) -> bool {
    let Some(last) = cx
        .doc
        .threats
        .iter()
        .rev()
        .find(|t| t.shape == ThreatShape::Table)
    else {
        return true;
    };
    edits::table_at(cx, last.range.start).is_some_and(|table| {
        let header: Vec<String> = table.header.cells.iter().map(|c| c.text.clone()).collect();
        map_header(&header, threat_field).contains(&Some(ThreatField::Target))
    })
}
