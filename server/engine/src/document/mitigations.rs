//! The mitigations section (SPEC §4.4): a list or table of countermeasures with ids.

use super::assets::{item_content, next_free_id};
use super::columns::{MitigationField, map_header, mitigation_field};
use super::ids::{clean_ref, is_threat_id, leading_mitigation_id};
use super::markdown::Block;
use super::{Document, SectionKind};
use crate::span::{Spanned, TextRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mitigation {
    pub id: Option<Spanned<String>>,
    pub text: Spanned<String>,
    /// Threat ids this mitigation says it addresses.
    pub threats: Vec<Spanned<String>>,
    pub range: TextRange,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MitigationList {
    pub items: Vec<Mitigation>,
    /// Whether the entries are table rows (else list items).
    pub table: bool,
    /// The columns of the mitigations table, when it is one.
    pub columns: Vec<Option<MitigationField>>,
    /// Where a new entry goes: just past the last one.
    pub append_at: Option<usize>,
    /// Index into `Document::sections` of the mitigations section.
    pub section: Option<usize>,
}

impl MitigationList {
    pub fn find(&self, id: &str) -> Option<&Mitigation> {
        let key = super::ids::match_key(id);
        self.items.iter().find(|m| {
            m.id.as_ref()
                .is_some_and(|i| super::ids::has_match_key(&i.value, &key))
        })
    }

    pub fn next_id(&self) -> String {
        next_free_id(
            self.items
                .iter()
                .filter_map(|m| m.id.as_ref().map(|i| i.value.as_str())),
            "M",
        )
    }
}

pub fn read(text: &str, doc: &Document) -> MitigationList {
    let mut list = MitigationList::default();
    let Some(index) = doc.section_index(SectionKind::Mitigations) else {
        return list;
    };
    list.section = Some(index);
    let Some(section) = doc.sections.get(index) else {
        return list;
    };
    for block in doc.blocks_in(section.body) {
        match block {
            Block::ListItem(item) if item.depth == 0 => {
                let (content, base) = item_content(text, item.range);
                let id = leading_mitigation_id(content).map(|r| {
                    Spanned::new(
                        content[r.clone()].to_string(),
                        TextRange::new(base + r.start, base + r.end),
                    )
                });
                let body_start = id.as_ref().map_or(base, |i| i.range.end);
                let body = TextRange::new(body_start, item.range.end);
                let body_text = body
                    .slice(text)
                    .trim_start_matches(['*', '`', ':', ' ', '.', '—', '-']);
                list.items.push(Mitigation {
                    id,
                    text: Spanned::new(body_text.trim().to_string(), body),
                    threats: threat_refs(text, body),
                    range: item.range,
                });
                list.append_at = Some(after_line(text, item.range.end));
            }
            Block::Table(t) => {
                let header: Vec<String> = t.header.cells.iter().map(|c| c.text.clone()).collect();
                let columns = map_header(&header, mitigation_field);
                if !columns.contains(&Some(MitigationField::Text))
                    && !columns.contains(&Some(MitigationField::Id))
                {
                    continue;
                }
                list.table = true;
                if list.columns.is_empty() {
                    list.columns = columns.clone();
                }
                for row in &t.rows {
                    let mut m = Mitigation {
                        id: None,
                        text: Spanned::new(String::new(), row.range),
                        threats: Vec::new(),
                        range: row.range,
                    };
                    for (cell, field) in row.cells.iter().zip(&columns) {
                        match field {
                            Some(MitigationField::Id) if !cell.text.is_empty() => {
                                m.id = Some(Spanned::new(
                                    clean_ref(&cell.text).0.to_string(),
                                    cell.range,
                                ))
                            }
                            Some(MitigationField::Text) => {
                                m.text = Spanned::new(cell.text.clone(), cell.range)
                            }
                            Some(MitigationField::Threats) => {
                                m.threats = threat_refs(text, cell.range)
                            }
                            _ => {}
                        }
                    }
                    list.items.push(m);
                }
                list.append_at = Some(after_line(text, t.range.end));
            }
            _ => {}
        }
    }
    list
}

/// Threat ids mentioned in `range` (`T1`, `TH-2`), for dangling-reference checks.
fn threat_refs(text: &str, range: TextRange) -> Vec<Spanned<String>> {
    let slice = range.slice(text);
    let mut out = Vec::new();
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/');
    let mut word_start = None;
    for (i, c) in slice
        .char_indices()
        .chain(std::iter::once((slice.len(), ' ')))
    {
        match (is_sep(c), word_start) {
            (true, Some(start)) => {
                let word = &slice[start..i];
                let (clean, lead) = clean_ref(word);
                if !clean.is_empty() && is_threat_id(clean) {
                    let at = range.start + start + lead;
                    out.push(Spanned::new(
                        clean.to_string(),
                        TextRange::new(at, at + clean.len()),
                    ));
                }
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    out
}

fn after_line(text: &str, offset: usize) -> usize {
    match text.get(offset..).and_then(|r| r.find('\n')) {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn list_items_with_ids() {
        let text = "# D\n\n## Threat model\n\n### Mitigations\n\n- M1: Step-up auth for T1.\n- **M-2** Keys encrypted\n- unnumbered control\n";
        let doc = Document::parse(text, &Config::default());
        let ids: Vec<Option<&str>> = doc
            .mitigations
            .items
            .iter()
            .map(|m| m.id.as_ref().map(|i| i.value.as_str()))
            .collect();
        assert_eq!(ids, [Some("M1"), Some("M-2"), None]);
        assert_eq!(doc.mitigations.items[0].text.value, "Step-up auth for T1.");
        assert_eq!(doc.mitigations.items[0].threats[0].range.slice(text), "T1");
        assert!(doc.mitigations.find("m1").is_some());
        assert_eq!(doc.mitigations.next_id(), "M-3");
        assert_eq!(doc.mitigations.append_at, Some(text.len()));
    }

    #[test]
    fn references_after_multibyte_spaces_keep_exact_ranges() {
        let text =
            "# D\n\n## Threat model\n\n### Mitigations\n\n- M1 covers\u{a0}T7 and \u{3000}T8.\n";
        let doc = Document::parse(text, &Config::default());
        let refs: Vec<&str> = doc.mitigations.items[0]
            .threats
            .iter()
            .map(|r| r.range.slice(text))
            .collect();
        assert_eq!(refs, ["T7", "T8"]);
    }
}
