//! TM022 element-unaddressed: a diagram element has STRIDE-per-element categories that
//! no threat covers for it.

use super::edits::{self, NewThreat};
use super::{Context, LinkRole, RuleMeta};
use crate::config::ElementScope;
use crate::diagram::{Diagram, ElementKind};
use crate::diagram::coverage::Coverage;
use crate::finding::{Applicability, Finding, FindingData, Fix, Level};
use crate::span::TextRange;
use crate::stride::StrideCategory;
use std::collections::HashSet;

pub const META: RuleMeta = RuleMeta {
    code: "TM022",
    name: "element-unaddressed",
    default_level: Level::Info,
    summary: "A diagram element has STRIDE-per-element categories that no threat covers for it.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Looks at each element of the data-flow diagram and the STRIDE categories that apply to
its type: an external entity can be spoofed or deny what it did (S, R); a process can
suffer all six; a data store can be tampered with, leak or be made unavailable (T, I,
D, plus R when it holds logs or audit records); a data flow can be changed, watched or
blocked (T, I, D). One finding per element lists the categories no threat covers for
it (`data.element`, `data.categories`).

A threat covers an element when its asset/target names the node by id or label, or
names an inventory asset that is the node; a flow is named by its label or by its two
ends (`Browser → API`). A not-applicable statement covers its categories for the
element it names, or for all elements when it names none.

By default (`element_scope = \"boundary\"`) only elements touching a flow that crosses
a trust boundary (a subgraph), the crossing flows themselves, and every data store are
checked: that is where attacks start. `all` checks every element, `off` none.

## Why does it matter?
Walking the diagram element by element is how threat modeling finds what a
brainstorm misses. A category-level \"we covered Tampering\" can hide that nobody asked
whether the flow from the browser into the VPC can be altered.

## Example
````md
```mermaid
flowchart LR
  browser[/Browser/] -->|card details| api
  subgraph vpc [Payments VPC]
    api[Checkout API] --> db[(Orders DB)]
  end
```

| ID | STRIDE | Asset | Threat |
|----|--------|-------|--------|
| T1 | Spoofing | Checkout API | A caller replays a stolen session |
````

## How to fix
Add a threat for each listed category with the element in its asset column, or a
not-applicable line naming the element and saying why (`- Orders DB — Repudiation: not
applicable — it holds no user actions`). The fix adds one placeholder row per category
for you to complete.
";

/// An element or flow TM022 reports.
struct Unaddressed<'d> {
    /// What `data.element` holds: the node id, or `from->to` for a flow.
    element: String,
    /// What the message and the new rows call it.
    name: String,
    kind: &'static str,
    range: TextRange,
    coverage: &'d Coverage,
}

fn in_scope(cx: &Context<'_>, diagram: &Diagram) -> Vec<(usize, bool)> {
    let all = cx.config.element_scope == ElementScope::All;
    // Marked in one pass over the flows: asking `on_boundary` per element would be
    // elements × flows.
    let mut on_boundary = vec![false; diagram.elements.len()];
    for f in diagram.flows.iter().filter(|f| f.crosses_boundary) {
        for end in [f.from, f.to] {
            if let Some(slot) = on_boundary.get_mut(end) {
                *slot = true;
            }
        }
    }
    let mut out: Vec<(usize, bool)> = diagram
        .elements
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            all || e.kind == ElementKind::DataStore || on_boundary.get(*i).copied().unwrap_or(false)
        })
        .map(|(i, _)| (i, false))
        .collect();
    out.extend(
        diagram
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| all || f.crosses_boundary)
            .map(|(i, _)| (i, true)),
    );
    out
}

fn unaddressed<'d>(cx: &'d Context<'_>) -> Vec<Unaddressed<'d>> {
    let mut out = Vec::new();
    for (diagram, coverage) in cx.doc.diagrams.iter().zip(&cx.facts.diagrams) {
        for (i, is_flow) in in_scope(cx, diagram) {
            let item = if is_flow {
                let (Some(flow), Some(cov)) = (diagram.flows.get(i), coverage.flows.get(i)) else {
                    continue;
                };
                let end = |j: usize| diagram.elements.get(j).map_or("?", |e| e.id.as_str());
                Unaddressed {
                    element: format!("{}->{}", end(flow.from), end(flow.to)),
                    name: diagram.flow_name(i),
                    kind: "data flow",
                    range: flow.range,
                    coverage: cov,
                }
            } else {
                let (Some(e), Some(cov)) = (diagram.elements.get(i), coverage.elements.get(i))
                else {
                    continue;
                };
                Unaddressed {
                    element: e.id.clone(),
                    name: e.label.clone(),
                    kind: e.kind.name(),
                    range: e.range,
                    coverage: cov,
                }
            };
            if !item.coverage.missing().is_empty() {
                out.push(item);
            }
        }
    }
    out
}

/// Whether TM022 has anything to say: a standalone threat model with threats in it. A
/// doc without a threat model is TM001's; one without threats is TM002's. A threat model
/// kept in a linked file is not matched against the design doc's diagram yet.
fn applies(cx: &Context<'_>) -> bool {
    cx.config.element_scope != ElementScope::Off
        && cx.link == LinkRole::Standalone
        && cx.doc.threat_model.is_some()
        && cx.doc.threat_region().is_some()
}

fn names(categories: &[StrideCategory]) -> String {
    categories
        .iter()
        .map(|c| c.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if !applies(cx) {
        return;
    }
    let appender = edits::ThreatAppender::new(cx);
    for item in unaddressed(cx) {
        let missing = item.coverage.missing();
        let question = missing
            .first()
            .and_then(|c| cx.methodology.category(*c))
            .and_then(|info| info.questions.first())
            .cloned()
            .unwrap_or_default();
        let message = format!(
            "No threat covers {} for `{}` ({}). {question}",
            names(&missing),
            item.name,
            item.kind
        );
        let mut finding = Finding::new(&META, item.range, message.trim_end().to_string())
            .with_data(FindingData {
                element: Some(item.element.clone()),
                categories: missing.clone(),
                ..FindingData::default()
            });
        if let Some(edit) = appender.as_ref().map(|a| rows_edit(cx, a, &item.name, &missing)) {
            finding = finding.with_fix(Fix {
                title: format!("Add threat rows for `{}` ({})", item.name, names(&missing)),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
        out.push(finding);
    }
}

/// One placeholder threat per category for the element `name`, each asking the
/// category's first guiding question.
fn rows_edit(
    cx: &Context<'_>,
    appender: &edits::ThreatAppender,
    name: &str,
    categories: &[StrideCategory],
) -> crate::finding::Edit {
    let placeholders: Vec<String> = categories
        .iter()
        .map(|c| {
            let question = cx
                .methodology
                .category(*c)
                .and_then(|info| info.questions.first())
                .map_or_else(|| format!("What could go wrong: {}?", c.name()), Clone::clone);
            format!("<{}>", question.trim_end_matches('.'))
        })
        .collect();
    let new: Vec<NewThreat<'_>> = categories
        .iter()
        .zip(&placeholders)
        .map(|(c, p)| NewThreat {
            category: Some(*c),
            target: Some(name),
            description: p,
        })
        .collect();
    appender.edit(&new)
}

/// "Generate threat rows from diagram": one placeholder threat for every element and
/// flow of every diagram and every applicable category not yet covered, whatever
/// `element_scope` says. `None` when everything is covered or the doc has nowhere to put
/// threats.
pub fn generate_rows(cx: &Context<'_>) -> Option<Fix> {
    let mut wanted: Vec<(String, StrideCategory, String)> = Vec::new();
    let mut seen: HashSet<(String, StrideCategory)> = HashSet::new();
    for (diagram, coverage) in cx.doc.diagrams.iter().zip(&cx.facts.diagrams) {
        let elements = diagram.elements.iter().zip(&coverage.elements).map(|(e, c)| (e.label.clone(), c));
        let flows = (0..diagram.flows.len()).zip(&coverage.flows).map(|(i, c)| (diagram.flow_name(i), c));
        for (name, cov) in elements.chain(flows) {
            for category in cov.missing() {
                if !seen.insert((name.clone(), category)) {
                    continue;
                }
                let question = cx
                    .methodology
                    .category(category)
                    .and_then(|info| info.questions.first())
                    .map_or_else(|| format!("What could go wrong: {}?", category.name()), Clone::clone);
                wanted.push((name.clone(), category, format!("<{}>", question.trim_end_matches('.'))));
            }
        }
    }
    if wanted.is_empty() {
        return None;
    }
    let new: Vec<NewThreat<'_>> = wanted
        .iter()
        .map(|(name, c, p)| NewThreat {
            category: Some(*c),
            target: Some(name),
            description: p,
        })
        .collect();
    let edit = edits::add_threats(cx, &new)?;
    Some(Fix {
        title: format!("Generate {} threat rows from the diagram", wanted.len()),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}
