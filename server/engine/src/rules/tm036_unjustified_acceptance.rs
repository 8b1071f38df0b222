//! TM036 unjustified-acceptance: an accepted or transferred threat gives no reason, owner
//! or ticket.

use super::facts::{ThreatFacts, ThreatStatus};
use super::{Context, RuleMeta, edits};
use crate::document::columns::{normalize_label, threat_field};
use crate::document::not_applicable::reason_words;
use crate::document::{Block, Threat, ThreatShape};
use crate::finding::{Finding, FindingData, Level};
use crate::span::TextRange;
use regex::Regex;
use std::sync::OnceLock;

pub const META: RuleMeta = RuleMeta {
    code: "TM036",
    name: "unjustified-acceptance",
    default_level: Level::Warning,
    summary: "An accepted or transferred threat gives no reason, owner or ticket.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a threat whose status is accepted (or risk accepted) or transferred when it
gives none of these:
- a **ticket**: a `ticket_pattern` reference in its ticket field, mitigation or status;
- an **owner**: an `Owner:` (or `Risk owner:`, `Accepted by:`) label in the threat, the
  word *owner*, *owned by* or *accepted by* in its status, an owner column of the threats
  table with a value, or for a transferred threat the party after `Transferred to`;
- a **reason** of at least three words: after the status word (`Accepted because the
  key never leaves the HSM`), in a rationale, justification, reason, notes or comments
  column, or as a paragraph of a heading-form threat other than its description; a
  mitigation also counts, since a partial mitigation is a reason to accept the rest.

## Why does it matter?
Accepting a risk is a legitimate decision, but only when someone made it on purpose and
it can be revisited. An unexplained `Accepted` cannot be told apart from a threat that
was parked and forgotten.

## Example
```md
| ID | STRIDE | Threat | Severity | Status |
|----|--------|--------|----------|--------|
| T6 | E | Code execution on the API host lets an attacker sign any digest | High | Accepted |
```

## How to fix
Write down why the remaining risk is acceptable and who decided, or link the ticket
where that was agreed: `Accepted because the HSM quorum policy still guards key export;
owner: platform team (SIGN-19)`.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        let Some(status @ (ThreatStatus::Accepted | ThreatStatus::Transferred)) = facts.status else {
            continue;
        };
        if facts.placeholder || justified(cx, threat, facts, status) {
            continue;
        }
        let id = threat.id.as_ref().map(|i| i.value.clone());
        let who = id.clone().unwrap_or_else(|| "This threat".to_string());
        let message = if status == ThreatStatus::Transferred {
            format!("{who} is transferred without a reason, an owner or a ticket. Who carries the risk now, and where was that agreed?")
        } else {
            format!("{who} is accepted without a reason, an owner or a ticket. Why is the remaining risk acceptable, and who decided?")
        };
        let data = FindingData { id, ..FindingData::default() };
        out.push(Finding::new(&META, threat.range, message).with_data(data));
    }
}

fn justified(cx: &Context<'_>, threat: &Threat, facts: &ThreatFacts, status: ThreatStatus) -> bool {
    if facts.ticket.is_some() || facts.has_mitigation {
        return true;
    }
    if let Some(s) = &threat.status {
        let rest = after_status_word(&s.value);
        if owner_re().is_match(rest) || reason_words(rest) >= 3 {
            return true;
        }
        if status == ThreatStatus::Transferred && rest.trim_start().to_lowercase().starts_with("to ") && reason_words(rest) >= 2 {
            return true;
        }
    }
    let own = own_text(cx, threat);
    if owner_label_re().is_match(own.slice(cx.text)) {
        return true;
    }
    match threat.shape {
        ThreatShape::Table => table_says_why(cx, threat),
        ThreatShape::Heading => heading_says_why(cx, threat, own),
        ThreatShape::List => false,
    }
}

/// The status text after its status word: `Accepted because …` → `because …`.
fn after_status_word(status: &str) -> &str {
    let trimmed = status.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = trimmed.to_lowercase();
    for word in ["risk accepted", "accepted", "transferred"] {
        if lower.starts_with(word) {
            // ASCII prefixes: the byte length is the same in both spellings.
            return trimmed.get(word.len()..).unwrap_or("");
        }
    }
    trimmed
}

/// The threat's own text: its row, its item, or its heading section up to the first
/// sub-heading.
fn own_text(cx: &Context<'_>, threat: &Threat) -> TextRange {
    if threat.shape != ThreatShape::Heading {
        return threat.range;
    }
    let Some(index) = cx.doc.sections.iter().position(|s| s.heading_range == threat.range) else {
        return threat.range;
    };
    if cx.doc.sections.get(index).is_none() {
        return threat.range;
    }
    cx.doc.own_body(index)
}

/// A rationale or owner column of the threats table with something in this row.
fn table_says_why(cx: &Context<'_>, threat: &Threat) -> bool {
    const OWNER: &[&str] = &["owner", "risk owner", "accountable", "accepted by", "decided by", "approved by", "approver"];
    const REASON: &[&str] =
        &["rationale", "justification", "reason", "notes", "note", "comment", "comments", "residual risk", "why", "remarks"];
    let Some(table) = edits::table_at(cx, threat.range.start) else { return false };
    let Some(row) = table.rows.iter().find(|r| r.range == threat.range) else { return false };
    table.header.cells.iter().zip(&row.cells).any(|(head, cell)| {
        let label = normalize_label(&head.text);
        (OWNER.contains(&label.as_str()) && reason_words(&cell.text) >= 1)
            || (REASON.contains(&label.as_str()) && reason_words(&cell.text) >= 3)
    })
}

/// A paragraph or item of a heading-form threat, other than its description, with at
/// least three words that are not `Label: value` fields.
fn heading_says_why(cx: &Context<'_>, threat: &Threat, own: TextRange) -> bool {
    let description = threat.description.as_ref().map(|d| d.range);
    cx.doc.blocks_in(own).any(|block| {
        let range = match block {
            Block::Paragraph(p) if !p.in_list_item => p.range,
            Block::ListItem(item) => item.range,
            _ => return false,
        };
        if Some(range) == description {
            return false;
        }
        let prose: String = range
            .slice(cx.text)
            .lines()
            .filter(|line| !is_field_line(line))
            .collect::<Vec<_>>()
            .join(" ");
        reason_words(&prose) >= 3
    })
}

/// `Status: Accepted`, `**Assets:** A1`: a line whose label is a threat field.
fn is_field_line(line: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^[\s>*_-]*(?:\*\*|__)?([A-Za-z][A-Za-z #/]{0,30}?)\s*(?:\*\*|__)?\s*:")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    re.captures(line).and_then(|c| c.get(1)).is_some_and(|label| threat_field(label.as_str()).is_some())
}

/// An owner named in status text: `owner: platform`, `owned by`, `accepted by`.
fn owner_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:owners?|owned\s+by|accepted\s+by|approved\s+by|decided\s+by|signed\s+off\s+by)\b")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// An `Owner:` label anywhere in the threat's own text.
fn owner_label_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?im)(?:^|[\s(;,.|—–-])(?:\*\*|__)?(?:risk\s+)?(?:owner|accepted\s+by|approved\s+by|decided\s+by)(?:\*\*|__)?\s*:(?:\*\*|__)?\s*\S")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_word_is_stripped() {
        assert_eq!(after_status_word("Accepted because it is internal").trim(), "because it is internal");
        assert_eq!(after_status_word("**Risk accepted** (owner: platform)").trim(), "** (owner: platform)");
        assert_eq!(after_status_word("Transferred to the PSP").trim(), "to the PSP");
        assert_eq!(after_status_word("Accepted").trim(), "");
    }

    #[test]
    fn owner_labels() {
        assert!(owner_label_re().is_match("Status: Accepted\nOwner: platform team"));
        assert!(owner_label_re().is_match("**Risk owner:** Dana"));
        assert!(!owner_label_re().is_match("A release owner denies a signature."));
        assert!(is_field_line("Status: Accepted"));
        assert!(!is_field_line("Accepted because the HSM policy holds."));
    }
}
