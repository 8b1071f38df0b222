//! Facts derived once from a document and shared by rules and the risk tier: each
//! threat's normalized severity and status, whether it is mitigated, its ticket, which
//! categories are addressed, and the ids the doc defines.

use super::placeholder;
use super::tm010_unlisted_asset::{TargetRef, resolve_target_refs};
use crate::config::Config;
use crate::document::{Document, Threat, ids};
use crate::stride::StrideCategory;
use std::collections::{BTreeMap, BTreeSet, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreatStatus {
    Open,
    InProgress,
    Mitigated,
    Accepted,
    Transferred,
    NotApplicable,
    /// A status the scale does not know, kept as written by the threat.
    Other,
}

impl ThreatStatus {
    pub fn parse(s: &str) -> Option<ThreatStatus> {
        // The first three words, lowercase; `/` stays inside a word (`n/a`).
        let lower = s.to_lowercase();
        let mut words = lower
            .split(|c: char| !(c.is_alphanumeric() || c == '/'))
            .filter(|w| !w.is_empty());
        let first = words.next()?;
        let second = words.next().unwrap_or("");
        let third = words.next().unwrap_or("");
        Some(match (first, second, third) {
            ("not", "applicable", _) | ("out", "of", "scope") => ThreatStatus::NotApplicable,
            ("in", "progress", _) => ThreatStatus::InProgress,
            ("risk", "accepted", _) => ThreatStatus::Accepted,
            ("open" | "todo" | "new" | "identified" | "unmitigated", _, _) => ThreatStatus::Open,
            ("mitigated" | "fixed" | "done" | "implemented" | "resolved" | "closed", _, _) => {
                ThreatStatus::Mitigated
            }
            ("accepted", _, _) => ThreatStatus::Accepted,
            ("transferred", _, _) => ThreatStatus::Transferred,
            ("n/a" | "na", _, _) => ThreatStatus::NotApplicable,
            ("wip" | "planned" | "ongoing", _, _) => ThreatStatus::InProgress,
            _ => ThreatStatus::Other,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatFacts {
    /// The severity on the config's scale (lowercase), if it is on it.
    pub severity: Option<String>,
    pub status: Option<ThreatStatus>,
    /// Status `mitigated`, or no status and a mitigation (SPEC §4.3).
    pub mitigated: bool,
    /// Mitigated, accepted, transferred or not applicable.
    pub resolved: bool,
    pub has_mitigation: bool,
    /// The first ticket reference found (ticket field, else mitigation and status text).
    pub ticket: Option<String>,
    /// A skeleton row whose description is still only a placeholder (`<What stops …?>`):
    /// TM050 reports it once, and the rules about a threat's content leave it alone.
    pub placeholder: bool,
}

impl ThreatFacts {
    pub fn is_open(&self) -> bool {
        !self.resolved
    }

    pub fn is_critical_or_high(&self) -> bool {
        matches!(self.severity.as_deref(), Some("critical" | "high"))
    }
}

/// How a STRIDE category is addressed in a doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressed {
    /// At least one threat names it (whatever the threat's status).
    ByThreat,
    /// No threat names it; a statement says it does not apply, with a reason (the
    /// first justified statement's reason).
    NotApplicable { reason: String },
    /// No threat names it; a statement says it does not apply but gives no reason
    /// (TM023's; TM020 still counts the category as addressed).
    Unjustified,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// One entry per `Document::threats`, same order.
    pub threats: Vec<ThreatFacts>,
    /// Categories a threat names or a not-applicable statement declares (with or without
    /// a reason: an unjustified statement is TM023's, not TM020's).
    pub addressed: BTreeSet<StrideCategory>,
    /// How each category of `addressed` is addressed (the same keys).
    pub coverage: BTreeMap<StrideCategory, Addressed>,
    /// Ids the doc defines, as match keys (`a1`, `th01`, `m2`).
    pub own_ids: BTreeSet<String>,
    /// The sensitive topics the doc touches (SPEC §5.2), computed once for TM041 and the
    /// risk tier.
    pub topics: Vec<String>,
    /// STRIDE-per-element coverage of each diagram, parallel to `Document::diagrams`.
    pub diagrams: Vec<crate::diagram::coverage::DiagramCoverage>,
    /// Each threat's target references resolved against the inventory, parallel to
    /// `threats`.
    pub targets: Vec<Vec<TargetRef>>,
}

impl Facts {
    pub fn new(text: &str, doc: &Document, config: &Config) -> Facts {
        let mut own_ids = BTreeSet::new();
        own_ids.extend(
            doc.assets
                .assets
                .iter()
                .filter_map(|a| a.id.as_ref())
                .map(|i| ids::match_key(&i.value)),
        );
        own_ids.extend(
            doc.threats
                .iter()
                .filter_map(|t| t.id.as_ref())
                .map(|i| ids::match_key(&i.value)),
        );
        own_ids.extend(
            doc.mitigations
                .items
                .iter()
                .filter_map(|m| m.id.as_ref())
                .map(|i| ids::match_key(&i.value)),
        );

        // Threat ids the mitigations section names (the link may run either way, SPEC
        // §4.4), keyed once rather than per threat.
        let named_by_mitigations: HashSet<String> = doc
            .mitigations
            .items
            .iter()
            .flat_map(|m| &m.threats)
            .map(|r| ids::match_key(&r.value))
            .collect();
        let threats = doc
            .threats
            .iter()
            .map(|t| {
                let mut f = threat_facts(t, config, &own_ids);
                let named =
                    t.id.as_ref()
                        .is_some_and(|i| named_by_mitigations.contains(&ids::match_key(&i.value)));
                if !f.has_mitigation && named {
                    f.has_mitigation = true;
                    f.mitigated = f.status.is_none() || f.mitigated;
                    f.resolved = f.resolved || f.mitigated;
                }
                f
            })
            .collect();
        let mut coverage = BTreeMap::new();
        for t in &doc.threats {
            for &c in &t.categories {
                coverage.insert(c, Addressed::ByThreat);
            }
        }
        for na in doc.not_applicable.iter().filter(|na| na.element.is_none()) {
            let state = match &na.reason {
                Some(reason) if na.is_justified() => Addressed::NotApplicable {
                    reason: reason.value.clone(),
                },
                _ => Addressed::Unjustified,
            };
            for &c in &na.categories {
                let entry = coverage.entry(c).or_insert(Addressed::Unjustified);
                // A threat beats a statement; a justified statement beats an unjustified one.
                if *entry == Addressed::Unjustified {
                    *entry = state.clone();
                }
            }
        }
        let addressed = coverage.keys().copied().collect();
        Facts {
            threats,
            addressed,
            coverage,
            own_ids,
            topics: crate::risk::topics(text, config),
            diagrams: crate::diagram::coverage::compute(doc, config.methodology()),
            targets: doc
                .threats
                .iter()
                .map(|t| resolve_target_refs(text, doc, t))
                .collect(),
        }
    }
}

/// The severity as it stands on the scale: lowercase, `info` read as `informational`.
pub fn normalize_severity(raw: &str, config: &Config) -> Option<String> {
    let w: String = raw
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if config.severity_scale.contains(&w) {
        return Some(w);
    }
    if w == "info" && config.severity_scale.iter().any(|s| s == "informational") {
        return Some("informational".to_string());
    }
    None
}

/// A mitigation field that says there is none (`None`, `-`, `n/a`, `no`).
fn says_none(value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c: char| matches!(c, '*' | '_' | '`' | '.' | '(' | ')'))
        .trim()
        .to_lowercase();
    matches!(
        v.as_str(),
        "" | "-"
            | "--"
            | "—"
            | "–"
            | "none"
            | "none yet"
            | "no"
            | "nothing"
            | "n/a"
            | "na"
            | "not yet"
    )
}

fn threat_facts(t: &Threat, config: &Config, own_ids: &BTreeSet<String>) -> ThreatFacts {
    let severity = t
        .severity
        .as_ref()
        .and_then(|s| normalize_severity(&s.value, config));
    let status = t
        .status
        .as_ref()
        .and_then(|s| ThreatStatus::parse(&s.value));
    let has_mitigation = t.mitigation.as_ref().is_some_and(|m| !says_none(&m.value));
    let mitigated = match status {
        Some(ThreatStatus::Mitigated) => true,
        None => has_mitigation,
        Some(_) => false,
    };
    let resolved = mitigated
        || matches!(
            status,
            Some(ThreatStatus::Accepted | ThreatStatus::Transferred | ThreatStatus::NotApplicable)
        );
    let not_own = |m: &&str| !own_ids.contains(&ids::match_key(m));
    let ticket = [&t.ticket, &t.mitigation, &t.status]
        .into_iter()
        .flatten()
        .find_map(|f| {
            config
                .find_tickets(&f.value)
                .into_iter()
                .find(not_own)
                .map(str::to_string)
        });
    let placeholder = t
        .description
        .as_ref()
        .is_none_or(|d| placeholder::only_placeholders(&d.value));
    ThreatFacts {
        severity,
        status,
        mitigated,
        resolved,
        has_mitigation,
        ticket,
        placeholder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(
            ThreatStatus::parse("Mitigated"),
            Some(ThreatStatus::Mitigated)
        );
        assert_eq!(
            ThreatStatus::parse("**In progress**"),
            Some(ThreatStatus::InProgress)
        );
        assert_eq!(
            ThreatStatus::parse("Not applicable"),
            Some(ThreatStatus::NotApplicable)
        );
        assert_eq!(
            ThreatStatus::parse("N/A"),
            Some(ThreatStatus::NotApplicable)
        );
        assert_eq!(
            ThreatStatus::parse("Accepted (owner: platform)"),
            Some(ThreatStatus::Accepted)
        );
        assert_eq!(ThreatStatus::parse(""), None);
        assert_eq!(ThreatStatus::parse("pondering"), Some(ThreatStatus::Other));
    }
}
