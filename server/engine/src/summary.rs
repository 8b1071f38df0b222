//! A design doc at a glance: STRIDE coverage cell by cell, its threats counted by
//! severity (open, mitigated, accepted), and its review date with whether it is stale.
//!
//! The portfolio report and the language server's code lens both read this, so they
//! agree with each other and with the rules: coverage and each threat's state come from
//! [`Facts`], staleness from [`Review::of`], which TM040 uses too. Pure: "today" is an
//! input.

use crate::config::Config;
use crate::document::Document;
use crate::rules::Facts;
use crate::rules::facts::{Addressed, ThreatStatus};
use crate::span::Spanned;
use crate::stride::StrideCategory;
use serde::Serialize;

/// The severity key of threats with no severity, or one outside the scale.
pub const UNRATED: &str = "unrated";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocSummary {
    /// One cell per STRIDE category, in S, T, R, I, D, E order.
    pub coverage: Vec<CoverageCell>,
    pub threats: ThreatCounts,
    pub review: Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageState {
    /// A threat names the category.
    Threat,
    /// A statement says it does not apply, with a reason.
    NotApplicable,
    /// A statement says it does not apply, without a reason (TM023).
    Unjustified,
    /// Neither (TM020, or TM001 when the doc has no threat model).
    Missing,
}

impl CoverageState {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageState::Threat => "threat",
            CoverageState::NotApplicable => "not_applicable",
            CoverageState::Unjustified => "unjustified",
            CoverageState::Missing => "missing",
        }
    }

    /// Whether TM020 counts the category as addressed.
    pub fn is_addressed(self) -> bool {
        self != CoverageState::Missing
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageCell {
    pub category: StrideCategory,
    pub state: CoverageState,
    /// How many threats name the category (template placeholders aside).
    pub threats: usize,
    /// The reason of a `not_applicable` cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ThreatCounts {
    /// Every threat but template placeholders.
    pub total: usize,
    pub open: usize,
    pub mitigated: usize,
    /// Resolved without a mitigation: accepted, transferred or not applicable.
    pub accepted: usize,
    /// Open critical or high threats.
    pub open_critical_high: usize,
    /// Open critical or high threats with no ticket.
    pub untracked_critical_high: usize,
    /// One entry per value of the severity scale, in its order, then `unrated`.
    pub by_severity: Vec<SeverityCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    /// A value of the config's severity scale, or [`UNRATED`].
    pub severity: String,
    pub open: usize,
    pub mitigated: usize,
    pub accepted: usize,
}

/// When the threat model was last reviewed, and whether that is too long ago.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The date as written (front matter, else a `Last reviewed:` line).
    pub last_reviewed: Option<String>,
    /// Days from the review to today; `None` without a readable date.
    pub days_since: Option<i64>,
    /// What TM040 reports: older than `stale_after_months`, or missing on an approved doc.
    pub stale: bool,
    /// The doc is approved but has no review date.
    pub missing: bool,
}

impl Review {
    /// The review state of a doc: TM040's judgement.
    pub fn of(doc: &Document, config: &Config, today: jiff::civil::Date) -> Review {
        let fm = doc.front_matter.as_ref();
        let recorded = Review::recorded(doc);
        let Some(date) = recorded else {
            let approved = fm
                .and_then(|f| f.status.as_ref())
                .is_some_and(|s| s.value == "approved");
            return Review {
                last_reviewed: None,
                days_since: None,
                stale: approved,
                missing: approved,
            };
        };
        let mut review = Review {
            last_reviewed: Some(date.value.clone()),
            ..Review::default()
        };
        // An unreadable date is TM090's; it makes nothing stale.
        let Ok(reviewed) = date.value.parse::<jiff::civil::Date>() else {
            return review;
        };
        review.days_since = Some((today - reviewed).get_days().into());
        let months = i64::from(config.stale_after_months);
        if let Ok(due) = reviewed.checked_add(jiff::Span::new().months(months)) {
            review.stale = due < today;
        }
        review
    }

    /// The review date as written, with its range: front matter first, else a
    /// `Last reviewed:` line in the threat model.
    pub fn recorded(doc: &Document) -> Option<&Spanned<String>> {
        doc.front_matter
            .as_ref()
            .and_then(|f| f.last_reviewed.as_ref())
            .or(doc.last_reviewed_line.as_ref())
    }
}

/// The summary of a design doc from its facts.
pub fn summarize(
    doc: &Document,
    facts: &Facts,
    config: &Config,
    today: jiff::civil::Date,
) -> DocSummary {
    DocSummary {
        coverage: coverage(doc, facts),
        threats: threat_counts(facts, config),
        review: Review::of(doc, config, today),
    }
}

fn coverage(doc: &Document, facts: &Facts) -> Vec<CoverageCell> {
    StrideCategory::ALL
        .iter()
        .map(|&category| {
            let threats = doc
                .threats
                .iter()
                .zip(&facts.threats)
                .filter(|(t, f)| !f.placeholder && t.categories.contains(&category))
                .count();
            let (state, reason) = match facts.coverage.get(&category) {
                Some(Addressed::ByThreat) => (CoverageState::Threat, None),
                Some(Addressed::NotApplicable { reason }) => {
                    (CoverageState::NotApplicable, Some(reason.clone()))
                }
                Some(Addressed::Unjustified) => (CoverageState::Unjustified, None),
                None => (CoverageState::Missing, None),
            };
            CoverageCell {
                category,
                state,
                threats,
                reason,
            }
        })
        .collect()
}

fn threat_counts(facts: &Facts, config: &Config) -> ThreatCounts {
    let mut by_severity: Vec<SeverityCount> = config
        .severity_scale
        .iter()
        .map(String::as_str)
        .chain([UNRATED])
        .map(|s| SeverityCount {
            severity: s.to_string(),
            open: 0,
            mitigated: 0,
            accepted: 0,
        })
        .collect();
    let mut counts = ThreatCounts::default();
    for f in facts.threats.iter().filter(|f| !f.placeholder) {
        counts.total += 1;
        let key = f.severity.as_deref().unwrap_or(UNRATED);
        let slot = by_severity.iter_mut().find(|s| s.severity == key);
        if f.mitigated {
            counts.mitigated += 1;
            if let Some(s) = slot {
                s.mitigated += 1;
            }
        } else if f.resolved {
            counts.accepted += 1;
            if let Some(s) = slot {
                s.accepted += 1;
            }
        } else {
            counts.open += 1;
            if let Some(s) = slot {
                s.open += 1;
            }
            if f.is_critical_or_high() {
                counts.open_critical_high += 1;
                if f.ticket.is_none() && f.status != Some(ThreatStatus::NotApplicable) {
                    counts.untracked_critical_high += 1;
                }
            }
        }
    }
    counts.by_severity = by_severity;
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Source, analyze};
    use jiff::civil::date;

    fn summary(text: &str, today: jiff::civil::Date) -> DocSummary {
        let config = Config::default();
        let a = analyze(
            Source {
                path: "docs/design/x.md",
                text,
            },
            &config,
            today,
        );
        a.summary
            .unwrap_or_else(|| panic!("a design doc has a summary"))
    }

    const DOC: &str = "\
---
title: Export
status: approved
last_reviewed: 2026-01-10
---
# Export

## Threat model

### Threats

| ID | STRIDE | Threat | Severity | Mitigation | Status | Ticket |
|----|--------|--------|----------|------------|--------|--------|
| T1 | S, T | A caller forges the worker's token to read exports | High | mTLS | Mitigated | |
| T2 | I | An operator reads another tenant's export from the bucket | Critical | | Open | |
| T3 | D | A flood of export requests starves the queue for tenants | Medium | | Open | SEC-4 |
| T4 | E | A tenant admin escalates to platform admin via the API | Low | | Accepted | |

- Repudiation: not applicable — every export is signed and logged by the platform.
";

    #[test]
    fn coverage_cells_say_how_each_category_is_addressed() {
        let s = summary(DOC, date(2026, 3, 1));
        let states: Vec<_> = s.coverage.iter().map(|c| c.state).collect();
        assert_eq!(
            states,
            [
                CoverageState::Threat,
                CoverageState::Threat,
                CoverageState::NotApplicable,
                CoverageState::Threat,
                CoverageState::Threat,
                CoverageState::Threat,
            ]
        );
        assert_eq!(s.coverage[0].threats, 1);
        assert_eq!(
            s.coverage[2].reason.as_deref(),
            Some("every export is signed and logged by the platform.")
        );
    }

    #[test]
    fn threats_are_counted_by_severity_and_state() {
        let t = summary(DOC, date(2026, 3, 1)).threats;
        assert_eq!(
            (t.total, t.open, t.mitigated, t.accepted),
            (4, 2, 1, 1),
            "{t:?}"
        );
        assert_eq!((t.open_critical_high, t.untracked_critical_high), (1, 1));
        let sev = |name: &str| {
            t.by_severity
                .iter()
                .find(|s| s.severity == name)
                .map(|s| (s.open, s.mitigated, s.accepted))
        };
        assert_eq!(sev("critical"), Some((1, 0, 0)));
        assert_eq!(sev("high"), Some((0, 1, 0)));
        assert_eq!(sev("medium"), Some((1, 0, 0)));
        assert_eq!(sev("low"), Some((0, 0, 1)));
        assert_eq!(sev(UNRATED), Some((0, 0, 0)));
    }

    #[test]
    fn staleness_is_tm040s() {
        let fresh = summary(DOC, date(2026, 10, 10)).review;
        assert_eq!(fresh.last_reviewed.as_deref(), Some("2026-01-10"));
        assert_eq!(fresh.days_since, Some(273));
        assert!(!fresh.stale);
        // Nine months and one day later.
        let stale = summary(DOC, date(2026, 10, 11)).review;
        assert!(stale.stale);
        let undated = summary(
            &DOC.replace("last_reviewed: 2026-01-10\n", ""),
            date(2026, 3, 1),
        )
        .review;
        assert_eq!((undated.stale, undated.missing), (true, true));
        let draft = summary(
            &DOC.replace("last_reviewed: 2026-01-10\n", "")
                .replace("approved", "draft"),
            date(2026, 3, 1),
        )
        .review;
        assert_eq!(
            (draft.stale, draft.missing, draft.days_since),
            (false, false, None)
        );
    }

    #[test]
    fn a_threat_beats_a_statement_and_a_reason_beats_none() {
        // The unjustified statement comes last, so "last one wins" would fail this.
        let text = format!(
            "{DOC}- Tampering: not applicable — no writes happen here at all.\n- Repudiation: N/A\n"
        );
        let s = summary(&text, date(2026, 3, 1));
        assert_eq!(s.coverage[1].state, CoverageState::Threat);
        assert_eq!(s.coverage[2].state, CoverageState::NotApplicable);
    }

    #[test]
    fn an_unjustified_statement_is_its_own_state() {
        let text = DOC.replace(
            "not applicable — every export is signed and logged by the platform.",
            "N/A",
        );
        let s = summary(&text, date(2026, 3, 1));
        assert_eq!(s.coverage[2].state, CoverageState::Unjustified);
        assert!(s.coverage[2].state.is_addressed());
    }
}
