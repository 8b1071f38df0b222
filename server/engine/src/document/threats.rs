//! Threats in the three shapes real teams write (SPEC §4.3): tables, heading form
//! (STRIDE category sections with threat sub-headings) and list form.

use super::assets::item_content;
use super::columns::{ThreatField, map_header, threat_field};
use super::ids::{clean_ref, leading_threat_id, threat_id_category};
use super::markdown::{Block, Table};
use super::sections::Section;
use super::{Document, SectionKind};
use crate::config::Config;
use crate::span::{Spanned, TextRange};
use crate::stride::{StrideCategory, parse_category_cell, split_parts};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreatShape {
    Table,
    Heading,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threat {
    pub shape: ThreatShape,
    /// Where row-level findings go: the table row, the heading line or the list item.
    pub range: TextRange,
    /// Everything that belongs to the threat (a heading's whole section).
    pub extent: TextRange,
    pub id: Option<Spanned<String>>,
    pub categories: Vec<StrideCategory>,
    /// The category text as written (table cell or `[…]`), for TM021 and completion.
    pub category_cell: Option<Spanned<String>>,
    /// Parts of the category text that name no STRIDE category.
    pub unknown_categories: Vec<Spanned<String>>,
    /// Each target reference (asset id or name), cleaned of punctuation.
    pub targets: Vec<Spanned<String>>,
    pub target_cell: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    /// `Some` with an empty value for an empty table cell, so fixes can fill it.
    pub severity: Option<Spanned<String>>,
    pub mitigation: Option<Spanned<String>>,
    pub status: Option<Spanned<String>>,
    pub ticket: Option<Spanned<String>>,
}

impl Threat {
    fn new(shape: ThreatShape, range: TextRange, extent: TextRange) -> Threat {
        Threat {
            shape,
            range,
            extent,
            id: None,
            categories: Vec::new(),
            category_cell: None,
            unknown_categories: Vec::new(),
            targets: Vec::new(),
            target_cell: None,
            description: None,
            severity: None,
            mitigation: None,
            status: None,
            ticket: None,
        }
    }

    fn add_categories(&mut self, cats: &[StrideCategory]) {
        for c in cats {
            if !self.categories.contains(c) {
                self.categories.push(*c);
            }
        }
    }

    /// Sets a field from a table cell, a `Label: value` line or a list-form part.
    fn set(&mut self, field: ThreatField, value: Spanned<String>, text: &str) {
        match field {
            ThreatField::Id => {
                if self.id.is_none() && !value.value.is_empty() {
                    let (clean, lead) = clean_ref(&value.value);
                    let start = value.range.start + lead;
                    self.id = Some(Spanned::new(
                        clean.to_string(),
                        TextRange::new(start, start + clean.len()),
                    ));
                }
            }
            ThreatField::Category => {
                let raw = value.range.slice(text);
                let parsed = parse_category_cell(raw);
                self.add_categories(&parsed.categories);
                for (part, r) in parsed.unknown {
                    let (clean, lead) = clean_ref(&part);
                    let start = value.range.start
                        + r.start
                        + (raw[r.clone()].len() - raw[r.clone()].trim_start().len())
                        + lead;
                    self.unknown_categories.push(Spanned::new(
                        clean.to_string(),
                        TextRange::new(start, start + clean.len()),
                    ));
                }
                self.category_cell.get_or_insert(value);
            }
            ThreatField::Target => {
                self.targets.extend(split_targets(text, value.range));
                self.target_cell.get_or_insert(value);
            }
            ThreatField::Description => {
                self.description.get_or_insert(value);
            }
            ThreatField::Severity => {
                self.severity.get_or_insert(value);
            }
            ThreatField::Mitigation => match &mut self.mitigation {
                // Several mitigation labels in one threat: keep the first range, join the text.
                Some(m) if !value.value.is_empty() => {
                    if m.value.is_empty() {
                        *m = value;
                    } else {
                        m.value.push_str("; ");
                        m.value.push_str(&value.value);
                    }
                }
                Some(_) => {}
                None => self.mitigation = Some(value),
            },
            ThreatField::Status => {
                self.status.get_or_insert(value);
            }
            ThreatField::Ticket => {
                self.ticket.get_or_insert(value);
            }
        }
    }

    fn has_mitigation(&self) -> bool {
        self.mitigation
            .as_ref()
            .is_some_and(|m| !m.value.trim().is_empty())
    }
}

/// Splits a target cell into references with exact ranges.
fn split_targets(text: &str, range: TextRange) -> Vec<Spanned<String>> {
    let raw = range.slice(text);
    split_parts(raw)
        .into_iter()
        .filter_map(|(part, r)| {
            let (clean, lead) = clean_ref(part);
            if clean.is_empty() {
                return None;
            }
            let start = range.start + r.start + lead;
            Some(Spanned::new(
                clean.to_string(),
                TextRange::new(start, start + clean.len()),
            ))
        })
        .collect()
}

/// Reads every threat of the document, in document order.
pub fn read(text: &str, doc: &Document, config: &Config) -> Vec<Threat> {
    let Some(region_index) = doc.threat_region_index() else {
        return Vec::new();
    };
    let Some(region) = doc.sections.get(region_index) else {
        return Vec::new();
    };
    let reader = Reader {
        text,
        doc,
        config,
        region: region.range,
        region_index,
    };
    let mut threats = reader.heading_form();
    threats.extend(reader.tables_and_lists(&threats));
    threats.sort_by_key(|t| t.range.start);
    threats
}

struct Reader<'a> {
    text: &'a str,
    doc: &'a Document,
    config: &'a Config,
    region: TextRange,
    region_index: usize,
}

impl Reader<'_> {
    /// Sections inside the region that are not threats (assets, scope, mitigations …).
    fn excluded(&self, offset: usize) -> bool {
        self.doc.sections.iter().enumerate().any(|(i, s)| {
            i != self.region_index
                && self.region.covers(s.range)
                && s.range.contains(offset)
                && matches!(
                    s.kind,
                    Some(
                        SectionKind::Assets
                            | SectionKind::Mitigations
                            | SectionKind::Scope
                            | SectionKind::Review
                            | SectionKind::Diagram
                    )
                )
        })
    }

    fn in_region(&self, s: &Section) -> bool {
        self.region.covers(s.range) && s.range != self.region
    }

    /// The categories of the innermost category section enclosing section `i` (itself
    /// included), with that section's index.
    fn category_context(&self, mut i: usize) -> Option<(usize, &[StrideCategory])> {
        loop {
            let s = self.doc.sections.get(i)?;
            if !self.in_region(s) {
                return None;
            }
            if !s.categories.is_empty() {
                return Some((i, &s.categories));
            }
            i = s.parent?;
        }
    }

    /// Heading-form threats, with mitigations from mitigations sub-headings and labels.
    fn heading_form(&self) -> Vec<Threat> {
        let mut threats: Vec<Threat> = Vec::new();
        // For each threat: the section index it came from.
        let mut origin: Vec<usize> = Vec::new();
        let sections = &self.doc.sections;
        for (i, s) in sections.iter().enumerate() {
            if !self.in_region(s) || self.excluded(s.heading_range.start) || s.kind.is_some() {
                continue;
            }
            if !s.categories.is_empty() {
                // A category section: a container. Its direct content is read below.
                threats.extend(
                    self.category_body(i)
                        .into_iter()
                        .inspect(|_| origin.push(i)),
                );
                continue;
            }
            if s.mitigations_heading {
                self.attach_mitigations_heading(i, &mut threats, &origin);
                continue;
            }
            let heading = &self.doc.headings[s.heading];
            let id_range = leading_threat_id(&heading.text);
            let parent_is_category = s
                .parent
                .and_then(|p| sections.get(p))
                .is_some_and(|p| !p.categories.is_empty());
            let parent_is_threat = s.parent.is_some_and(|p| origin.contains(&p));
            let is_threat = id_range.is_some()
                || (!parent_is_threat
                    && (parent_is_category
                        || s.leading_category.is_some()
                        || self.names_its_category(i)));
            if !is_threat {
                continue;
            }
            let mut t = Threat::new(ThreatShape::Heading, s.heading_range, s.range);
            let raw_heading = s.heading_range.slice(self.text);
            if let Some(r) = leading_threat_id(raw_heading.trim_start_matches(['#', ' '])) {
                let lead = raw_heading.len() - raw_heading.trim_start_matches(['#', ' ']).len();
                let start = s.heading_range.start + lead + r.start;
                let id = &raw_heading[lead + r.start..lead + r.end];
                t.id = Some(Spanned::new(
                    id.to_string(),
                    TextRange::new(start, start + id.len()),
                ));
            }
            if let Some((_, cats)) = s.parent.and_then(|p| self.category_context(p)) {
                t.add_categories(cats);
            } else {
                if let Some(c) = t.id.as_ref().and_then(|id| threat_id_category(&id.value)) {
                    t.add_categories(&[c]);
                }
                if let Some(c) = s.leading_category {
                    t.add_categories(&[c]);
                }
            }
            if let Some(sev) = heading_severity(self.text, s.heading_range, self.config) {
                t.severity = Some(sev);
            }
            self.read_threat_body(&mut t, i);
            threats.push(t);
            origin.push(i);
        }
        threats
    }

    /// The content of a threat heading's own body: `Label: value` lines, its description
    /// paragraph, and lists under a mitigations label.
    fn read_threat_body(&self, t: &mut Threat, section_index: usize) {
        let s = &self.doc.sections[section_index];
        let body = self.doc.own_body(section_index);
        // The field a label with no value (`Mitigations:`, `**Scenario**`) opens for the
        // blocks after it; `Some(None)` for a label that is no field (its blocks are
        // skipped, not taken for the description).
        let mut pending: Option<Option<ThreatField>> = None;
        for block in self.doc.blocks_in(body) {
            match block {
                Block::Paragraph(p) if !p.in_list_item => {
                    let raw = p.range.slice(self.text);
                    if let Some(label) = bold_only_label(raw) {
                        pending = Some(label_field(label));
                        continue;
                    }
                    let fields = label_lines(self.text, p.range);
                    if fields.is_empty() {
                        let prose = Spanned::new(raw.trim().to_string(), p.range);
                        match pending.take() {
                            // `**Impact**` prose is not a severity; only a scale word is.
                            Some(Some(ThreatField::Severity)) => {
                                if is_severity_like(&prose.value, self.config) {
                                    t.set(ThreatField::Severity, prose, self.text);
                                }
                            }
                            Some(Some(field)) => t.set(field, prose, self.text),
                            Some(None) => {}
                            None => {
                                if t.description.is_none() {
                                    t.description = Some(prose);
                                }
                            }
                        }
                        continue;
                    }
                    pending = None;
                    for (field, value) in fields {
                        if value.value.is_empty() {
                            pending = Some(Some(field));
                        } else {
                            t.set(field, value, self.text);
                        }
                    }
                }
                Block::ListItem(item) => {
                    let (content, base) = item_content(self.text, item.range);
                    let value = Spanned::new(
                        content.trim().to_string(),
                        TextRange::new(base, base + content.trim_end().len()),
                    );
                    if item.depth == 0 {
                        // `* Category: Tampering`, `* Possible Mitigation Strategies:`.
                        if let Some((label, rest)) = bullet_label(content) {
                            match label_field(label) {
                                Some(field) if rest.trim().is_empty() => {
                                    pending = Some(Some(field))
                                }
                                Some(field) => {
                                    let lead = content.len() - rest.len();
                                    let v = rest.trim();
                                    let start =
                                        base + lead + (rest.len() - rest.trim_start().len());
                                    t.set(
                                        field,
                                        Spanned::new(
                                            v.to_string(),
                                            TextRange::new(start, start + v.len()),
                                        ),
                                        self.text,
                                    );
                                    pending = None;
                                }
                                None => pending = Some(None),
                            }
                            continue;
                        }
                    }
                    match pending {
                        Some(Some(field)) => t.set(field, value, self.text),
                        Some(None) => {}
                        None if item.depth == 0 && t.description.is_none() => {
                            t.description = Some(value)
                        }
                        None => {}
                    }
                }
                _ => {}
            }
        }
        if t.description.is_none() {
            let h = &self.doc.headings[s.heading];
            let title = match leading_threat_id(&h.text) {
                Some(r) => h.text[r.end..]
                    .trim_start_matches([' ', '-', '—', '–', ':', '.'])
                    .to_string(),
                None => h.text.clone(),
            };
            t.description = Some(Spanned::new(title, s.heading_range));
        }
    }

    /// Whether a heading's own body gives a `Category:` field (a line or a bullet), which
    /// makes the heading a threat wherever it stands in the threat model.
    fn names_its_category(&self, section_index: usize) -> bool {
        let body = self.doc.own_body(section_index);
        self.doc.blocks_in(body).any(|b| match b {
            Block::Paragraph(p) => label_lines(self.text, p.range)
                .iter()
                .any(|(f, _)| *f == ThreatField::Category),
            Block::ListItem(item) if item.depth == 0 => {
                let (content, _) = item_content(self.text, item.range);
                bullet_label(content)
                    .is_some_and(|(label, _)| threat_field(label) == Some(ThreatField::Category))
            }
            _ => false,
        })
    }

    /// A mitigations sub-heading: the threat with the id it names, else the threat whose
    /// section holds it or that comes before it; as the last sub-heading of a category
    /// section, every threat of that section.
    fn attach_mitigations_heading(&self, i: usize, threats: &mut [Threat], origin: &[usize]) {
        let s = &self.doc.sections[i];
        let body = self.doc.own_body(i);
        let content = body.slice(self.text).trim();
        if content.is_empty() {
            return;
        }
        let value = Spanned::new(content.to_string(), body);
        let heading = &self.doc.headings[s.heading];
        if let Some(r) = leading_threat_id(&heading.text) {
            let id = super::ids::match_key(&heading.text[r]);
            if let Some(t) = threats.iter_mut().find(|t| {
                t.id.as_ref()
                    .is_some_and(|x| super::ids::match_key(&x.value) == id)
            }) {
                t.set(ThreatField::Mitigation, value, self.text);
                return;
            }
        }
        let parent = s.parent;
        let closes_category = parent.is_some_and(|p| {
            !self.doc.sections[p].categories.is_empty()
                && self.doc.sections[p].range.end == s.range.end
        });
        if closes_category {
            let p = parent.unwrap_or(usize::MAX);
            let members: Vec<usize> = (0..threats.len())
                .filter(|&k| {
                    origin.get(k) == Some(&p)
                        || self
                            .doc
                            .sections
                            .get(origin[k])
                            .is_some_and(|o| o.parent == Some(p))
                })
                .collect();
            if members.len() > 1 {
                for k in members {
                    threats[k].set(ThreatField::Mitigation, value.clone(), self.text);
                }
                return;
            }
        }
        // The threat whose section holds this heading, else the nearest one before it.
        if let Some(t) = threats
            .iter_mut()
            .rev()
            .find(|t| t.extent.start < s.range.start)
        {
            t.set(ThreatField::Mitigation, value, self.text);
        }
    }

    /// The direct content of a category section (before its first sub-heading): tables,
    /// lists under `Risks:`/`Threats:` labels, lists under mitigations labels; or, when it
    /// holds only prose, one threat.
    fn category_body(&self, i: usize) -> Vec<Threat> {
        let s = &self.doc.sections[i];
        let has_children = self.doc.own_body(i).end < s.range.end;
        let body = self.doc.own_body(i);
        let mut out: Vec<Threat> = Vec::new();
        // Mitigation items under a label, with the number of threats there were then: a
        // list after a labelled threat (`**Threat:** …` then `**Mitigation:**`) is that
        // threat's; a list closing the section is every threat's.
        let mut mitigations: Vec<(Spanned<String>, Option<usize>)> = Vec::new();
        let mut label: Option<ListLabel> = None;
        let mut prose: Vec<TextRange> = Vec::new();
        // Fields seen before any threat of this section (for the prose threat).
        let mut pending: Vec<(ThreatField, Spanned<String>)> = Vec::new();
        // The threat that `Label: value` paragraphs and bullets currently fill.
        let mut labelled: Option<usize> = None;
        let mut structured = has_children;
        let mut previous_item_threat: Option<usize> = None;
        for block in self.doc.blocks_in(body) {
            match block {
                Block::Paragraph(p) if !p.in_list_item => {
                    previous_item_threat = None;
                    let raw = p.range.slice(self.text);
                    label = list_label(raw);
                    if label.is_some() || super::not_applicable::is_statement(raw) {
                        continue;
                    }
                    let fields = label_lines(self.text, p.range);
                    if fields.is_empty() {
                        prose.push(p.range);
                        continue;
                    }
                    for (field, value) in fields {
                        self.apply_label(
                            s,
                            field,
                            value,
                            p.range,
                            &mut out,
                            &mut labelled,
                            &mut pending,
                            &mut label,
                        );
                    }
                    if labelled.is_some() {
                        structured = true;
                    }
                }
                Block::Table(t) => {
                    let rows = self.table_rows(t, &s.categories);
                    structured |= !rows.is_empty();
                    out.extend(rows);
                }
                Block::ListItem(item) if item.depth == 0 => {
                    let (content, base) = item_content(self.text, item.range);
                    if super::not_applicable::is_statement(content) {
                        continue;
                    }
                    let content_range = TextRange::new(base, item.range.end);
                    if label == Some(ListLabel::Mitigations) {
                        let owner = labelled.map(|_| out.len());
                        mitigations.push((
                            Spanned::new(content.trim().to_string(), content_range),
                            owner,
                        ));
                        continue;
                    }
                    let fields = label_lines(self.text, content_range);
                    if let Some((field, _)) = fields.first()
                        && label_first(content)
                    {
                        // `- **Threat:** …`, `- **Mitigation:** …`: fields of one threat;
                        // labels that are no field (`**Application to X:**`) are skipped.
                        let _ = field;
                        for (field, value) in fields {
                            self.apply_label(
                                s,
                                field,
                                value,
                                item.range,
                                &mut out,
                                &mut labelled,
                                &mut pending,
                                &mut label,
                            );
                        }
                        structured |= labelled.is_some();
                        continue;
                    }
                    if label_first(content) {
                        continue;
                    }
                    // `- Threat-01-S: title` then `- the statement…`: one threat.
                    if let Some(prev) = previous_item_threat
                        && leading_threat_id(content).is_none()
                        && !content.trim_start().starts_with('[')
                        && let Some(t) = out.get_mut(prev)
                    {
                        let start = t.description.as_ref().map_or(base, |d| d.range.start);
                        let joined = match &t.description {
                            Some(d) => format!("{} — {}", d.value, content.trim()),
                            None => content.trim().to_string(),
                        };
                        t.description =
                            Some(Spanned::new(joined, TextRange::new(start, item.range.end)));
                        t.extent = TextRange::new(t.extent.start, item.range.end);
                        previous_item_threat = None;
                        continue;
                    }
                    // Under a category, any item is a threat: it needs no id or brackets.
                    let Some(mut t) = self.list_item_threat(item.range, false) else {
                        continue;
                    };
                    structured = true;
                    t.add_categories(&s.categories);
                    previous_item_threat = t.id.is_some().then_some(out.len());
                    out.push(t);
                }
                _ => {}
            }
        }
        if !structured && !prose.is_empty() {
            let mut t = Threat::new(ThreatShape::Heading, s.heading_range, s.range);
            t.add_categories(&s.categories);
            let first = prose[0];
            let last = prose[prose.len() - 1];
            let range = TextRange::new(first.start, last.end);
            t.description = Some(Spanned::new(
                range.slice(self.text).trim().to_string(),
                range,
            ));
            for (field, value) in pending {
                t.set(field, value, self.text);
            }
            if let Some(sev) = heading_severity(self.text, s.heading_range, self.config) {
                t.severity = Some(sev);
            }
            out.push(t);
        }
        let shared: Vec<&Spanned<String>> = mitigations
            .iter()
            .filter(|(_, owner)| owner.is_none())
            .map(|(m, _)| m)
            .collect();
        for (m, owner) in &mitigations {
            if let Some(t) = owner
                .and_then(|n| n.checked_sub(1))
                .and_then(|k| out.get_mut(k))
            {
                t.set(ThreatField::Mitigation, m.clone(), self.text);
            }
        }
        if let (Some(first), Some(last)) = (shared.first(), shared.last()) {
            let joined = shared
                .iter()
                .map(|m| m.value.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let range = TextRange::new(first.range.start, last.range.end);
            for t in &mut out {
                if !t.has_mitigation() {
                    t.set(
                        ThreatField::Mitigation,
                        Spanned::new(joined.clone(), range),
                        self.text,
                    );
                }
            }
        }
        out
    }

    /// One `Label: value` inside a category section: a description label starts a new
    /// threat; other fields fill the current one (or wait for the prose threat); an
    /// empty mitigation label introduces a list.
    #[allow(clippy::too_many_arguments)]
    fn apply_label(
        &self,
        s: &Section,
        field: ThreatField,
        value: Spanned<String>,
        range: TextRange,
        out: &mut Vec<Threat>,
        labelled: &mut Option<usize>,
        pending: &mut Vec<(ThreatField, Spanned<String>)>,
        label: &mut Option<ListLabel>,
    ) {
        if value.value.is_empty() {
            if field == ThreatField::Mitigation {
                *label = Some(ListLabel::Mitigations);
            }
            return;
        }
        if field == ThreatField::Description {
            let mut t = Threat::new(ThreatShape::List, range, range);
            t.add_categories(&s.categories);
            t.set(field, value, self.text);
            *labelled = Some(out.len());
            out.push(t);
            return;
        }
        match labelled.and_then(|k| out.get_mut(k)) {
            Some(t) => {
                t.extent = TextRange::new(t.extent.start, range.end.max(t.extent.end));
                t.set(field, value, self.text);
            }
            None => pending.push((field, value)),
        }
    }

    /// Threat tables and list-form items outside category sections and threat headings.
    fn tables_and_lists(&self, heading_threats: &[Threat]) -> Vec<Threat> {
        let mut out = Vec::new();
        let inside_heading_threat = |offset: usize| {
            heading_threats
                .iter()
                .any(|t| t.shape == ThreatShape::Heading && t.extent.contains(offset))
        };
        let in_category = |offset: usize| {
            self.doc
                .sections
                .iter()
                .any(|s| !s.categories.is_empty() && self.in_region(s) && s.range.contains(offset))
        };
        for block in self.doc.blocks_in(self.region) {
            let at = block.range().start;
            if self.excluded(at) || inside_heading_threat(at) || in_category(at) {
                continue;
            }
            match block {
                Block::Table(t) => out.extend(self.table_rows(t, &[])),
                Block::ListItem(item) if item.depth == 0 => {
                    if let Some(t) = self.list_threat(item.range) {
                        out.push(t);
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn table_rows(&self, t: &Table, default_categories: &[StrideCategory]) -> Vec<Threat> {
        let header: Vec<String> = t.header.cells.iter().map(|c| c.text.clone()).collect();
        let columns = map_header(&header, threat_field);
        let is_threat_table = columns.contains(&Some(ThreatField::Description))
            || columns.contains(&Some(ThreatField::Category));
        if !is_threat_table {
            return self.matrix_rows(t);
        }
        let mut out = Vec::new();
        for row in &t.rows {
            let mut threat = Threat::new(ThreatShape::Table, row.range, row.range);
            for (cell, field) in row.cells.iter().zip(&columns) {
                if let Some(field) = field {
                    threat.set(
                        *field,
                        Spanned::new(cell.text.trim().to_string(), cell.range),
                        self.text,
                    );
                }
            }
            // Columns the row lacks (a short row) still get an empty cell for fixes.
            if threat.categories.is_empty() {
                threat.add_categories(default_categories);
                if let Some(c) = threat
                    .id
                    .as_ref()
                    .and_then(|id| threat_id_category(&id.value))
                {
                    threat.add_categories(&[c]);
                }
            }
            let empty_row = row.cells.iter().all(|c| c.text.trim().is_empty());
            if !empty_row {
                out.push(threat);
            }
        }
        out
    }

    /// A STRIDE-by-component matrix: each row a category (first cell), each further
    /// column an element (header), each non-empty cell a threat against that element.
    fn matrix_rows(&self, t: &Table) -> Vec<Threat> {
        let row_categories: Vec<Vec<StrideCategory>> = t
            .rows
            .iter()
            .map(|r| {
                let first = r.cells.first().map_or("", |c| c.text.as_str());
                let parsed = parse_category_cell(first);
                if parsed.unknown.is_empty() {
                    parsed.categories
                } else {
                    Vec::new()
                }
            })
            .collect();
        if t.rows.is_empty() || t.header.cells.len() < 2 || row_categories.iter().any(Vec::is_empty)
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (row, cats) in t.rows.iter().zip(&row_categories) {
            for (cell, head) in row.cells.iter().zip(&t.header.cells).skip(1) {
                if cell.text.trim().is_empty() {
                    continue;
                }
                let mut threat = Threat::new(ThreatShape::Table, cell.range, cell.range);
                threat.add_categories(cats);
                threat.description = Some(Spanned::new(cell.text.trim().to_string(), cell.range));
                if !head.text.trim().is_empty() {
                    threat
                        .targets
                        .push(Spanned::new(head.text.trim().to_string(), head.range));
                    threat.target_cell =
                        Some(Spanned::new(head.text.trim().to_string(), head.range));
                }
                out.push(threat);
            }
        }
        out
    }

    /// `- **T4** [Tampering, Info disclosure] (High) on A1 — … Mitigation: M2. Ticket: SEC-9.`
    /// An item is a threat when it carries a threat id or a category in brackets.
    fn list_threat(&self, range: TextRange) -> Option<Threat> {
        self.list_item_threat(range, true)
    }

    /// Reads a list item as a threat. With `needs_marker`, only an item carrying a threat
    /// id or bracketed categories is one.
    fn list_item_threat(&self, range: TextRange, needs_marker: bool) -> Option<Threat> {
        let (content, base) = item_content(self.text, range);
        if content.trim().is_empty() {
            return None;
        }
        let mut t = Threat::new(ThreatShape::List, range, range);
        let mut pos = 0usize;
        if let Some(r) = leading_threat_id(content) {
            t.id = Some(Spanned::new(
                content[r.clone()].to_string(),
                TextRange::new(base + r.start, base + r.end),
            ));
            pos = r.end;
            pos += content[pos..].len()
                - content[pos..]
                    .trim_start_matches(['*', '_', '`', ':', '.', ' ', '\t'])
                    .len();
        }
        let skip_ws = |p: usize| p + (content[p..].len() - content[p..].trim_start().len());
        pos = skip_ws(pos);
        // `[Tampering]` holds categories; `[text](#anchor)` is a link.
        if content[pos..].starts_with('[')
            && let Some(close) = content[pos..].find(']')
            && !content[pos + close + 1..].starts_with('(')
        {
            let inner = TextRange::new(base + pos + 1, base + pos + close);
            t.set(
                ThreatField::Category,
                Spanned::new(inner.slice(self.text).trim().to_string(), inner),
                self.text,
            );
            pos = skip_ws(pos + close + 1);
        }
        if needs_marker && t.id.is_none() && t.category_cell.is_none() {
            return None;
        }
        if t.categories.is_empty()
            && let Some(c) = t.id.as_ref().and_then(|id| threat_id_category(&id.value))
        {
            t.add_categories(&[c]);
        }
        if content[pos..].starts_with('(')
            && let Some(close) = content[pos..].find(')')
        {
            let inner = &content[pos + 1..pos + close];
            if is_severity_like(inner, self.config) {
                let r = TextRange::new(base + pos + 1, base + pos + close);
                t.severity = Some(Spanned::new(inner.trim().to_string(), r));
                pos = skip_ws(pos + close + 1);
            }
        }
        let rest = &content[pos..];
        let dash = [" — ", " – ", " - "]
            .iter()
            .filter_map(|d| rest.find(d).map(|i| (i, d.len())))
            .min();
        let mut desc_start = pos;
        if let Some(after_on) = rest.strip_prefix("on ") {
            let end = dash.map_or(rest.len(), |(i, _)| i);
            let targets = TextRange::new(base + pos + 3, base + pos + end.max(3));
            let _ = after_on;
            t.set(
                ThreatField::Target,
                Spanned::new(targets.slice(self.text).trim().to_string(), targets),
                self.text,
            );
            desc_start = pos + dash.map_or(rest.len(), |(i, len)| i + len);
        } else if let Some((i, len)) = dash
            && rest[..i].trim().is_empty()
        {
            desc_start = pos + i + len;
        }
        desc_start = skip_ws(desc_start.min(content.len()));
        let fields = inline_fields(&content[desc_start..]);
        let desc_end = fields.first().map_or(content.len(), |(_, label_start, _)| {
            desc_start + label_start
        });
        let desc = content[desc_start..desc_end].trim();
        if !desc.is_empty() {
            let start = base + desc_start;
            t.description = Some(Spanned::new(
                desc.to_string(),
                TextRange::new(start, start + desc.len()),
            ));
        }
        for (field, _, value) in fields {
            let start = base + desc_start + value.start;
            let raw = &content[desc_start + value.start..desc_start + value.end];
            t.set(
                field,
                Spanned::new(raw.to_string(), TextRange::new(start, start + raw.len())),
                self.text,
            );
        }
        Some(t)
    }
}

/// `**Scenario**` or `__Mitigation__` alone on a line (a colon after it allowed): the
/// label.
fn bold_only_label(paragraph: &str) -> Option<&str> {
    let p = paragraph.trim().trim_end_matches(':');
    let inner = p
        .strip_prefix("**")
        .and_then(|r| r.strip_suffix("**"))
        .or_else(|| p.strip_prefix("__").and_then(|r| r.strip_suffix("__")))?;
    let inner = inner.trim().trim_end_matches(':').trim();
    (!inner.is_empty() && !inner.contains(['*', '\n']) && inner.split_whitespace().count() <= 4)
        .then_some(inner)
}

/// The threat field a label names: a column alias, or a mitigations label
/// (`Recommended mitigations`, `Possible Mitigation Strategies`).
fn label_field(label: &str) -> Option<ThreatField> {
    threat_field(label).or_else(|| {
        super::sections::is_mitigations_heading(label).then_some(ThreatField::Mitigation)
    })
}

/// A list item opening with a label and a colon: `(label, the rest after the colon)`.
fn bullet_label(content: &str) -> Option<(&str, &str)> {
    if !label_first(content) {
        return None;
    }
    let colon = content.find(':')?;
    let label = content[..colon].trim().trim_matches(['*', '_']).trim();
    let rest = content[colon + 1..].trim_start_matches(['*', '_']);
    Some((label, rest))
}

/// Whether list-item content opens with a `Label:` (bold or plain, a few words).
fn label_first(content: &str) -> bool {
    let c = content.trim_start();
    let head: String = c.chars().take(60).collect();
    let Some(colon) = head.find(':') else {
        return false;
    };
    let label = head[..colon].trim_matches(['*', '_', ' ']);
    !label.is_empty()
        && !super::ids::is_threat_id(label)
        && label.split_whitespace().count() <= 5
        && label
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, ' ' | '/' | '-' | '#'))
        && (c.starts_with("**") || c.starts_with("__") || label_field(label).is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListLabel {
    Threats,
    Mitigations,
}

/// A paragraph that is a label introducing a list: `Risks:`, `**Threats:**`,
/// `Mitigations:`, `Recommended mitigations:`.
fn list_label(paragraph: &str) -> Option<ListLabel> {
    let p = paragraph.trim().trim_matches(['*', '_']).trim();
    let label = p
        .strip_suffix(':')
        .or_else(|| p.strip_suffix(":**"))
        .unwrap_or(p);
    let label = label.trim_matches(['*', '_', ':', ' ']).to_lowercase();
    if label.contains('\n') || label.split_whitespace().count() > 4 {
        return None;
    }
    match label.as_str() {
        "risks" | "threats" | "risk" | "threat" | "attack scenarios" | "scenarios" => {
            Some(ListLabel::Threats)
        }
        l if super::sections::is_mitigations_heading(l) => Some(ListLabel::Mitigations),
        _ => None,
    }
}

fn label_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[ \t>]*(?:\*\*|__)?([A-Za-z][A-Za-z #/]{0,30}?)[ \t]*(?:(?:\*\*|__)[ \t]*:|:[ \t]*(?:\*\*|__)|:)[ \t]*(.*)$")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `Label: value` lines of a paragraph whose label is a threat field alias, each with
/// its value (trimmed, markup-free range).
fn label_lines(text: &str, range: TextRange) -> Vec<(ThreatField, Spanned<String>)> {
    let mut out = Vec::new();
    let slice = range.slice(text);
    let mut line_start = 0;
    for line in slice.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(caps) = label_re().captures(body)
            && let (Some(label), Some(value)) = (caps.get(1), caps.get(2))
            && let Some(field) = threat_field(label.as_str())
        {
            let v = value.as_str().trim_end();
            let start = range.start + line_start + value.start();
            out.push((
                field,
                Spanned::new(
                    v.trim_end_matches(['*', '_']).to_string(),
                    TextRange::new(start, start + v.len()),
                ),
            ));
        }
        line_start += line.len();
    }
    out
}

fn inline_label_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[.;,—(|]\s+|\s\*\*|^\*\*)(mitigations?|countermeasures?|controls?|response|status|state|decision|tickets?|tracking|jira|issue|link|severity|risk|rating|priority|impact|assets?|targets?|affects|components?|category|categories|stride)(?:\*\*)?\s*:(?:\*\*)?\s*")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Inline `Label: value` fields of a list-form threat: (field, where the label starts,
/// value range), relative to `s`.
fn inline_fields(s: &str) -> Vec<(ThreatField, usize, std::ops::Range<usize>)> {
    let matches: Vec<(ThreatField, usize, usize)> = inline_label_re()
        .captures_iter(s)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let label = c.get(1)?;
            let field = threat_field(label.as_str())?;
            Some((field, label.start(), whole.end()))
        })
        .collect();
    let mut out = Vec::new();
    for (k, (field, label_start, value_start)) in matches.iter().enumerate() {
        let next = matches.get(k + 1).map_or(s.len(), |m| m.1);
        let raw = &s[*value_start..next];
        let trimmed = raw
            .trim_end()
            .trim_end_matches(['.', ';', ',', '*'])
            .trim_end();
        // Drop a trailing opener that belongs to the next label (`(`, `**`).
        out.push((
            *field,
            *label_start,
            *value_start..*value_start + trimmed.len(),
        ));
    }
    out
}

/// A trailing `(High)` on a heading, when it reads as a severity.
fn heading_severity(text: &str, heading: TextRange, config: &Config) -> Option<Spanned<String>> {
    let raw = heading
        .slice(text)
        .trim_end()
        .trim_end_matches(['#', ' ', '*', '_']);
    let inner_end = raw.strip_suffix(')')?.len();
    let open = raw[..inner_end].rfind('(')?;
    let inner = &raw[open + 1..inner_end];
    if !is_severity_like(inner, config) {
        return None;
    }
    let start = heading.start + open + 1;
    Some(Spanned::new(
        inner.trim().to_string(),
        TextRange::new(start, start + inner.len()),
    ))
}

/// A word on the severity scale, or close enough to be a misspelling of one.
fn is_severity_like(s: &str, config: &Config) -> bool {
    let w = s.trim().to_lowercase();
    !w.is_empty()
        && !w.contains(' ')
        && (w == "info"
            || config
                .severity_scale
                .iter()
                .any(|level| *level == w || strsim::damerau_levenshtein(level, &w) <= 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use StrideCategory::*;

    fn threats(md: &str) -> (String, Vec<Threat>) {
        let doc = Document::parse(md, &Config::default());
        (md.to_string(), doc.threats)
    }

    fn field<'a>(text: &'a str, f: &Option<Spanned<String>>) -> Option<&'a str> {
        f.as_ref().map(|s| s.range.slice(text))
    }

    #[test]
    fn table_form_with_multi_category_and_targets() {
        let (text, ts) = threats(
            "# D\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status | Ticket |\n|---|---|---|---|---|---|---|---|\n| T1 | S | A3 | stolen session | High | M1 | Mitigated | INT-201 |\n| T4 | T/I | A5, `A1` | wrong tenant | Critical |  | Open | |\n",
        );
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].shape, ThreatShape::Table);
        assert_eq!(ts[0].categories, vec![Spoofing]);
        assert_eq!(field(&text, &ts[0].id), Some("T1"));
        assert_eq!(field(&text, &ts[0].ticket), Some("INT-201"));
        assert_eq!(ts[1].categories, vec![Tampering, InformationDisclosure]);
        let targets: Vec<&str> = ts[1].targets.iter().map(|t| t.range.slice(&text)).collect();
        assert_eq!(targets, ["A5", "A1"]);
        assert_eq!(
            ts[1].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("")
        );
    }

    #[test]
    fn unknown_categories_keep_their_range() {
        let (text, ts) = threats(
            "# D\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Threat |\n|---|---|---|\n| T1 | Spofing, T | x |\n",
        );
        assert_eq!(ts[0].categories, vec![Tampering]);
        assert_eq!(ts[0].unknown_categories[0].range.slice(&text), "Spofing");
    }

    #[test]
    fn list_form() {
        let (text, ts) = threats(
            "# D\n\n## Threat model\n\n### What can go wrong?\n\n- **T4** [Tampering, Info disclosure] (High) on A1 — a bug overwrites a token. Mitigation: M2. Ticket: SEC-9.\n- Repudiation: not applicable — nothing to deny here at all\n",
        );
        assert_eq!(ts.len(), 1);
        let t = &ts[0];
        assert_eq!(field(&text, &t.id), Some("T4"));
        assert_eq!(t.categories, vec![Tampering, InformationDisclosure]);
        assert_eq!(field(&text, &t.severity), Some("High"));
        assert_eq!(t.targets[0].range.slice(&text), "A1");
        assert_eq!(
            field(&text, &t.description),
            Some("a bug overwrites a token.")
        );
        assert_eq!(field(&text, &t.mitigation), Some("M2"));
        assert_eq!(field(&text, &t.ticket), Some("SEC-9"));
    }

    #[test]
    fn heading_form_with_labels_and_severity() {
        let (text, ts) = threats(
            "# D\n\n## Threat Model (STRIDE)\n\n### Spoofing\n\n#### TH-1 Forged pipeline identity (High)\n\nA workflow in a fork presents a token.\n\nAssets: A3\nStatus: Mitigated\nTicket: SIGN-11\n\nMitigations: allow-list of claims.\n\n### Denial of service\n\n#### TH-5 Flood (Medium)\n\nToo many requests.\n\n**Mitigations:** rate limits.\n",
        );
        assert_eq!(ts.len(), 2);
        let t = &ts[0];
        assert_eq!(t.shape, ThreatShape::Heading);
        assert_eq!(field(&text, &t.id), Some("TH-1"));
        assert_eq!(t.categories, vec![Spoofing]);
        assert_eq!(field(&text, &t.severity), Some("High"));
        assert_eq!(field(&text, &t.status), Some("Mitigated"));
        assert_eq!(t.targets[0].value, "A3");
        assert_eq!(field(&text, &t.mitigation), Some("allow-list of claims."));
        assert_eq!(
            field(&text, &t.description),
            Some("A workflow in a fork presents a token.")
        );
        assert_eq!(ts[1].categories, vec![DenialOfService]);
        assert_eq!(
            ts[1].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("rate limits.")
        );
    }

    #[test]
    fn category_section_with_risks_and_closing_mitigations() {
        let (_, ts) = threats(
            "# D\n\n## Threat model\n\n### Tampering and Repudiation\n\nRisks:\n\n- an operator edits the queue\n- a replayed message\n\nMitigations:\n\n- signed messages\n\n### Elevation of Privilege\n\nA plugin runs with the host's rights and can read every secret.\n",
        );
        assert_eq!(ts.len(), 3);
        assert!(
            ts[..2]
                .iter()
                .all(|t| t.categories == vec![Tampering, Repudiation])
        );
        assert!(ts[..2].iter().all(|t| {
            t.mitigation
                .as_ref()
                .is_some_and(|m| m.value == "signed messages")
        }));
        assert_eq!(ts[2].categories, vec![ElevationOfPrivilege]);
        assert!(
            ts[2]
                .description
                .as_ref()
                .is_some_and(|d| d.value.starts_with("A plugin"))
        );
    }

    #[test]
    fn unlabelled_items_under_a_category_keep_their_fields() {
        let (text, ts) = threats(
            "# D\n\n## Threat model\n\n### Tampering\n\nRisks:\n\n- an operator edits the queue. Mitigation: M1. Ticket: OPS-4.\n\n#### TH-9 Replay (Hihg)\n\nold messages are replayed.\n",
        );
        assert_eq!(field(&text, &ts[0].mitigation), Some("M1"));
        assert_eq!(field(&text, &ts[0].ticket), Some("OPS-4"));
        assert_eq!(
            field(&text, &ts[0].description),
            Some("an operator edits the queue.")
        );
        assert_eq!(field(&text, &ts[1].severity), Some("Hihg"));
    }

    #[test]
    fn labelled_paragraphs_and_bullets_in_category_sections() {
        let (_, ts) = threats(
            "# D\n\n## Threat model\n\n### Spoofing\n\n**Threat:** a rogue node pretends to be a peer.\n\n**Mitigation:**\n\n- mutual TLS between peers\n\n### Tampering\n\n- **Threat:** someone rewrites stored blocks.\n- **Applies to us:** yes.\n- **Mitigation:** object lock.\n\n### Repudiation\n\n- Threat-03-R: Silent deletes\n- An operator deletes rules and later denies it.\n- **T9**: a bold id with a colon still counts\n",
        );
        assert_eq!(ts.len(), 4, "{ts:#?}");
        assert_eq!(ts[0].categories, vec![Spoofing]);
        assert_eq!(
            ts[0].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("mutual TLS between peers")
        );
        assert_eq!(
            ts[1].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("object lock.")
        );
        assert!(
            ts[2]
                .description
                .as_ref()
                .is_some_and(|d| d.value.contains("denies it"))
        );
        assert_eq!(ts[3].id.as_ref().map(|i| i.value.as_str()), Some("T9"));
    }

    #[test]
    fn mitigations_subheadings_attach_to_their_threats() {
        let (_, ts) = threats(
            "# D\n\n## Threat model\n\n### Spoofing\n\n#### Threat-01-S Forged webhook\n\nAn attacker posts a fake webhook.\n\n#### Threat-02-S Stolen key\n\nA leaked key signs requests.\n\n#### Threat-01-S Recommended mitigations\n\nVerify the HMAC.\n\n### Tampering\n\n#### Threat-03-T Supply chain\n\nImage swapped.\n\n#### Mitigations\n\nPin digests.\n",
        );
        assert_eq!(ts.len(), 3);
        assert_eq!(
            ts[0].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("Verify the HMAC.")
        );
        assert!(ts[1].mitigation.is_none());
        assert_eq!(ts[2].categories, vec![Tampering]);
        assert_eq!(
            ts[2].mitigation.as_ref().map(|m| m.value.as_str()),
            Some("Pin digests.")
        );
    }

    #[test]
    fn id_suffix_and_leading_category_outside_category_sections() {
        let (_, ts) = threats(
            "# D\n\n## Threat model\n\n### Threats\n\n#### Threat-03-T - Supply chain attack\n\nx y z\n\n#### Information disclosure via logs\n\nTokens end up in logs.\n",
        );
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].categories, vec![Tampering]);
        assert_eq!(ts[1].categories, vec![InformationDisclosure]);
    }
}
