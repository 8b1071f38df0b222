//! `threatmark report`: the portfolio view of many design docs for a security team.
//!
//! [`DocRow`] is one design doc as the report shows it, built from the engine's
//! [`Analysis`] (risk tier, [`DocSummary`], findings) and the doc's front matter; a
//! [`Portfolio`] adds the org view (totals, teams, the needs-a-human queue). The three
//! renderers are pure functions of a `Portfolio`, so each is tested without the binary.
//!
//! Nothing here judges a doc: coverage, threat states and staleness are the engine's
//! (`summary.rs`, over the rules' `Facts`), so the report agrees with `check` and the
//! language server.

pub mod html;
pub mod json;
pub mod markdown;

use serde::Serialize;
use std::collections::BTreeMap;
use threatmark_engine::risk::{RiskAssessment, RiskTier};
use threatmark_engine::summary::{CoverageState, DocSummary};
use threatmark_engine::{Analysis, Level};

/// The team of a doc with no owner that sits directly in a walked folder.
pub const NO_TEAM: &str = "(no team)";

/// Finding counts by level, named as in the `summary` of `check --format json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

impl LevelCounts {
    fn add(&mut self, level: Level) {
        match level {
            Level::Error => self.errors += 1,
            Level::Warning => self.warnings += 1,
            Level::Info => self.infos += 1,
            Level::Hint => self.hints += 1,
        }
    }

    fn merge(&mut self, other: LevelCounts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        self.hints += other.hints;
    }
}

/// Why a doc is in the needs-a-human queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// High risk tier and no `security_reviewer` in front matter.
    HighTierNoSecurityReviewer,
    /// Open critical or high threats with no ticket.
    UntrackedCriticalHigh,
    /// TM040's judgement: reviewed too long ago, or approved without a review date.
    Stale,
}

impl Reason {
    pub fn describe(self) -> &'static str {
        match self {
            Reason::HighTierNoSecurityReviewer => "high risk, no security reviewer",
            Reason::UntrackedCriticalHigh => "open critical/high threat without a ticket",
            Reason::Stale => "stale threat model",
        }
    }
}

/// One design doc of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    /// As the walk found it, relative to the current directory, `/`-separated.
    pub path: String,
    /// The separate file holding its threat model, when it keeps one (SPEC §3).
    pub threat_model_path: Option<String>,
    pub title: Option<String>,
    pub owner: Option<String>,
    /// The owner, else the top folder under the walked directory.
    pub team: String,
    pub status: Option<String>,
    pub security_reviewer: Option<String>,
    pub risk: RiskAssessment,
    /// The tier comes from the front matter's `risk`.
    pub risk_declared: bool,
    pub summary: DocSummary,
    pub findings: LevelCounts,
    pub suppressed: usize,
    /// Empty unless the doc needs a human.
    pub reasons: Vec<Reason>,
}

impl DocRow {
    /// The row of a design doc (`None` for other markdown). `team_folder` is the top
    /// folder it sits in under the walked directory, if any.
    pub fn new(path: String, team_folder: Option<String>, analysis: &Analysis) -> Option<DocRow> {
        let (risk, summary) = match (&analysis.risk, &analysis.summary) {
            (Some(r), Some(s)) if analysis.design_doc => (r.clone(), s.clone()),
            _ => return None,
        };
        let fm = analysis.document.front_matter.as_ref();
        let text = |v: Option<&threatmark_engine::Spanned<String>>| {
            v.map(|s| s.value.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let owner = text(fm.and_then(|f| f.owner.as_ref()));
        let mut findings = LevelCounts::default();
        for f in &analysis.findings {
            findings.add(f.level);
        }
        let mut row = DocRow {
            path,
            threat_model_path: None,
            title: analysis.title.clone(),
            team: owner
                .clone()
                .or(team_folder)
                .unwrap_or_else(|| NO_TEAM.to_string()),
            owner,
            status: text(fm.and_then(|f| f.status.as_ref())),
            security_reviewer: text(fm.and_then(|f| f.security_reviewer.as_ref())),
            risk,
            risk_declared: fm
                .and_then(|f| f.risk.as_ref())
                .and_then(|r| RiskTier::parse(&r.value))
                .is_some(),
            summary,
            findings,
            suppressed: analysis.suppressed,
            reasons: Vec::new(),
        };
        row.reasons = row.needs_a_human();
        Some(row)
    }

    /// A design doc whose threat model lives in a linked file: coverage and threats are
    /// the threat model's; the review date is the design doc's when it has one; the tier
    /// is the front matter's `risk` when the design doc declares one, else the higher of
    /// the two; findings and suppressions of both files are counted.
    pub fn with_linked_threat_model(mut self, tm_path: String, tm: &Analysis) -> DocRow {
        self.threat_model_path = Some(tm_path);
        if let Some(s) = &tm.summary {
            self.summary.coverage = s.coverage.clone();
            self.summary.threats = s.threats.clone();
            if self.summary.review.last_reviewed.is_none() && !self.summary.review.stale {
                self.summary.review = s.review.clone();
            }
        }
        if let Some(r) = tm.risk.as_ref().filter(|_| !self.risk_declared) {
            for t in &r.topics {
                if !self.risk.topics.contains(t) {
                    self.risk.topics.push(t.clone());
                }
            }
            if r.tier > self.risk.tier {
                self.risk.tier = r.tier;
                self.risk.activities = r.activities.clone();
            }
        }
        for f in &tm.findings {
            self.findings.add(f.level);
        }
        self.suppressed += tm.suppressed;
        self.reasons = self.needs_a_human();
        self
    }

    fn needs_a_human(&self) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if self.risk.tier == RiskTier::High && self.security_reviewer.is_none() {
            reasons.push(Reason::HighTierNoSecurityReviewer);
        }
        if self.summary.threats.untracked_critical_high > 0 {
            reasons.push(Reason::UntrackedCriticalHigh);
        }
        if self.summary.review.stale {
            reasons.push(Reason::Stale);
        }
        reasons
    }

    /// The order of the report: highest tier first, then the docs that need a human
    /// (more reasons first), then by path.
    fn rank(&self) -> (std::cmp::Reverse<RiskTier>, std::cmp::Reverse<usize>, &str) {
        (
            std::cmp::Reverse(self.risk.tier),
            std::cmp::Reverse(self.reasons.len()),
            &self.path,
        )
    }
}

/// How many docs are in each tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TierCounts {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl TierCounts {
    fn add(&mut self, tier: RiskTier) {
        match tier {
            RiskTier::High => self.high += 1,
            RiskTier::Medium => self.medium += 1,
            RiskTier::Low => self.low += 1,
        }
    }
}

/// STRIDE cells by state, over many docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CellCounts {
    pub threat: usize,
    pub not_applicable: usize,
    pub unjustified: usize,
    pub missing: usize,
}

impl CellCounts {
    fn add(&mut self, state: CoverageState) {
        match state {
            CoverageState::Threat => self.threat += 1,
            CoverageState::NotApplicable => self.not_applicable += 1,
            CoverageState::Unjustified => self.unjustified += 1,
            CoverageState::Missing => self.missing += 1,
        }
    }
}

/// Sums over a group of docs (the whole portfolio, or one team).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub design_docs: usize,
    pub tiers: TierCounts,
    pub stale: usize,
    /// Docs with every STRIDE category addressed.
    pub fully_covered: usize,
    /// STRIDE cells by state (six per doc).
    pub cells: CellCounts,
    pub threats: usize,
    pub open_threats: usize,
    pub mitigated_threats: usize,
    pub accepted_threats: usize,
    pub open_critical_high: usize,
    pub untracked_critical_high: usize,
    pub findings: LevelCounts,
    pub suppressed: usize,
    pub needs_a_human: usize,
}

impl Totals {
    fn add(&mut self, row: &DocRow) {
        let t = &row.summary.threats;
        self.design_docs += 1;
        self.tiers.add(row.risk.tier);
        self.stale += usize::from(row.summary.review.stale);
        self.fully_covered +=
            usize::from(row.summary.coverage.iter().all(|c| c.state.is_addressed()));
        for c in &row.summary.coverage {
            self.cells.add(c.state);
        }
        self.threats += t.total;
        self.open_threats += t.open;
        self.mitigated_threats += t.mitigated;
        self.accepted_threats += t.accepted;
        self.open_critical_high += t.open_critical_high;
        self.untracked_critical_high += t.untracked_critical_high;
        self.findings.merge(row.findings);
        self.suppressed += row.suppressed;
        self.needs_a_human += usize::from(!row.reasons.is_empty());
    }
}

/// One owner or team, with its totals and its cells per STRIDE category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub name: String,
    pub totals: Totals,
    /// Per category (S, T, R, I, D, E): cells by state over the team's docs.
    pub categories: [CellCounts; 6],
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portfolio {
    /// The date staleness was judged against.
    pub today: jiff::civil::Date,
    pub stale_after_months: u32,
    /// Markdown files read, design docs or not.
    pub files: usize,
    /// Design docs, highest risk first (see [`DocRow::rank`]).
    pub docs: Vec<DocRow>,
    pub totals: Totals,
    /// By name.
    pub teams: Vec<Team>,
    /// The recommended activities of each tier the docs have, highest tier first (the
    /// config maps tiers to activities, so the tables show them once).
    pub activities: Vec<(RiskTier, Vec<String>)>,
}

impl Portfolio {
    pub fn new(
        today: jiff::civil::Date,
        stale_after_months: u32,
        files: usize,
        mut docs: Vec<DocRow>,
    ) -> Portfolio {
        docs.sort_by(|a, b| a.rank().cmp(&b.rank()));
        let mut totals = Totals::default();
        let mut teams: BTreeMap<&str, Team> = BTreeMap::new();
        for row in &docs {
            totals.add(row);
            let team = teams.entry(&row.team).or_insert_with(|| Team {
                name: row.team.clone(),
                totals: Totals::default(),
                categories: [CellCounts::default(); 6],
            });
            team.totals.add(row);
            for (slot, cell) in team.categories.iter_mut().zip(&row.summary.coverage) {
                slot.add(cell.state);
            }
        }
        let mut activities: Vec<(RiskTier, Vec<String>)> = Vec::new();
        for row in &docs {
            let entry = (row.risk.tier, row.risk.activities.clone());
            if !activities.contains(&entry) {
                activities.push(entry);
            }
        }
        activities.sort_by_key(|a| std::cmp::Reverse(a.0));
        Portfolio {
            today,
            stale_after_months,
            files,
            totals,
            teams: teams.into_values().collect(),
            activities,
            docs,
        }
    }

    /// "high: security review, penetration test before launch; low: none".
    pub fn activities_text(&self) -> String {
        self.activities
            .iter()
            .map(|(tier, a)| {
                let list = if a.is_empty() {
                    "none".to_string()
                } else {
                    a.join(", ")
                };
                format!("{}: {list}", tier.as_str())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The docs that need a human, in report order.
    pub fn queue(&self) -> impl Iterator<Item = &DocRow> {
        self.docs.iter().filter(|d| !d.reasons.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use threatmark_engine::{Config, Source, analyze};

    pub fn row(path: &str, text: &str) -> DocRow {
        let analysis = analyze(
            Source { path, text },
            &Config::default(),
            jiff::civil::date(2026, 11, 23),
        );
        DocRow::new(path.to_string(), Some("team-x".to_string()), &analysis)
            .unwrap_or_else(|| panic!("{path} is a design doc"))
    }

    #[test]
    fn the_owner_names_the_team_else_the_folder() {
        let owned = row(
            "a/design/x.md",
            "---\nowner: payments\n---\n# X\n\n## Threat model\n",
        );
        assert_eq!(owned.team, "payments");
        let folder = row("a/design/y.md", "# Y\n\n## Threat model\n");
        assert_eq!(
            (folder.owner.as_deref(), folder.team.as_str()),
            (None, "team-x")
        );
    }

    #[test]
    fn non_design_markdown_has_no_row() {
        let analysis = analyze(
            Source {
                path: "README.md",
                text: "# Widget\n\n## Security\n\nMail us.\n",
            },
            &Config::default(),
            jiff::civil::date(2026, 11, 23),
        );
        assert!(DocRow::new("README.md".into(), None, &analysis).is_none());
    }

    #[test]
    fn the_queue_reasons() {
        let high = row(
            "d/design/h.md",
            "---\nrisk: high\nlast_reviewed: 2020-01-01\n---\n# H\n\n## Threat model\n",
        );
        assert_eq!(
            high.reasons,
            [Reason::HighTierNoSecurityReviewer, Reason::Stale]
        );
        let reviewed = row(
            "d/design/r.md",
            "---\nrisk: high\nsecurity_reviewer: ana\n---\n# R\n\n## Threat model\n",
        );
        assert!(reviewed.reasons.is_empty(), "{:?}", reviewed.reasons);
    }

    #[test]
    fn portfolio_orders_by_risk_and_groups_by_team() {
        let low = row(
            "d/design/a.md",
            "---\nrisk: low\n---\n# A\n\n## Threat model\n",
        );
        let high = row(
            "d/design/b.md",
            "---\nrisk: high\nowner: ops\n---\n# B\n\n## Threat model\n",
        );
        let p = Portfolio::new(jiff::civil::date(2026, 11, 23), 9, 3, vec![low, high]);
        let order: Vec<&str> = p.docs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(order, ["d/design/b.md", "d/design/a.md"]);
        assert_eq!(
            p.totals.tiers,
            TierCounts {
                high: 1,
                medium: 0,
                low: 1
            }
        );
        let teams: Vec<(&str, usize)> = p
            .teams
            .iter()
            .map(|t| (t.name.as_str(), t.totals.design_docs))
            .collect();
        assert_eq!(teams, [("ops", 1), ("team-x", 1)]);
        assert_eq!(p.queue().count(), 1);
        assert_eq!(
            p.activities_text(),
            "high: security review, penetration test before launch; low: none"
        );
        // Six missing cells per doc (no threats at all).
        assert_eq!(p.totals.cells.missing, 12);
    }
}
