//! The id shapes of assets (`A1`, `A-1`, `ASSET-1`), threats (`T1`, `TH-01`, `Threat-03-T`,
//! `THREAT-3`) and mitigations (`M1`, `M-1`), and reference cleaning.

use crate::stride::StrideCategory;
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| panic!("{e}")))
}

pub fn is_asset_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?i)^(?:asset|a)[-_]?\d+$").is_match(s)
}

pub fn is_threat_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?i)^(?:threat|th|t)[-_]?\d+(?:[-_][stride])?$").is_match(s)
}

pub fn is_mitigation_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?i)^(?:mitigation|mit|m)[-_]?\d+$").is_match(s)
}

/// The category a threat id's letter suffix gives (`Threat-03-T` → Tampering).
pub fn threat_id_category(id: &str) -> Option<StrideCategory> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let caps = re(&RE, r"(?i)^(?:threat|th|t)[-_]?\d+[-_]([stride])$").captures(id)?;
    caps.get(1)?
        .as_str()
        .chars()
        .next()
        .and_then(StrideCategory::from_letter)
}

/// A threat id at the start of `text` (after optional markup): its byte range in `text`.
pub fn leading_threat_id(text: &str) -> Option<std::ops::Range<usize>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let caps = re(
        &RE,
        r"(?i)^[\s*_`\[]*((?:threat|th|t)[-_]?\d+(?:[-_][stride])?)(?:$|[^a-z0-9])",
    )
    .captures(text)?;
    caps.get(1).map(|m| m.range())
}

/// An asset id at the start of `text`: its range.
pub fn leading_asset_id(text: &str) -> Option<std::ops::Range<usize>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let caps = re(&RE, r"(?i)^[\s*_`\[]*((?:asset|a)[-_]?\d+)(?:$|[^a-z0-9])").captures(text)?;
    caps.get(1).map(|m| m.range())
}

/// A mitigation id at the start of `text`: its range.
pub fn leading_mitigation_id(text: &str) -> Option<std::ops::Range<usize>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let caps = re(
        &RE,
        r"(?i)^[\s*_`\[]*((?:mitigation|mit|m)[-_]?\d+)(?:$|[^a-z0-9])",
    )
    .captures(text)?;
    caps.get(1).map(|m| m.range())
}

/// A reference as written, without surrounding punctuation, backticks or emphasis
/// (`M2.` → `M2`, `` `A1` `` → `A1`), and the byte offset where the kept text starts.
pub fn clean_ref(s: &str) -> (&str, usize) {
    let start = s.len() - s.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let trimmed = s[start..].trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')');
    let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
        trimmed.trim_end_matches(')')
    } else {
        trimmed
    };
    (trimmed, start)
}

/// A key for matching names and ids: lowercase letters and digits only.
pub fn match_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(is_asset_id("A1") && is_asset_id("a-1") && is_asset_id("ASSET-1"));
        assert!(!is_asset_id("API"));
        assert!(is_threat_id("T1") && is_threat_id("TH-01") && is_threat_id("Threat-03-T"));
        assert!(is_threat_id("THREAT-3") && !is_threat_id("TLS"));
        assert!(is_mitigation_id("M2") && is_mitigation_id("M-1") && !is_mitigation_id("MFA"));
        assert_eq!(
            threat_id_category("Threat-03-T"),
            Some(StrideCategory::Tampering)
        );
        assert_eq!(threat_id_category("T3"), None);
    }

    #[test]
    fn leading_ids_and_cleaning() {
        let s = "**T4** [Tampering]";
        assert_eq!(&s[leading_threat_id(s).unwrap_or(0..0)], "T4");
        assert_eq!(leading_threat_id("Tampering"), None);
        let s = "Threat-03-T - Supply chain";
        assert_eq!(&s[leading_threat_id(s).unwrap_or(0..0)], "Threat-03-T");
        assert_eq!(clean_ref(" `M2`."), ("M2", 2));
        assert_eq!(clean_ref("(A1)"), ("A1", 1));
        assert_eq!(match_key("Orders-Replica "), "ordersreplica");
    }
}
