//! Which STRIDE categories each diagram element needs (STRIDE per element) and which of
//! them the threat model covers for it. TM022, the hovers and "generate threat rows from
//! diagram" all read this one judgement.
//!
//! A threat covers a category for an element when it names the category and its target
//! names the element: by node id, by label, or through an inventory asset whose id or
//! name is the node's id or label (case, punctuation and backticks ignored). A flow is
//! named by its label, or by its two ends ("Browser → API", "browser to api"). A
//! not-applicable statement covers its categories for the element it names, or for
//! every element when it names none.

use super::{Diagram, Element};
use crate::document::Document;
use crate::document::ids::match_key;
use crate::knowledge::Methodology;
use crate::stride::StrideCategory;
use std::collections::HashMap;

/// The categories one element or flow needs, and those covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// In methodology order.
    pub applicable: Vec<StrideCategory>,
    /// The applicable categories a threat or a not-applicable statement covers.
    pub covered: Vec<StrideCategory>,
}

impl Coverage {
    /// The applicable categories nothing covers, in order.
    pub fn missing(&self) -> Vec<StrideCategory> {
        self.applicable
            .iter()
            .copied()
            .filter(|c| !self.covered.contains(c))
            .collect()
    }
}

/// Coverage of one diagram: `elements` and `flows` parallel those of the [`Diagram`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiagramCoverage {
    pub elements: Vec<Coverage>,
    pub flows: Vec<Coverage>,
}

/// The match keys of each inventory asset: its id's and its name's.
fn asset_keys(doc: &Document) -> Vec<(Option<String>, String)> {
    doc.assets
        .assets
        .iter()
        .map(|a| {
            (
                a.id.as_ref().map(|i| match_key(&i.value)),
                match_key(&a.name.value),
            )
        })
        .collect()
}

/// The match keys that name an element: its id, its label, the label without a
/// parenthesised remark (`Orders DB (Postgres)`), and the inventory assets that are it.
/// `assets` comes from [`asset_keys`], computed once per document, not once per element
/// (that was most of the time of a check).
fn keys_of_element(assets: &[(Option<String>, String)], element: &Element) -> Vec<String> {
    let mut keys = vec![match_key(&element.id), match_key(&element.label)];
    if let Some(open) = element.label.find('(') {
        keys.push(match_key(&element.label[..open]));
    }
    keys.retain(|k| !k.is_empty());
    for (id, name) in assets {
        if id.as_ref().is_some_and(|k| keys.contains(k)) || keys.contains(name) {
            keys.extend(id.iter().cloned());
            keys.push(name.clone());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The inventory asset that is this element, if any: by id or name against the node's
/// id or label.
pub fn asset_of(doc: &Document, element: &Element) -> Option<usize> {
    let own = [
        match_key(&element.id),
        match_key(&element.label),
        element
            .label
            .find('(')
            .map(|open| match_key(&element.label[..open]))
            .unwrap_or_default(),
    ];
    doc.assets.assets.iter().position(|a| {
        let id = a.id.as_ref().map(|i| match_key(&i.value));
        let name = match_key(&a.name.value);
        own.iter()
            .filter(|k| !k.is_empty())
            .any(|k| id.as_ref() == Some(k) || *k == name)
    })
}

/// How a flow is named: by its label, or by its two ends' keys joined (`browserapi`,
/// `browsertoapi`; either way round for a two-way flow). `ends` holds each element's
/// keys, computed once per diagram.
struct FlowNames<'a> {
    labels: Vec<String>,
    from: &'a [String],
    to: &'a [String],
    bidirectional: bool,
}

impl<'a> FlowNames<'a> {
    fn new(diagram: &Diagram, flow: usize, ends: &'a [Vec<String>]) -> FlowNames<'a> {
        let end = |i: usize| ends.get(i).map_or(&[][..], Vec::as_slice);
        match diagram.flows.get(flow) {
            Some(f) => FlowNames {
                labels: f
                    .label
                    .iter()
                    .map(|l| match_key(l))
                    .filter(|k| !k.is_empty())
                    .collect(),
                from: end(f.from),
                to: end(f.to),
                bidirectional: f.bidirectional,
            },
            None => FlowNames {
                labels: Vec::new(),
                from: &[],
                to: &[],
                bidirectional: false,
            },
        }
    }

    /// Whether `key` names the flow. The joined names are checked in place rather than
    /// built: a diagram has many flows and the joins were a tenth of the analysis.
    fn named_by(&self, key: &str) -> bool {
        // `key` is `x` then `y`, or `x`, `to`, `y`, for an `x` of one end and a `y` of
        // the other.
        let joins = |a: &[String], b: &[String]| {
            a.iter().any(|x| {
                key.strip_prefix(x.as_str()).is_some_and(|rest| {
                    b.iter()
                        .any(|y| rest == y || rest.strip_prefix("to") == Some(y.as_str()))
                })
            })
        };
        self.labels.iter().any(|l| l == key)
            || joins(self.from, self.to)
            || (self.bidirectional && joins(self.to, self.from))
    }
}

/// The match keys a threat's target names: each reference, and the whole cell.
fn target_keys(t: &crate::document::Threat) -> Vec<String> {
    let mut keys: Vec<String> = t.targets.iter().map(|r| key_of(&r.value)).collect();
    keys.extend(t.target_cell.as_ref().map(|c| key_of(&c.value)));
    keys.retain(|k| !k.is_empty());
    keys
}

/// A reference's match key without a leading article (`the orders db`).
fn key_of(reference: &str) -> String {
    let trimmed = reference.trim();
    let lower = trimmed.to_lowercase();
    let rest = ["the ", "our ", "a ", "an "]
        .iter()
        .find(|a| lower.starts_with(*a))
        .map_or(trimmed, |a| &trimmed[a.len()..]);
    match_key(rest)
}

/// What covers what, read once per document: the categories of the threats naming each
/// target key, and each not-applicable statement's element key (`None`: every element)
/// with its categories. Looking a key up here replaces a scan of every threat for every
/// element and flow.
struct Claims<'d> {
    by_key: HashMap<String, Vec<StrideCategory>>,
    not_applicable: Vec<(Option<String>, &'d [StrideCategory])>,
}

impl<'d> Claims<'d> {
    fn new(doc: &'d Document) -> Claims<'d> {
        let mut by_key: HashMap<String, Vec<StrideCategory>> = HashMap::new();
        for t in &doc.threats {
            for key in target_keys(t) {
                let cats = by_key.entry(key).or_default();
                for c in &t.categories {
                    if !cats.contains(c) {
                        cats.push(*c);
                    }
                }
            }
        }
        let not_applicable = doc
            .not_applicable
            .iter()
            .map(|na| {
                (
                    na.element.as_ref().map(|e| key_of(&e.value)),
                    na.categories.as_slice(),
                )
            })
            .collect();
        Claims {
            by_key,
            not_applicable,
        }
    }

    /// As [`Claims::covered`] for a flow, whose names are checked against the claimed
    /// keys rather than listed.
    fn covered_flow(
        &self,
        names: &FlowNames<'_>,
        applicable: &[StrideCategory],
    ) -> Vec<StrideCategory> {
        let mut out: Vec<StrideCategory> = Vec::new();
        for (key, cats) in &self.by_key {
            if names.named_by(key) {
                out.extend(cats);
            }
        }
        for (element, cats) in &self.not_applicable {
            if element.as_ref().is_none_or(|e| names.named_by(e)) {
                out.extend(cats.iter());
            }
        }
        applicable
            .iter()
            .copied()
            .filter(|c| out.contains(c))
            .collect()
    }

    /// The applicable categories that a threat naming one of `keys`, or a not-applicable
    /// statement for it, covers.
    fn covered(&self, keys: &[String], applicable: &[StrideCategory]) -> Vec<StrideCategory> {
        let mut out: Vec<StrideCategory> = Vec::new();
        for k in keys {
            if let Some(cats) = self.by_key.get(k) {
                out.extend(cats);
            }
        }
        for (element, cats) in &self.not_applicable {
            if element.as_ref().is_none_or(|e| keys.contains(e)) {
                out.extend(cats.iter());
            }
        }
        applicable
            .iter()
            .copied()
            .filter(|c| out.contains(c))
            .collect()
    }
}

/// The categories that apply to an element of `kind` named `names`.
pub fn applicable(methodology: &Methodology, kind_id: &str, names: &[&str]) -> Vec<StrideCategory> {
    methodology
        .element(kind_id)
        .map(|info| info.categories_for(names))
        .unwrap_or_default()
}

/// Coverage of every element and flow of every diagram of `doc`.
pub fn compute(doc: &Document, methodology: &Methodology) -> Vec<DiagramCoverage> {
    if doc.diagrams.is_empty() {
        return Vec::new();
    }
    let claims = Claims::new(doc);
    let assets = asset_keys(doc);
    let flow_applicable = applicable(methodology, "data_flow", &[]);
    doc.diagrams
        .iter()
        .map(|d| {
            let keys: Vec<Vec<String>> = d
                .elements
                .iter()
                .map(|e| keys_of_element(&assets, e))
                .collect();
            let elements = d
                .elements
                .iter()
                .zip(&keys)
                .map(|(e, keys)| {
                    let applicable =
                        applicable(methodology, e.kind.knowledge_id(), &[&e.id, &e.label]);
                    let covered = claims.covered(keys, &applicable);
                    Coverage {
                        applicable,
                        covered,
                    }
                })
                .collect();
            let flows = (0..d.flows.len())
                .map(|i| {
                    let covered =
                        claims.covered_flow(&FlowNames::new(d, i, &keys), &flow_applicable);
                    Coverage {
                        applicable: flow_applicable.clone(),
                        covered,
                    }
                })
                .collect();
            DiagramCoverage { elements, flows }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::stride::StrideCategory::*;

    const DOC: &str = "# D\n\n## Threat model\n\n### Data flow diagram\n\n```mermaid\nflowchart LR\n  user[/Shopper/] -->|card details| api\n  subgraph vpc [VPC]\n    api((Checkout API)) --> db[(Orders DB)]\n    api --> audit[(Audit log)]\n  end\n```\n\n### Assets\n\n| ID | Asset | Classification |\n|----|-------|----------------|\n| A7 | Orders database | restricted |\n| A8 | Orders DB | restricted |\n\n### Threats\n\n| ID | STRIDE | Asset | Threat |\n|----|--------|-------|--------|\n| T1 | Spoofing | the shopper | x |\n| T2 | Tampering, Info disclosure | A8 | y |\n| T3 | Tampering | Shopper → Checkout API | z |\n| T4 | I | card details | w |\n\n- Audit log / Repudiation: not applicable — it is written by the platform and read by auditors only.\n- Denial of service: not applicable — the checkout runs behind the shared rate limiter of the edge.\n";

    fn coverage() -> (Document, DiagramCoverage) {
        let config = Config::default();
        let doc = Document::parse(DOC, &config);
        let mut all = compute(&doc, config.methodology());
        let one = all.remove(0);
        (doc, one)
    }

    #[test]
    fn threats_cover_elements_by_label_asset_id_and_flow_ends() {
        let (doc, cov) = coverage();
        let d = &doc.diagrams[0];
        let of = |id: &str| {
            let i = d.elements.iter().position(|e| e.id == id).expect(id);
            (
                cov.elements[i].applicable.clone(),
                cov.elements[i].missing(),
            )
        };
        // The shopper: S by a threat naming "the shopper"; R still open; D is declared
        // not applicable for the whole doc, but D does not apply to an external entity.
        assert_eq!(of("user"), (vec![Spoofing, Repudiation], vec![Repudiation]));
        // Orders DB through asset A8; D covered by the doc-wide not-applicable line.
        assert_eq!(of("db").1, Vec::<StrideCategory>::new());
        // A store named like a log also needs Repudiation, covered by the element's own
        // not-applicable line.
        assert_eq!(
            of("audit"),
            (
                vec![
                    Tampering,
                    Repudiation,
                    InformationDisclosure,
                    DenialOfService
                ],
                vec![Tampering, InformationDisclosure]
            )
        );
        // The flow into the VPC: T by its two ends, I by its label, D not applicable.
        assert!(cov.flows[0].missing().is_empty(), "{:?}", cov.flows[0]);
        assert_eq!(
            cov.flows[1].missing(),
            vec![Tampering, InformationDisclosure]
        );
        assert_eq!(asset_of(&doc, &d.elements[2]), Some(1));
    }

    #[test]
    fn generated_rows_fill_every_gap_once() {
        let config = Config::default();
        let doc = Document::parse(DOC, &config);
        let fix = crate::generate_threat_rows(DOC, &doc, &config, jiff::civil::date(2026, 11, 23))
            .expect("rows to add");
        let mut text = DOC.to_string();
        for e in fix.edits.iter().rev() {
            text.replace_range(e.range.start..e.range.end, &e.new_text);
        }
        let after = Document::parse(&text, &config);
        let again = compute(&after, config.methodology());
        for c in again[0].elements.iter().chain(&again[0].flows) {
            assert!(c.missing().is_empty(), "{c:?}");
        }
        assert!(
            crate::generate_threat_rows(&text, &after, &config, jiff::civil::date(2026, 11, 23))
                .is_none()
        );
        assert!(text.contains("| T5 | Repudiation | Shopper |"), "{text}");
    }
}
