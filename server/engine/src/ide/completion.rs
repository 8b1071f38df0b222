//! Completions for every place SPEC §7 names: category, target, severity, status,
//! classification and mitigation cells (and their `Label:` and list-form twins), the next
//! free id, section snippets after `#`, diagram node ids and front-matter keys.

use super::context::{
    CellAt, Field, TableKind, cell_at, clamp, excerpt, label_at, line_at, mermaid_at, part_at,
    word_at,
};
use crate::analysis::Analysis;
use crate::config::Config;
use crate::document::assets::next_free_id;
use crate::document::columns::{AssetField, MitigationField, ThreatField};
use crate::document::{Document, SectionKind};
use crate::knowledge::editor::editor;
use crate::knowledge::templates;
use crate::span::TextRange;
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Category,
    Asset,
    Threat,
    Mitigation,
    /// A diagram node id.
    Element,
    /// A value of a scale (severity, classification, status) or of a front-matter key.
    Value,
    /// The next free id.
    Id,
    /// A threat-model section skeleton.
    Section,
    FrontMatterKey,
    /// A fill-in pattern (the threat statement).
    Snippet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub insert_text: String,
    /// Whether `insert_text` uses LSP snippet syntax (`${1:…}`).
    pub is_snippet: bool,
    /// The text the item replaces (what the writer typed of it so far).
    pub replace: TextRange,
    pub sort_text: Option<String>,
}

impl CompletionItem {
    fn new(label: impl Into<String>, kind: CompletionKind, replace: TextRange) -> Self {
        let label = label.into();
        CompletionItem {
            insert_text: label.clone(),
            label,
            kind,
            detail: None,
            documentation: None,
            is_snippet: false,
            replace,
            sort_text: None,
        }
    }

    fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    fn doc(mut self, d: impl Into<String>) -> Self {
        self.documentation = Some(d.into());
        self
    }

    fn sort(mut self, i: usize) -> Self {
        self.sort_text = Some(format!("{i:03}"));
        self
    }
}

/// The completions at `offset`, best first.
pub fn completions(
    analysis: &Analysis,
    text: &str,
    config: &Config,
    offset: usize,
) -> Vec<CompletionItem> {
    let doc = &analysis.document;
    let offset = clamp(text, offset);
    if let Some(items) = front_matter_items(text, doc, offset) {
        return items;
    }
    if let Some(block) = mermaid_at(doc, offset) {
        return element_items(text, doc, block, offset);
    }
    if in_code_block(doc, offset) {
        return Vec::new();
    }
    if let Some(items) = section_items(text, doc, config, offset) {
        return items;
    }
    if let Some(cell) = cell_at(text, doc, offset) {
        return cell_items(text, doc, config, &cell, offset);
    }
    if let Some((field, part)) = label_at(text, doc, offset) {
        return field_items(text, doc, config, Field::Threat(field), part, offset);
    }
    new_item_ids(text, doc, offset)
}

fn in_code_block(doc: &Document, offset: usize) -> bool {
    doc.blocks.iter().any(|b| {
        matches!(b, crate::document::Block::Code(c) if c.range.start < offset && offset < c.range.end)
    })
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn cell_items(
    text: &str,
    doc: &Document,
    config: &Config,
    cell: &CellAt,
    offset: usize,
) -> Vec<CompletionItem> {
    let Some(field) = cell.field else {
        return Vec::new();
    };
    let part = part_at(text, cell.content, offset);
    match field {
        Field::Threat(ThreatField::Id)
        | Field::Asset(AssetField::Id)
        | Field::Mitigation(MitigationField::Id) => next_id_items(doc, cell.kind, cell.content),
        Field::Threat(ThreatField::Description) => vec![statement_item(offset)],
        _ => field_items(text, doc, config, field, part, offset),
    }
}

/// The values a field of a threat row (cell or `Label:`) or an inventory row takes.
fn field_items(
    text: &str,
    doc: &Document,
    config: &Config,
    field: Field,
    part: TextRange,
    offset: usize,
) -> Vec<CompletionItem> {
    let _ = text;
    match field {
        Field::Threat(ThreatField::Category) => config
            .methodology()
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut item = if writes_letters(doc) {
                    CompletionItem::new(c.letter.to_string(), CompletionKind::Category, part)
                        .detail(format!("{} · {}", c.name, c.property))
                } else {
                    CompletionItem::new(&c.name, CompletionKind::Category, part)
                        .detail(format!("{} · {}", c.letter, c.property))
                }
                .sort(i);
                if let Some(q) = c.questions.first() {
                    item = item.doc(q.clone());
                }
                item
            })
            .collect(),
        Field::Threat(ThreatField::Target) => doc
            .assets
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let class = a
                    .classification
                    .as_ref()
                    .filter(|c| !c.value.is_empty())
                    .map(|c| format!(" ({})", c.value))
                    .unwrap_or_default();
                match &a.id {
                    Some(id) => CompletionItem::new(&id.value, CompletionKind::Asset, part)
                        .detail(format!("{}{class}", a.name.value)),
                    None => CompletionItem::new(&a.name.value, CompletionKind::Asset, part)
                        .detail(format!("asset{class}")),
                }
                .sort(i)
            })
            .collect(),
        Field::Threat(ThreatField::Severity) => config
            .severity_scale
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let word = if writes_lowercase_severities(doc) {
                    s.clone()
                } else {
                    capitalized(s)
                };
                let mut item = CompletionItem::new(word, CompletionKind::Value, part).sort(i);
                if let Some(days) = config.remediation_days(s) {
                    item = item.detail(format!("fix within {days} days"));
                }
                if let Some(m) = editor().severity.get(s) {
                    item = item.doc(m.clone());
                }
                item
            })
            .collect(),
        Field::Threat(ThreatField::Status) | Field::Mitigation(MitigationField::Status) => [
            ("Open", "open"),
            ("In progress", "in_progress"),
            ("Mitigated", "mitigated"),
            ("Accepted", "accepted"),
            ("Transferred", "transferred"),
            ("Not applicable", "not_applicable"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (label, id))| {
            let mut item = CompletionItem::new(*label, CompletionKind::Value, part).sort(i);
            if let Some(m) = editor().status.get(*id) {
                item = item.doc(m.clone());
            }
            item
        })
        .collect(),
        Field::Asset(AssetField::Classification) => config
            .classification_scale
            .iter()
            .enumerate()
            .map(|(i, c)| {
                CompletionItem::new(c, CompletionKind::Value, part)
                    .detail("classification")
                    .sort(i)
            })
            .collect(),
        Field::Threat(ThreatField::Mitigation) => doc
            .mitigations
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let id = m.id.as_ref()?;
                Some(
                    CompletionItem::new(&id.value, CompletionKind::Mitigation, part)
                        .detail(excerpt(&m.text.value, 60))
                        .sort(i),
                )
            })
            .collect(),
        Field::Mitigation(MitigationField::Threats) => doc
            .threats
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let id = t.id.as_ref()?;
                let desc = t.description.as_ref().map_or("", |d| d.value.as_str());
                Some(
                    CompletionItem::new(&id.value, CompletionKind::Threat, part)
                        .detail(excerpt(desc, 60))
                        .sort(i),
                )
            })
            .collect(),
        Field::Threat(ThreatField::Description) => vec![statement_item(offset)],
        _ => Vec::new(),
    }
}

/// Whether the doc's threat tables name categories by letter (`S`, `T/I`): completions
/// keep the doc's style.
fn writes_letters(doc: &Document) -> bool {
    let mut cells = doc
        .threats
        .iter()
        .filter(|t| t.shape == crate::document::ThreatShape::Table)
        .filter_map(|t| t.category_cell.as_ref())
        .map(|c| c.value.trim())
        .filter(|v| !v.is_empty())
        .peekable();
    cells.peek().is_some()
        && cells.all(|v| {
            v.chars().all(|ch| {
                ch.is_whitespace()
                    || super::context::is_part_separator(ch)
                    || (ch.is_ascii_uppercase()
                        && crate::stride::StrideCategory::from_letter(ch).is_some())
            })
        })
}

/// Whether every severity the doc writes is lowercase (`high`): completions follow.
fn writes_lowercase_severities(doc: &Document) -> bool {
    let mut written = doc
        .threats
        .iter()
        .filter_map(|t| t.severity.as_ref())
        .map(|s| s.value.trim())
        .filter(|v| !v.is_empty())
        .peekable();
    written.peek().is_some() && written.all(|v| v.chars().all(|c| !c.is_uppercase()))
}

/// The threat-statement pattern as a snippet, inserted at the cursor.
fn statement_item(offset: usize) -> CompletionItem {
    let s = &editor().threat_statement;
    let mut item = CompletionItem::new(&s.label, CompletionKind::Snippet, TextRange::empty(offset))
        .detail("who, with what access, can do what, leading to what, on which asset")
        .doc(s.documentation.clone());
    item.insert_text = s.snippet.clone();
    item.is_snippet = true;
    item
}

fn next_id_items(doc: &Document, kind: TableKind, replace: TextRange) -> Vec<CompletionItem> {
    let (id, what, ck) = match kind {
        TableKind::Threats => (
            next_free_id(
                doc.threats
                    .iter()
                    .filter_map(|t| t.id.as_ref().map(|i| i.value.as_str())),
                "T",
            ),
            "next free threat id",
            CompletionKind::Threat,
        ),
        TableKind::Assets => (
            doc.assets.next_id(),
            "next free asset id",
            CompletionKind::Asset,
        ),
        TableKind::Mitigations => (
            doc.mitigations.next_id(),
            "next free mitigation id",
            CompletionKind::Mitigation,
        ),
    };
    let _ = ck;
    vec![CompletionItem::new(id, CompletionKind::Id, replace).detail(what)]
}

/// `- ` or `- **T` at the start of a list item in the threats, assets or mitigations
/// section: the next free id of that list.
fn new_item_ids(text: &str, doc: &Document, offset: usize) -> Vec<CompletionItem> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?([A-Za-z]*-?\d*)$")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let line = line_at(text, offset);
    let Some(m) = re
        .captures(&text[line.start..offset])
        .and_then(|c| c.get(1))
    else {
        return Vec::new();
    };
    let replace = TextRange::new(line.start + m.start(), offset);
    let mut i = crate::document::sections::innermost_at(&doc.sections, offset);
    while let Some(s) = i.and_then(|i| doc.sections.get(i)) {
        let kind = match s.kind {
            Some(SectionKind::Assets) => TableKind::Assets,
            Some(SectionKind::Mitigations) => TableKind::Mitigations,
            Some(SectionKind::Threats) => TableKind::Threats,
            _ => {
                i = s.parent;
                continue;
            }
        };
        return next_id_items(doc, kind, replace);
    }
    Vec::new()
}

/// `#`, `##`, `### Th` at a line start: the threat-model section skeletons.
fn section_items(
    text: &str,
    doc: &Document,
    config: &Config,
    offset: usize,
) -> Option<Vec<CompletionItem>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(#{1,6})(?:[ \t]+[^#\n]*)?$").unwrap_or_else(|e| panic!("{e}"))
    });
    let line = line_at(text, offset);
    if !text[offset..line.end].trim().is_empty() {
        return None;
    }
    let hashes = re
        .captures(&text[line.start..offset])?
        .get(1)?
        .as_str()
        .to_string();
    let nl = crate::rules::edits::eol(text);
    let t = templates();
    let m = config.methodology();
    let mut items = Vec::new();
    let sub_hashes = format!("{hashes}#");
    if doc.threat_model.is_none() && hashes.len() < 6 {
        let heading = t.threat_model_heading.trim_start_matches('#').trim();
        let mut body = format!("{hashes} {heading}\n");
        for kind in SectionKind::REQUIRED
            .into_iter()
            .chain([SectionKind::Review])
        {
            if doc.section_index(kind).is_none()
                && let Some(s) = t.subsection(kind.id(), &sub_hashes, m)
            {
                body.push('\n');
                body.push_str(&s);
            }
        }
        // The label starts with the hashes typed, so the editor's filter (the text from
        // the start of the replaced range to the cursor) matches it.
        let mut item = CompletionItem::new(format!("{hashes} {heading}"), CompletionKind::Section, line)
            .detail("the whole threat-model skeleton")
            .doc("Scope, diagram, assets, a threat row per STRIDE category, mitigations and review: each with a question to answer.")
            .sort(0);
        item.insert_text = body.trim_end_matches('\n').replace('\n', nl);
        items.push(item);
    }
    for (i, kind) in SectionKind::REQUIRED
        .into_iter()
        .chain([SectionKind::Review])
        .enumerate()
    {
        let Some(body) = t.subsection(kind.id(), &hashes, m) else {
            continue;
        };
        let label = body.lines().next().unwrap_or("").trim().to_string();
        let missing = doc.section_index(kind).is_none();
        let mut item = CompletionItem::new(label, CompletionKind::Section, line)
            .detail(if missing {
                format!("{} skeleton (this doc has none yet)", kind.label())
            } else {
                format!("{} skeleton", kind.label())
            })
            .sort(if missing { 1 + i } else { 10 + i });
        item.insert_text = body.trim_end_matches('\n').replace('\n', nl);
        items.push(item);
    }
    Some(items)
}

fn element_items(text: &str, doc: &Document, block: usize, offset: usize) -> Vec<CompletionItem> {
    let Some(diagram) = doc.diagrams.iter().find(|d| d.block == block) else {
        return Vec::new();
    };
    let replace = word_at(text, offset, |c| c.is_alphanumeric() || c == '_')
        .filter(|r| r.end == offset)
        .unwrap_or(TextRange::empty(offset));
    diagram
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            CompletionItem::new(&e.id, CompletionKind::Element, replace)
                .detail(format!("{} — {}", e.label, e.kind.name()))
                .sort(i)
        })
        .collect()
}

fn front_matter_items(text: &str, doc: &Document, offset: usize) -> Option<Vec<CompletionItem>> {
    let fm = doc.front_matter.as_ref()?;
    let first_line = line_at(text, fm.range.start);
    let line = line_at(text, offset);
    if offset <= first_line.end || offset >= fm.range.end || line.slice(text).trim() == "---" {
        return None;
    }
    let prefix = &text[line.start..offset];
    let knowledge = &editor().front_matter;
    if let Some(colon) = prefix.find(':') {
        let key = prefix[..colon].trim();
        let values = &knowledge.iter().find(|k| k.key == key)?.values;
        let replace = word_at(text, offset, |c| !c.is_whitespace())
            .filter(|r| r.start > line.start + colon)
            .unwrap_or(TextRange::empty(offset));
        return Some(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| CompletionItem::new(v, CompletionKind::Value, replace).sort(i))
                .collect(),
        );
    }
    if prefix.starts_with([' ', '\t', '-']) {
        return Some(Vec::new());
    }
    // Read from the lines too: while a key is being typed the YAML may not parse.
    let written: Vec<&str> = fm
        .range
        .slice(text)
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim_end()))
        .collect();
    Some(
        knowledge
            .iter()
            .enumerate()
            .filter(|(_, k)| fm.key(&k.key).is_none() && !written.contains(&k.key.as_str()))
            .map(|(i, k)| {
                let mut item = CompletionItem::new(
                    &k.key,
                    CompletionKind::FrontMatterKey,
                    TextRange::new(line.start, offset),
                )
                .detail(k.detail.clone())
                .doc(k.documentation.clone())
                .sort(i);
                item.insert_text = format!("{}: ", k.key);
                item
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Source, analyze};

    const DOC: &str = super::super::navigation::tests::DOC;

    fn complete(text: &str, offset: usize) -> Vec<CompletionItem> {
        let config = Config::default();
        let a = analyze(
            Source {
                path: "docs/design/x.md",
                text,
            },
            &config,
            jiff::civil::date(2026, 11, 23),
        );
        completions(&a, text, &config, offset)
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    /// The threats table of `DOC` with a row being typed after it.
    fn typing(row: &str) -> String {
        let end = DOC.find("\n\n- **T3**").unwrap_or(0) + 1;
        format!("{}{row}{}", &DOC[..end], &DOC[end..])
    }

    #[test]
    fn severity_cell_lists_the_config_scale() {
        let at = DOC.find("| High |").unwrap_or(0) + 4;
        let items = complete(DOC, at);
        assert_eq!(
            labels(&items),
            ["Critical", "High", "Medium", "Low", "Informational"]
        );
        assert_eq!(items[1].detail.as_deref(), Some("fix within 30 days"));
        assert_eq!(items[1].replace.slice(DOC), "High");
    }

    #[test]
    fn a_row_being_typed_gets_categories_then_assets() {
        let text = typing("| T5 | ");
        let at = text.find("| T5 | ").unwrap_or(0) + 7;
        let items = complete(&text, at);
        assert_eq!(labels(&items)[..2], ["S", "T"], "the table writes letters");
        assert!(items[0].replace.is_empty() && items[0].replace.start == at);
        assert_eq!(
            items[0].documentation.as_deref(),
            Some("What stops a caller from pretending to be another user or service?")
        );
        let text = typing("| T5 | S | A");
        let at = text.find("| A\n").unwrap_or(0) + 3;
        let items = complete(&text, at);
        assert_eq!(labels(&items), ["A1", "A2"]);
        assert_eq!(
            items[0].detail.as_deref(),
            Some("Orders replica (confidential)")
        );
        assert_eq!(items[0].replace.slice(&text), "A");
    }

    #[test]
    fn id_cells_and_new_rows_get_the_next_free_id() {
        let text = typing("| ");
        let at = text.find("| \n- **T3**").unwrap_or(0) + 2;
        let items = complete(&text, at);
        assert_eq!(labels(&items), ["T4"]);
        let at = DOC.find("- M2:").unwrap_or(0)
            + DOC[DOC.find("- M2:").unwrap_or(0)..]
                .find('\n')
                .unwrap_or(0);
        let text = format!("{}\n- M{}", &DOC[..at], &DOC[at..]);
        let items = complete(&text, at + 4);
        assert_eq!(labels(&items), ["M3"]);
        assert_eq!(items[0].replace.slice(&text), "M");
    }

    #[test]
    fn description_cell_offers_the_threat_statement() {
        let text = typing("| T5 | S | A1 | ");
        let at = text.find("| A1 | \n").unwrap_or(0) + 7;
        let items = complete(&text, at);
        assert_eq!(items.len(), 1);
        assert!(items[0].is_snippet);
        assert_eq!(
            items[0].insert_text,
            "A ${1:threat source} with ${2:prerequisites} can ${3:action}, leading to ${4:impact} on ${5:asset}"
        );
    }

    #[test]
    fn mitigation_status_and_label_lines() {
        let at = DOC.find("| M2 |").unwrap_or(0) + 4;
        let items = complete(DOC, at);
        assert_eq!(labels(&items), ["M1", "M2"]);
        let at = DOC.find("| Mitigated |").unwrap_or(0) + 4;
        assert_eq!(labels(&complete(DOC, at))[2], "Mitigated");
        let at = DOC.find("Mitigation: M1.").unwrap_or(0) + 13;
        assert_eq!(labels(&complete(DOC, at)), ["M1", "M2"]);
        let at = DOC.find("(Low)").unwrap_or(0) + 2;
        assert_eq!(labels(&complete(DOC, at))[0], "Critical");
    }

    #[test]
    fn values_follow_the_docs_own_style() {
        let text = DOC
            .replace("| High |", "| high |")
            .replace("| Medium |", "| medium |")
            .replace("(Low)", "(low)");
        let at = text.find("| high |").unwrap_or(0) + 4;
        assert_eq!(labels(&complete(&text, at))[1], "high");
        // `DOC` writes its categories as letters.
        let at = DOC.find("| T |").unwrap_or(0) + 3;
        let items = complete(DOC, at);
        assert_eq!(labels(&items), ["S", "T", "R", "I", "D", "E"]);
        assert_eq!(items[1].detail.as_deref(), Some("Tampering · integrity"));
        let named = DOC.replace("| T1 | I |", "| T1 | Info disclosure |");
        let at = named.find("| T |").unwrap_or(0) + 3;
        assert_eq!(labels(&complete(&named, at))[1], "Tampering");
    }

    #[test]
    fn classification_cell_in_the_inventory() {
        let at = DOC.find("| confidential |").unwrap_or(0) + 4;
        assert_eq!(
            labels(&complete(DOC, at)),
            ["public", "internal", "confidential", "restricted"]
        );
    }

    #[test]
    fn section_snippets_after_hashes() {
        let text = "# Design\n\n## Overview\n\nStuff.\n\n##";
        let items = complete(text, text.len());
        assert_eq!(items[0].label, "## Threat model");
        assert!(
            items[0]
                .insert_text
                .starts_with("## Threat model\n\n### Scope\n")
        );
        assert!(items[0].insert_text.contains("| T1 | Spoofing |"));
        let threats = items
            .iter()
            .find(|i| i.label == "## Threats")
            .unwrap_or_else(|| panic!("no threats"));
        assert!(
            threats
                .insert_text
                .starts_with("## Threats\n\n| ID | STRIDE |")
        );
        assert_eq!(threats.replace.slice(text), "##");
        // Not in the middle of a heading's text.
        assert!(complete(text, text.find("## Overview").unwrap_or(0) + 4).is_empty());
    }

    #[test]
    fn front_matter_keys_and_values() {
        let text = "---\ntitle: X\nsta\n---\n\n# X\n";
        let items = complete(text, text.find("sta\n").unwrap_or(0) + 3);
        assert!(
            !labels(&items).contains(&"title"),
            "present keys are not offered again"
        );
        let status = items
            .iter()
            .find(|i| i.label == "status")
            .unwrap_or_else(|| panic!("no status"));
        assert_eq!(status.insert_text, "status: ");
        assert_eq!(status.replace.slice(text), "sta");
        let text = "---\nstatus: \n---\n\n# X\n";
        let items = complete(text, text.find("status: ").unwrap_or(0) + 8);
        assert_eq!(labels(&items), ["draft", "in-review", "approved"]);
    }
}

#[cfg(test)]
mod diagram_tests {
    use super::*;
    use crate::ide::symbols::tests::{analysis, example};

    #[test]
    fn node_ids_inside_a_mermaid_block() {
        let text = example("push-notifications.md");
        let at = text.find("  notifier -->|push").unwrap_or(0) + 2;
        let text = format!("{}not\n{}", &text[..at], &text[at..]);
        let a = analysis(&text);
        let items = completions(&a, &text, &Config::default(), at + 3);
        let ids: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert!(
            ids.contains(&"notifier") && ids.contains(&"tokens"),
            "{ids:?}"
        );
        let notifier = items
            .iter()
            .find(|i| i.label == "notifier")
            .unwrap_or_else(|| panic!("no notifier"));
        assert_eq!(notifier.detail.as_deref(), Some("Notifier — process"));
        assert_eq!(notifier.replace.slice(&text), "not");
    }
}
