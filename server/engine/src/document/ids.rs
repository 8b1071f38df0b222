//! The id shapes of assets (`A1`, `A-1`, `ASSET-1`), threats (`T1`, `TH-01`, `Threat-03-T`,
//! `THREAT-3`) and mitigations (`M1`, `M-1`), and reference cleaning.

use crate::stride::StrideCategory;
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| compile(pattern))
}

/// The patterns are constants of this file; a bad one fails every test.
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("{e}"))
}

/// A threat id: `T1`, `TH-01`, `Threat-03-T`, `THREAT-3`, `Threat ID 3`, and the
/// category-word style `STRIDE-SPOOF-1`.
const THREAT_ID: &str = r"(?:threat|th|t)[-_]?\d+(?:[-_][stride])?|threat[ _]id[ _]?\d+|stride[-_](?:spoof(?:ing)?|tamper(?:ing)?|repudiat(?:e|ion)|info(?:disclosure)?|id|dos|eop)[-_]\d+";

pub fn is_asset_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(&RE, r"(?i)^(?:asset|a)[-_]?\d+$").is_match(s)
}

pub fn is_threat_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Most words this sees are prose; every threat id starts with `t` or `s` and holds a
    // digit, which rules those out without the regex.
    let starts_right = s
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b.to_ascii_lowercase(), b't' | b's'));
    starts_right
        && s.bytes().any(|b| b.is_ascii_digit())
        && RE
            .get_or_init(|| compile(&format!(r"(?i)^(?:{THREAT_ID})$")))
            .is_match(s)
}

pub fn is_mitigation_id(s: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    re(
        &RE,
        r"(?i)^(?:(?:mitigation|mit|m)[-_]?\d+|mitigation[ _]id[ _]?\d+)$",
    )
    .is_match(s)
}

/// The category a threat id's letter suffix gives (`Threat-03-T` → Tampering).
pub fn threat_id_category(id: &str) -> Option<StrideCategory> {
    static RE: OnceLock<Regex> = OnceLock::new();
    static WORD: OnceLock<Regex> = OnceLock::new();
    if let Some(caps) = re(&WORD, r"(?i)^stride[-_]([a-z]+)[-_]\d+$").captures(id) {
        let word = caps.get(1)?.as_str().to_ascii_lowercase();
        return Some(match word.as_str() {
            w if w.starts_with("spoof") => StrideCategory::Spoofing,
            w if w.starts_with("tamper") => StrideCategory::Tampering,
            w if w.starts_with("repudiat") => StrideCategory::Repudiation,
            w if w.starts_with("info") || w == "id" => StrideCategory::InformationDisclosure,
            "dos" => StrideCategory::DenialOfService,
            _ => StrideCategory::ElevationOfPrivilege,
        });
    }
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
    let caps = RE
        .get_or_init(|| compile(&format!(r"(?i)^[\s*_`\[]*({THREAT_ID})(?:$|[^a-z0-9])")))
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
        r"(?i)^[\s*_`\[]*((?:mitigation[ _]id[ _]?|mitigation|mit|m)[-_]?\d+)(?:$|[^a-z0-9])",
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
    key_chars(s).collect()
}

/// Whether `s`'s match key is `key`, without building it: lookups compare one reference
/// with every asset, and allocating a key per asset per lookup showed in the profile.
pub fn has_match_key(s: &str, key: &str) -> bool {
    key_chars(s).eq(key.chars())
}

fn key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
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
        assert!(is_threat_id("STRIDE-SPOOF-1") && is_threat_id("Threat ID 3"));
        assert_eq!(
            threat_id_category("STRIDE-DOS-2"),
            Some(StrideCategory::DenialOfService)
        );
        assert_eq!(
            threat_id_category("STRIDE-INFODISCLOSE-1"),
            Some(StrideCategory::InformationDisclosure)
        );
        assert!(!is_threat_id("SEC-9") && is_mitigation_id("Mitigation ID 4"));
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
