//! TM032 untracked-threat: a critical or high threat that is not mitigated has no ticket.

use super::facts::ThreatStatus;
use super::{Context, RuleMeta};
use crate::finding::{Finding, FindingData, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM032",
    name: "untracked-threat",
    default_level: Level::Warning,
    summary: "A critical or high threat that is not mitigated has no ticket.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a critical or high threat that is not mitigated (its status is not
`Mitigated`, or it has no status and no mitigation) and names no ticket. A ticket is a
reference matching `ticket_pattern` (by default a key such as `SEC-42`, `#123` or an
http(s) link) in the threat's ticket field, or else in its mitigation or status text.
Ids of the doc's own threats, assets and mitigations are never tickets. Accepted and
transferred threats count as not mitigated: the decision needs a ticket too. A threat
marked not applicable leaves nothing to track and is left alone.

## Why does it matter?
A design doc is read during review and then rarely again. Work that lives only in the
doc is forgotten once the feature ships; a ticket puts it in the backlog the team
actually works from, and lets a security team follow it up.

## Example
```md
| ID | STRIDE | Threat | Severity | Mitigation | Status | Ticket |
|----|--------|--------|----------|------------|--------|--------|
| T4 | I | A misconfigured job writes one tenant's orders into another tenant's file | Critical | M4 | In progress |  |
```

## How to fix
Open a ticket for the work (or for revisiting an accepted risk) and put its key in the
threat's ticket field (`Ticket: SEC-42`).
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        if facts.placeholder || !facts.is_critical_or_high() || facts.mitigated || facts.ticket.is_some() {
            continue;
        }
        // A threat that cannot happen leaves no work to track (TM023 asks for its reason).
        if facts.status == Some(ThreatStatus::NotApplicable) {
            continue;
        }
        let id = threat.id.as_ref().map(|i| i.value.clone());
        let severity = facts.severity.as_deref().unwrap_or("high");
        let who = match &id {
            Some(id) => format!("{id} is {severity}"),
            None => format!("This {severity} threat is"),
        };
        let message = match facts.status {
            Some(ThreatStatus::Accepted) => {
                format!("{who} and accepted, but no ticket records the decision. Where will it be revisited?")
            }
            Some(ThreatStatus::Transferred) => {
                format!("{who} and transferred, but no ticket records the hand-over. Who confirmed they own it?")
            }
            _ => format!("{who} and not mitigated yet, but no ticket tracks the work. Which ticket makes sure it gets done?"),
        };
        let data = FindingData { id, ..FindingData::default() };
        out.push(Finding::new(&META, threat.range, message).with_data(data));
    }
}
