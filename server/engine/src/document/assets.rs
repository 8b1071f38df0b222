//! The asset inventory (SPEC §4.2): a table or a list in the assets section.

use super::columns::{AssetField, asset_field, map_header};
use super::ids::{is_asset_id, leading_asset_id};
use super::markdown::{Block, Table};
use super::{Document, SectionKind};
use crate::config::Config;
use crate::span::{Spanned, TextRange};
use regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub id: Option<Spanned<String>>,
    pub name: Spanned<String>,
    pub kind: Option<Spanned<String>>,
    /// As written; `Some` with an empty value for an empty table cell (so a fix can fill it).
    pub classification: Option<Spanned<String>>,
    pub description: Option<String>,
    /// The table row or list item.
    pub range: TextRange,
}

/// How the inventory is written, so a fix can append an entry in the same shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryShape {
    Table { columns: Vec<Option<AssetField>> },
    List,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetInventory {
    pub assets: Vec<Asset>,
    pub shape: Option<InventoryShape>,
    /// Where a new entry goes: just past the last row or item (and its line break).
    pub append_at: Option<usize>,
    /// Index into `Document::sections` of the assets section.
    pub section: Option<usize>,
    /// Each id's and name's match key to the first asset that has it, built by [`read`]:
    /// rules look up every threat's targets, and a scan of the inventory per lookup
    /// was most of a large doc's analysis.
    by_key: HashMap<String, usize>,
    /// How many assets `by_key` covers; a lookup scans instead when `assets` changed.
    indexed: usize,
}

impl AssetInventory {
    /// The asset a reference names, by id or by name (case, punctuation, backticks ignored).
    pub fn find(&self, reference: &str) -> Option<&Asset> {
        self.find_index(reference).and_then(|i| self.assets.get(i))
    }

    /// As [`AssetInventory::find`], the asset's index in `assets`.
    pub fn find_index(&self, reference: &str) -> Option<usize> {
        let key = super::ids::match_key(reference);
        if key.is_empty() {
            return None;
        }
        if self.indexed == self.assets.len() && !self.by_key.is_empty() {
            return self.by_key.get(&key).copied();
        }
        self.assets.iter().position(|a| {
            a.id.as_ref()
                .is_some_and(|id| super::ids::has_match_key(&id.value, &key))
                || super::ids::has_match_key(&a.name.value, &key)
        })
    }

    /// The next free id in the inventory's style (`A4`, `A-4`, `ASSET-4`).
    pub fn next_id(&self) -> String {
        next_free_id(
            self.assets
                .iter()
                .filter_map(|a| a.id.as_ref().map(|i| i.value.as_str())),
            "A",
        )
    }
}

/// The next id after the highest number among `ids`, keeping their prefix style.
pub fn next_free_id<'a>(ids: impl Iterator<Item = &'a str>, default_prefix: &'a str) -> String {
    let mut max = 0u64;
    // Borrowed until the end: a fix asks this for every finding it builds, over every id.
    let mut prefix = default_prefix;
    let mut width = 0;
    for id in ids {
        let digits_at = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
        let rest = &id[digits_at..];
        let digits = &rest[..rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len())];
        if let Ok(n) = digits.parse::<u64>()
            && n >= max
        {
            max = n;
            prefix = &id[..digits_at];
            // Keep zero padding (`TH-01` → `TH-02`).
            width = if digits.starts_with('0') {
                digits.len()
            } else {
                0
            };
        }
    }
    format!("{prefix}{:0width$}", max.saturating_add(1))
}

pub fn read(text: &str, doc: &Document, config: &Config) -> AssetInventory {
    let mut inv = read_entries(text, doc, config);
    for (i, a) in inv.assets.iter().enumerate() {
        let id = a.id.as_ref().map(|id| super::ids::match_key(&id.value));
        for key in id.into_iter().chain([super::ids::match_key(&a.name.value)]) {
            if !key.is_empty() {
                inv.by_key.entry(key).or_insert(i);
            }
        }
    }
    inv.indexed = inv.assets.len();
    inv
}

fn read_entries(text: &str, doc: &Document, config: &Config) -> AssetInventory {
    let _ = config;
    let mut inv = AssetInventory::default();
    let Some(section_index) = doc.section_index(SectionKind::Assets) else {
        return inv;
    };
    inv.section = Some(section_index);
    let Some(section) = doc.sections.get(section_index) else {
        return inv;
    };
    for block in doc.blocks_in(section.body) {
        match block {
            Block::Table(t) => {
                if let Some(columns) = asset_table_columns(t) {
                    read_table(text, t, &columns, &mut inv);
                    if inv.shape.is_none() {
                        inv.shape = Some(InventoryShape::Table { columns });
                    }
                    inv.append_at = Some(after_line(text, t.range.end));
                }
            }
            // `- **Volume snapshots**` with a nested `- Classification/Sensitivity: …`.
            Block::ListItem(item) if item.depth > 0 => {
                if matches!(inv.shape, Some(InventoryShape::List))
                    && let Some(last) = inv.assets.last_mut()
                    && last.classification.is_none()
                {
                    let (content, base) = item_content(text, item.range);
                    last.classification = labelled_classification(content, base);
                }
            }
            Block::ListItem(item) if item.depth == 0 => {
                if let Some(asset) = read_item(text, item.range) {
                    inv.assets.push(asset);
                    if inv.shape.is_none() {
                        inv.shape = Some(InventoryShape::List);
                    }
                    if matches!(inv.shape, Some(InventoryShape::List)) {
                        inv.append_at = Some(after_line(text, item.range.end));
                    }
                }
            }
            _ => {}
        }
    }
    inv
}

fn asset_table_columns(t: &Table) -> Option<Vec<Option<AssetField>>> {
    let header: Vec<String> = t.header.cells.iter().map(|c| c.text.clone()).collect();
    let columns = map_header(&header, asset_field);
    columns.contains(&Some(AssetField::Name)).then_some(columns)
}

fn read_table(text: &str, t: &Table, columns: &[Option<AssetField>], inv: &mut AssetInventory) {
    for row in &t.rows {
        let mut asset = Asset {
            id: None,
            name: Spanned::new(String::new(), row.range),
            kind: None,
            classification: None,
            description: None,
            range: row.range,
        };
        for (cell, field) in row.cells.iter().zip(columns) {
            let value = Spanned::new(cell.text.trim().to_string(), cell.range);
            match field {
                Some(AssetField::Id) if !value.value.is_empty() => asset.id = Some(value),
                Some(AssetField::Name) => asset.name = value,
                Some(AssetField::Kind) if !value.value.is_empty() => asset.kind = Some(value),
                Some(AssetField::Classification) => asset.classification = Some(value),
                Some(AssetField::Description) => asset.description = Some(value.value),
                _ => {}
            }
        }
        let _ = text;
        if !asset.name.value.is_empty() {
            inv.assets.push(asset);
        }
    }
}

fn list_marker() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The content of a list item after its marker: (text, offset of that text).
pub(crate) fn item_content(text: &str, range: TextRange) -> (&str, usize) {
    let raw = range.slice(text);
    let skip = list_marker().find(raw).map_or(0, |m| m.end());
    (&raw[skip..], range.start + skip)
}

/// `- A2 **Session tokens** (confidential) — …`, `` - `Registry API` (internal) — … ``,
/// `- Kubernetes manifests (internal): what the operator applies`.
fn read_item(text: &str, range: TextRange) -> Option<Asset> {
    let (content, base) = item_content(text, range);
    let mut rest = content;
    let mut offset = base;
    let mut id = None;
    if let Some(r) = leading_asset_id(rest) {
        id = Some(Spanned::new(
            rest[r.clone()].to_string(),
            TextRange::new(offset + r.start, offset + r.end),
        ));
        // Closing markup right after the id (`**A1**`), then separators.
        let closing = rest[r.end..].len() - rest[r.end..].trim_start_matches(['*', '`', '_']).len();
        let tail = &rest[r.end + closing..];
        let after =
            r.end + closing + (tail.len() - tail.trim_start_matches([':', '.', ' ', '\t']).len());
        offset += after;
        rest = &rest[after..];
    }
    let (name, name_range, after_name) = read_name(rest)?;
    let name = Spanned::new(
        name,
        TextRange::new(offset + name_range.start, offset + name_range.end),
    );
    let tail = &rest[after_name..];
    let tail_offset = offset + after_name;
    let mut classification = None;
    let trimmed = tail.trim_start();
    if let Some(inner) = trimmed.strip_prefix('(')
        && let Some(close) = inner.find(')')
    {
        let lead = tail.len() - trimmed.len() + 1;
        let value = inner[..close].trim();
        let start = tail_offset + lead + (inner.len() - inner.trim_start().len());
        classification = Some(Spanned::new(
            value.to_string(),
            TextRange::new(start, start + value.len()),
        ));
    }
    if classification.is_none() {
        classification = labelled_classification(tail, tail_offset);
    }
    if name.value.is_empty() {
        return None;
    }
    Some(Asset {
        id,
        name,
        kind: None,
        classification,
        description: Some(tail.trim().to_string()),
        range,
    })
}

/// The name at the start of `s`: bold, code, or plain up to ` — `, ` - `, `:` or `(`.
/// Returns the name, its range in `s`, and where the rest starts.
fn read_name(s: &str) -> Option<(String, std::ops::Range<usize>, usize)> {
    for (open, close) in [("**", "**"), ("__", "__"), ("`", "`")] {
        if let Some(inner) = s.strip_prefix(open) {
            let end = inner.find(close)?;
            let name = inner[..end].trim();
            let start = open.len() + (inner.len() - inner.trim_start().len());
            return Some((
                name.to_string(),
                start..start + name.len(),
                open.len() + end + close.len(),
            ));
        }
    }
    let mut end = s.len();
    for stop in [" — ", " – ", " - ", ":", "("] {
        if let Some(i) = s.find(stop) {
            end = end.min(i);
        }
    }
    let name = s[..end].trim_end();
    let name = name.trim_end_matches(['*', '_']);
    if name.is_empty() || is_asset_id(name) {
        return None;
    }
    Some((name.to_string(), 0..name.len(), end))
}

fn labelled_classification(tail: &str, base: usize) -> Option<Spanned<String>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)(?:classification|sensitivity)\**\s*:\s*\**\s*([a-z][a-z -]*[a-z])")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    let m = re.captures(tail)?.get(1)?;
    Some(Spanned::new(
        m.as_str().to_string(),
        TextRange::new(base + m.start(), base + m.end()),
    ))
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

    fn inventory(md: &str) -> (String, AssetInventory) {
        let text = format!("# Doc\n\n## Threat model\n\n### Assets\n\n{md}");
        let doc = Document::parse(&text, &Config::default());
        (text, doc.assets)
    }

    #[test]
    fn table_form() {
        let (text, inv) = inventory(
            "| ID | Asset | Type | Classification |\n|----|----|----|----|\n| A1 | Orders replica | data store | confidential |\n| A2 | Keys | data store | |\n",
        );
        assert_eq!(inv.assets.len(), 2);
        let a1 = &inv.assets[0];
        assert_eq!(a1.id.as_ref().map(|i| i.value.as_str()), Some("A1"));
        assert_eq!(a1.name.range.slice(&text), "Orders replica");
        assert_eq!(
            a1.classification.as_ref().map(|c| c.range.slice(&text)),
            Some("confidential")
        );
        assert_eq!(
            inv.assets[1]
                .classification
                .as_ref()
                .map(|c| c.value.as_str()),
            Some("")
        );
        assert_eq!(inv.next_id(), "A3");
        assert_eq!(next_free_id(["TH-01", "TH-09"].into_iter(), "T"), "TH-10");
        assert_eq!(next_free_id(["T-001"].into_iter(), "T"), "T-002");
        assert!(matches!(inv.shape, Some(InventoryShape::Table { .. })));
        assert_eq!(inv.append_at, Some(text.len()));
    }

    #[test]
    fn list_forms() {
        let (text, inv) = inventory(
            "- A1 **Device tokens** (confidential) — one per app.\n- A2 `Token registry API` (internal) — the writer.\n- A3 HSM key slot (restricted): never leaves it.\n- Kubernetes manifests (internal): what the operator applies\n",
        );
        let names: Vec<&str> = inv
            .assets
            .iter()
            .map(|a| a.name.range.slice(&text))
            .collect();
        assert_eq!(
            names,
            [
                "Device tokens",
                "Token registry API",
                "HSM key slot",
                "Kubernetes manifests"
            ]
        );
        let classes: Vec<&str> = inv
            .assets
            .iter()
            .filter_map(|a| a.classification.as_ref())
            .map(|c| c.range.slice(&text))
            .collect();
        assert_eq!(
            classes,
            ["confidential", "internal", "restricted", "internal"]
        );
        assert_eq!(inv.assets[3].id, None);
        assert!(inv.find("device-tokens").is_some());
        assert!(inv.find("`A2`").is_some());
    }
}
