//! Where an offset stands: in a table cell (and which column), in a mermaid block, in the
//! front matter, after a `Label:`. Cells are read from the text of the row and the lines
//! above it, so a row still being typed (`| T5 | `, which the markdown parser does not yet
//! see as a row) has its column too.

use crate::document::columns::{
    AssetField, MitigationField, ThreatField, asset_field, map_header, mitigation_field,
    threat_field,
};
use crate::document::{Document, SectionKind};
use crate::span::TextRange;
use regex::Regex;
use std::sync::OnceLock;

/// `offset` moved into the text and back onto a character boundary, and off the middle
/// of a `\r\n` (a line end is one unit, as in `LineIndex`).
pub(crate) fn clamp(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    let b = text.as_bytes();
    if o > 0 && b.get(o) == Some(&b'\n') && b[o - 1] == b'\r' {
        o -= 1;
    }
    o
}

/// The line holding `offset`, without its terminator.
pub(crate) fn line_at(text: &str, offset: usize) -> TextRange {
    // `\n`, `\r\n` and a lone `\r` all end a line, as in LSP; the line always holds
    // `offset`, so slicing `start..offset` and `offset..end` is safe.
    let offset = clamp(text, offset);
    // memchr: a table cell's context walks up its table line by line.
    let bytes = text.as_bytes();
    let start = memchr::memrchr2(b'\n', b'\r', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &bytes[offset..]).map_or(text.len(), |i| offset + i);
    TextRange::new(start, end)
}

/// The run of characters satisfying `is_word` around `offset` (a cursor just after a
/// word is on it).
pub(crate) fn word_at(
    text: &str,
    offset: usize,
    is_word: impl Fn(char) -> bool,
) -> Option<TextRange> {
    let offset = clamp(text, offset);
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| TextRange::new(start, end))
}

/// The start of `s` for a one-line label: whitespace collapsed, cut at a word boundary
/// after at most `max` characters, with `…` when cut.
pub(crate) fn excerpt(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max + 1).collect();
    let kept = match cut.rfind(' ') {
        Some(i) if i > 0 => &cut[..i],
        _ => cut.trim_end(),
    };
    format!("{}…", kept.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// What kind of table a cell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Threat(ThreatField),
    Asset(AssetField),
    Mitigation(MitigationField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKind {
    Threats,
    Assets,
    Mitigations,
}

/// A table cell holding an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellAt {
    pub kind: TableKind,
    /// The column's field, when its header names one.
    pub field: Option<Field>,
    /// 0-based column.
    pub column: usize,
    /// Between the pipes, padding trimmed (empty at the cursor for an empty cell).
    pub content: TextRange,
    /// The row's line.
    pub row: TextRange,
}

fn is_row(line: &str) -> bool {
    line.trim_start()
        .trim_start_matches('>')
        .trim_start()
        .starts_with('|')
}

fn is_delimiter(line: &str) -> bool {
    // Every delimiter row holds a `-`; most table rows do not reach the regex.
    if !line.contains('-') {
        return false;
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[\s>]*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
            .unwrap_or_else(|e| panic!("{e}"))
    })
    .is_match(line)
}

/// The offsets of the unescaped pipes of a line (relative to the line).
fn pipes(line: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '\\' => escaped = !escaped,
            '|' if !escaped => out.push(i),
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    out
}

/// The cells of a row line, as ranges relative to the line (the leading pipe dropped).
/// After the last pipe there is always one more, possibly empty, cell: the one a writer
/// types into next.
fn row_cells(line: &str) -> Vec<std::ops::Range<usize>> {
    let p = pipes(line);
    let leading = p
        .first()
        .is_some_and(|&i| line[..i].trim_start_matches([' ', '\t', '>']).is_empty());
    let mut starts: Vec<usize> = Vec::with_capacity(p.len() + 1);
    if !leading {
        starts.push(0);
    }
    starts.extend(p.iter().map(|&i| i + 1));
    starts
        .iter()
        .map(|&start| {
            let end = p
                .iter()
                .copied()
                .find(|&i| i >= start)
                .unwrap_or(line.len());
            start..end
        })
        .collect()
}

/// The section kinds enclosing `offset`, innermost first.
fn enclosing_kinds(doc: &Document, offset: usize) -> Vec<SectionKind> {
    let mut out = Vec::new();
    let mut i = crate::document::sections::innermost_at(&doc.sections, offset);
    while let Some(s) = i.and_then(|i| doc.sections.get(i)) {
        out.extend(s.kind);
        i = s.parent;
    }
    out
}

/// The table cell holding `offset`, read from the text.
pub(crate) fn cell_at(text: &str, doc: &Document, offset: usize) -> Option<CellAt> {
    let offset = clamp(text, offset);
    let row = line_at(text, offset);
    let line = row.slice(text);
    if !is_row(line) || is_delimiter(line) {
        return None;
    }
    // Walk up over the table's lines to its delimiter row; the header is above it.
    let mut cursor = row.start;
    let mut header = None;
    while cursor > 0 {
        let above = line_at(text, cursor - 1);
        let l = above.slice(text);
        if is_delimiter(l) {
            if above.start > 0 {
                let h = line_at(text, above.start - 1);
                if is_row(h.slice(text)) {
                    header = Some(h);
                }
            }
            break;
        }
        if !is_row(l) {
            break;
        }
        cursor = above.start;
    }
    let header = header?;
    let header_text = header.slice(text);
    let header_cells: Vec<String> = row_cells(header_text)
        .into_iter()
        .map(|r| header_text[r].trim().to_string())
        .collect();
    let rel = offset - row.start;
    let cells = row_cells(line);
    let column = cells.iter().position(|r| r.start <= rel && rel <= r.end)?;
    let cell = cells.get(column)?.clone();
    let raw = &line[cell.clone()];
    let lead = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim();
    let content = if trimmed.is_empty() {
        TextRange::empty(offset)
    } else {
        let start = row.start + cell.start + lead;
        TextRange::new(start, start + trimmed.len())
    };
    let kinds = enclosing_kinds(doc, offset);
    let threat_cols = map_header(&header_cells, threat_field);
    let asset_cols = map_header(&header_cells, asset_field);
    let mapped = |cols: &[Option<_>]| cols.iter().filter(|c| c.is_some()).count();
    // Outside a threat model, only a table that plainly is one counts: a README's
    // `| Name | Type |` table is no threat table.
    let threat_table = (threat_cols.contains(&Some(ThreatField::Category))
        || threat_cols.contains(&Some(ThreatField::Description)))
        && (in_threat_region(doc, offset)
            || (doc.threat_region().is_none() && mapped(&threat_cols) >= 3));
    let kind = if kinds.first() == Some(&SectionKind::Assets) {
        TableKind::Assets
    } else if kinds.first() == Some(&SectionKind::Mitigations) {
        TableKind::Mitigations
    } else if threat_table {
        TableKind::Threats
    } else if asset_cols.contains(&Some(AssetField::Name))
        && asset_cols.contains(&Some(AssetField::Classification))
    {
        TableKind::Assets
    } else if in_threat_region(doc, offset) {
        TableKind::Mitigations
    } else {
        return None;
    };
    let field = match kind {
        TableKind::Threats => threat_cols
            .get(column)
            .copied()
            .flatten()
            .map(Field::Threat),
        TableKind::Assets => map_header(&header_cells, asset_field)
            .get(column)
            .copied()
            .flatten()
            .map(Field::Asset),
        TableKind::Mitigations => map_header(&header_cells, mitigation_field)
            .get(column)
            .copied()
            .flatten()
            .map(Field::Mitigation),
    };
    if kind == TableKind::Mitigations
        && field.is_none()
        && !map_header(&header_cells, mitigation_field)
            .iter()
            .any(Option::is_some)
    {
        return None;
    }
    Some(CellAt {
        kind,
        field,
        column,
        content,
        row,
    })
}

/// Separators between the parts of a cell (`T/I`, `A1, A3`).
pub(crate) fn is_part_separator(c: char) -> bool {
    matches!(c, ',' | '/' | '+' | '&' | ';')
}

/// The part of `within` holding `offset`, between separators, whitespace trimmed (empty
/// at the offset when the part is blank).
pub(crate) fn part_at(text: &str, within: TextRange, offset: usize) -> TextRange {
    let offset = clamp(text, offset).clamp(within.start, within.end.max(within.start));
    let slice = within.slice(text);
    let rel = offset - within.start;
    let start = slice[..rel].rfind(is_part_separator).map_or(0, |i| i + 1);
    let end = slice[rel..]
        .find(is_part_separator)
        .map_or(slice.len(), |i| rel + i);
    let part = &slice[start..end];
    let lead = part.len() - part.trim_start().len();
    let s = (start + lead).min(rel);
    let e = (start + part.trim_end().len()).max(rel);
    TextRange::new(within.start + s, within.start + e)
}

/// The mermaid block (index into `Document::mermaid`) whose content holds `offset`.
pub(crate) fn mermaid_at(doc: &Document, offset: usize) -> Option<usize> {
    doc.mermaid.iter().position(|m| {
        m.content
            .iter()
            .any(|r| r.start <= offset && offset <= r.end)
    })
}

/// Whether `offset` lies in the threat model's container, else its threats section.
pub(crate) fn in_threat_region(doc: &Document, offset: usize) -> bool {
    doc.threat_region()
        .is_some_and(|s| s.range.start <= offset && offset <= s.range.end)
}

/// Whether `offset` lies in the threat model: its container, else the threats section,
/// else anywhere when the doc has neither.
pub(crate) fn in_threat_model(doc: &Document, offset: usize) -> bool {
    match doc.threat_region() {
        Some(s) => s.range.start <= offset && offset <= s.range.end,
        None => true,
    }
}

/// A `Label: value` the offset stands in the value of, within one line of the threat model
/// (`Assets: A1`, `Severity: `, `Mitigation: M2` in a list item): the field and the value
/// part at the offset. Also the list-form shapes `[Tampering, ` (categories), `(Hi`
/// (severity) and `on A` (targets).
pub(crate) fn label_at(
    text: &str,
    doc: &Document,
    offset: usize,
) -> Option<(ThreatField, TextRange)> {
    let offset = clamp(text, offset);
    if !in_threat_region(doc, offset) {
        return None;
    }
    let line = line_at(text, offset);
    let prefix = &text[line.start..offset];
    let rest_of_line = &text[offset..line.end];
    let value_end = |stop: &[char]| -> usize {
        offset
            + rest_of_line
                .find(|c: char| stop.contains(&c))
                .unwrap_or(rest_of_line.len())
    };
    static BRACKET: OnceLock<Regex> = OnceLock::new();
    static PAREN: OnceLock<Regex> = OnceLock::new();
    static ON: OnceLock<Regex> = OnceLock::new();
    static LABEL: OnceLock<Regex> = OnceLock::new();
    let re = |cell: &'static OnceLock<Regex>, p: &str| -> &'static Regex {
        cell.get_or_init(|| Regex::new(p).unwrap_or_else(|e| panic!("{e}")))
    };
    let list_item = re(&ON, r"^\s*(?:[-*+]|\d+[.)])\s");
    let is_item = list_item.is_match(prefix);
    if is_item {
        if let Some(m) = re(&BRACKET, r"\[([^\]\[]*)$")
            .captures(prefix)
            .and_then(|c| c.get(1))
        {
            let within = TextRange::new(line.start + m.start(), value_end(&[']']));
            return Some((ThreatField::Category, part_at(text, within, offset)));
        }
        if let Some(m) = re(&PAREN, r"\]\s*\(([A-Za-z]*)$")
            .captures(prefix)
            .and_then(|c| c.get(1))
        {
            let within = TextRange::new(line.start + m.start(), value_end(&[')']));
            return Some((ThreatField::Severity, part_at(text, within, offset)));
        }
    }
    let m = re(
        &LABEL,
        r"(?i)(?:^|[\s(*_>|.;—-])(?:\*\*|__)?([A-Za-z][A-Za-z ]{0,30}?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*([^:.—]*)$|\s(on)\s+([^—–:]*)$",
    )
    .captures(prefix)?;
    let (field, value) = match (m.get(1), m.get(2), m.get(3), m.get(4)) {
        (Some(label), Some(value), _, _) => {
            let field = threat_field(label.as_str()).or_else(|| {
                crate::document::sections::is_mitigations_heading(label.as_str())
                    .then_some(ThreatField::Mitigation)
            })?;
            (field, value)
        }
        (_, _, Some(_), Some(value)) if is_item => (ThreatField::Target, value),
        _ => return None,
    };
    if !matches!(
        field,
        ThreatField::Target
            | ThreatField::Severity
            | ThreatField::Status
            | ThreatField::Mitigation
            | ThreatField::Category
    ) {
        return None;
    }
    let within = TextRange::new(line.start + value.start(), value_end(&['.', '—', '–', '(']));
    Some((field, part_at(text, within, offset)))
}

#[cfg(test)]
mod tests {

    #[test]
    fn lines_end_at_lf_crlf_and_a_lone_cr() {
        for (text, offset, line) in [
            ("\r", 1, ""),
            ("\r", 0, ""),
            ("a\rb", 2, "b"),
            ("a\r\nb", 2, "a"),
            ("a\r\nb", 3, "b"),
            ("ab\n", 1, "ab"),
        ] {
            let r = line_at(text, offset);
            let clamped = clamp(text, offset);
            assert!(
                r.start <= clamped && clamped <= r.end,
                "{text:?} {offset}: {r:?}"
            );
            assert_eq!(r.slice(text), line, "{text:?} {offset}");
        }
    }

    use super::*;
    use crate::config::Config;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("a  short\ntext", 20), "a short text");
        assert_eq!(excerpt("one two three four", 9), "one two…");
        assert_eq!(excerpt("one, two", 4), "one…");
    }

    const THREATS: &str = "# D\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity |\n|----|----|----|----|----|\n| T1 | S | A1 | x | High |\n";

    #[test]
    fn a_cell_of_a_full_row_knows_its_column() {
        let text = THREATS;
        let offset = text.find("| S |").unwrap_or(0);
        let doc = Document::parse(text, &Config::default());
        let cell = cell_at(text, &doc, offset + 2).unwrap_or_else(|| panic!("no cell"));
        assert_eq!(cell.kind, TableKind::Threats);
        assert_eq!(cell.field, Some(Field::Threat(ThreatField::Category)));
        assert_eq!(cell.content.slice(text), "S");
    }

    #[test]
    fn a_row_being_typed_has_columns_too() {
        let text = format!("{THREATS}| T5 | ");
        let doc = Document::parse(&text, &Config::default());
        let cell = cell_at(&text, &doc, text.len()).unwrap_or_else(|| panic!("no cell"));
        assert_eq!(cell.column, 1);
        assert_eq!(cell.field, Some(Field::Threat(ThreatField::Category)));
        assert!(cell.content.is_empty());
        let cell = cell_at(&text, &doc, text.len() - 3).unwrap_or_else(|| panic!("no cell"));
        assert_eq!(cell.field, Some(Field::Threat(ThreatField::Id)));
        assert_eq!(cell.content.slice(&text), "T5");
        // The header and delimiter rows are no cells to fill.
        let header = text.find("| ID").unwrap_or(0) + 2;
        assert!(cell_at(&text, &doc, header).is_none());
    }

    #[test]
    fn tables_and_labels_outside_a_threat_model_are_left_alone() {
        let text = "# Readme\n\n| Name | Type | Description |\n|---|---|---|\n| x | y | z |\n\nStatus: open\n";
        let doc = Document::parse(text, &Config::default());
        assert!(cell_at(text, &doc, text.find("| y").unwrap_or(0) + 2).is_none());
        assert!(label_at(text, &doc, text.find("open").unwrap_or(0) + 2).is_none());
        // A full threat table counts even without a threat-model heading.
        let text =
            "# D\n\n| ID | STRIDE | Asset | Threat |\n|---|---|---|---|\n| T1 | S | A1 | x |\n";
        let doc = Document::parse(text, &Config::default());
        let cell = cell_at(text, &doc, text.find("| S |").unwrap_or(0) + 2);
        assert_eq!(cell.map(|c| c.kind), Some(TableKind::Threats));
    }

    #[test]
    fn parts_and_labels() {
        let text = "T/ Info disclosure , D";
        let r = part_at(text, TextRange::new(0, text.len()), 8);
        assert_eq!(r.slice(text), "Info disclosure");
        let r = part_at(text, TextRange::new(0, text.len()), 1);
        assert_eq!(r.slice(text), "T");
        let text = "T/ , D";
        let r = part_at(text, TextRange::new(0, text.len()), 3);
        assert!(r.is_empty() && r.start == 3);
        let md = "# D\n\n## Threat model\n\n- **T4** [Tampering, Inf] (Hi) on A1, A — x. Mitigation: M2, M\n\nAssets: A3\n";
        let doc = Document::parse(md, &Config::default());
        let f = |m: &str, d: usize| {
            label_at(md, &doc, md.find(m).unwrap_or(0) + d)
                .map(|(f, r)| (f, r.slice(md).to_string()))
        };
        assert_eq!(f("Inf]", 3), Some((ThreatField::Category, "Inf".into())));
        assert_eq!(f("Hi)", 2), Some((ThreatField::Severity, "Hi".into())));
        assert_eq!(f("A —", 1), Some((ThreatField::Target, "A".into())));
        assert_eq!(f("M2, M\n", 5), Some((ThreatField::Mitigation, "M".into())));
        assert_eq!(f("A3", 2), Some((ThreatField::Target, "A3".into())));
    }
}
