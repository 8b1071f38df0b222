//! `report --format markdown`: the portfolio as a markdown page (for a wiki or a pull
//! request comment). Doc-derived text is escaped so that a title cannot break a table or
//! inject HTML into a renderer that allows it.

use super::{DocRow, Portfolio, Reason};
use std::fmt::Write;
use threatmark_engine::StrideCategory;
use threatmark_engine::summary::CoverageState;

pub fn render(p: &Portfolio) -> String {
    let mut out = String::new();
    let t = &p.totals;
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# Threat-model portfolio\n");
    let _ = writeln!(
        out,
        "{} design docs ({} markdown files read), judged on {}; a threat model is stale \
         {} months after its last review.\n",
        t.design_docs, p.files, p.today, p.stale_after_months
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let rows = [
        (
            "risk tiers",
            format!(
                "{} high · {} medium · {} low",
                t.tiers.high, t.tiers.medium, t.tiers.low
            ),
        ),
        ("stale threat models", t.stale.to_string()),
        (
            "every STRIDE category addressed",
            format!("{} of {}", t.fully_covered, t.design_docs),
        ),
        (
            "STRIDE cells",
            format!(
                "{} by a threat · {} not applicable · {} unjustified · {} missing",
                t.cells.threat, t.cells.not_applicable, t.cells.unjustified, t.cells.missing
            ),
        ),
        (
            "threats",
            format!(
                "{} ({} open, {} mitigated, {} accepted)",
                t.threats, t.open_threats, t.mitigated_threats, t.accepted_threats
            ),
        ),
        (
            "open critical/high threats",
            format!(
                "{} ({} without a ticket)",
                t.open_critical_high, t.untracked_critical_high
            ),
        ),
        (
            "findings",
            format!(
                "{} errors · {} warnings · {} infos · {} hints · {} suppressed",
                t.findings.errors,
                t.findings.warnings,
                t.findings.infos,
                t.findings.hints,
                t.suppressed
            ),
        ),
        ("needs a human", t.needs_a_human.to_string()),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }

    let _ = writeln!(out, "\n## Needs a human\n");
    if t.needs_a_human == 0 {
        let _ = writeln!(out, "Nothing: no doc needs a human right now.");
    }
    for d in p.queue() {
        let reasons: Vec<&str> = d.reasons.iter().map(|r| Reason::describe(*r)).collect();
        let _ = writeln!(
            out,
            "- **{}** {} ({}, {} tier): {}",
            cell(d.title.as_deref().unwrap_or("(untitled)")),
            link(&d.path),
            cell(&d.team),
            d.risk.tier.as_str(),
            reasons.join("; ")
        );
    }

    let _ = writeln!(out, "\n## By team\n");
    let _ = writeln!(
        out,
        "| team | docs | high | medium | low | stale | missing STRIDE cells | open critical/high | without a ticket | needs a human |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    );
    for team in &p.teams {
        let x = &team.totals;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&team.name),
            x.design_docs,
            x.tiers.high,
            x.tiers.medium,
            x.tiers.low,
            x.stale,
            x.cells.missing,
            x.open_critical_high,
            x.untracked_critical_high,
            x.needs_a_human
        );
    }

    let _ = writeln!(out, "\n## Design docs\n");
    let _ = writeln!(
        out,
        "STRIDE: a letter is addressed by a threat, `n/a` not applicable with a reason, `?` \
         marked not applicable without a reason, `-` missing. Recommended activities by \
         tier: {}.\n",
        cell(&p.activities_text())
    );
    let letters: Vec<String> = StrideCategory::ALL
        .iter()
        .map(|c| c.letter().to_string())
        .collect();
    let _ = writeln!(
        out,
        "| tier | doc | team | status | topics | {} | threats open/mitigated | open critical/high | last reviewed | errors/warnings/infos | suppressed |\n|---|---|---|---|---|{}--:|--:|---|---|--:|",
        letters.join(" | "),
        "---|".repeat(6)
    );
    for d in &p.docs {
        doc_row(&mut out, d);
    }
    out
}

fn doc_row(out: &mut String, d: &DocRow) {
    let stride: Vec<String> = d
        .summary
        .coverage
        .iter()
        .map(|c| match c.state {
            CoverageState::Threat => c.category.letter().to_string(),
            CoverageState::NotApplicable => "n/a".to_string(),
            CoverageState::Unjustified => "?".to_string(),
            CoverageState::Missing => "-".to_string(),
        })
        .collect();
    let r = &d.summary.review;
    let reviewed = match (&r.last_reviewed, r.days_since) {
        (Some(date), Some(days)) => format!("{} ({days} days)", cell(date)),
        (Some(date), None) => cell(date),
        (None, _) => "never".to_string(),
    };
    let stale = if r.stale { " **stale**" } else { "" };
    let th = &d.summary.threats;
    let _ = writeln!(
        out,
        "| {} | {} {} | {} | {} | {} | {} | {}/{} | {} | {reviewed}{stale} | {}/{}/{} | {} |",
        d.risk.tier.as_str(),
        cell(d.title.as_deref().unwrap_or("(untitled)")),
        link(&d.path),
        cell(&d.team),
        cell(d.status.as_deref().unwrap_or("")),
        cell(&d.risk.topics.join(", ")),
        stride.join(" | "),
        th.open,
        th.mitigated,
        th.open_critical_high,
        d.findings.errors,
        d.findings.warnings,
        d.findings.infos,
        d.suppressed
    );
}

/// Text safe inside a table cell: no line break, no `|`, no HTML, no markdown marks.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A link to a doc: `[path](path)`, the target percent-encoded where markdown needs it.
fn link(path: &str) -> String {
    format!("[{}](<{}>)", cell(path), super::html::encode_href(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(
            cell("<script>a|b</script>\nx"),
            "&lt;script&gt;a\\|b&lt;/script&gt; x"
        );
        assert_eq!(
            cell("**bold** [x](y) `c`"),
            "\\*\\*bold\\*\\* \\[x\\](y) \\`c\\`"
        );
    }
}
