//! Hovers that coach: each leads with the question the writer should answer, then gives
//! what threatmark knows (the methodology, the config, the doc's own rows).

use super::context::{
    CellAt, Field, cell_at, clamp, excerpt, in_threat_model, label_at, line_at, mermaid_at,
    part_at, word_at,
};
use super::navigation::{IdKind, symbol_at};
use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagram::coverage::{Coverage, asset_of};
use crate::diagram::{Diagram, Element, ElementKind};
use crate::document::columns::{AssetField, ThreatField};
use crate::document::ids::{has_match_key, match_key};
use crate::document::{Asset, Document, Threat};
use crate::knowledge::editor::editor;
use crate::knowledge::{CategoryInfo, Methodology};
use crate::rules::Facts;
use crate::rules::facts::{ThreatStatus, normalize_severity};
use crate::rules::tm010_unlisted_asset::{Resolution, resolve_target_refs};
use crate::span::TextRange;
use crate::stride::{StrideCategory, parse_category_cell};
use std::fmt::Write;

/// Markdown to show for the text at `range`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// What the hover needs besides the analysis; the analysis's facts when it has them,
/// else computed on first use (a document parsed without its rules).
struct Cx<'a> {
    text: &'a str,
    doc: &'a Document,
    config: &'a Config,
    kept: Option<&'a Facts>,
    facts: std::cell::OnceCell<Facts>,
}

impl Cx<'_> {
    fn facts(&self) -> &Facts {
        match self.kept {
            Some(facts) => facts,
            None => self
                .facts
                .get_or_init(|| Facts::new(self.text, self.doc, self.config)),
        }
    }

    fn methodology(&self) -> &Methodology {
        self.config.methodology()
    }
}

/// The hover at `offset`: a rule code, a diagram node, a category (letter or word), a
/// severity or status, an asset, threat or mitigation id, an asset name in a target.
pub fn hover(analysis: &Analysis, text: &str, config: &Config, offset: usize) -> Option<Hover> {
    let offset = clamp(text, offset);
    let cx = Cx {
        text,
        doc: &analysis.document,
        config,
        kept: analysis.facts.as_ref(),
        facts: std::cell::OnceCell::new(),
    };
    if let Some(h) = rule_hover(&cx, offset) {
        return Some(h);
    }
    if let Some(block) = mermaid_at(cx.doc, offset) {
        return element_hover(&cx, block, offset);
    }
    if let Some(h) = front_matter_hover(&cx, offset) {
        return Some(h);
    }
    let field_at = cell_at(text, cx.doc, offset)
        .and_then(|c: CellAt| {
            let part = part_at(text, c.content, offset);
            c.field.map(|f| (f, part, c.content))
        })
        .or_else(|| label_at(text, cx.doc, offset).map(|(f, part)| (Field::Threat(f), part, part)));
    if let Some((field, part, cell)) = field_at
        && let Some(h) = field_hover(&cx, field, part, cell, offset)
    {
        return Some(h);
    }
    if let Some(sym) = symbol_at(analysis, text, offset)
        && let Some(h) = id_hover(&cx, sym.kind, &sym.id, sym.range)
    {
        return Some(h);
    }
    if let Some(sev) = cx
        .doc
        .threats
        .iter()
        .filter_map(|t| t.severity.as_ref())
        .find(|s| s.range.start <= offset && offset <= s.range.end && !s.value.is_empty())
    {
        return Some(severity_hover(&cx, &sev.value, sev.range));
    }
    if in_threat_model(cx.doc, offset) {
        return category_word_hover(&cx, offset);
    }
    None
}

fn rule_hover(cx: &Cx<'_>, offset: usize) -> Option<Hover> {
    let range = word_at(cx.text, offset, |c| c.is_ascii_alphanumeric())?;
    let word = range.slice(cx.text);
    if !(word.len() == 5 && word[..2].eq_ignore_ascii_case("TM")) {
        return None;
    }
    let rule = crate::rules::lookup(word)?;
    let level = cx
        .config
        .rule_level(rule.meta.code, rule.meta.default_level)
        .map_or("off", |l| l.as_str());
    Some(Hover {
        range,
        markdown: format!(
            "**{}** `{}` · {level}\n\n{}\n\n`threatmark explain {}` tells more.",
            rule.meta.code, rule.meta.name, rule.meta.summary, rule.meta.code
        ),
    })
}

/// A front-matter key: what it is for, and the values it takes.
fn front_matter_hover(cx: &Cx<'_>, offset: usize) -> Option<Hover> {
    let fm = cx.doc.front_matter.as_ref()?;
    if !fm.range.contains(offset) {
        return None;
    }
    let line = line_at(cx.text, offset);
    let range = word_at(cx.text, offset, |c| c.is_ascii_alphanumeric() || c == '_')?;
    // Only the key at the start of its line, before its colon.
    let key = range.slice(cx.text);
    if range.start != line.start || !cx.text[range.end..line.end].trim_start().starts_with(':') {
        return None;
    }
    let k = editor().front_matter.iter().find(|k| k.key == key)?;
    let mut markdown = format!("**{}** — {}\n\n{}", k.key, k.detail, k.documentation);
    if !k.values.is_empty() {
        let _ = write!(markdown, "\n\nValues: {}.", k.values.join(", "));
    }
    Some(Hover { range, markdown })
}

fn field_hover(
    cx: &Cx<'_>,
    field: Field,
    part: TextRange,
    cell: TextRange,
    offset: usize,
) -> Option<Hover> {
    let value = part.slice(cx.text);
    match field {
        Field::Threat(ThreatField::Category) => {
            let (cat, range) = category_in_part(cx.text, part, offset)?;
            category_hover(cx, cat, range)
        }
        Field::Threat(ThreatField::Severity) if !value.is_empty() => {
            Some(severity_hover(cx, cell.slice(cx.text), cell))
        }
        Field::Threat(ThreatField::Status) if !value.is_empty() => {
            status_hover(cell.slice(cx.text), cell)
        }
        Field::Threat(ThreatField::Target) => target_hover(cx, part, offset),
        Field::Asset(AssetField::Name | AssetField::Id | AssetField::Classification) => {
            let i = cx
                .doc
                .assets
                .assets
                .iter()
                .position(|a| a.range.start <= offset && offset <= a.range.end)?;
            let asset = cx.doc.assets.assets.get(i)?;
            Some(Hover {
                range: part,
                markdown: asset_markdown(cx, i, asset),
            })
        }
        _ => None,
    }
}

/// The category a part of a category cell names at `offset`: a letter of `T/I` or
/// `STRIDE`, a word, a short form.
fn category_in_part(
    text: &str,
    part: TextRange,
    offset: usize,
) -> Option<(StrideCategory, TextRange)> {
    let s = part.slice(text);
    let letters = s.trim();
    let all_letters = !letters.is_empty()
        && letters.len() <= 6
        && letters
            .chars()
            .all(|c| c.is_ascii_alphabetic() && StrideCategory::from_letter(c).is_some())
        && (letters.chars().all(|c| c.is_ascii_uppercase())
            || letters.eq_ignore_ascii_case("stride"));
    if all_letters {
        let rel = offset
            .saturating_sub(part.start)
            .min(s.len().saturating_sub(1));
        let c = s[rel..].chars().next()?;
        let cat = StrideCategory::from_letter(c)?;
        return Some((cat, TextRange::new(part.start + rel, part.start + rel + 1)));
    }
    let cats = parse_category_cell(s).categories;
    (cats.len() == 1).then(|| (cats[0], part))
}

/// Writers' words for a category that are too common to mean it by themselves in prose.
const AMBIGUOUS: &[&str] = &[
    "id",
    "info",
    "denial",
    "disclosure",
    "elevation",
    "spoof",
    "tamper",
];

/// A category named in prose or a heading of the threat model: up to three words around
/// the offset that together name one.
fn category_word_hover(cx: &Cx<'_>, offset: usize) -> Option<Hover> {
    let line = line_at(cx.text, offset);
    let s = line.slice(cx.text);
    let words: Vec<TextRange> = s
        .char_indices()
        .fold(Vec::<(usize, usize)>::new(), |mut acc, (i, c)| {
            if c.is_alphanumeric() {
                match acc.last_mut() {
                    Some(w) if w.1 == i => w.1 = i + c.len_utf8(),
                    _ => acc.push((i, i + c.len_utf8())),
                }
            }
            acc
        })
        .into_iter()
        .map(|(a, b)| TextRange::new(line.start + a, line.start + b))
        .collect();
    let at = words
        .iter()
        .position(|w| w.start <= offset && offset <= w.end)?;
    for len in (1..=3).rev() {
        for first in at.saturating_sub(len - 1)..=at {
            let Some(last) = words.get(first + len - 1) else {
                continue;
            };
            let range = TextRange::new(words[first].start, last.end);
            let phrase = range.slice(cx.text);
            // Only spaces or hyphens between the words: `Denial-of-Service`.
            if phrase
                .chars()
                .any(|c| !c.is_alphanumeric() && c != ' ' && c != '-')
            {
                continue;
            }
            if len == 1 && AMBIGUOUS.contains(&phrase.to_lowercase().as_str()) {
                continue;
            }
            if let Some(cat) = StrideCategory::from_name(phrase) {
                return category_hover(cx, cat, range);
            }
        }
    }
    None
}

fn bullet_list(out: &mut String, items: &[String]) {
    for i in items {
        let _ = writeln!(out, "- {i}");
    }
}

fn element_type_names(m: &Methodology, info: &CategoryInfo) -> String {
    info.elements
        .iter()
        .map(|id| {
            m.element(id)
                .map_or(id.replace('_', " "), |e| e.name.to_lowercase())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn threat_label(t: &Threat) -> String {
    match &t.id {
        Some(id) => id.value.clone(),
        None => format!(
            "\"{}\"",
            excerpt(t.description.as_ref().map_or("", |d| &d.value), 40)
        ),
    }
}

fn category_hover(cx: &Cx<'_>, cat: StrideCategory, range: TextRange) -> Option<Hover> {
    let m = cx.methodology();
    let info = m.category(cat)?;
    let mut md = String::new();
    if let Some(q) = info.questions.first() {
        let _ = writeln!(md, "**{q}**\n");
    }
    let _ = writeln!(
        md,
        "*{}* ({}) threatens **{}**. {}\n",
        info.name, info.letter, info.property, info.explanation
    );
    if info.questions.len() > 1 {
        md.push_str("Ask also:\n");
        bullet_list(&mut md, &info.questions[1..]);
        md.push('\n');
    }
    if !info.mitigations.is_empty() {
        md.push_str("Typical mitigations:\n");
        bullet_list(&mut md, &info.mitigations);
        md.push('\n');
    }
    if !info.elements.is_empty() {
        let _ = writeln!(md, "Applies to: {}.\n", element_type_names(m, info));
    }
    let addressing: Vec<String> = cx
        .doc
        .threats
        .iter()
        .filter(|t| t.categories.contains(&cat))
        .map(threat_label)
        .collect();
    let declared = cx
        .doc
        .not_applicable
        .iter()
        .any(|na| na.element.is_none() && na.categories.contains(&cat));
    if !addressing.is_empty() {
        let _ = write!(md, "In this threat model: {}.", addressing.join(", "));
    } else if declared {
        md.push_str("In this threat model: declared not applicable.");
    } else if cx.doc.threat_region().is_some() {
        md.push_str(&editor().coach.category_unaddressed);
    }
    Some(Hover {
        range,
        markdown: md.trim_end().to_string(),
    })
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn severity_hover(cx: &Cx<'_>, raw: &str, range: TextRange) -> Hover {
    let scale = &cx.config.severity_scale;
    let markdown = match normalize_severity(raw, cx.config) {
        Some(level) => {
            let mut md = format!("**{}**", capitalized(&level));
            if let Some(meaning) = editor().severity.get(&level) {
                let _ = write!(md, " — {meaning}");
            }
            md.push_str("\n\n");
            match cx.config.remediation_days(&level) {
                Some(days) => {
                    let _ = write!(
                        md,
                        "Fix within **{days} days** (`remediation_days.{level}`)."
                    );
                }
                None => md.push_str("The config sets no remediation time for it."),
            }
            let place = scale.iter().position(|s| *s == level).map_or(0, |i| i + 1);
            let _ = write!(
                md,
                " Level {place} of {} on the scale: {}.",
                scale.len(),
                scale.join(", ")
            );
            md
        }
        None => format!(
            "**`{}` is not on the severity scale.** {} Pick one of: {}.",
            raw.trim(),
            editor().coach.severity_unknown,
            scale.join(", ")
        ),
    };
    Hover { range, markdown }
}

fn status_id(s: ThreatStatus) -> Option<&'static str> {
    Some(match s {
        ThreatStatus::Open => "open",
        ThreatStatus::InProgress => "in_progress",
        ThreatStatus::Mitigated => "mitigated",
        ThreatStatus::Accepted => "accepted",
        ThreatStatus::Transferred => "transferred",
        ThreatStatus::NotApplicable => "not_applicable",
        ThreatStatus::Other => return None,
    })
}

fn status_hover(raw: &str, range: TextRange) -> Option<Hover> {
    let status = ThreatStatus::parse(raw)?;
    let markdown = match status_id(status).and_then(|id| editor().status.get(id)) {
        Some(meaning) => format!("**{}** — {meaning}", raw.trim()),
        None => format!(
            "**`{}` is no status threatmark knows.** {}",
            raw.trim(),
            editor().coach.status_unknown
        ),
    };
    Some(Hover { range, markdown })
}

fn target_hover(cx: &Cx<'_>, part: TextRange, offset: usize) -> Option<Hover> {
    let resolved = cx.doc.threats.iter().find_map(|t| {
        resolve_target_refs(cx.text, cx.doc, t)
            .into_iter()
            .find(|r| r.range.start <= offset && offset <= r.range.end)
    });
    let (index, range) = match resolved {
        Some(r) => match r.resolution {
            Resolution::Asset(i) => (i, r.range),
            _ => return None,
        },
        None => {
            let a = cx.doc.assets.find(part.slice(cx.text))?;
            let i = cx
                .doc
                .assets
                .assets
                .iter()
                .position(|b| std::ptr::eq(a, b))?;
            (i, part)
        }
    };
    let asset = cx.doc.assets.assets.get(index)?;
    Some(Hover {
        range,
        markdown: asset_markdown(cx, index, asset),
    })
}

fn id_hover(cx: &Cx<'_>, kind: IdKind, id: &str, range: TextRange) -> Option<Hover> {
    let key = match_key(id);
    let markdown =
        match kind {
            IdKind::Asset => {
                let (i, a) =
                    cx.doc.assets.assets.iter().enumerate().find(|(_, a)| {
                        a.id.as_ref().is_some_and(|x| has_match_key(&x.value, &key))
                    })?;
                asset_markdown(cx, i, a)
            }
            IdKind::Threat => {
                let i =
                    cx.doc.threats.iter().position(|t| {
                        t.id.as_ref().is_some_and(|x| has_match_key(&x.value, &key))
                    })?;
                threat_markdown(cx, i)
            }
            IdKind::Mitigation => {
                let m = cx.doc.mitigations.find(id)?;
                let mut md = format!("**{}** — {}", id, m.text.value);
                let answered: Vec<String> = cx
                    .doc
                    .threats
                    .iter()
                    .filter(|t| {
                        t.mitigation.as_ref().is_some_and(|v| {
                            v.value
                                .split(|c: char| !c.is_alphanumeric() && c != '-')
                                .any(|w| has_match_key(w, &key))
                        })
                    })
                    .map(threat_label)
                    .collect();
                if answered.is_empty() {
                    let _ = write!(md, "\n\n{}", editor().coach.mitigation_unused);
                } else {
                    let _ = write!(md, "\n\nAnswers: {}.", answered.join(", "));
                }
                md
            }
        };
    Some(Hover { range, markdown })
}

fn asset_markdown(cx: &Cx<'_>, index: usize, a: &Asset) -> String {
    let mut md = String::new();
    let id =
        a.id.as_ref()
            .map(|i| format!("{} · ", i.value))
            .unwrap_or_default();
    let _ = write!(md, "**{id}{}**", a.name.value);
    match a.classification.as_ref().filter(|c| !c.value.is_empty()) {
        Some(c) => {
            let _ = write!(md, " — {}", c.value);
        }
        None => {
            let _ = write!(
                md,
                " — *unclassified*. {}",
                editor().coach.asset_unclassified
            );
        }
    }
    md.push_str("\n\n");
    if let Some(kind) = a.kind.as_ref().filter(|k| !k.value.is_empty()) {
        let _ = writeln!(md, "Type: {}\n", kind.value);
    }
    if let Some(d) = a.description.as_ref().filter(|d| !d.is_empty()) {
        let _ = writeln!(md, "{}\n", d.trim_start_matches([':', '—', '-', ' ']));
    }
    let against: Vec<usize> = cx
        .doc
        .threats
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            resolve_target_refs(cx.text, cx.doc, t)
                .iter()
                .any(|r| r.resolution == Resolution::Asset(index))
        })
        .map(|(i, _)| i)
        .collect();
    if against.is_empty() {
        md.push_str(&editor().coach.asset_unthreatened);
    } else {
        md.push_str("Threats against it:\n");
        for i in against {
            let Some(t) = cx.doc.threats.get(i) else {
                continue;
            };
            let _ = writeln!(md, "- {}", threat_line(cx, i, t));
        }
    }
    md.trim_end().to_string()
}

fn status_word(cx: &Cx<'_>, i: usize) -> &'static str {
    match cx.facts().threats.get(i) {
        Some(f) if f.mitigated => "mitigated",
        Some(f) if f.resolved => match f.status {
            Some(ThreatStatus::Accepted) => "accepted",
            Some(ThreatStatus::Transferred) => "transferred",
            _ => "not applicable",
        },
        _ => "open",
    }
}

/// `**T2** Tampering — a bug in token refresh… (Medium, mitigated)`
fn threat_line(cx: &Cx<'_>, i: usize, t: &Threat) -> String {
    let cats: Vec<&str> = t.categories.iter().map(|c| c.name()).collect();
    let desc = t
        .description
        .as_ref()
        .map_or(String::new(), |d| excerpt(&d.value, 60));
    let mut tail = Vec::new();
    if let Some(s) = cx.facts().threats.get(i).and_then(|f| f.severity.clone()) {
        tail.push(capitalized(&s));
    }
    tail.push(status_word(cx, i).to_string());
    let id =
        t.id.as_ref()
            .map_or("—".to_string(), |x| format!("**{}**", x.value));
    format!("{id} {} — {desc} ({})", cats.join(", "), tail.join(", "))
}

fn threat_markdown(cx: &Cx<'_>, i: usize) -> String {
    let Some(t) = cx.doc.threats.get(i) else {
        return String::new();
    };
    let facts = cx.facts().threats.get(i).cloned();
    let mut md = String::new();
    let open = facts.as_ref().is_none_or(|f| f.is_open());
    if open && !facts.as_ref().is_some_and(|f| f.has_mitigation) {
        let _ = writeln!(md, "**{}**\n", editor().coach.threat_open);
    }
    let cats: Vec<&str> = t.categories.iter().map(|c| c.name()).collect();
    let id = t.id.as_ref().map_or("Threat", |x| x.value.as_str());
    let _ = write!(md, "**{id}**");
    if !cats.is_empty() {
        let _ = write!(md, " · {}", cats.join(", "));
    }
    match facts.as_ref().and_then(|f| f.severity.clone()) {
        Some(s) => {
            let _ = write!(md, " · {}", capitalized(&s));
        }
        None => md.push_str(" · *no severity*"),
    }
    let _ = writeln!(md, " · {}\n", status_word(cx, i));
    if let Some(d) = &t.description {
        let _ = writeln!(md, "{}\n", excerpt(&d.value, 300));
    }
    let targets: Vec<String> = resolve_target_refs(cx.text, cx.doc, t)
        .into_iter()
        .map(|r| match r.resolution {
            Resolution::Asset(a) => match cx.doc.assets.assets.get(a) {
                Some(asset) if asset.id.is_some() => format!("{} ({})", r.value, asset.name.value),
                _ => r.value,
            },
            _ => format!("{} (not in the inventory)", r.value),
        })
        .collect();
    if !targets.is_empty() {
        let _ = writeln!(md, "- Asset: {}", targets.join(", "));
    }
    if let Some(m) = t.mitigation.as_ref().filter(|m| !m.value.is_empty()) {
        let resolved: Vec<String> = m
            .value
            .split([',', ';', ' '])
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter_map(|w| {
                cx.doc
                    .mitigations
                    .find(w)
                    .map(|x| format!("{w}: {}", excerpt(&x.text.value, 80)))
            })
            .collect();
        if resolved.is_empty() {
            let _ = writeln!(md, "- Mitigation: {}", excerpt(&m.value, 120));
        } else {
            let _ = writeln!(md, "- Mitigation: {}", resolved.join("; "));
        }
    }
    if let Some(s) = t.status.as_ref().filter(|s| !s.value.is_empty()) {
        let _ = writeln!(md, "- Status: {}", s.value);
    }
    match facts.as_ref().and_then(|f| f.ticket.clone()) {
        Some(ticket) => {
            let _ = writeln!(md, "- Ticket: {ticket}");
        }
        None if facts
            .as_ref()
            .is_some_and(|f| f.is_critical_or_high() && !f.mitigated) =>
        {
            let _ = writeln!(
                md,
                "- Ticket: none yet. {}",
                editor().coach.threat_untracked
            );
        }
        None => {}
    }
    md.trim_end().to_string()
}

fn element_hover(cx: &Cx<'_>, block: usize, offset: usize) -> Option<Hover> {
    let index = cx.doc.diagrams.iter().position(|d| d.block == block)?;
    let diagram = cx.doc.diagrams.get(index)?;
    let on = |r: &TextRange| r.start <= offset && offset <= r.end;
    let element = diagram
        .elements
        .iter()
        .position(|e| e.id_ranges.iter().any(on))
        .or_else(|| diagram.elements.iter().position(|e| on(&e.range)));
    if let Some(i) = element {
        let e = diagram.elements.get(i)?;
        let range = e.id_ranges.iter().copied().find(on).unwrap_or(e.range);
        let cov = cx.facts().diagrams.get(index)?.elements.get(i)?;
        return Some(Hover {
            range,
            markdown: element_markdown(cx, diagram, i, e, cov),
        });
    }
    let f = diagram.flows.iter().position(|f| on(&f.range))?;
    let flow = diagram.flows.get(f)?;
    let cov = cx.facts().diagrams.get(index)?.flows.get(f)?;
    Some(Hover {
        range: flow.range,
        markdown: flow_markdown(cx, diagram, f, cov),
    })
}

fn names(cats: &[StrideCategory]) -> String {
    cats.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}

/// The coverage lines shared by elements and flows, led by the question of the first
/// missing category.
fn coverage_markdown(cx: &Cx<'_>, head: &str, cov: &Coverage) -> String {
    let m = cx.methodology();
    let missing = cov.missing();
    let mut md = String::new();
    if let Some(q) = missing.first().and_then(|c| m.first_question(*c)) {
        let _ = writeln!(
            md,
            "**{q}**
"
        );
    }
    let _ = writeln!(
        md,
        "{head}
"
    );
    let _ = writeln!(
        md,
        "STRIDE per element: {}
",
        names(&cov.applicable)
    );
    if !cov.covered.is_empty() {
        let _ = writeln!(md, "- Addressed: {}", names(&cov.covered));
    }
    if missing.is_empty() {
        md.push_str("- Every category that applies to it is addressed.\n");
    } else {
        let _ = writeln!(md, "- Missing: {}", names(&missing));
    }
    md
}

fn element_markdown(
    cx: &Cx<'_>,
    diagram: &Diagram,
    index: usize,
    e: &Element,
    cov: &Coverage,
) -> String {
    let mut head = format!("**{}** (`{}`) — {}", e.label, e.id, e.kind.name());
    if let Some(b) = e.boundary.and_then(|i| diagram.boundaries.get(i)) {
        let _ = write!(head, " inside *{}*", b.title);
    }
    if diagram.on_boundary(index) {
        head.push_str(", on a trust boundary");
    }
    let mut md = coverage_markdown(cx, &head, cov);
    if let Some(info) = cx.methodology().element(e.kind.knowledge_id()) {
        let _ = writeln!(md, "\n{}", info.why);
    }
    match asset_of(cx.doc, e).and_then(|i| cx.doc.assets.assets.get(i)) {
        Some(a) => {
            let id =
                a.id.as_ref()
                    .map_or(a.name.value.as_str(), |i| i.value.as_str());
            let _ = write!(md, "\nIn the inventory as {id}.");
        }
        None if e.kind == ElementKind::DataStore => {
            let _ = write!(md, "\n{}", editor().coach.store_unlisted);
        }
        None => {}
    }
    md.trim_end().to_string()
}

fn flow_markdown(cx: &Cx<'_>, diagram: &Diagram, index: usize, cov: &Coverage) -> String {
    let mut head = format!("**{}** — data flow", diagram.flow_name(index));
    if let Some(label) = diagram.flows.get(index).and_then(|f| f.label.as_ref()) {
        let _ = write!(head, " carrying *{label}*");
    }
    if diagram.flows.get(index).is_some_and(|f| f.crosses_boundary) {
        head.push_str(", crossing a trust boundary");
    }
    let mut md = coverage_markdown(cx, &head, cov);
    if let Some(info) = cx.methodology().element("data_flow") {
        let _ = writeln!(md, "\n{}", info.why);
    }
    md.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Source, analyze};

    const DOC: &str = super::super::navigation::tests::DOC;

    fn hover_at(text: &str, marker: &str, delta: usize) -> Option<Hover> {
        let config = Config::default();
        let a = analyze(
            Source {
                path: "docs/design/x.md",
                text,
            },
            &config,
            jiff::civil::date(2026, 11, 23),
        );
        let at = text.find(marker).unwrap_or_else(|| panic!("no {marker}")) + delta;
        hover(&a, text, &config, at)
    }

    #[test]
    fn a_letter_in_a_category_cell_asks_its_question() {
        let h = hover_at(DOC, "| T |", 2).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(h.range.slice(DOC), "T");
        assert!(
            h.markdown
                .starts_with("**What stops someone from changing this data"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("*Tampering* (T) threatens **integrity**")
        );
        assert!(h.markdown.contains("Typical mitigations:"));
        assert!(
            h.markdown
                .contains("Applies to: process, data store, data flow.")
        );
        assert!(h.markdown.contains("In this threat model: T2."));
    }

    #[test]
    fn category_words_in_brackets_and_prose() {
        let h = hover_at(DOC, "Denial of service]", 9).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(h.range.slice(DOC), "Denial of service");
        assert!(h.markdown.contains("**availability**"));
        let text = format!("{DOC}\nWe also thought about Information Disclosure via logs.\n");
        let h = hover_at(&text, "Disclosure via", 2).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(h.range.slice(&text), "Information Disclosure");
        // A common word alone is no category.
        assert!(hover_at(&text, "about", 1).is_none());
    }

    #[test]
    fn severity_cell_gives_meaning_and_remediation_days() {
        let h = hover_at(DOC, "| High |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(h.markdown.starts_with("**High** — "), "{}", h.markdown);
        assert!(h.markdown.contains("Fix within **30 days**"));
        let h = hover_at(DOC, "(Low)", 2).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown.contains("Fix within **180 days**"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn asset_and_threat_and_mitigation_ids() {
        let h = hover_at(DOC, "on A1", 4).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**A1 · Orders replica** — confidential"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("Threats against it:\n- **T1** Information disclosure")
        );
        assert!(
            h.markdown
                .contains("- **T3** Denial of service — a huge tenant history")
        );
        let h = hover_at(DOC, "| T1 |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**T1** · Information disclosure · High · mitigated"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("- Asset: A1 (Orders replica), A2 (Key store)")
        );
        assert!(
            h.markdown
                .contains("- Mitigation: M1: One tenant per process")
        );
        let h = hover_at(DOC, "- M2", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(h.markdown.contains("Answers: T2."), "{}", h.markdown);
    }

    #[test]
    fn gaps_are_questions() {
        let text = DOC
            .replace(
                "| A2 | Key store | data store | restricted |",
                "| A2 | Key store | data store | |",
            )
            .replace("| T1 | I | A1, A2 |", "| T1 | I | A1 |");
        let h = hover_at(&text, "| A2 |", 3).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(
            h.markdown,
            "**A2 · Key store** — *unclassified*. How sensitive is it?\n\nType: data store\n\nNo threat targets it yet. What could go wrong with it?"
        );
        let h = hover_at(&text, "| High |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .contains("Level 2 of 5 on the scale: critical, high, medium, low, informational.")
        );
        let text = DOC.replace("| High |", "| Hgih |");
        let h = hover_at(&text, "| Hgih |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**`Hgih` is not on the severity scale.** How bad would it be"),
            "{}",
            h.markdown
        );
        let h = hover_at(DOC, "| Mitigated |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**Mitigated** — A control is in place"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn front_matter_keys_explain_themselves() {
        let h = hover_at(DOC, "title:", 1).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(h.range.slice(DOC), "title");
        assert!(
            h.markdown.starts_with("**title** — the design's name"),
            "{}",
            h.markdown
        );
        let text = DOC.replace("title: Export\n", "title: Export\nstatus: draft\n");
        let h = hover_at(&text, "status:", 2).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown.ends_with("Values: draft, in-review, approved."),
            "{}",
            h.markdown
        );
        assert!(
            hover_at(&text, "Export\n", 1).is_none(),
            "a value is no key"
        );
    }

    #[test]
    fn rule_code_in_a_suppression() {
        let text = format!(
            "{DOC}\n<!-- threatmark-disable TM011 -- the audit log has its own design -->\n"
        );
        let h = hover_at(&text, "TM011", 2).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**TM011** `unthreatened-asset` · info"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn an_open_threat_leads_with_the_question() {
        let text = DOC.replace("| Medium | M2 | Mitigated |", "| Medium |  | Open |");
        let h = hover_at(&text, "| T2 |", 3).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown.starts_with("**What stops it from happening"),
            "{}",
            h.markdown
        );
    }
}

#[cfg(test)]
mod diagram_tests {
    use super::*;
    use crate::ide::symbols::tests::{analysis, example};

    #[test]
    fn a_diagram_node_shows_its_type_and_coverage() {
        let text = example("push-notifications.md");
        let a = analysis(&text);
        let config = Config::default();
        let at = text.find("registry --> tokens").unwrap_or(0) + 2;
        let h = hover(&a, &text, &config, at).unwrap_or_else(|| panic!("no hover"));
        assert_eq!(h.range.slice(&text), "registry");
        assert!(
            h.markdown.contains("**Token registry API** (`registry`) — process inside *Notification backend*, on a trust boundary"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("STRIDE per element: Spoofing, Tampering, Repudiation")
        );
        assert!(h.markdown.contains("In the inventory as A2."));
        let at = text.find("tokens[(Device tokens)]").unwrap_or(0) + 1;
        let h = hover(&a, &text, &config, at).unwrap_or_else(|| panic!("no hover"));
        assert!(h.markdown.contains("— data store"), "{}", h.markdown);
        assert!(h.markdown.contains("In the inventory as A1."));
    }

    #[test]
    fn a_gap_leads_with_the_missing_category_question() {
        let text = "# D\n\n## Threat model\n\n### Data flow\n\n```mermaid\nflowchart LR\n  user[/Shopper/] --> api((Checkout API))\n```\n\n### Threats\n\n| ID | STRIDE | Asset | Threat |\n|----|----|----|----|\n| T1 | Repudiation | Shopper | A shopper denies an order they placed with their own card |\n";
        let a = analysis(text);
        let at = text.find("user[").unwrap_or(0) + 1;
        let h = hover(&a, text, &Config::default(), at).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .starts_with("**What stops a caller from pretending"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("- Addressed: Repudiation\n- Missing: Spoofing"),
            "{}",
            h.markdown
        );
        let at = text.find("--> api").unwrap_or(0) + 1;
        let h = hover(&a, text, &Config::default(), at).unwrap_or_else(|| panic!("no hover"));
        assert!(
            h.markdown
                .contains("**Shopper → Checkout API** — data flow"),
            "{}",
            h.markdown
        );
    }
}
