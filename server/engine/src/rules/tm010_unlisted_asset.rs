//! TM010 unlisted-asset: a threat target, or a data store of the diagram, is not in the
//! asset inventory.
//!
//! Also home of [`resolve_targets`], which TM011 (which assets are targeted) and TM034
//! (asset ids that do not exist) read too, so the three rules agree on what a target
//! cell names.

use super::{Context, LinkRole, RuleMeta, edits, placeholder};
use crate::diagram::{Element, ElementKind, coverage};
use crate::document::assets::{AssetInventory, InventoryShape};
use crate::document::ids::{self, is_asset_id, leading_asset_id, match_key};
use crate::document::{Document, Threat};
use crate::finding::{Applicability, Finding, FindingData, Fix, Level};
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM010",
    name: "unlisted-asset",
    default_level: Level::Warning,
    summary: "A threat target or a diagram data store is not in the asset inventory.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each threat target (the asset column of a threats table, `on …` in a threat
list, an `Assets:` line under a threat heading) that names no asset of the inventory,
by id or by name. `data.asset` holds the target as written. Matching ignores case,
punctuation, backticks and emphasis, so `` `orders-replica` `` is the asset
`Orders replica`. A target that looks like an asset id (`A7`) but has no asset is a
dangling reference (TM034) instead.

Also fires on each data store of the data-flow diagram (a cylinder `db[(…)]`, or a
node of class `store`) that no inventory asset is, by id or label, with `data.asset`
the store's label and `data.element` its node id.

## Why does it matter?
Whatever is worth a threat is worth a row in the inventory. The inventory is where its
sensitivity is written down, and that decides how much the threat matters. A target
that is nowhere else in the doc is often a component someone forgot to put on the map.

## Example
```md
### Assets
| ID | Asset | Classification |
|----|-------|----------------|
| A1 | Orders replica | confidential |

### Threats
| ID | STRIDE | Asset | Threat |
|----|--------|-------|--------|
| T1 | I | Billing DB | A support engineer exports card data |
```

## How to fix
Add the target to the asset inventory with its classification; the fix appends a row
(or creates the inventory) with the next free id, for you to classify. If the target is
an existing asset under another name, write that name or its id instead.
";

/// What one target reference of a threat names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The inventory asset with this index.
    Asset(usize),
    /// An asset-id-shaped reference with no such asset (TM034).
    DanglingId,
    /// A name that is no inventory asset (TM010).
    Unlisted,
}

/// A target reference of a threat and what it names. `range` covers the reference as it
/// stands in the text (several parts when an asset's name holds `and` or `,`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    pub value: String,
    pub range: TextRange,
    pub resolution: Resolution,
}

/// Words that stand in a target cell without naming anything.
const NO_TARGET: &[&str] = &[
    "na",
    "none",
    "all",
    "allassets",
    "any",
    "everything",
    "various",
    "multiple",
    "unknown",
];

/// The most target parts one asset name may span (`Keys, certificates and tokens` is 3).
const MAX_PARTS_IN_NAME: usize = 8;

/// The target references of `t`, each resolved against the inventory. A whole cell that
/// names one asset (`Keys, certificates and tokens`) is one reference; otherwise the
/// parts are joined greedily, so that a name holding a separator is not split. Computed
/// once per threat into [`Facts::targets`](super::Facts), which TM010, TM011 and TM034
/// read.
pub fn resolve_target_refs(text: &str, doc: &Document, t: &Threat) -> Vec<TargetRef> {
    let inv = &doc.assets;
    let Some(cell) = &t.target_cell else {
        return Vec::new();
    };
    let raw_cell = cell.range.slice(text);
    if t.targets.is_empty()
        || placeholder::only_placeholders(raw_cell)
        || NO_TARGET.contains(&match_key(raw_cell).as_str())
    {
        return Vec::new();
    }
    if let Some(i) = inv.find_index(&cell.value) {
        let (clean, lead) = ids::clean_ref(cell.range.slice(text));
        let start = cell.range.start + lead;
        return vec![TargetRef {
            value: clean.to_string(),
            range: TextRange::new(start, start + clean.len()),
            resolution: Resolution::Asset(i),
        }];
    }
    let parts = &t.targets;
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        // The longest run of parts starting at `i` that names one asset. Names hold a few
        // separators at most; the cap keeps a pathological cell from costing n² lookups.
        let last = parts.len().min(i + MAX_PARTS_IN_NAME);
        let joined = (i + 1..last).rev().find_map(|j| {
            let range = TextRange::new(parts[i].range.start, parts[j].range.end);
            let asset = inv.find_index(range.slice(text))?;
            Some((j, range, asset))
        });
        if let Some((j, range, asset)) = joined {
            out.push(TargetRef {
                value: range.slice(text).to_string(),
                range,
                resolution: Resolution::Asset(asset),
            });
            i = j + 1;
            continue;
        }
        let part = &parts[i];
        i += 1;
        if is_placeholder(text, part.range)
            || NO_TARGET.contains(&match_key(&part.value).as_str())
        {
            continue;
        }
        let resolution = match find_lenient(inv, &part.value) {
            Some(asset) => Resolution::Asset(asset),
            None if is_asset_id(&part.value) => Resolution::DanglingId,
            None => Resolution::Unlisted,
        };
        out.push(TargetRef {
            value: part.value.clone(),
            range: part.range,
            resolution,
        });
    }
    out
}

/// The asset a single reference names, allowing the ways writers decorate one:
/// `Orders replica (A1)`, `A1 (Orders replica)`, `A1 Orders replica`, `the orders replica`.
fn find_lenient(inv: &AssetInventory, reference: &str) -> Option<usize> {
    if let Some(a) = inv.find_index(reference) {
        return Some(a);
    }
    if let Some(open) = reference.find('(') {
        let before = reference[..open].trim();
        let inner = reference[open + 1..].trim_end_matches(')').trim();
        if let Some(a) = inv.find_index(before).or_else(|| inv.find_index(inner)) {
            return Some(a);
        }
    }
    if let Some(r) = leading_asset_id(reference)
        && r.end < reference.len()
        && let Some(a) = inv.find_index(&reference[r])
    {
        return Some(a);
    }
    ["the ", "our ", "a ", "an "]
        .iter()
        .find(|article| {
            reference
                .get(..article.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(article))
        })
        .and_then(|article| reference.get(article.len()..))
        .and_then(|rest| inv.find_index(rest))
}

/// Whether the reference at `range` is a template placeholder (`<asset>`, `TBD`).
fn is_placeholder(text: &str, range: TextRange) -> bool {
    let before = text.get(..range.start).unwrap_or("");
    let after = text.get(range.end..).unwrap_or("");
    (before.ends_with('<') && after.starts_with('>'))
        || placeholder::only_placeholders(range.slice(text))
}

/// The name to give a new inventory entry: the reference without markup or a leading
/// article (`the push gateway` → `push gateway`).
fn entry_name(reference: &str) -> String {
    let words: Vec<String> = reference
        .replace(['*', '`'], "")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let skip = usize::from(
        words.len() > 1
            && words
                .first()
                .is_some_and(|w| ["the", "our"].contains(&w.to_lowercase().as_str())),
    );
    words[skip..].join(" ")
}

/// A first guess at what kind of thing a name is, for the new inventory entry's type
/// (empty when there is no good guess).
fn guess_kind(name: &str) -> &'static str {
    const STORES: &[&str] = &[
        "db", "database", "store", "storage", "bucket", "table", "cache", "queue", "topic", "log",
        "logs", "vault", "replica", "registry", "index", "file", "files", "backup", "backups",
        "key", "keys", "secrets", "tokens", "s3", "hsm", "slot", "keystore",
    ];
    const PROCESSES: &[&str] = &[
        "api", "service", "server", "job", "worker", "gateway", "function", "lambda", "app",
        "daemon", "cron",
    ];
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    if words.iter().any(|w| STORES.contains(&w.as_str())) {
        "data store"
    } else if words.iter().any(|w| PROCESSES.contains(&w.as_str())) {
        "process"
    } else {
        ""
    }
}

/// The type, or for a list inventory (where it stands as the description) a question.
fn kind_for(cx: &Context<'_>, name: &str) -> &'static str {
    match (guess_kind(name), &cx.doc.assets.shape) {
        ("", Some(InventoryShape::List)) => "<what is it?>",
        (kind, _) => kind,
    }
}

/// The data stores of the diagrams that no inventory asset is, once per name. Only for a
/// standalone threat model: without one, TM001's skeleton lists the stores itself.
pub fn unlisted_stores<'d>(cx: &'d Context<'_>) -> Vec<&'d Element> {
    if cx.doc.threat_model.is_none() || cx.link != LinkRole::Standalone {
        return Vec::new();
    }
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for diagram in &cx.doc.diagrams {
        for e in &diagram.elements {
            if e.kind != ElementKind::DataStore || coverage::asset_of(cx.doc, e).is_some() {
                continue;
            }
            if !seen.insert(match_key(&e.label)) {
                continue;
            }
            out.push(e);
        }
    }
    out
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for e in unlisted_stores(cx) {
        let name = &e.label;
        let message = format!(
            "`{name}` is a data store in the diagram but not in the asset inventory. What does it hold, and how sensitive is it?"
        );
        let mut finding = Finding::new(&META, e.range, message).with_data(FindingData {
            asset: Some(name.clone()),
            element: Some(e.id.clone()),
            ..FindingData::default()
        });
        if let Some((id, edit)) = edits::add_asset(cx, name, "data store") {
            finding = finding.with_fix(Fix {
                title: format!("Add `{name}` to the asset inventory as {id}"),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
        out.push(finding);
    }
    // Every mention of a missing name carries the same fix, so the editor offers it on
    // each. `check --fix` applies one of the fixes that insert at one place per round,
    // and the next round no longer finds the name: the asset is added once.
    for targets in &cx.facts.targets {
        for r in targets {
            if r.resolution != Resolution::Unlisted {
                continue;
            }
            let name = entry_name(&r.value);
            let message = format!(
                "`{name}` is a threat target but not in the asset inventory. What is it, and how sensitive is the data it holds?"
            );
            let mut finding = Finding::new(&META, r.range, message).with_data(FindingData {
                asset: Some(r.value.clone()),
                ..FindingData::default()
            });
            if let Some((id, edit)) = edits::add_asset(cx, &name, kind_for(cx, &name)) {
                finding = finding.with_fix(Fix {
                    title: format!("Add `{name}` to the asset inventory as {id}"),
                    applicability: Applicability::Safe,
                    edits: vec![edit],
                });
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::knowledge::Methodology;
    use crate::rules::Facts;

    fn resolved(md: &str) -> Vec<(String, Resolution)> {
        let config = Config::default();
        let doc = Document::parse(md, &config);
        let facts = Facts::new(md, &doc, &config);
        let cx = Context {
            link: Default::default(),
            text: md,
            doc: &doc,
            facts: &facts,
            config: &config,
            methodology: Methodology::stride(),
            today: jiff::civil::date(2026, 11, 23),
        };
        doc.threats
            .iter()
            .zip(&cx.facts.targets)
            .flat_map(|(_, targets)| targets.iter())
            .map(|r| (r.value.clone(), r.resolution))
            .collect()
    }

    const HEAD: &str = "# D\n\n## Threat model\n\n### Assets\n\n| ID | Asset |\n|----|-------|\n| A1 | Keys and certificates |\n| A2 | Orders replica |\n\n### Threats\n\n| ID | STRIDE | Asset | Threat |\n|----|--------|-------|--------|\n";

    #[test]
    fn names_holding_separators_are_not_split() {
        let md = format!(
            "{HEAD}| T1 | I | Keys and certificates | x |\n| T2 | I | A2, keys and certificates, Billing DB | y |\n"
        );
        let got = resolved(&md);
        assert_eq!(
            got,
            [
                ("Keys and certificates".to_string(), Resolution::Asset(0)),
                ("A2".to_string(), Resolution::Asset(1)),
                ("keys and certificates".to_string(), Resolution::Asset(0)),
                ("Billing DB".to_string(), Resolution::Unlisted),
            ]
        );
    }

    #[test]
    fn decorated_references_and_ids() {
        let md = format!(
            "{HEAD}| T1 | I | `orders-replica` | x |\n| T2 | I | Orders replica (A2) | y |\n| T3 | I | A7 | z |\n| T4 | I | <asset> | w |\n| T5 | I | N/A | v |\n| T6 | I | the orders replica | u |\n"
        );
        let got: Vec<Resolution> = resolved(&md).into_iter().map(|(_, r)| r).collect();
        assert_eq!(
            got,
            [
                Resolution::Asset(1),
                Resolution::Asset(1),
                Resolution::DanglingId,
                Resolution::Asset(1)
            ]
        );
    }

    #[test]
    fn kinds_and_names() {
        assert_eq!(guess_kind("Billing DB"), "data store");
        assert_eq!(guess_kind("Refund API"), "process");
        assert_eq!(guess_kind("Partner"), "");
        assert_eq!(entry_name("**Billing**  `DB`"), "Billing DB");
        assert_eq!(entry_name("the push gateway"), "push gateway");
        assert_eq!(entry_name("The"), "The");
    }
}
