//! `report --format html`: one self-contained page (inline CSS, JS and SVG; nothing is
//! fetched) with summary tiles, charts, the needs-a-human queue, a team × STRIDE
//! heat-map and the docs × STRIDE table, sortable and filterable by a small script.
//! Everything is rendered here, so the page is complete with JavaScript off.
//!
//! Doc text is untrusted input: every doc-derived string goes through [`escape`] (text
//! and attribute values alike) and every link target through [`encode_href`]. The
//! template is filled in one pass, so a placeholder written in a doc is never expanded.

use super::{DocRow, Portfolio, Reason, Team};
use std::borrow::Cow;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};
use threatmark_engine::StrideCategory;
use threatmark_engine::risk::RiskTier;
use threatmark_engine::summary::{CoverageState, UNRATED};

const TEMPLATE: &str = include_str!("assets/report.html");
const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// Teams shown in the "open critical/high by team" chart; the rest are summed.
const CHART_TEAMS: usize = 12;

/// Rows of the needs-a-human table, most urgent first. The docs table marks every doc
/// that needs a human (its last column), so the page stays complete; at 10,000 docs the
/// whole queue would repeat a quarter of the page.
const QUEUE_ROWS: usize = 500;

/// Where the page will live, so that links to the docs resolve from it.
#[derive(Debug, Clone)]
pub struct Links {
    /// The current directory (doc paths are relative to it unless absolute).
    pub cwd: PathBuf,
    /// The folder of the output file, absolute.
    pub page_dir: PathBuf,
}

impl Links {
    /// The `href` of a doc, relative to the page.
    pub fn href(&self, doc_path: &str) -> String {
        let target = crate::walk::normalize(&self.cwd.join(doc_path));
        let page_dir = crate::walk::normalize(&self.page_dir);
        let rel = relative(&page_dir, &target);
        let text = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        encode_href(&text)
    }
}

/// `to` relative to the folder `from`; both absolute and normalized.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = from.components().collect();
    let to_parts: Vec<Component<'_>> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return to.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to_parts[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// Text safe in HTML content and in quoted attribute values.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A relative link target with every byte outside `A-Z a-z 0-9 - . _ ~ /`
/// percent-encoded: a `:` never survives, so no path can become a `javascript:` URL.
pub fn encode_href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Fills `{{name}}` markers of the template in one pass over the template only.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn render(p: &Portfolio, links: &Links) -> String {
    let t = &p.totals;
    let meta = format!(
        "{} design docs in {} markdown files · judged on {} · a threat model is stale {} months after its last review",
        t.design_docs, p.files, p.today, p.stale_after_months
    );
    let today = p.today.to_string();
    fill(
        TEMPLATE,
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("today", &today),
            ("css", CSS),
            ("js", JS),
            ("meta", &escape(&meta)),
            ("tiles", &tiles(p)),
            ("charts", &charts(p)),
            ("queue", &queue(p, links)),
            ("teams", &teams(p)),
            ("legend", LEGEND),
            ("activities", &escape(&p.activities_text())),
            ("docs", &docs(p, links)),
        ],
    )
}

const LEGEND: &str = "<span class=\"legend\">STRIDE cells: <span class=\"c-t\">S</span> addressed by a threat · <span class=\"c-n\">n/a</span> not applicable, with a reason · <span class=\"c-u\" style=\"color:#222\">?</span> not applicable, no reason · <span class=\"c-m\">–</span> missing.</span>";

fn tiles(p: &Portfolio) -> String {
    let t = &p.totals;
    let items = [
        ("design docs", t.design_docs.to_string(), false),
        ("high risk", t.tiers.high.to_string(), false),
        (
            "need a human",
            t.needs_a_human.to_string(),
            t.needs_a_human > 0,
        ),
        ("stale threat models", t.stale.to_string(), t.stale > 0),
        (
            "every STRIDE category addressed",
            format!("{} / {}", t.fully_covered, t.design_docs),
            false,
        ),
        (
            "missing STRIDE cells",
            t.cells.missing.to_string(),
            t.cells.missing > 0,
        ),
        (
            "open critical/high threats",
            t.open_critical_high.to_string(),
            t.open_critical_high > 0,
        ),
        (
            "… without a ticket",
            t.untracked_critical_high.to_string(),
            t.untracked_critical_high > 0,
        ),
        (
            "threats open / mitigated",
            format!("{} / {}", t.open_threats, t.mitigated_threats),
            false,
        ),
        (
            "errors / warnings",
            format!("{} / {}", t.findings.errors, t.findings.warnings),
            false,
        ),
    ];
    let mut out = String::new();
    for (label, value, alert) in items {
        let class = if alert { "tile alert" } else { "tile" };
        let _ = writeln!(
            out,
            "<div class=\"{class}\"><b>{value}</b><span>{label}</span></div>"
        );
    }
    out
}

/// A horizontal bar chart as inline SVG: one bar per entry, labelled with its value.
fn bar_chart(caption: &str, bars: &[(String, usize, &str)], note: Option<String>) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 150;
    const WIDTH: usize = 420;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = bars.len().max(1) * ROW + 4;
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">",
        escape(caption),
        escape(caption)
    );
    let span = WIDTH - LABEL - 50;
    for (i, (label, value, class)) in bars.iter().enumerate() {
        let y = i * ROW + 2;
        let w = if *value == 0 {
            0
        } else {
            (value * span / max).max(2)
        };
        let label = truncate(label, 20);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"{class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{}\" rx=\"2\"><title>{}: {value}</title></rect><text class=\"v\" x=\"{}\" y=\"{}\">{value}</text>",
            LABEL - 6,
            y + 15,
            escape(&label),
            ROW - 6,
            escape(&label),
            LABEL + w + 4,
            y + 15,
        );
    }
    if bars.is_empty() {
        let _ = write!(out, "<text x=\"0\" y=\"16\">nothing to show</text>");
    }
    out.push_str("</svg>");
    if let Some(note) = note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(&note));
    }
    out.push_str("</figure>");
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn charts(p: &Portfolio) -> String {
    let t = &p.totals;
    let tiers = bar_chart(
        "Risk tiers",
        &[
            ("high".to_string(), t.tiers.high, "b-high"),
            ("medium".to_string(), t.tiers.medium, "b-medium"),
            ("low".to_string(), t.tiers.low, "b-low"),
        ],
        None,
    );
    // Staleness by age of the last review; "stale" is TM040's judgement.
    let (mut fresh, mut aging, mut due, mut stale, mut never) = (0, 0, 0, 0, 0);
    for d in &p.docs {
        let r = &d.summary.review;
        match (r.stale, r.days_since) {
            (true, _) => stale += 1,
            (false, None) => never += 1,
            (false, Some(days)) if days <= 90 => fresh += 1,
            (false, Some(days)) if days <= 180 => aging += 1,
            (false, Some(_)) => due += 1,
        }
    }
    let staleness = bar_chart(
        "Last threat-model review",
        &[
            ("≤ 3 months".to_string(), fresh, "b-fresh"),
            ("3–6 months".to_string(), aging, "b-aging"),
            ("over 6 months".to_string(), due, "b-due"),
            ("stale".to_string(), stale, "b-stale"),
            ("no review date".to_string(), never, "b-never"),
        ],
        None,
    );
    let mut by_team: Vec<&Team> = p
        .teams
        .iter()
        .filter(|t| t.totals.open_critical_high > 0)
        .collect();
    by_team.sort_by(|a, b| {
        b.totals
            .open_critical_high
            .cmp(&a.totals.open_critical_high)
            .then_with(|| a.name.cmp(&b.name))
    });
    let rest: usize = by_team
        .iter()
        .skip(CHART_TEAMS)
        .map(|t| t.totals.open_critical_high)
        .sum();
    let note = (by_team.len() > CHART_TEAMS).then(|| {
        format!(
            "{} more teams: {rest} open critical/high threats (see By team).",
            by_team.len() - CHART_TEAMS
        )
    });
    let bars: Vec<(String, usize, &str)> = by_team
        .iter()
        .take(CHART_TEAMS)
        .map(|t| (t.name.clone(), t.totals.open_critical_high, "b-crit"))
        .collect();
    let teams = bar_chart("Open critical/high threats by team", &bars, note);
    format!("{tiers}\n{staleness}\n{teams}\n")
}

fn tier_badge(tier: RiskTier) -> String {
    let t = tier.as_str();
    format!("<span class=\"t t-{t}\">{t}</span>")
}

fn tier_rank(tier: RiskTier) -> u8 {
    match tier {
        RiskTier::High => 3,
        RiskTier::Medium => 2,
        RiskTier::Low => 1,
    }
}

fn doc_cell(d: &DocRow, links: &Links) -> String {
    let title = d.title.as_deref().unwrap_or("(untitled)");
    let mut out = format!(
        "<b>{}</b><a href=\"{}\">{}</a>",
        escape(title),
        escape(&links.href(&d.path)),
        escape(&d.path)
    );
    if let Some(tm) = &d.threat_model_path {
        let _ = write!(
            out,
            "<a href=\"{}\">threat model: {}</a>",
            escape(&links.href(tm)),
            escape(tm)
        );
    }
    out
}

fn reasons(d: &DocRow) -> String {
    d.reasons
        .iter()
        .map(|r| Reason::describe(*r))
        .collect::<Vec<_>>()
        .join("; ")
}

fn queue(p: &Portfolio, links: &Links) -> String {
    let n = p.totals.needs_a_human;
    if n == 0 {
        return "<p>No doc needs a human right now.</p>".to_string();
    }
    let open = if n <= 50 { " open" } else { "" };
    let mut out = format!(
        "<details{open}><summary>{n} docs need a human</summary><div class=\"wrap\"><table class=\"docs\" data-sortable><thead><tr><th data-v>Tier</th><th data-first=\"ascending\">Doc</th><th data-first=\"ascending\">Team</th><th data-first=\"ascending\">Why</th></tr></thead><tbody>\n"
    );
    for d in p.queue().take(QUEUE_ROWS) {
        let _ = writeln!(
            out,
            "<tr><td data-v=\"{}\">{}</td><td class=\"d\">{}</td><td>{}</td><td class=\"why\">{}</td></tr>",
            tier_rank(d.risk.tier),
            tier_badge(d.risk.tier),
            doc_cell(d, links),
            escape(&d.team),
            reasons(d)
        );
    }
    out.push_str("</tbody></table></div>");
    if n > QUEUE_ROWS {
        let _ = write!(
            out,
            "<p class=\"note\">The {QUEUE_ROWS} most urgent of {n}, highest risk and most reasons first; the <a href=\"#docs\">design docs table</a> marks every one in its last column.</p>"
        );
    }
    out.push_str("</details>");
    out
}

/// A heat colour from red (0 %) to green (100 %).
fn heat(share: f64) -> String {
    let hue = (share.clamp(0.0, 1.0) * 120.0).round();
    format!("hsl({hue},65%,82%)")
}

fn teams(p: &Portfolio) -> String {
    let mut out = String::from(
        "<div class=\"wrap\"><table class=\"heat\" data-sortable><thead><tr><th data-first=\"ascending\">Team</th><th class=\"n\">Docs</th><th class=\"n\">High</th><th class=\"n\">Medium</th><th class=\"n\">Low</th><th class=\"n\">Stale</th><th class=\"n\">Open crit/high</th><th class=\"n\">Without ticket</th><th class=\"n\">Need a human</th>",
    );
    for c in StrideCategory::ALL {
        let _ = write!(
            out,
            "<th class=\"n\" title=\"{}\">{}</th>",
            c.name(),
            c.letter()
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    for team in &p.teams {
        let x = &team.totals;
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            escape(&team.name),
            x.design_docs,
            x.tiers.high,
            x.tiers.medium,
            x.tiers.low,
            x.stale,
            x.open_critical_high,
            x.untracked_critical_high,
            x.needs_a_human
        );
        for cells in &team.categories {
            let docs = x.design_docs.max(1);
            let ok = cells.threat + cells.not_applicable;
            // Whole percent, rounded down, so 99.6 % does not read as complete.
            let percent = ok * 100 / docs;
            #[allow(clippy::cast_precision_loss)]
            let share = ok as f64 / docs as f64;
            let _ = write!(
                out,
                "<td class=\"h\" data-v=\"{percent}\" style=\"background:{}\">{percent}%</td>",
                heat(share)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>");
    out
}

fn docs(p: &Portfolio, links: &Links) -> String {
    let mut out = String::from(
        "<div class=\"wrap\"><table id=\"docs-table\" class=\"docs\" data-sortable><thead><tr><th aria-sort=\"descending\">Tier</th><th data-first=\"ascending\">Doc</th><th data-first=\"ascending\">Team</th><th data-first=\"ascending\">Status</th><th data-first=\"ascending\">Topics</th>",
    );
    for c in StrideCategory::ALL {
        let _ = write!(out, "<th title=\"{}\">{}</th>", c.name(), c.letter());
    }
    out.push_str("<th class=\"n\" title=\"Threats open / mitigated (by severity below)\">Open / mitigated</th><th class=\"n\">Open crit/high</th><th>Last reviewed</th><th class=\"n\" title=\"Findings: errors / warnings / infos\">E/W/I</th><th class=\"n\" title=\"Suppressed findings\">Supp.</th><th data-first=\"ascending\">Needs a human</th></tr></thead><tbody>\n");
    for d in &p.docs {
        doc_row(&mut out, d, links);
    }
    out.push_str("</tbody></table></div>");
    out
}

fn doc_row(out: &mut String, d: &DocRow, links: &Links) {
    let _ = write!(
        out,
        "<tr><td data-v=\"{}\">{}</td><td class=\"d\">{}</td><td>{}</td><td>{}</td><td class=\"tp\">{}</td>",
        tier_rank(d.risk.tier),
        tier_badge(d.risk.tier),
        doc_cell(d, links),
        escape(&d.team),
        escape(d.status.as_deref().unwrap_or("")),
        escape(&d.risk.topics.join(", ")),
    );
    for c in &d.summary.coverage {
        let (class, text, rank) = match c.state {
            CoverageState::Threat => ("c-t", c.category.letter().to_string(), 3),
            CoverageState::NotApplicable => ("c-n", "n/a".to_string(), 2),
            CoverageState::Unjustified => ("c-u", "?".to_string(), 1),
            CoverageState::Missing => ("c-m", "–".to_string(), 0),
        };
        // Only cells with something to say get a tooltip: at 10,000 docs every byte of a
        // row counts six times (the column header names the category).
        let title = match (&c.reason, c.state) {
            (Some(reason), _) => format!(
                " title=\"{}\"",
                escape(&format!("{}: not applicable: {reason}", c.category.name()))
            ),
            (None, CoverageState::Unjustified) => format!(
                " title=\"{}: not applicable, no reason given\"",
                c.category.name()
            ),
            (None, _) => String::new(),
        };
        let _ = write!(
            out,
            "<td class=\"c {class}\" data-v=\"{rank}\"{title}>{text}</td>"
        );
    }
    let th = &d.summary.threats;
    let _ = write!(
        out,
        "<td class=\"n\" data-v=\"{}\">{} / {}",
        th.open, th.open, th.mitigated
    );
    let sev: Vec<String> = th
        .by_severity
        .iter()
        .filter(|s| s.open + s.mitigated + s.accepted > 0)
        .map(|s| {
            let name = if s.severity == UNRATED {
                "unrated"
            } else {
                &s.severity
            };
            format!(
                "<span class=\"sev\">{} {}/{}</span>",
                escape(name),
                s.open,
                s.mitigated
            )
        })
        .collect();
    if !sev.is_empty() {
        let _ = write!(out, "<br>{}", sev.join(""));
    }
    let untracked = if th.untracked_critical_high > 0 {
        format!(
            " <span class=\"stale\">({} no ticket)</span>",
            th.untracked_critical_high
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "</td><td class=\"n\" data-v=\"{}\">{}{untracked}</td>",
        th.open_critical_high, th.open_critical_high
    );
    let r = &d.summary.review;
    // Sort key: days since the review; no date sorts as the oldest.
    let days_key = r.days_since.unwrap_or(i64::from(i32::MAX));
    let reviewed = match (&r.last_reviewed, r.days_since) {
        (Some(date), Some(days)) => format!("{} ({days} days)", escape(date)),
        (Some(date), None) => escape(date).into_owned(),
        (None, _) => "never".to_string(),
    };
    let stale = if r.stale {
        " <span class=\"stale\">stale</span>"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<td data-v=\"{days_key}\">{reviewed}{stale}</td><td class=\"n\" data-v=\"{}\">{}/{}/{}</td><td class=\"n\">{}</td><td class=\"why\">{}</td></tr>",
        d.findings.errors * 1_000_000 + d.findings.warnings * 1_000 + d.findings.infos,
        d.findings.errors,
        d.findings.warnings,
        d.findings.infos,
        d.suppressed,
        reasons(d)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_attributes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert!(matches!(escape("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn hrefs_are_percent_encoded_and_never_a_scheme() {
        assert_eq!(encode_href("docs/design/a b.md"), "docs/design/a%20b.md");
        assert_eq!(
            encode_href("javascript:alert(1).md"),
            "javascript%3Aalert%281%29.md"
        );
        assert_eq!(encode_href("x\"><b>.md"), "x%22%3E%3Cb%3E.md");
        assert_eq!(encode_href("café.md"), "caf%C3%A9.md");
    }

    #[test]
    fn links_are_relative_to_the_page() {
        let links = Links {
            cwd: PathBuf::from("/repo"),
            page_dir: PathBuf::from("/repo/out/site"),
        };
        assert_eq!(links.href("docs/design/x.md"), "../../docs/design/x.md");
        let here = Links {
            cwd: PathBuf::from("/repo"),
            page_dir: PathBuf::from("/repo"),
        };
        assert_eq!(here.href("./docs/x.md"), "docs/x.md");
    }

    #[test]
    fn no_doc_string_reaches_the_page_unescaped() {
        let evil = "<x a='1' b=\"2\">&</x>";
        let text = format!(
            "---\ntitle: \"{t}\"\nowner: \"{t}\"\n---\n# H\n\n## Threat model\n\n- Spoofing: not applicable — because {evil} is only text here.\n",
            t = evil.replace('"', "\\\"")
        );
        let mut row = super::super::tests::row("d/design/x.md", &text);
        row.path = format!("d/{evil}.md");
        row.threat_model_path = Some(format!("d/{evil}-tm.md"));
        assert_eq!(row.title.as_deref(), Some(evil));
        assert_eq!(row.team, evil);
        let p = Portfolio::new(jiff::civil::date(2026, 11, 23), 9, 1, vec![row]);
        let links = Links {
            cwd: PathBuf::from("/r"),
            page_dir: PathBuf::from("/r"),
        };
        let html = render(&p, &links);
        assert!(!html.contains("<x"), "raw markup from a doc");
        assert!(!html.contains("'1'"), "raw quote from a doc");
        assert!(html.contains("&lt;x a=&#39;1&#39; b=&quot;2&quot;&gt;&amp;&lt;/x&gt;"));
        assert!(
            html.contains("is only text here."),
            "the reason is in a tooltip"
        );
    }

    #[test]
    fn the_template_is_filled_once() {
        let filled = fill(
            "<p>{{a}}</p><p>{{b}}</p>{{unknown}}{{",
            &[("a", "{{b}}"), ("b", "B")],
        );
        assert_eq!(filled, "<p>{{b}}</p><p>B</p>{{unknown}}{{");
        // Every marker of the real template has a value.
        let page = fill(TEMPLATE, &[]);
        let markers: Vec<&str> = page.match_indices("{{").map(|(i, _)| &page[i..]).collect();
        for m in markers {
            let name = m.get(2..m.find("}}").unwrap_or(2)).unwrap_or("");
            assert!(
                [
                    "version",
                    "today",
                    "css",
                    "js",
                    "meta",
                    "tiles",
                    "charts",
                    "queue",
                    "teams",
                    "legend",
                    "activities",
                    "docs"
                ]
                .contains(&name),
                "{name}"
            );
        }
    }
}
