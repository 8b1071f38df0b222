//! Header aliases for the tables of a threat model, kept as data (`knowledge/columns.toml`).

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreatField {
    Id,
    Category,
    Target,
    Description,
    Severity,
    Mitigation,
    Status,
    Ticket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetField {
    Id,
    Name,
    Kind,
    Classification,
    Description,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MitigationField {
    Id,
    Text,
    Threats,
    Status,
    Ticket,
}

#[derive(Deserialize)]
struct ThreatColumns {
    id: Vec<String>,
    category: Vec<String>,
    target: Vec<String>,
    description: Vec<String>,
    severity: Vec<String>,
    mitigation: Vec<String>,
    status: Vec<String>,
    ticket: Vec<String>,
}

#[derive(Deserialize)]
struct AssetColumns {
    id: Vec<String>,
    name: Vec<String>,
    kind: Vec<String>,
    classification: Vec<String>,
    description: Vec<String>,
}

#[derive(Deserialize)]
struct MitigationColumns {
    id: Vec<String>,
    text: Vec<String>,
    threats: Vec<String>,
    status: Vec<String>,
    ticket: Vec<String>,
}

#[derive(Deserialize)]
struct ColumnsFile {
    threat: ThreatColumns,
    asset: AssetColumns,
    mitigation: MitigationColumns,
}

struct Columns {
    threat: Vec<(ThreatField, Vec<String>)>,
    asset: Vec<(AssetField, Vec<String>)>,
    mitigation: Vec<(MitigationField, Vec<String>)>,
}

fn columns() -> &'static Columns {
    static COLUMNS: OnceLock<Columns> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        // Embedded data, parsed in a test: an error here is a build defect.
        let f: ColumnsFile = toml::from_str(include_str!("../knowledge/columns.toml"))
            .unwrap_or_else(|e| panic!("knowledge/columns.toml is invalid: {e}"));
        Columns {
            threat: vec![
                (ThreatField::Id, f.threat.id),
                (ThreatField::Category, f.threat.category),
                (ThreatField::Target, f.threat.target),
                (ThreatField::Description, f.threat.description),
                (ThreatField::Severity, f.threat.severity),
                (ThreatField::Mitigation, f.threat.mitigation),
                (ThreatField::Status, f.threat.status),
                (ThreatField::Ticket, f.threat.ticket),
            ],
            asset: vec![
                (AssetField::Id, f.asset.id),
                (AssetField::Name, f.asset.name),
                (AssetField::Kind, f.asset.kind),
                (AssetField::Classification, f.asset.classification),
                (AssetField::Description, f.asset.description),
            ],
            mitigation: vec![
                (MitigationField::Id, f.mitigation.id),
                (MitigationField::Text, f.mitigation.text),
                (MitigationField::Threats, f.mitigation.threats),
                (MitigationField::Status, f.mitigation.status),
                (MitigationField::Ticket, f.mitigation.ticket),
            ],
        }
    })
}

/// Header text normalized for matching: lowercase, markup and outer punctuation removed.
pub fn normalize_label(label: &str) -> String {
    let lower = label.to_lowercase();
    let cleaned: String = lower
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .collect();
    let trimmed = cleaned.trim().trim_end_matches([':', '?', '.']).trim();
    if trimmed == "#" {
        return trimmed.to_string();
    }
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn lookup<F: Copy>(table: &[(F, Vec<String>)], label: &str) -> Option<F> {
    let norm = normalize_label(label);
    table
        .iter()
        .find(|(_, aliases)| aliases.contains(&norm))
        .map(|(f, _)| *f)
}

pub fn threat_field(label: &str) -> Option<ThreatField> {
    lookup(&columns().threat, label)
}

pub fn asset_field(label: &str) -> Option<AssetField> {
    lookup(&columns().asset, label)
}

pub fn mitigation_field(label: &str) -> Option<MitigationField> {
    lookup(&columns().mitigation, label)
}

/// Maps each header cell to a field; the first column of a field wins.
pub fn map_header<F: Copy + PartialEq>(
    cells: &[String],
    field: fn(&str) -> Option<F>,
) -> Vec<Option<F>> {
    let mut seen = Vec::new();
    cells
        .iter()
        .map(|c| {
            let f = field(c)?;
            if seen.contains(&f) {
                return None;
            }
            seen.push(f);
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve() {
        assert_eq!(threat_field("STRIDE"), Some(ThreatField::Category));
        assert_eq!(threat_field("**Asset**"), Some(ThreatField::Target));
        assert_eq!(threat_field("#"), Some(ThreatField::Id));
        assert_eq!(
            threat_field("What are we doing?"),
            Some(ThreatField::Mitigation)
        );
        assert_eq!(
            asset_field("Data classification"),
            Some(AssetField::Classification)
        );
        assert_eq!(asset_field("Asset"), Some(AssetField::Name));
        assert_eq!(mitigation_field("Mitigation"), Some(MitigationField::Text));
    }
}
