//! TM033 duplicate-id: two assets, threats or mitigations share an id.

use super::{Context, RuleMeta};
use crate::document::assets::next_free_id;
use crate::document::ids::match_key;
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
use crate::span::{Spanned, TextRange};
use std::collections::BTreeMap;

pub const META: RuleMeta = RuleMeta {
    code: "TM033",
    name: "duplicate-id",
    default_level: Level::Error,
    summary: "Two assets, two threats or two mitigations share an id.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on the second (and any later) asset, threat or mitigation whose id is already
taken by one of its kind. Ids compare without case or punctuation, so `A1` and `A-1`
are the same id. `data.id` holds the id.

## Why does it matter?
Threats point at assets and mitigations by id, and tickets and reviews point at threats.
With two `T3`s, nobody can tell which one a ticket tracks or a mitigation covers, and a
reviewer may sign off the wrong one. It usually comes from copying a row, or from two
people adding to the list at the same time.

## Example
```md
| ID | STRIDE | Asset | Threat |
|----|--------|-------|--------|
| T1 | S | A1 | A caller replays a stolen session |
| T1 | D | A2 | A flood of exports starves the job |
```

## How to fix
Give the second one the next free id. The fix does that; check afterwards that every
reference to the old id (mitigations, tickets, other docs) meant the first one.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let doc = cx.doc;
    let assets: Vec<&Spanned<String>> = doc
        .assets
        .assets
        .iter()
        .filter_map(|a| a.id.as_ref())
        .collect();
    report(cx, ("asset", "A"), &assets, out);
    let threats: Vec<&Spanned<String>> = doc.threats.iter().filter_map(|t| t.id.as_ref()).collect();
    report(cx, ("threat", "T"), &threats, out);
    let mitigations: Vec<&Spanned<String>> = doc
        .mitigations
        .items
        .iter()
        .filter_map(|m| m.id.as_ref())
        .collect();
    report(cx, ("mitigation", "M"), &mitigations, out);
}

/// One finding for each id of `ids` (in document order) that an earlier one already took.
/// `kind` is what the ids name and the prefix of a new id when none can be copied.
fn report(
    cx: &Context<'_>,
    (kind, prefix): (&str, &str),
    ids: &[&Spanned<String>],
    out: &mut Vec<Finding>,
) {
    let mut first: BTreeMap<String, &Spanned<String>> = BTreeMap::new();
    // Each duplicate gets its own new id, so that applying every fix leaves none: the
    // first after the highest id, then one more each time (computed once, not per
    // duplicate: a doc with thousands of duplicates stays linear).
    let mut next_slot: Option<String> = None;
    for id in ids {
        let key = match_key(&id.value);
        if key.is_empty() {
            continue;
        }
        let Some(earlier) = first.get(&key) else {
            first.insert(key, id);
            continue;
        };
        let range = exact_range(cx.text, id);
        let line = line_of(cx.text, earlier.range.start);
        let next = match next_slot.take() {
            None => next_free_id(ids.iter().map(|i| i.value.as_str()), prefix),
            Some(previous) => next_free_id(std::iter::once(previous.as_str()), prefix),
        };
        let next = next_slot.insert(next).clone();
        let message = format!(
            "Another {kind} already has the id `{}` (line {line}). Which of the two do references to `{}` mean?",
            id.value, earlier.value
        );
        out.push(
            Finding::new(&META, range, message)
                .with_data(FindingData {
                    id: Some(id.value.clone()),
                    ..FindingData::default()
                })
                .with_fix(Fix {
                    title: format!("Renumber this {kind} to {next}"),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit::replace(range, next)],
                }),
        );
    }
}

/// The id as it stands inside its range (a table cell's range may include `**` around it).
fn exact_range(text: &str, id: &Spanned<String>) -> TextRange {
    let raw = id.range.slice(text);
    match raw.find(id.value.as_str()) {
        Some(i) if !id.value.is_empty() => {
            TextRange::new(id.range.start + i, id.range.start + i + id.value.len())
        }
        _ => id.range,
    }
}

/// The 1-based line of `offset`, for messages.
fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    // A byte count vectorizes; `matches('\n')` searched char by char.
    before.bytes().filter(|&b| b == b'\n').count() + 1
}
