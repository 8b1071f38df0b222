//! "Not applicable" statements (SPEC §4.5): a category, or an element and a category,
//! declared out of scope with a reason.

use super::assets::item_content;
use super::markdown::Block;
use super::{Document, SectionKind};
use crate::span::{Spanned, TextRange};
use crate::stride::{StrideCategory, parse_category_cell};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    pub categories: Vec<StrideCategory>,
    /// The diagram element or asset the statement is about, when it names one.
    pub element: Option<Spanned<String>>,
    /// The reason as written; `None` when there is none.
    pub reason: Option<Spanned<String>>,
    /// The list item, table row or paragraph.
    pub range: TextRange,
}

impl NotApplicable {
    /// A reason of fewer than three words does not justify anything (TM023).
    pub fn is_justified(&self) -> bool {
        self.reason
            .as_ref()
            .is_some_and(|r| reason_words(&r.value) >= 3)
    }
}

pub fn reason_words(reason: &str) -> usize {
    reason
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn statement_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?is)^[*_\s]*(?P<head>[^:—–|]+?)[*_\s]*(?::|—|–|\s-\s|\|)[*_\s]*(?P<na>not\s+applicable|n/a|na|out\s+of\s+scope|does\s+not\s+apply)\b[*_]*[.!]?\s*(?:[—–:;,(|-]+\s*)?(?:because\s+)?(?P<reason>.*?)[)\s]*$",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn leading_na_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?is)^[*_\s]*(?:not\s+applicable|n/a|out\s+of\s+scope|does\s+not\s+apply)\b[*_]*[.!:]?\s*(?:[—–:;,(-]+\s*)?(?:because\s+)?(?P<reason>.*?)\s*$")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Whether `s` holds one of the words every not-applicable statement needs. Threat
/// rows and list items are checked against the statement patterns by the thousand, and
/// most say none of these words, which a literal search finds far faster.
fn may_be_statement(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i)not|n/a|na\b|out").unwrap_or_else(|e| panic!("{e}")))
        .is_match(s)
}

/// For prose that opens with "Not applicable" (a category section holding only that):
/// the reason's range within `s`, possibly empty.
pub fn leading_not_applicable(s: &str) -> Option<std::ops::Range<usize>> {
    if !may_be_statement(s) {
        return None;
    }
    let caps = leading_na_re().captures(s)?;
    caps.name("reason").map(|m| m.range())
}

/// Whether `s` is a not-applicable statement rather than a threat.
pub fn is_statement(s: &str) -> bool {
    may_be_statement(s)
        && (leading_na_re().is_match(s)
            || statement_re().captures(s).is_some_and(|c| {
                c.name("head")
                    .is_some_and(|h| !parse_category_cell(h.as_str()).categories.is_empty())
            }))
}

/// Reads `Category: not applicable — reason` from one line of text at `base`.
fn parse_statement(line: &str, base: usize, range: TextRange) -> Option<NotApplicable> {
    if !may_be_statement(line) {
        return None;
    }
    let caps = statement_re().captures(line)?;
    let head = caps.name("head")?;
    let parsed = parse_category_cell(head.as_str());
    if parsed.categories.is_empty() {
        return None;
    }
    let element = if parsed.unknown.is_empty() {
        None
    } else {
        let names: Vec<String> = parsed.unknown.iter().map(|(t, _)| t.clone()).collect();
        let first = &parsed.unknown[0].1;
        let start = base + head.start() + first.start;
        let joined = names.join(" ");
        Some(Spanned::new(
            joined.clone(),
            TextRange::new(start, start + joined.len().min(head.len())),
        ))
    };
    let reason = caps
        .name("reason")
        .filter(|m| !m.as_str().trim().is_empty())
        .map(|m| {
            let v = m.as_str().trim();
            Spanned::new(
                v.to_string(),
                TextRange::new(base + m.start(), base + m.start() + v.len()),
            )
        });
    Some(NotApplicable {
        categories: parsed.categories,
        element,
        reason,
        range,
    })
}

pub fn read(text: &str, doc: &Document) -> Vec<NotApplicable> {
    let Some(region) = doc.threat_region() else {
        return Vec::new();
    };
    let excluded = |offset: usize| {
        doc.sections.iter().any(|s| {
            region.range.covers(s.range)
                && s.range.contains(offset)
                && matches!(
                    s.kind,
                    Some(SectionKind::Mitigations | SectionKind::Assets | SectionKind::Scope)
                )
        })
    };
    let mut out = Vec::new();
    for block in doc.blocks_in(region.range) {
        if excluded(block.range().start) {
            continue;
        }
        match block {
            Block::ListItem(item) => {
                let (content, base) = item_content(text, item.range);
                if let Some(na) = parse_statement(content, base, item.range) {
                    out.push(na);
                }
            }
            Block::Table(t) => {
                for row in &t.rows {
                    if let Some(na) = table_row_statement(text, row) {
                        out.push(na);
                    }
                }
            }
            Block::Paragraph(p) if !p.in_list_item => {
                // A category section whose prose opens with "Not applicable".
                let section = super::sections::innermost_at(&doc.sections, p.range.start)
                    .and_then(|i| doc.sections.get(i));
                if let Some(s) = section.filter(|s| !s.categories.is_empty()) {
                    let raw = p.range.slice(text);
                    if let Some(r) = leading_not_applicable(raw) {
                        let v = raw[r.clone()].trim();
                        let reason = (!v.is_empty()).then(|| {
                            Spanned::new(
                                v.to_string(),
                                TextRange::new(
                                    p.range.start + r.start,
                                    p.range.start + r.start + v.len(),
                                ),
                            )
                        });
                        out.push(NotApplicable {
                            categories: s.categories.clone(),
                            element: None,
                            reason,
                            range: s.heading_range,
                        });
                    } else if let Some(na) = parse_statement(raw, p.range.start, p.range) {
                        out.push(na);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `| Repudiation | N/A | the service keeps no user actions |`: a category cell followed
/// by a not-applicable cell and an optional reason.
fn table_row_statement(text: &str, row: &super::markdown::Row) -> Option<NotApplicable> {
    if !may_be_statement(row.range.slice(text)) {
        return None;
    }
    let cells = &row.cells;
    for (k, cell) in cells.iter().enumerate().take(cells.len().saturating_sub(1)) {
        let parsed = parse_category_cell(cell.range.slice(text));
        if parsed.categories.is_empty() || !parsed.unknown.is_empty() {
            continue;
        }
        let next = &cells[k + 1];
        let raw = next.range.slice(text);
        let r = leading_not_applicable(raw)?;
        let inline = raw[r.clone()].trim();
        let reason = if !inline.is_empty() {
            Some(Spanned::new(
                inline.to_string(),
                TextRange::new(
                    next.range.start + r.start,
                    next.range.start + r.start + inline.len(),
                ),
            ))
        } else {
            cells
                .get(k + 2)
                .filter(|c| !c.text.trim().is_empty())
                .map(|c| Spanned::new(c.text.trim().to_string(), c.range))
        };
        return Some(NotApplicable {
            categories: parsed.categories,
            element: None,
            reason,
            range: row.range,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn list_statements_with_and_without_reason() {
        let text = "# D\n\n## Threat model\n\n### Threats\n\n- Repudiation: not applicable — the service keeps no user-initiated actions.\n- **DoS**: N/A\n- Audit log / Tampering: out of scope (covered by the logging design)\n";
        let doc = Document::parse(text, &Config::default());
        let na = &doc.not_applicable;
        assert_eq!(na.len(), 3);
        assert_eq!(na[0].categories, vec![StrideCategory::Repudiation]);
        assert!(na[0].is_justified());
        assert_eq!(
            na[0].reason.as_ref().map(|r| r.range.slice(text)),
            Some("the service keeps no user-initiated actions.")
        );
        assert_eq!(na[1].categories, vec![StrideCategory::DenialOfService]);
        assert!(!na[1].is_justified());
        assert_eq!(
            na[2].element.as_ref().map(|e| e.value.as_str()),
            Some("Audit log")
        );
        assert!(na[2].is_justified());
    }

    #[test]
    fn table_rows_and_category_prose() {
        let text = "# D\n\n## Threat model\n\n| STRIDE | Applies | Why |\n|---|---|---|\n| R | N/A | nothing is user initiated here |\n\n### Repudiation\n\nNot applicable: there are no user actions to deny.\n";
        let doc = Document::parse(text, &Config::default());
        assert_eq!(doc.not_applicable.len(), 2);
        assert!(doc.not_applicable.iter().all(NotApplicable::is_justified));
    }
}
