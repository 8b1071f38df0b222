//! `report --format json`: the portfolio as one JSON document (report schema version 1).
//!
//! Conventions of `check --format json` (SPEC §8.1): paths as the walk found them,
//! category ids in snake case, optional values present as `null` rather than missing.

use super::{CellCounts, DocRow, Portfolio, Reason, Team, Totals};
use serde::Serialize;
use threatmark_engine::summary::{CoverageCell, Review, ThreatCounts};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    /// The date staleness was judged against (`THREATMARK_TODAY` or the clock).
    today: String,
    stale_after_months: u32,
    /// Markdown files read, design docs or not.
    files: usize,
    totals: &'a Totals,
    teams: Vec<TeamOut<'a>>,
    needs_a_human: Vec<QueueItem<'a>>,
    docs: Vec<Doc<'a>>,
}

#[derive(Serialize)]
struct TeamOut<'a> {
    team: &'a str,
    #[serde(flatten)]
    totals: &'a Totals,
    /// Per STRIDE category id: cells by state over the team's docs.
    coverage: Vec<CategoryCells>,
}

#[derive(Serialize)]
struct CategoryCells {
    category: &'static str,
    #[serde(flatten)]
    cells: CellCounts,
}

#[derive(Serialize)]
struct QueueItem<'a> {
    path: &'a str,
    title: Option<&'a str>,
    team: &'a str,
    tier: &'static str,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct Doc<'a> {
    path: &'a str,
    threat_model_path: Option<&'a str>,
    title: Option<&'a str>,
    owner: Option<&'a str>,
    team: &'a str,
    status: Option<&'a str>,
    security_reviewer: Option<&'a str>,
    risk: Risk<'a>,
    coverage: &'a [CoverageCell],
    threats: &'a ThreatCounts,
    review: &'a Review,
    findings: super::LevelCounts,
    suppressed: usize,
    needs_a_human: &'a [Reason],
}

#[derive(Serialize)]
struct Risk<'a> {
    tier: &'static str,
    topics: &'a [String],
    activities: &'a [String],
}

pub fn render(p: &Portfolio) -> String {
    let output = Output {
        version: VERSION,
        today: p.today.to_string(),
        stale_after_months: p.stale_after_months,
        files: p.files,
        totals: &p.totals,
        teams: p.teams.iter().map(team).collect(),
        needs_a_human: p
            .queue()
            .map(|d| QueueItem {
                path: &d.path,
                title: d.title.as_deref(),
                team: &d.team,
                tier: d.risk.tier.as_str(),
                reasons: &d.reasons,
            })
            .collect(),
        docs: p.docs.iter().map(doc).collect(),
    };
    let mut text = serde_json::to_string_pretty(&output).unwrap_or_else(|e| {
        // Only a map with non-string keys fails to serialize; none of the types above
        // has one. Still, a broken promise must not become a panic.
        format!("{{\"version\": {VERSION}, \"error\": {:?}}}", e.to_string())
    });
    text.push('\n');
    text
}

fn team(t: &Team) -> TeamOut<'_> {
    TeamOut {
        team: &t.name,
        totals: &t.totals,
        coverage: threatmark_engine::StrideCategory::ALL
            .iter()
            .zip(t.categories)
            .map(|(c, cells)| CategoryCells {
                category: c.id(),
                cells,
            })
            .collect(),
    }
}

fn doc(d: &DocRow) -> Doc<'_> {
    Doc {
        path: &d.path,
        threat_model_path: d.threat_model_path.as_deref(),
        title: d.title.as_deref(),
        owner: d.owner.as_deref(),
        team: &d.team,
        status: d.status.as_deref(),
        security_reviewer: d.security_reviewer.as_deref(),
        risk: Risk {
            tier: d.risk.tier.as_str(),
            topics: &d.risk.topics,
            activities: &d.risk.activities,
        },
        coverage: &d.summary.coverage,
        threats: &d.summary.threats,
        review: &d.summary.review,
        findings: d.findings,
        suppressed: d.suppressed,
        needs_a_human: &d.reasons,
    }
}
