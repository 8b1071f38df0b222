//! Edits shared by fixes: add a threat, a mitigation or an asset in the document's own
//! shape; set a front-matter key; pick the closest scale value. Every edit inserts or
//! replaces only its target, never the text around it.

use super::Context;
use crate::document::assets::{InventoryShape, next_free_id};
use crate::document::columns::{
    AssetField, MitigationField, ThreatField, map_header, threat_field,
};
use crate::document::markdown::{Block, Table};
use crate::document::{SectionKind, ThreatShape};
use crate::finding::Edit;
use crate::span::TextRange;
use crate::stride::StrideCategory;

/// A threat to add. `description` is usually a guiding question as a placeholder.
pub struct NewThreat<'a> {
    pub category: Option<StrideCategory>,
    pub target: Option<&'a str>,
    pub description: &'a str,
}

/// The offset just past the line holding `offset` (after its line break).
pub fn after_line(text: &str, offset: usize) -> usize {
    match text.get(offset..).and_then(|r| r.find('\n')) {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// A line break to put before inserted text at `at` when `at` is not at a line start.
fn lead_break(text: &str, at: usize) -> &'static str {
    if at == 0 || text.as_bytes().get(at.wrapping_sub(1)) == Some(&b'\n') {
        ""
    } else {
        "\n"
    }
}

/// The line terminator the document uses (`\n`, `\r\n`, or a lone `\r` as in old Mac
/// files), judged by its first line break, reading only up to it: fixes ask for every
/// finding, and a doc can be large.
pub fn eol(text: &str) -> &'static str {
    match text.find(['\r', '\n']) {
        Some(i) if text.as_bytes()[i] == b'\r' => {
            if text.as_bytes().get(i + 1) == Some(&b'\n') {
                "\r\n"
            } else {
                "\r"
            }
        }
        _ => "\n",
    }
}

/// `##…` for a subsection of the threat model (one level below it; `###` by default).
pub fn subsection_hashes(cx: &Context<'_>) -> String {
    let level = cx
        .doc
        .threat_model
        .and_then(|i| cx.doc.sections.get(i))
        .map_or(2, |s| s.level);
    "#".repeat(usize::from(level.saturating_add(1).min(6)))
}

/// The next free threat id in the document's style.
pub fn next_threat_id(cx: &Context<'_>) -> String {
    next_free_id(
        cx.doc
            .threats
            .iter()
            .filter_map(|t| t.id.as_ref().map(|i| i.value.as_str())),
        "T",
    )
}

/// The table block whose range holds `offset`.
pub fn table_at<'a>(cx: &'a Context<'_>, offset: usize) -> Option<&'a Table> {
    cx.doc.blocks.iter().find_map(|b| match b {
        Block::Table(t) if t.range.start <= offset && offset <= t.range.end => Some(t),
        _ => None,
    })
}

/// Escapes a value for a table cell.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_cell(&mut out, s);
    out
}

/// Appends `s` escaped for a table cell: `|` escaped, line breaks as spaces.
fn push_cell(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// An edit that adds `new` to the threats, in the shape the doc already uses: a row in
/// its threats table, an item in its threat list, or a table in an empty threats section.
/// `None` when the doc has nowhere to put threats (TM002 covers that).
pub fn add_threat(cx: &Context<'_>, new: &NewThreat<'_>) -> Option<Edit> {
    add_threats(cx, std::slice::from_ref(new))
}

/// Like [`add_threat`] for several threats at once (ids are numbered in order).
pub fn add_threats(cx: &Context<'_>, new: &[NewThreat<'_>]) -> Option<Edit> {
    ThreatAppender::new(cx).map(|a| a.edit(new))
}

/// Where and in which shape new threats go, worked out once: TM022 builds a fix for
/// every uncovered element of a diagram, and finding the table, its columns and the
/// next free id each time was most of the rule's cost.
pub struct ThreatAppender {
    nl: &'static str,
    first_id: String,
    at: usize,
    lead: &'static str,
    shape: AppendShape,
}

enum AppendShape {
    /// Rows of the last threats table, its columns in order.
    Table(Vec<Option<ThreatField>>),
    /// Items after the last threat list item.
    List,
    /// Heading form: a category section (`cat`) and a threat heading (`threat`) each.
    Headings { cat: String, threat: String },
    /// A new table at the start of an empty threats section.
    NewTable,
}

impl ThreatAppender {
    pub fn new(cx: &Context<'_>) -> Option<ThreatAppender> {
        let text = cx.text;
        let threats = &cx.doc.threats;
        let last_of = |shape| threats.iter().rev().find(|t| t.shape == shape);
        let (at, shape) = if let Some(last) = last_of(ThreatShape::Table) {
            let table = table_at(cx, last.range.start)?;
            let header: Vec<String> = table.header.cells.iter().map(|c| c.text.clone()).collect();
            (
                after_line(text, table.range.end),
                AppendShape::Table(map_header(&header, threat_field)),
            )
        } else if let Some(last) = last_of(ThreatShape::List) {
            (after_line(text, last.range.end), AppendShape::List)
        } else if threats.iter().any(|t| t.shape == ThreatShape::Heading) {
            // Heading form: a new category section after the last threat section.
            let last_cat = cx
                .doc
                .sections
                .iter()
                .rev()
                .find(|s| !s.categories.is_empty())?;
            let level = usize::from(last_cat.level);
            (
                last_cat.range.end,
                AppendShape::Headings {
                    cat: "#".repeat(level),
                    threat: "#".repeat((level + 1).min(6)),
                },
            )
        } else {
            // An empty threats section: start a table in it.
            let section = cx.doc.section(SectionKind::Threats)?;
            (section.body.start, AppendShape::NewTable)
        };
        Some(ThreatAppender {
            nl: eol(text),
            first_id: next_threat_id(cx),
            at,
            lead: lead_break(text, at),
            shape,
        })
    }

    /// The edit adding `new`, numbered from the doc's next free id.
    pub fn edit(&self, new: &[NewThreat<'_>]) -> Edit {
        let nl = self.nl;
        let ids = successive_ids(&self.first_id, new.len());
        let mut out = String::from(self.lead);
        let threats = new.iter().zip(&ids);
        match &self.shape {
            AppendShape::Table(columns) => {
                // Written straight into `out`: TM022 builds one of these per uncovered
                // element, and a string per cell showed in the profile.
                for (n, id) in threats {
                    out.push('|');
                    if columns.is_empty() {
                        out.push_str("  |");
                    }
                    for f in columns {
                        out.push(' ');
                        match f {
                            Some(ThreatField::Id) => out.push_str(id),
                            Some(ThreatField::Category) => {
                                out.push_str(n.category.map_or("", |c| c.name()));
                            }
                            Some(ThreatField::Target) => {
                                push_cell(&mut out, n.target.unwrap_or(""))
                            }
                            Some(ThreatField::Description) => push_cell(&mut out, n.description),
                            _ => {}
                        }
                        out.push_str(" |");
                    }
                    out.push_str(nl);
                }
            }
            AppendShape::List => {
                for (n, id) in threats {
                    let cat = n
                        .category
                        .map(|c| format!(" [{}]", c.name()))
                        .unwrap_or_default();
                    let on = n.target.map(|t| format!(" on {t}")).unwrap_or_default();
                    out.push_str(&format!("- **{id}**{cat}{on} — {}{nl}", n.description));
                }
            }
            AppendShape::Headings { cat, threat } => {
                for (n, id) in threats {
                    if let Some(c) = n.category {
                        out.push_str(&format!("{nl}{cat} {}{nl}", c.name()));
                    }
                    out.push_str(&format!("{nl}{threat} {id} {}{nl}", n.description));
                    if let Some(t) = n.target {
                        out.push_str(&format!("{nl}Assets: {t}{nl}"));
                    }
                }
                out.push_str(nl);
            }
            AppendShape::NewTable => {
                out.push_str(&format!(
                    "{nl}| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status | Ticket |{nl}|----|--------|-------|--------|----------|------------|--------|--------|{nl}"
                ));
                for (n, id) in threats {
                    let cat = n.category.map(|c| c.name().to_string()).unwrap_or_default();
                    let target = n.target.map(cell).unwrap_or_default();
                    out.push_str(&format!(
                        "| {id} | {cat} | {target} | {} |  |  |  |  |{nl}",
                        cell(n.description)
                    ));
                }
            }
        }
        Edit::insert(self.at, out)
    }
}

/// `first`, then the ids after it in the same style.
fn successive_ids(first: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    let mut current = first.to_string();
    for _ in 0..n {
        ids.push(current.clone());
        current = next_free_id(std::iter::once(current.as_str()), "T");
    }
    ids
}

/// An edit that appends a mitigation entry (`- M7: text`), creating the mitigations
/// section after the threats section when the doc has none. Returns the new id too.
pub fn add_mitigation(cx: &Context<'_>, text_of_mitigation: &str) -> Option<(String, Edit)> {
    let text = cx.text;
    let nl = eol(text);
    let id = cx.doc.mitigations.next_id();
    if let Some(at) = cx.doc.mitigations.append_at {
        let entry = if cx.doc.mitigations.table {
            let cells: Vec<String> = cx
                .doc
                .mitigations
                .columns
                .iter()
                .map(|c| match c {
                    Some(MitigationField::Id) => id.clone(),
                    Some(MitigationField::Text) => cell(text_of_mitigation),
                    _ => String::new(),
                })
                .collect();
            format!("| {} |{nl}", cells.join(" | "))
        } else {
            format!("- {id}: {text_of_mitigation}{nl}")
        };
        return Some((
            id,
            Edit::insert(at, format!("{}{entry}", lead_break(text, at))),
        ));
    }
    let hashes = subsection_hashes(cx);
    let entry = format!("{nl}{hashes} Mitigations{nl}{nl}- {id}: {text_of_mitigation}{nl}");
    let at = if let Some(s) = cx
        .doc
        .mitigations
        .section
        .and_then(|i| cx.doc.sections.get(i))
    {
        return Some((
            id.clone(),
            Edit::insert(
                s.body.start,
                format!("{nl}- {id}: {text_of_mitigation}{nl}"),
            ),
        ));
    } else if let Some(s) = cx.doc.section(SectionKind::Threats) {
        s.range.end
    } else {
        let tm = cx.doc.threat_model.and_then(|i| cx.doc.sections.get(i))?;
        tm.range.end
    };
    Some((
        id,
        Edit::insert(at, format!("{}{entry}", lead_break(text, at))),
    ))
}

/// An edit that appends an asset to the inventory in its shape (a table row matching its
/// columns, or a list item), creating the inventory table when there is none. Returns the
/// new id too.
pub fn add_asset(cx: &Context<'_>, name: &str, kind: &str) -> Option<(String, Edit)> {
    let text = cx.text;
    let nl = eol(text);
    let inv = &cx.doc.assets;
    let id = inv.next_id();
    match (&inv.shape, inv.append_at) {
        (Some(InventoryShape::Table { columns }), Some(at)) => {
            let cells: Vec<String> = columns
                .iter()
                .map(|f| match f {
                    Some(AssetField::Id) => id.clone(),
                    Some(AssetField::Name) => cell(name),
                    Some(AssetField::Kind) => kind.to_string(),
                    Some(AssetField::Classification) => classification_placeholder(cx),
                    _ => String::new(),
                })
                .collect();
            let row = format!("| {} |{nl}", cells.join(" | "));
            Some((
                id,
                Edit::insert(at, format!("{}{row}", lead_break(text, at))),
            ))
        }
        (Some(InventoryShape::List), Some(at)) => {
            let item = format!(
                "- {id} **{name}** ({}) — {kind}{nl}",
                classification_placeholder(cx)
            );
            Some((
                id,
                Edit::insert(at, format!("{}{item}", lead_break(text, at))),
            ))
        }
        _ => {
            let table = format!(
                "{nl}| ID | Asset | Type | Classification |{nl}|----|-------|------|----------------|{nl}| {id} | {} | {kind} | {} |{nl}",
                cell(name),
                classification_placeholder(cx)
            );
            if let Some(s) = inv.section.and_then(|i| cx.doc.sections.get(i)) {
                return Some((id, Edit::insert(s.body.start, table)));
            }
            // No assets section: create one where it belongs in the threat model.
            let hashes = subsection_hashes(cx);
            let at = subsection_insert_at(cx, SectionKind::Assets)?;
            let block = format!("{}{hashes} Assets{nl}{table}{nl}", lead_break(text, at));
            Some((id, Edit::insert(at, block)))
        }
    }
}

/// Where a new subsection of `kind` goes: before the first direct subsection of the
/// threat model that comes later in the order scope, diagram, assets, threats,
/// mitigations, review (a STRIDE category section counts as threats), else at the end of
/// the threat model. `None` without a threat-model section.
pub fn subsection_insert_at(cx: &Context<'_>, kind: SectionKind) -> Option<usize> {
    let rank = |k: SectionKind| {
        SectionKind::REQUIRED
            .iter()
            .chain([&SectionKind::Review])
            .position(|o| *o == k)
    };
    let mine = rank(kind)?;
    let tm_index = cx.doc.threat_model?;
    let tm = cx.doc.sections.get(tm_index)?;
    let later = cx
        .doc
        .sections
        .iter()
        .filter(|s| s.parent == Some(tm_index))
        .find(|s| {
            let r = if s.categories.is_empty() {
                s.kind.and_then(rank)
            } else {
                rank(SectionKind::Threats)
            };
            r.is_some_and(|r| r > mine)
        });
    Some(later.map_or(tm.range.end, |s| s.heading_range.start))
}

/// Inserts a markdown block (ending with a line break) at the line start `at`, with a
/// blank line before and after it, and the document's line endings.
pub fn insert_block(text: &str, at: usize, block: &str) -> Edit {
    let nl = eol(text);
    let before = text.get(..at.min(text.len())).unwrap_or(text);
    let blank = format!("{nl}{nl}");
    let lead = if at == 0 || before.ends_with(&blank) {
        ""
    } else if before.ends_with(nl) {
        nl
    } else {
        blank.as_str()
    };
    // The block may come with `\n` or already in the doc's endings: normalise to `\n`,
    // then write the doc's.
    let body = block.trim_end_matches(['\n', '\r']).replace("\r\n", "\n");
    let body = if nl == "\n" {
        body
    } else {
        body.replace('\n', nl)
    };
    let trail = if at < text.len() {
        format!("{nl}{nl}")
    } else {
        nl.to_string()
    };
    Edit::insert(at, format!("{lead}{body}{trail}"))
}

/// `<public, internal, confidential or restricted?>` from the configured scale: a
/// placeholder with a `?` so renderers show it and TM050 finds it.
pub fn classification_placeholder(cx: &Context<'_>) -> String {
    let scale = &cx.config.classification_scale;
    match scale.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("<{} or {last}?>", rest.join(", ")),
        Some((only, _)) => format!("<{only}?>"),
        None => "<how sensitive is it?>".to_string(),
    }
}

/// An edit that sets a top-level front-matter key: replaces its value, adds the key
/// before the closing `---`, or creates the front matter.
pub fn set_front_matter(
    cx: &Context<'_>,
    key: &str,
    value: &str,
    current: Option<TextRange>,
) -> Edit {
    let nl = eol(cx.text);
    if let Some(range) = current {
        return Edit::replace(range, value);
    }
    match &cx.doc.front_matter {
        Some(fm) => {
            // Before the closing delimiter line.
            let closing = cx.text[..fm.range.end].trim_end_matches(['\n', '\r']);
            let at = closing.rfind('\n').map_or(fm.yaml.end, |i| i + 1);
            Edit::insert(at, format!("{key}: {value}{nl}"))
        }
        None => Edit::insert(0, format!("---{nl}{key}: {value}{nl}---{nl}{nl}")),
    }
}

/// The scale value closest to `word` by edit distance, if close enough to be a misspelling.
pub fn closest<'s>(word: &str, scale: &'s [String]) -> Option<&'s str> {
    let w = word.trim().to_lowercase();
    scale
        .iter()
        .map(|s| (strsim::damerau_levenshtein(&w, s), s))
        .filter(|(d, s)| *d <= (s.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, s)| s.as_str())
}

#[cfg(test)]
mod eol_tests {
    use super::*;

    #[test]
    fn line_endings_follow_the_first_break() {
        assert_eq!(eol("a\nb\r\n"), "\n");
        assert_eq!(eol("a\r\nb\n"), "\r\n");
        assert_eq!(eol("a\rb\rc"), "\r");
        assert_eq!(eol("no break"), "\n");
        assert_eq!(eol(""), "\n");
    }

    #[test]
    fn blocks_keep_cr_only_line_endings() {
        let text = "# A\rtext\r";
        let edit = insert_block(text, text.len(), "## B\n\nbody\n");
        assert!(!edit.new_text.contains('\n'), "{:?}", edit.new_text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_scale_value() {
        let scale: Vec<String> = ["critical", "high", "medium", "low"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("Hgih", &scale), Some("high"));
        assert_eq!(closest("meduim", &scale), Some("medium"));
        assert_eq!(closest("banana", &scale), None);
    }

    #[test]
    fn successive() {
        assert_eq!(successive_ids("T7", 3), ["T7", "T8", "T9"]);
        assert_eq!(successive_ids("TH-3", 2), ["TH-3", "TH-4"]);
    }
}
