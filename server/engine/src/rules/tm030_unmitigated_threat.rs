//! TM030 unmitigated-threat: a threat has no mitigation and is not accepted, transferred
//! or not applicable.

use super::facts::ThreatStatus;
use super::{Context, RuleMeta, edits};
use crate::document::ids::is_threat_id;
use crate::document::{Threat, ThreatShape};
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM030",
    name: "unmitigated-threat",
    default_level: Level::Warning,
    summary: "A threat has no mitigation and is not accepted, transferred or not applicable (an error for critical and high threats).",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a threat that names no mitigation, unless its status says the risk is accepted,
transferred or not applicable. A threat marked mitigated that does not say how is
reported too. The finding is an error for critical and high threats and a warning
otherwise. A mitigation is the threat's mitigation cell or `Mitigation:` field, a
mitigations sub-heading of a heading-form threat, or an entry of the mitigations section
that names the threat's id.

## Why does it matter?
Finding threats is half of the work; the design only gets safer when each one has an
answer. An unanswered high-severity threat is exactly what a review should stop before
launch.

## Example
```md
| ID | STRIDE | Threat | Severity | Mitigation | Status |
|----|--------|--------|----------|------------|--------|
| T4 | I | A support agent exports every tenant's orders | High |  | Open |
```

## How to fix
Say what prevents the threat or how you would detect it, as an entry of the mitigations
section (`- M5: Exports are scoped to the agent's assigned tenants.`) referenced from the
threat (`M5`). The fix adds both, with a placeholder to finish. If the team decides to
live with the risk, set the status to `Accepted` and say why.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        if facts.placeholder || facts.has_mitigation {
            continue;
        }
        if matches!(
            facts.status,
            Some(ThreatStatus::Accepted | ThreatStatus::Transferred | ThreatStatus::NotApplicable)
        ) {
            continue;
        }
        let id = threat.id.as_ref().map(|i| i.value.clone());
        let severity = facts.severity.as_deref().unwrap_or("high");
        let who = match (&id, facts.is_critical_or_high()) {
            (Some(id), true) => format!("{id} ({})", capitalized(severity)),
            (Some(id), false) => id.clone(),
            (None, true) => format!("This {severity} threat"),
            (None, false) => "This threat".to_string(),
        };
        let claim = if facts.status == Some(ThreatStatus::Mitigated) {
            "is marked mitigated but names no mitigation"
        } else {
            "has no mitigation"
        };
        let message = format!("{who} {claim}. What stops it from happening, or how would you notice if it did?");
        let data = FindingData { id: id.clone(), category: threat.categories.first().copied(), ..FindingData::default() };
        let mut finding = Finding::new(&META, threat.range, message).with_data(data);
        if facts.is_critical_or_high() {
            finding.level = Level::Error;
        }
        if let Some(fix) = add_mitigation_fix(cx, threat) {
            finding = finding.with_fix(fix);
        }
        out.push(finding);
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A mitigation stub in the mitigations section, and a reference to it in the threat.
fn add_mitigation_fix(cx: &Context<'_>, threat: &Threat) -> Option<Fix> {
    let subject = match &threat.id {
        Some(id) => id.value.clone(),
        None => format!("\"{}\"", excerpt(threat)),
    };
    let placeholder = format!("<How is {subject} prevented or detected?>");
    let (new_id, stub) = edits::add_mitigation(cx, &placeholder)?;
    let reference = reference_edit(cx, threat, &new_id);
    let edits = match reference {
        Some(r) => merge(r, stub),
        // No place for a reference: the stub still links the two when it names the
        // threat's id in a mitigations list (a table of mitigations has no such link).
        None if threat.id.as_ref().is_some_and(|i| is_threat_id(&i.value)) && !cx.doc.mitigations.table => vec![stub],
        None => return None,
    };
    let title = match &threat.id {
        Some(id) => format!("Add mitigation {new_id} for {}", id.value),
        None => format!("Add mitigation {new_id}"),
    };
    Some(Fix { title, applicability: Applicability::Unsafe, edits })
}

/// Two edits as one list; inserts at the same offset become one insert, the threat's
/// reference first, so that the order of the text does not depend on the client.
fn merge(reference: Edit, stub: Edit) -> Vec<Edit> {
    if reference.range.is_empty() && stub.range.is_empty() && reference.range.start == stub.range.start {
        return vec![Edit::insert(reference.range.start, format!("{}{}", reference.new_text, stub.new_text))];
    }
    let mut edits = vec![reference, stub];
    edits.sort_by_key(|e| e.range.start);
    edits
}

/// The edit that makes the threat refer to mitigation `id`, in the threat's own shape.
fn reference_edit(cx: &Context<'_>, threat: &Threat, id: &str) -> Option<Edit> {
    let text = cx.text;
    // An empty (or "none") mitigation cell or field: fill it.
    // A row shorter than its header gets padding cells from the markdown parser whose
    // (empty) range lies past the row: those are no place to write.
    let inside = |r: TextRange| threat.shape != ThreatShape::Table || (threat.range.start <= r.start && r.start < threat.range.end);
    if let Some(m) = threat.mitigation.as_ref().filter(|m| inside(m.range)) {
        return Some(fill(text, m.range, id));
    }
    match threat.shape {
        ThreatShape::Table => None,
        ThreatShape::List => {
            // Only items with an id or bracketed categories have their fields read.
            if threat.id.is_none() && threat.category_cell.is_none() {
                return None;
            }
            let end = threat.range.start + threat.range.slice(text).trim_end().len();
            let last = text.get(..end).and_then(|t| t.chars().next_back());
            let joiner = match last {
                Some('.' | ';' | ',') => " ",
                Some(c) if c.is_alphanumeric() || c == ')' => ". ",
                _ => " — ",
            };
            Some(Edit::insert(end, format!("{joiner}Mitigation: {id}.")))
        }
        ThreatShape::Heading => {
            let nl = edits::eol(text);
            let index = cx.doc.sections.iter().position(|s| s.heading_range == threat.range)?;
            let own_end = cx.doc.own_body(index).end;
            let before = text.get(..own_end)?;
            let lead = if before.ends_with("\n\n") || before.ends_with("\r\n\r\n") {
                String::new()
            } else if before.ends_with('\n') {
                nl.to_string()
            } else {
                format!("{nl}{nl}")
            };
            let trail = if own_end < text.len() { nl } else { "" };
            Some(Edit::insert(own_end, format!("{lead}Mitigations: {id}{nl}{trail}")))
        }
    }
}

/// Replaces a field's value with `value`. An empty table cell (an empty range between
/// its pipes) is rewritten whole, so the row keeps one space of padding on each side.
fn fill(text: &str, range: TextRange, value: &str) -> Edit {
    if !range.is_empty() {
        return Edit::replace(range, value);
    }
    let at = range.start;
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else {
        return Edit::insert(at.min(text.len()), value);
    };
    let start = at - (before.len() - before.trim_end_matches([' ', '\t']).len());
    let end = at + (after.len() - after.trim_start_matches([' ', '\t']).len());
    let piped = text.get(..start).is_some_and(|t| t.ends_with('|')) && text.get(end..).is_some_and(|t| t.starts_with('|'));
    if piped {
        Edit::replace(TextRange::new(start, end), format!(" {value} "))
    } else {
        Edit::insert(at, value)
    }
}

/// The first words of the threat's description, safe inside a placeholder.
fn excerpt(threat: &Threat) -> String {
    let desc = threat.description.as_ref().map_or("", |d| d.value.as_str());
    let cleaned = desc.replace(['<', '>', '|', '"', '*', '_', '`'], "");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let mut s = words.iter().take(8).copied().collect::<Vec<_>>().join(" ");
    s = s.trim_end_matches(['.', ',', ';', ':', '?', '!']).to_string();
    if words.len() > 8 {
        s.push('…');
    }
    s
}
