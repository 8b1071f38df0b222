//! TM034 dangling-reference: a reference names an asset, threat or mitigation id that does not exist.

use super::tm010_unlisted_asset::Resolution;
use super::{Context, RuleMeta};
use crate::document::ids::{clean_ref, is_mitigation_id, match_key, threat_id_category};
use crate::finding::{Finding, FindingData, Level};
use crate::span::TextRange;
use std::collections::HashSet;

pub const META: RuleMeta = RuleMeta {
    code: "TM034",
    name: "dangling-reference",
    default_level: Level::Error,
    summary: "A reference names an asset, threat or mitigation id that does not exist.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each reference to an id the doc does not define: an asset id (`A7`) as a
threat's target, a mitigation id (`M4`) in a threat's mitigation, a threat id (`T9`) in
a mitigation. Trailing punctuation is ignored (`M2.` is `M2`), and so are case and
dashes (`a-1` is `A1`). `data.id` holds the reference as written.

## Why does it matter?
A threat whose mitigation points at nothing looks handled and is not; a threat aimed at
an asset id nobody defined cannot be weighed against that asset's classification. These
references usually break when a row is deleted or renumbered, or copied from another
doc.

## Example
```md
### Threats
- **T1** [Spoofing] (High) on A1 — a script registers a device under another
  customer's id. Mitigation: M3.

### Mitigations
- M1: Registration takes the customer id from the session.
```
(there is no `M3`)

## How to fix
Point the reference at the id that was meant, or add the missing asset, threat or
mitigation. When a row was deleted on purpose, remove the references to it too.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let doc = cx.doc;
    // Every id's key, read once: a lookup per reference over every threat or
    // mitigation made this rule quadratic in the size of the threat model.
    let mitigation_keys: HashSet<String> = doc
        .mitigations
        .items
        .iter()
        .filter_map(|m| m.id.as_ref())
        .map(|i| match_key(&i.value))
        .collect();
    let threat_ids = ThreatIds::new(cx);
    for (t, targets) in doc.threats.iter().zip(&cx.facts.targets) {
        for r in targets {
            if r.resolution == Resolution::DanglingId {
                let message = format!(
                    "There is no asset `{}`. Which asset did you mean, or is it missing from the inventory?",
                    r.value
                );
                out.push(finding(r.range, &r.value, message));
            }
        }
        let Some(mitigation) = &t.mitigation else {
            continue;
        };
        for (id, range) in mitigation_refs(cx.text, mitigation.range) {
            if !mitigation_keys.contains(&match_key(id)) {
                let message = format!(
                    "There is no mitigation `{id}`. Which mitigation did you mean, or is it still to be written down?"
                );
                out.push(finding(range, id, message));
            }
        }
    }
    for m in &doc.mitigations.items {
        for r in &m.threats {
            if !threat_ids.exists(&r.value) {
                let message = format!(
                    "There is no threat `{}`. Which threat does this mitigation address?",
                    r.value
                );
                out.push(finding(
                    located(cx.text, r.range, m.range, &r.value),
                    &r.value,
                    message,
                ));
            }
        }
    }
}

fn finding(range: TextRange, id: &str, message: String) -> Finding {
    Finding::new(&META, range, message).with_data(FindingData {
        id: Some(id.to_string()),
        ..FindingData::default()
    })
}

/// `range` when it holds `value`, else where `value` first stands inside `within`, else
/// `within`: a reference's recorded range is off when a multi-byte space precedes it.
fn located(text: &str, range: TextRange, within: TextRange, value: &str) -> TextRange {
    if range.slice(text) == value {
        return range;
    }
    match within.slice(text).find(value) {
        Some(i) if !value.is_empty() => {
            TextRange::new(within.start + i, within.start + i + value.len())
        }
        _ => within,
    }
}

/// Mitigation-id-shaped words of the text at `range`, with their ranges.
fn mitigation_refs(text: &str, range: TextRange) -> Vec<(&str, TextRange)> {
    let slice = range.slice(text);
    let is_separator =
        |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '+' | '&' | '(' | ')');
    let mut out = Vec::new();
    let mut word_start = None;
    // Positions come from `char_indices`, so a multi-byte space cannot shift them.
    for (i, c) in slice
        .char_indices()
        .chain(std::iter::once((slice.len(), ' ')))
    {
        match (word_start, is_separator(c)) {
            (None, false) => word_start = Some(i),
            (Some(start), true) => {
                word_start = None;
                let word = &slice[start..i];
                let (clean, lead) = clean_ref(word);
                if !clean.is_empty() && is_mitigation_id(clean) {
                    let at = range.start + start + lead;
                    out.push((clean, TextRange::new(at, at + clean.len())));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a threat has this id; `Threat-03` also finds `Threat-03-T`, and the other way
/// round, since the letter suffix only repeats the category.
/// The doc's threat ids as match keys, whole and without a STRIDE letter suffix
/// (`Threat-03-T` → `threat03`): a reference names a threat when either matches.
struct ThreatIds {
    keys: HashSet<String>,
    bare: HashSet<String>,
}

impl ThreatIds {
    fn new(cx: &Context<'_>) -> ThreatIds {
        let ids = cx.doc.threats.iter().filter_map(|t| t.id.as_ref());
        ThreatIds {
            keys: ids.clone().map(|id| match_key(&id.value)).collect(),
            bare: ids.map(|id| bare_key(&id.value)).collect(),
        }
    }

    fn exists(&self, reference: &str) -> bool {
        self.keys.contains(&match_key(reference)) || self.bare.contains(&bare_key(reference))
    }
}

fn bare_key(id: &str) -> String {
    let mut k = match_key(id);
    if threat_id_category(id).is_some() {
        k.pop();
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mitigation_words() {
        let text = "M1, M-2 and (M3). Also MFA and m5.large\u{a0}M4";
        let got: Vec<&str> = mitigation_refs(text, TextRange::new(0, text.len()))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(got, ["M1", "M-2", "M3", "M4"]);
        let r = mitigation_refs(text, TextRange::new(0, text.len()));
        assert_eq!(r[2].1.slice(text), "M3");
        assert_eq!(r[3].1.slice(text), "M4");
    }
}
