//! Go to definition, find references and rename for asset, threat and mitigation ids.
//!
//! A reference is any whole-word mention of the id inside the threat model (inventory
//! rows, table cells, `on A1`, `Mitigation: M2`, `Assets:` lines, prose), matched as the
//! rules match ids (case and dashes ignored: `a-1` is `A1`), plus the diagram nodes whose
//! id is the asset's id (`Element::id_ranges`).

use super::context::{clamp, in_threat_model, mermaid_at, word_at};
use crate::analysis::Analysis;
use crate::diagram::coverage::asset_of;
use crate::document::ids::{has_match_key, is_asset_id, is_mitigation_id, is_threat_id, match_key};
use crate::document::{Block, Document};
use crate::finding::Edit;
use crate::span::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    Asset,
    Threat,
    Mitigation,
}

impl IdKind {
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Asset => "asset",
            IdKind::Threat => "threat",
            IdKind::Mitigation => "mitigation",
        }
    }

    fn with_article(self) -> &'static str {
        match self {
            IdKind::Asset => "an asset",
            IdKind::Threat => "a threat",
            IdKind::Mitigation => "a mitigation",
        }
    }

    fn shapes(self) -> &'static str {
        match self {
            IdKind::Asset => "A1, A-1 or ASSET-1",
            IdKind::Threat => "T1, TH-01 or Threat-03-T",
            IdKind::Mitigation => "M1 or M-1",
        }
    }

    fn matches(self, s: &str) -> bool {
        match self {
            IdKind::Asset => is_asset_id(s),
            IdKind::Threat => is_threat_id(s),
            IdKind::Mitigation => is_mitigation_id(s),
        }
    }
}

/// An id under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdSymbol {
    pub kind: IdKind,
    /// As written at the cursor.
    pub id: String,
    pub range: TextRange,
}

/// Why a rename was refused; `message` is for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError {
    pub message: String,
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenameError {}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn classify(word: &str) -> Option<IdKind> {
    [IdKind::Asset, IdKind::Mitigation, IdKind::Threat]
        .into_iter()
        .find(|k| k.matches(word))
}

/// A word's range without dashes and underscores around it (`A1-->b` in a diagram).
fn trim_word(text: &str, r: TextRange) -> TextRange {
    let s = r.slice(text);
    let lead = s.len() - s.trim_start_matches(['-', '_']).len();
    let kept = s
        .trim_start_matches(['-', '_'])
        .trim_end_matches(['-', '_']);
    TextRange::new(r.start + lead, r.start + lead + kept.len())
}

/// `m5.large` is an instance type, not a reference to M5.
fn continues_as_word(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or("");
    let mut chars = rest.chars();
    matches!(chars.next(), Some('.')) && chars.next().is_some_and(|c| c.is_alphanumeric())
}

/// The definition of an id: the id as written in the inventory row, threat or mitigation.
fn definition_of(text: &str, doc: &Document, kind: IdKind, key: &str) -> Option<TextRange> {
    let found = match kind {
        IdKind::Asset => doc
            .assets
            .assets
            .iter()
            .filter_map(|a| a.id.as_ref())
            .find(|i| has_match_key(&i.value, key)),
        IdKind::Threat => doc
            .threats
            .iter()
            .filter_map(|t| t.id.as_ref())
            .find(|i| has_match_key(&i.value, key)),
        IdKind::Mitigation => doc
            .mitigations
            .items
            .iter()
            .filter_map(|m| m.id.as_ref())
            .find(|i| has_match_key(&i.value, key)),
    }?;
    // A table cell's range may hold markup around the id (`**M1**`).
    if found.range.slice(text) == found.value {
        return Some(found.range);
    }
    let at = found.range.slice(text).find(found.value.as_str())?;
    let start = found.range.start + at;
    Some(TextRange::new(start, start + found.value.len()))
}

/// Every id the document defines, as match keys, with its kind.
fn defined_ids(doc: &Document) -> Vec<(IdKind, String)> {
    let assets = doc
        .assets
        .assets
        .iter()
        .filter_map(|a| a.id.as_ref())
        .map(|i| (IdKind::Asset, match_key(&i.value)));
    let threats = doc
        .threats
        .iter()
        .filter_map(|t| t.id.as_ref())
        .map(|i| (IdKind::Threat, match_key(&i.value)));
    let mitigations = doc
        .mitigations
        .items
        .iter()
        .filter_map(|m| m.id.as_ref())
        .map(|i| (IdKind::Mitigation, match_key(&i.value)));
    assets.chain(threats).chain(mitigations).collect()
}

fn code_blocks(doc: &Document) -> impl Iterator<Item = TextRange> + '_ {
    doc.blocks.iter().filter_map(|b| match b {
        Block::Code(c) => Some(c.range),
        _ => None,
    })
}

/// The asset id a diagram node at `offset` carries, as an id symbol.
fn diagram_symbol(doc: &Document, text: &str, offset: usize) -> Option<IdSymbol> {
    let block = mermaid_at(doc, offset)?;
    let diagram = doc.diagrams.iter().find(|d| d.block == block)?;
    diagram.elements.iter().find_map(|e| {
        let r = e
            .id_ranges
            .iter()
            .find(|r| r.start <= offset && offset <= r.end)?;
        let word = r.slice(text);
        (is_asset_id(word)).then(|| IdSymbol {
            kind: IdKind::Asset,
            id: word.to_string(),
            range: *r,
        })
    })
}

/// The asset, threat or mitigation id at `offset`: one the document defines, or one
/// written inside the threat model (a dangling reference still has references).
pub fn symbol_at(analysis: &Analysis, text: &str, offset: usize) -> Option<IdSymbol> {
    let doc = &analysis.document;
    let offset = clamp(text, offset);
    if mermaid_at(doc, offset).is_some() {
        return diagram_symbol(doc, text, offset);
    }
    if code_blocks(doc).any(|r| r.contains(offset))
        || doc
            .front_matter
            .as_ref()
            .is_some_and(|fm| fm.range.contains(offset))
    {
        return None;
    }
    let range = trim_word(text, word_at(text, offset, is_id_char)?);
    if !(range.start <= offset && offset <= range.end) || continues_as_word(text, range.end) {
        return None;
    }
    let word = range.slice(text);
    let kind = classify(word)?;
    let key = match_key(word);
    let defined = definition_of(text, doc, kind, &key).is_some();
    let written_in_model = doc.threat_region().is_some() && in_threat_model(doc, offset);
    if !(defined || written_in_model) {
        return None;
    }
    Some(IdSymbol {
        kind,
        id: word.to_string(),
        range,
    })
}

/// Where the id at `offset` is defined; for a diagram node that is an inventory asset
/// (by id or label), that asset's row: its id, else its name.
pub fn definition(analysis: &Analysis, text: &str, offset: usize) -> Option<TextRange> {
    let doc = &analysis.document;
    if let Some(sym) = symbol_at(analysis, text, offset) {
        return definition_of(text, doc, sym.kind, &match_key(&sym.id));
    }
    let offset = clamp(text, offset);
    let block = mermaid_at(doc, offset)?;
    let diagram = doc.diagrams.iter().find(|d| d.block == block)?;
    let element = diagram.elements.iter().find(|e| {
        e.id_ranges
            .iter()
            .chain(std::iter::once(&e.range))
            .any(|r| r.start <= offset && offset <= r.end)
    })?;
    let asset = doc.assets.assets.get(asset_of(doc, element)?)?;
    Some(asset.id.as_ref().map_or(asset.name.range, |i| {
        definition_of(text, doc, IdKind::Asset, &match_key(&i.value)).unwrap_or(i.range)
    }))
}

/// Every mention of an id of `kind` with match key `key`, in document order.
fn occurrences(doc: &Document, text: &str, kind: IdKind, key: &str) -> Vec<TextRange> {
    let region = doc
        .threat_model
        .and_then(|i| doc.sections.get(i))
        .map_or(TextRange::new(0, text.len()), |s| s.range);
    let skip: Vec<TextRange> = code_blocks(doc)
        .chain(doc.front_matter.as_ref().map(|fm| fm.range))
        .collect();
    let mut out = Vec::new();
    let slice = region.slice(text);
    let mut word_start: Option<usize> = None;
    for (i, c) in slice
        .char_indices()
        .chain(std::iter::once((slice.len(), ' ')))
    {
        match (word_start, is_id_char(c)) {
            (None, true) => {
                // A word starts only after a non-word character (`x.A1` is no mention).
                word_start = Some(i)
            }
            (Some(start), false) => {
                word_start = None;
                let r = trim_word(text, TextRange::new(region.start + start, region.start + i));
                let word = r.slice(text);
                if r.is_empty()
                    || !kind.matches(word)
                    || match_key(word) != key
                    || continues_as_word(text, r.end)
                    || skip.iter().any(|s| s.contains(r.start))
                {
                    continue;
                }
                out.push(r);
            }
            _ => {}
        }
    }
    if kind == IdKind::Asset {
        for d in &doc.diagrams {
            for e in &d.elements {
                if match_key(&e.id) == key && is_asset_id(&e.id) {
                    out.extend(e.id_ranges.iter().copied());
                }
            }
        }
    }
    out.sort_by_key(|r| (r.start, r.end));
    out.dedup();
    out
}

/// The mentions of the id at `offset`; with `include_declaration`, its definition too.
pub fn references(
    analysis: &Analysis,
    text: &str,
    offset: usize,
    include_declaration: bool,
) -> Vec<TextRange> {
    let Some(sym) = symbol_at(analysis, text, offset) else {
        return Vec::new();
    };
    let doc = &analysis.document;
    let key = match_key(&sym.id);
    let mut refs = occurrences(doc, text, sym.kind, &key);
    // A mention outside the threat model (the overview's prose) is still the one asked
    // about.
    if !refs.contains(&sym.range) {
        refs.push(sym.range);
        refs.sort_by_key(|r| (r.start, r.end));
    }
    let def = definition_of(text, doc, sym.kind, &key);
    if include_declaration {
        if let Some(d) = def
            && !refs.contains(&d)
        {
            refs.push(d);
            refs.sort_by_key(|r| (r.start, r.end));
        }
    } else {
        refs.retain(|r| Some(*r) != def);
    }
    refs
}

/// The range a rename would start from: the id at `offset`, when the document defines it.
pub fn prepare_rename(analysis: &Analysis, text: &str, offset: usize) -> Option<TextRange> {
    let sym = symbol_at(analysis, text, offset)?;
    definition_of(text, &analysis.document, sym.kind, &match_key(&sym.id))?;
    Some(sym.range)
}

/// Renames the id at `offset` everywhere: its definition, table cells, list and heading
/// references, prose mentions and diagram nodes. Refuses a new id of the wrong shape or
/// one the document already uses.
pub fn rename(
    analysis: &Analysis,
    text: &str,
    offset: usize,
    new_name: &str,
) -> Result<Vec<Edit>, RenameError> {
    let err = |message: String| Err(RenameError { message });
    let Some(sym) = symbol_at(analysis, text, offset) else {
        return err("There is no asset, threat or mitigation id here to rename.".to_string());
    };
    let doc = &analysis.document;
    let key = match_key(&sym.id);
    if definition_of(text, doc, sym.kind, &key).is_none() {
        return err(format!(
            "`{}` is not defined in this document, so there is nothing to rename: add the {} or point the reference at an existing id.",
            sym.id,
            sym.kind.name()
        ));
    }
    let new = new_name.trim();
    if !sym.kind.matches(new) {
        return err(format!(
            "`{new}` is not {} id: write it as {}.",
            sym.kind.with_article(),
            sym.kind.shapes()
        ));
    }
    let new_key = match_key(new);
    if new_key != key
        && let Some((kind, _)) = defined_ids(doc).into_iter().find(|(_, k)| *k == new_key)
    {
        return err(format!(
            "`{new}` is already the id of {} in this document: pick a free id.",
            kind.with_article()
        ));
    }
    Ok(references(analysis, text, sym.range.start, true)
        .into_iter()
        .filter(|r| r.slice(text) != new)
        .map(|r| Edit::replace(r, new))
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use crate::{Source, analyze};

    pub(crate) const DOC: &str = "---\ntitle: Export\n---\n\n# Export\n\n## Threat model\n\n### Assets\n\n| ID | Asset | Type | Classification |\n|----|-------|------|----------------|\n| A1 | Orders replica | data store | confidential |\n| A2 | Key store | data store | restricted |\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |\n|----|----|----|----|----|----|----|\n| T1 | I | A1, A2 | A job writes one tenant's orders into another tenant's file | High | M1 | Mitigated |\n| T2 | T | `A1` | An operator with cluster access rewrites orders to hide a refund | Medium | M2 | Mitigated |\n\n- **T3** [Denial of service] (Low) on A1 — a huge tenant history stalls the job for everyone. Mitigation: M1.\n\n### Mitigations\n\n- M1: One tenant per process; A1 is read through a tenant-scoped view (not m1.large).\n- M2: Append-only audit of every write to A1.\n";

    fn analysis(text: &str) -> Analysis {
        analyze(
            Source {
                path: "docs/design/x.md",
                text,
            },
            &Config::default(),
            jiff::civil::date(2026, 11, 23),
        )
    }

    pub(crate) fn apply(text: &str, edits: &[Edit]) -> String {
        let mut out = text.to_string();
        let mut sorted = edits.to_vec();
        sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        for e in sorted {
            out.replace_range(e.range.start..e.range.end, &e.new_text);
        }
        out
    }

    #[test]
    fn symbol_and_definition() {
        let a = analysis(DOC);
        let at = DOC.find("on A1").unwrap_or(0) + 4;
        let sym = symbol_at(&a, DOC, at).unwrap_or_else(|| panic!("no symbol"));
        assert_eq!((sym.kind, sym.id.as_str()), (IdKind::Asset, "A1"));
        let def = definition(&a, DOC, at).unwrap_or_default();
        assert_eq!(def.start, DOC.find("| A1 |").unwrap_or(0) + 2);
        let m = DOC.find("| M2 |").unwrap_or(0) + 3;
        assert_eq!(
            definition(&a, DOC, m).map(|r| &DOC[r.start - 2..r.end]),
            Some("- M2")
        );
        // Not ids: a ticket-like word, prose, the front matter.
        assert!(symbol_at(&a, DOC, DOC.find("m1.large").unwrap_or(0) + 1).is_none());
        assert!(symbol_at(&a, DOC, 5).is_none());
    }

    #[test]
    fn references_cover_cells_lists_and_prose() {
        let a = analysis(DOC);
        let at = DOC.find("| A1 |").unwrap_or(0) + 2;
        let refs = references(&a, DOC, at, true);
        let lines: Vec<&str> = refs
            .iter()
            .map(|r| {
                let line = super::super::context::line_at(DOC, r.start);
                &DOC[line.start..line.start + 8.min(line.len())]
            })
            .collect();
        assert_eq!(
            lines,
            [
                "| A1 | O", "| T1 | I", "| T2 | T", "- **T3**", "- M1: On", "- M2: Ap"
            ]
        );
        assert!(refs.iter().all(|r| r.slice(DOC) == "A1"));
        assert_eq!(references(&a, DOC, at, false).len(), refs.len() - 1);
        let m1 = references(&a, DOC, DOC.find("- M1").unwrap_or(0) + 2, false);
        assert_eq!(m1.len(), 2, "T1's cell and T3's Mitigation: label");
    }

    #[test]
    fn rename_asset_edits_every_reference_and_leaves_no_dangling_id() {
        let a = analysis(DOC);
        let at = DOC.find("A2 |").unwrap_or(0);
        assert_eq!(
            prepare_rename(&a, DOC, at).map(|r| r.slice(DOC)),
            Some("A2")
        );
        let at = DOC.find("| A1 |").unwrap_or(0) + 3;
        let edits = rename(&a, DOC, at, "A9").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edits.len(), 6);
        assert!(
            edits
                .iter()
                .all(|e| e.range.slice(DOC) == "A1" && e.new_text == "A9")
        );
        let renamed = apply(DOC, &edits);
        assert!(!renamed.contains("A1"), "{renamed}");
        assert!(renamed.contains("| A9 | Orders replica |") && renamed.contains("on A9 —"));
        let after = analysis(&renamed);
        assert!(
            after.findings.iter().all(|f| f.code != "TM034"),
            "{:?}",
            after.findings
        );
    }

    #[test]
    fn rename_refuses_bad_and_taken_ids() {
        let a = analysis(DOC);
        let at = DOC.find("| A1 |").unwrap_or(0) + 2;
        let bad = rename(&a, DOC, at, "Orders").err().map(|e| e.message);
        assert_eq!(
            bad.as_deref(),
            Some("`Orders` is not an asset id: write it as A1, A-1 or ASSET-1.")
        );
        let taken = rename(&a, DOC, at, "a-2").err().map(|e| e.message);
        assert_eq!(
            taken.as_deref(),
            Some("`a-2` is already the id of an asset in this document: pick a free id.")
        );
        let nothing = rename(&a, DOC, DOC.find("Orders").unwrap_or(0), "A5").err();
        assert!(nothing.is_some());
        let t = DOC.find("| T2 |").unwrap_or(0) + 2;
        let edits = rename(&a, DOC, t, "T7").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edits.len(), 1);
    }
}

#[cfg(test)]
mod diagram_tests {
    use super::tests::{DOC, apply};
    use super::*;
    use crate::ide::symbols::tests::analysis;

    /// `DOC` with a diagram whose store node is named by the asset id.
    fn with_diagram() -> String {
        DOC.replace(
            "### Assets\n",
            "### Data flow\n\n```mermaid\nflowchart LR\n  job((Export job)) -->|read orders| A1[(Orders replica)]\n  job --> A2[(Key store)]\n  class A1 store\n```\n\n### Assets\n",
        )
    }

    #[test]
    fn rename_of_an_asset_id_updates_the_diagram_node() {
        let text = with_diagram();
        let a = analysis(&text);
        assert!(!a.document.diagrams.is_empty(), "the diagram is read");
        let at = text.find("| A1 |").unwrap_or(0) + 2;
        let refs = references(&a, &text, at, true);
        let node_refs = refs
            .iter()
            .filter(|r| {
                text[..r.start].contains("```mermaid") && !text[..r.start].contains("### Assets")
            })
            .count();
        assert_eq!(node_refs, 2, "the node declaration and its `class` line");
        let edits = rename(&a, &text, at, "A9").unwrap_or_else(|e| panic!("{e}"));
        let renamed = apply(&text, &edits);
        assert!(
            renamed.contains("-->|read orders| A9[(Orders replica)]"),
            "{renamed}"
        );
        assert!(renamed.contains("class A9 store"));
        assert!(!renamed.contains("A1"), "{renamed}");
        let after = analysis(&renamed);
        assert!(
            after.findings.iter().all(|f| f.code != "TM034"),
            "{:?}",
            after.findings
        );
        // From the node itself too.
        let at = text.find("A2[(").unwrap_or(0) + 1;
        let sym = symbol_at(&a, &text, at).unwrap_or_else(|| panic!("no symbol"));
        assert_eq!((sym.kind, sym.id.as_str()), (IdKind::Asset, "A2"));
        assert_eq!(
            definition(&a, &text, at).map(|r| r.start),
            text.find("| A2 |").map(|i| i + 2)
        );
        // A node named like an asset leads to its row too.
        let text = text.replace(
            "job((Export job))",
            "job((Export job))\n  keys[(Key store)]",
        );
        let a = analysis(&text);
        let at = text.find("keys[(").unwrap_or(0) + 1;
        assert!(symbol_at(&a, &text, at).is_none());
        assert_eq!(
            definition(&a, &text, at).map(|r| r.start),
            text.find("| A2 |").map(|i| i + 2)
        );
    }
}

#[cfg(test)]
mod heading_form_tests {
    use super::tests::apply;
    use super::*;
    use crate::ide::symbols::tests::{analysis, example};

    #[test]
    fn assets_lines_and_threat_headings() {
        let text = example("image-signing.md");
        let a = analysis(&text);
        let at = text.find("- A1 HSM").unwrap_or(0) + 3;
        let refs = references(&a, &text, at, true);
        let lines: Vec<&str> = refs
            .iter()
            .map(|r| super::super::context::line_at(&text, r.start).slice(&text))
            .collect();
        assert_eq!(
            lines,
            [
                "- A1 HSM key slot (restricted): the private signing key never leaves it.",
                "Assets: A1",
                "Assets: A1, A3",
                "Assets: A1"
            ]
        );
        let at = text.find("TH-1 Forged").unwrap_or(0) + 1;
        let edits = rename(&a, &text, at, "TH-7").unwrap_or_else(|e| panic!("{e}"));
        let renamed = apply(&text, &edits);
        assert!(renamed.contains("#### TH-7 Forged pipeline identity (High)"));
        assert_eq!(edits.len(), 1);
        let taken = rename(&a, &text, at, "TH-2").err().map(|e| e.message);
        assert_eq!(
            taken.as_deref(),
            Some("`TH-2` is already the id of a threat in this document: pick a free id.")
        );
    }
}
