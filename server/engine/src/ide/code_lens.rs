//! The code lens on the threat-model heading: coverage, threats, open ones, review age
//! and risk tier at a glance (SPEC §7).

use crate::analysis::Analysis;
use crate::config::Config;
use crate::rules::Facts;
use crate::span::TextRange;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
}

/// `STRIDE 4/6 · 9 threats · 2 unmitigated · reviewed 41 days ago · risk high` on the
/// threat-model heading; `None` when the doc has no threat-model section.
pub fn code_lens(
    analysis: &Analysis,
    text: &str,
    config: &Config,
    today: jiff::civil::Date,
) -> Option<CodeLens> {
    let doc = &analysis.document;
    let heading = doc
        .threat_model
        .and_then(|i| doc.sections.get(i))?
        .heading_range;
    let derived;
    let facts = match &analysis.facts {
        Some(facts) => facts,
        None => {
            derived = Facts::new(text, doc, config);
            &derived
        }
    };
    let methodology = config.methodology();
    let total = methodology.categories.len();
    let addressed = methodology
        .categories
        .iter()
        .filter(|c| facts.addressed.contains(&c.category))
        .count();
    let threats = doc.threats.len();
    let unmitigated = facts.threats.iter().filter(|f| f.is_open()).count();
    let mut parts = vec![
        format!("{} {addressed}/{total}", methodology.name),
        format!("{threats} threat{}", if threats == 1 { "" } else { "s" }),
        format!("{unmitigated} unmitigated"),
    ];
    let recorded = doc
        .front_matter
        .as_ref()
        .and_then(|fm| fm.last_reviewed.as_ref())
        .or(doc.last_reviewed_line.as_ref());
    parts.push(match recorded {
        None => "never reviewed".to_string(),
        Some(d) => match d.value.parse::<jiff::civil::Date>() {
            Ok(date) => match (today - date).get_days() {
                0 => "reviewed today".to_string(),
                1 => "reviewed 1 day ago".to_string(),
                n if n > 1 => format!("reviewed {n} days ago"),
                _ => format!("reviewed on {date}"),
            },
            Err(_) => format!("review date `{}` unreadable", d.value),
        },
    });
    if let Some(risk) = &analysis.risk {
        parts.push(format!("risk {}", risk.tier.as_str()));
    }
    Some(CodeLens {
        range: heading,
        title: parts.join(" · "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::symbols::tests::{analysis, example};

    fn lens(text: &str, today: jiff::civil::Date) -> Option<CodeLens> {
        code_lens(&analysis(text), text, &Config::default(), today)
    }

    #[test]
    fn examples_show_full_coverage_and_review_age() {
        let today = jiff::civil::date(2026, 11, 23);
        let text = example("partner-sftp-export.md");
        let l = lens(&text, today).unwrap_or_else(|| panic!("no lens"));
        assert_eq!(l.range.slice(&text), "## Threat model");
        assert_eq!(
            l.title,
            "STRIDE 6/6 · 6 threats · 0 unmitigated · reviewed 13 days ago · risk high"
        );
        let text = example("image-signing.md");
        let l = lens(&text, today).unwrap_or_else(|| panic!("no lens"));
        assert_eq!(l.range.slice(&text), "## Threat Model (STRIDE)");
        assert!(
            l.title
                .starts_with("STRIDE 6/6 · 6 threats · 0 unmitigated · reviewed 21 days ago"),
            "{}",
            l.title
        );
        let text = example("push-notifications.md");
        assert!(lens(&text, today).is_some_and(|l| l.title.contains("reviewed 7 days ago")));
    }

    #[test]
    fn gaps_open_threats_and_a_missing_review() {
        let text = "# D\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Threat | Severity | Mitigation |\n|---|---|---|---|---|\n| T1 | S | A caller forges a token | High | |\n";
        let l = lens(text, jiff::civil::date(2026, 1, 1)).unwrap_or_else(|| panic!("no lens"));
        assert_eq!(
            l.title,
            "STRIDE 1/6 · 1 threat · 1 unmitigated · never reviewed · risk high"
        );
        assert!(lens("# D\n\nNo threat model.\n", jiff::civil::date(2026, 1, 1)).is_none());
    }
}
