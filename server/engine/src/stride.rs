//! The six STRIDE categories and the ways writers spell them in category cells.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrideCategory {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl StrideCategory {
    pub const ALL: [StrideCategory; 6] = [
        StrideCategory::Spoofing,
        StrideCategory::Tampering,
        StrideCategory::Repudiation,
        StrideCategory::InformationDisclosure,
        StrideCategory::DenialOfService,
        StrideCategory::ElevationOfPrivilege,
    ];

    /// The id used in JSON `data.category` and the methodology file.
    pub fn id(self) -> &'static str {
        match self {
            StrideCategory::Spoofing => "spoofing",
            StrideCategory::Tampering => "tampering",
            StrideCategory::Repudiation => "repudiation",
            StrideCategory::InformationDisclosure => "information_disclosure",
            StrideCategory::DenialOfService => "denial_of_service",
            StrideCategory::ElevationOfPrivilege => "elevation_of_privilege",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StrideCategory::Spoofing => "Spoofing",
            StrideCategory::Tampering => "Tampering",
            StrideCategory::Repudiation => "Repudiation",
            StrideCategory::InformationDisclosure => "Information disclosure",
            StrideCategory::DenialOfService => "Denial of service",
            StrideCategory::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    pub fn letter(self) -> char {
        match self {
            StrideCategory::Spoofing => 'S',
            StrideCategory::Tampering => 'T',
            StrideCategory::Repudiation => 'R',
            StrideCategory::InformationDisclosure => 'I',
            StrideCategory::DenialOfService => 'D',
            StrideCategory::ElevationOfPrivilege => 'E',
        }
    }

    pub fn from_letter(c: char) -> Option<StrideCategory> {
        StrideCategory::ALL
            .into_iter()
            .find(|cat| cat.letter() == c.to_ascii_uppercase())
    }

    pub fn from_id(id: &str) -> Option<StrideCategory> {
        StrideCategory::ALL.into_iter().find(|cat| cat.id() == id)
    }

    /// One category named by a word or phrase (`Spoofing`, `info disclosure`, `DoS`,
    /// `EoP`, `information_disclosure`), case-insensitive. Single letters are not accepted
    /// here: a lone `S` is only a category inside a category cell.
    pub fn from_name(text: &str) -> Option<StrideCategory> {
        let norm = normalize(text);
        let norm = norm.as_str();
        let cat = match norm {
            "spoofing"
            | "spoof"
            | "spoofed identity"
            | "identity spoofing"
            | "spoofing identity"
            | "spoofing of identity"
            | "spoofing identities" => StrideCategory::Spoofing,
            "tampering"
            | "tamper"
            | "data tampering"
            | "tampering with data"
            | "tampering of data" => StrideCategory::Tampering,
            "repudiation" | "non repudiation" | "nonrepudiation" => StrideCategory::Repudiation,
            "information disclosure"
            | "info disclosure"
            | "disclosure"
            | "information leak"
            | "information leakage"
            | "data disclosure"
            | "info"
            | "id" => StrideCategory::InformationDisclosure,
            "denial of service" | "dos" | "ddos" | "denial" | "service denial" => {
                StrideCategory::DenialOfService
            }
            "elevation of privilege"
            | "elevation of privileges"
            | "elevation"
            | "eop"
            | "privilege escalation"
            | "escalation of privilege"
            | "escalation of privileges"
            | "eop elevation"
            | "elevation eop" => StrideCategory::ElevationOfPrivilege,
            _ => return None,
        };
        Some(cat)
    }
}

impl std::fmt::Display for StrideCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Lowercase, `_`/`-` as spaces, surrounding punctuation, backticks and emphasis removed,
/// inner whitespace collapsed.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The result of reading a category cell: the categories it names, and the parts that
/// name none (TM021), as byte ranges relative to the cell text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryCell {
    pub categories: Vec<StrideCategory>,
    pub unknown: Vec<(String, std::ops::Range<usize>)>,
}

/// Reads a category cell: `S`, `T/I`, `S,T`, `STRIDE`, `Tampering, Info disclosure`,
/// `EoP/Elevation`, `Spoofing and Tampering`. Parts are separated by `,` `/` `+` `&` `;`
/// or the word `and`.
pub fn parse_category_cell(cell: &str) -> CategoryCell {
    let mut out = CategoryCell::default();
    for (part, range) in split_parts(cell) {
        let trimmed = part.trim_matches(|c: char| !c.is_alphanumeric());
        if trimmed.is_empty() {
            continue;
        }
        let cats = parse_part(trimmed);
        if cats.is_empty() {
            out.unknown.push((part.trim().to_string(), range));
        }
        for c in cats {
            if !out.categories.contains(&c) {
                out.categories.push(c);
            }
        }
    }
    out
}

fn parse_part(part: &str) -> Vec<StrideCategory> {
    // The common cell, one letter (`S`, `t`): no category name is a single letter, so the
    // name lookup below would only allocate to say no.
    let mut chars = part.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return StrideCategory::from_letter(c).into_iter().collect();
    }
    if part.eq_ignore_ascii_case("stride") {
        return StrideCategory::ALL.to_vec();
    }
    if let Some(cat) = StrideCategory::from_name(part) {
        return vec![cat];
    }
    // A parenthesised short form: `Denial of service (DoS)`, `EoP (Elevation)`.
    if let Some(open) = part.find('(') {
        let head = &part[..open];
        if let Some(cat) = StrideCategory::from_name(head) {
            return vec![cat];
        }
    }
    // Letters: `S`, `T`, or a run of letters such as `STR`, `TID` (all must be STRIDE letters).
    let letters: Vec<char> = part.chars().filter(|c| !c.is_whitespace()).collect();
    if !letters.is_empty()
        && letters.len() <= 6
        && letters
            .iter()
            .all(|c| c.is_ascii_uppercase() && StrideCategory::from_letter(*c).is_some())
    {
        return letters
            .into_iter()
            .filter_map(StrideCategory::from_letter)
            .collect();
    }
    if letters.len() == 1
        && let Some(cat) = StrideCategory::from_letter(letters[0])
    {
        return vec![cat];
    }
    Vec::new()
}

/// Splits on `,` `/` `+` `&` `;` and the whole word `and`, yielding each part with its
/// byte range in `cell`. Separators inside parentheses do not split.
pub(crate) fn split_parts(cell: &str) -> Vec<(&str, std::ops::Range<usize>)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let bytes = cell.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b',' | b'/' | b'+' | b'&' | b';' if depth == 0 => {
                parts.push((&cell[start..i], start..i));
                start = i + 1;
            }
            b'a' | b'A' if depth == 0 => {
                let word_start = i == 0 || bytes[i - 1].is_ascii_whitespace();
                let rest = &bytes[i..];
                let is_and = rest.len() >= 3
                    && rest[..3].eq_ignore_ascii_case(b"and")
                    && rest.get(3).is_none_or(|c| c.is_ascii_whitespace());
                if word_start && is_and && i > 0 {
                    parts.push((&cell[start..i], start..i));
                    start = i + 3;
                    i += 3;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push((&cell[start..], start..cell.len()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use StrideCategory::*;

    fn cats(s: &str) -> Vec<StrideCategory> {
        parse_category_cell(s).categories
    }

    #[test]
    fn full_names_short_forms_and_letters() {
        assert_eq!(cats("Spoofing"), vec![Spoofing]);
        assert_eq!(cats("Info disclosure"), vec![InformationDisclosure]);
        assert_eq!(cats("DoS"), vec![DenialOfService]);
        assert_eq!(cats("EoP/Elevation"), vec![ElevationOfPrivilege]);
        assert_eq!(cats("T/I"), vec![Tampering, InformationDisclosure]);
        assert_eq!(cats("S,T"), vec![Spoofing, Tampering]);
        assert_eq!(cats("STRIDE"), StrideCategory::ALL.to_vec());
        assert_eq!(cats("Spoofing and Tampering"), vec![Spoofing, Tampering]);
        assert_eq!(
            cats("Tampering & Denial of Service"),
            vec![Tampering, DenialOfService]
        );
        assert_eq!(cats("`Repudiation`"), vec![Repudiation]);
        assert_eq!(cats("Denial of Service (DoS)"), vec![DenialOfService]);
        // Microsoft's long names.
        assert_eq!(cats("Spoofing Identity"), vec![Spoofing]);
        assert_eq!(cats("Tampering with data"), vec![Tampering]);
    }

    #[test]
    fn unknown_parts_are_reported_with_their_range() {
        let cell = "Spoofing, Phishing";
        let parsed = parse_category_cell(cell);
        assert_eq!(parsed.categories, vec![Spoofing]);
        assert_eq!(parsed.unknown.len(), 1);
        let (text, range) = &parsed.unknown[0];
        assert_eq!(text, "Phishing");
        assert_eq!(cell[range.clone()].trim(), "Phishing");
    }

    #[test]
    fn words_containing_and_are_not_split() {
        assert_eq!(parse_category_cell("Tampering").unknown, vec![]);
        assert_eq!(cats("android"), Vec::<StrideCategory>::new());
    }
}
