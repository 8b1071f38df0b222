//! Sections recognized by normalized heading text (SPEC §4).

use super::Document;
use super::markdown::Heading;
use crate::config::Config;
use crate::span::{Spanned, TextRange};
use crate::stride::StrideCategory;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    ThreatModel,
    Scope,
    Diagram,
    Assets,
    Threats,
    Mitigations,
    Review,
}

impl SectionKind {
    /// The subsections a threat model must have (TM002), in the order the skeleton uses.
    pub const REQUIRED: [SectionKind; 5] = [
        SectionKind::Scope,
        SectionKind::Diagram,
        SectionKind::Assets,
        SectionKind::Threats,
        SectionKind::Mitigations,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SectionKind::ThreatModel => "threat_model",
            SectionKind::Scope => "scope",
            SectionKind::Diagram => "diagram",
            SectionKind::Assets => "assets",
            SectionKind::Threats => "threats",
            SectionKind::Mitigations => "mitigations",
            SectionKind::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SectionKind::ThreatModel => "threat model",
            SectionKind::Scope => "scope",
            SectionKind::Diagram => "data-flow diagram",
            SectionKind::Assets => "asset inventory",
            SectionKind::Threats => "threats",
            SectionKind::Mitigations => "mitigations",
            SectionKind::Review => "review",
        }
    }

    pub fn from_config_key(key: &str) -> Option<SectionKind> {
        [
            SectionKind::ThreatModel,
            SectionKind::Scope,
            SectionKind::Diagram,
            SectionKind::Assets,
            SectionKind::Threats,
            SectionKind::Mitigations,
            SectionKind::Review,
        ]
        .into_iter()
        .find(|k| k.id() == key)
    }
}

/// Every section kind's id (`SectionKind::id`), as `[sections]` keys in the config.
pub const SECTION_IDS: [&str; 7] = [
    "threat_model",
    "scope",
    "diagram",
    "assets",
    "threats",
    "mitigations",
    "review",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Index into `Document::headings`.
    pub heading: usize,
    pub level: u8,
    /// The heading line, without its newline.
    pub heading_range: TextRange,
    /// The heading text normalized (SPEC §4): lowercase, numbering and marks removed.
    pub normalized: String,
    pub kind: Option<SectionKind>,
    /// Whether the kind came from a multi-word alias (only those make a file a design doc).
    pub matched_multi_word: bool,
    /// A section where a mermaid flowchart counts as the design's diagram.
    pub hosts_diagram: bool,
    /// For a heading that is nothing but STRIDE category names: those categories.
    pub categories: Vec<StrideCategory>,
    /// For a heading that starts with a category and goes on ("Information disclosure via
    /// logs"): that category.
    pub leading_category: Option<StrideCategory>,
    /// From the heading to the next heading of the same or a higher level.
    pub range: TextRange,
    /// After the heading line to the end of the section.
    pub body: TextRange,
    /// The enclosing section (index into `Document::sections`).
    pub parent: Option<usize>,
    /// A heading named like mitigations (`Mitigations`, `Recommended mitigations`,
    /// `Threat-01-S Recommended mitigations`): in heading-form threat models it holds the
    /// mitigations of a threat.
    pub mitigations_heading: bool,
    /// Whether an enclosing section is a STRIDE category section; such a section's own
    /// kind is cleared, since `### Mitigations` there belongs to a threat.
    pub in_category_section: bool,
}

#[derive(Deserialize)]
struct AliasFile {
    threat_model: Vec<String>,
    scope: Vec<String>,
    diagram: Vec<String>,
    assets: Vec<String>,
    threats: Vec<String>,
    mitigations: Vec<String>,
    review: Vec<String>,
    diagram_hosts: Vec<String>,
}

struct Aliases {
    by_kind: Vec<(SectionKind, Vec<Vec<String>>)>,
    diagram_hosts: Vec<Vec<String>>,
}

fn default_aliases() -> &'static Aliases {
    static ALIASES: OnceLock<Aliases> = OnceLock::new();
    ALIASES.get_or_init(|| {
        // Embedded data, parsed in a test: an error here is a build defect.
        let file: AliasFile = toml::from_str(include_str!("../knowledge/sections.toml"))
            .unwrap_or_else(|e| panic!("knowledge/sections.toml is invalid: {e}"));
        let words = |list: Vec<String>| list.iter().map(|a| words(a)).collect::<Vec<_>>();
        Aliases {
            by_kind: vec![
                (SectionKind::ThreatModel, words(file.threat_model)),
                (SectionKind::Scope, words(file.scope)),
                (SectionKind::Diagram, words(file.diagram)),
                (SectionKind::Assets, words(file.assets)),
                (SectionKind::Threats, words(file.threats)),
                (SectionKind::Mitigations, words(file.mitigations)),
                (SectionKind::Review, words(file.review)),
            ],
            diagram_hosts: words(file.diagram_hosts),
        }
    })
}

/// The default aliases of a section kind, as written in the data file (for hovers/docs).
pub fn aliases_of(kind: SectionKind) -> Vec<String> {
    default_aliases()
        .by_kind
        .iter()
        .filter(|(k, _)| *k == kind)
        .flat_map(|(_, list)| list.iter().map(|w| w.join(" ")))
        .collect()
}

fn numbering() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:\d+(?:\.\d+)*\.?|[ivxlcdm]+\.|[a-z][.)]|§\s*\d+(?:\.\d+)*)\s+")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Normalizes heading text per SPEC §4: lowercase, leading numbering (`5.`, `5.2`, `IV.`,
/// `A)`), trailing `:` `?` `.`, emphasis/code marks and surrounding whitespace removed.
pub fn normalize_heading(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let unmarked: String = lower
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .collect();
    let mut s = unmarked.trim();
    if let Some(m) = numbering().find(s) {
        s = &s[m.end()..];
    }
    s.trim()
        .trim_end_matches([':', '?', '.', ' '])
        .trim()
        .to_string()
}

/// The words of a normalized text: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Where `phrase` occurs in `hay` as a run of whole words: the word index.
fn find_phrase(hay: &[String], phrase: &[String]) -> Option<usize> {
    if phrase.is_empty() || phrase.len() > hay.len() {
        return None;
    }
    hay.windows(phrase.len()).position(|w| w == phrase)
}

struct KindMatch {
    kind: SectionKind,
    multi_word: bool,
}

fn classify(normalized: &str, extra: &[(SectionKind, Vec<String>)]) -> Option<KindMatch> {
    let hay = words(normalized);
    let mut best: Option<(usize, KindMatch)> = None;
    let aliases = default_aliases()
        .by_kind
        .iter()
        .flat_map(|(k, list)| list.iter().map(move |a| (*k, a)))
        .chain(extra.iter().map(|(k, a)| (*k, a)));
    for (kind, alias) in aliases {
        // A one-word alias (`security`, `sign-off`) must be the whole heading; the
        // original spelling had no space, so compare word lists whole.
        let one_word = alias.len() == 1 || is_one_word_alias(alias);
        let at = if one_word {
            (hay == *alias).then_some(0)
        } else {
            find_phrase(&hay, alias)
        };
        let Some(at) = at else { continue };
        let candidate = KindMatch {
            kind,
            multi_word: !one_word,
        };
        best = match best {
            None => Some((at, candidate)),
            Some((prev_at, prev)) => {
                // The threat-model container wins; else the alias that comes first.
                let take = if candidate.kind == SectionKind::ThreatModel
                    && prev.kind != SectionKind::ThreatModel
                {
                    true
                } else if prev.kind == SectionKind::ThreatModel
                    && candidate.kind != SectionKind::ThreatModel
                {
                    false
                } else {
                    at < prev_at || (at == prev_at && candidate.multi_word && !prev.multi_word)
                };
                if take {
                    Some((at, candidate))
                } else {
                    Some((prev_at, prev))
                }
            }
        };
    }
    if best.is_none() {
        return classify_joined(normalized, extra);
    }
    best.map(|(_, m)| m)
}

/// A heading made only of one-word aliases joined by `and`, `&` or `,` ("Threats and
/// mitigations"): the container wins, else the first.
fn classify_joined(normalized: &str, extra: &[(SectionKind, Vec<String>)]) -> Option<KindMatch> {
    let parts: Vec<&str> = normalized
        .split([',', '&'])
        .flat_map(|p| p.split(" and "))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let mut kinds = Vec::new();
    for part in parts {
        let m = classify(part, extra)?;
        kinds.push(m.kind);
    }
    let kind = if kinds.contains(&SectionKind::ThreatModel) {
        SectionKind::ThreatModel
    } else {
        kinds[0]
    };
    Some(KindMatch {
        kind,
        multi_word: false,
    })
}

/// `sign-off` is written as one word: its word list has two entries but no space.
fn is_one_word_alias(alias: &[String]) -> bool {
    alias.len() == 2 && alias[0] == "sign" && alias[1] == "off"
}

fn hosts_diagram(normalized: &str) -> bool {
    let hay = words(normalized);
    default_aliases().diagram_hosts.iter().any(|alias| {
        if alias.len() == 1 {
            hay == *alias
        } else {
            find_phrase(&hay, alias).is_some()
        }
    })
}

/// A heading that is nothing but STRIDE category names: `Spoofing`, `S — Spoofing`,
/// `T: Tampering`, `Denial of Service (DoS)`, `Tampering and Repudiation`.
pub fn category_heading(heading_text: &str) -> Vec<StrideCategory> {
    let normalized = normalize_heading(heading_text);
    let mut s = normalized.as_str();
    // A letter prefix: `s —`, `t:`, `i -`.
    let b = s.as_bytes();
    if b.len() > 2 && b[0].is_ascii_alphabetic() {
        let rest = s[1..].trim_start();
        for sep in ["—", "–", ":", "-", "."] {
            if let Some(r) = rest.strip_prefix(sep) {
                if StrideCategory::from_letter(b[0] as char).is_some() {
                    s = r.trim();
                }
                break;
            }
        }
    }
    // Parenthesised short forms are dropped: `denial of service (dos)`.
    let mut without_parens = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_parens.push(c),
            _ => {}
        }
    }
    let parts = crate::stride::split_parts(&without_parens);
    let mut cats = Vec::new();
    for (part, _) in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match StrideCategory::from_name(part) {
            Some(c) if !matches!(words(part).as_slice(), [w] if w == "id" || w == "info") => {
                if !cats.contains(&c) {
                    cats.push(c);
                }
            }
            _ => return Vec::new(),
        }
    }
    cats
}

/// For a heading that starts with a category name and goes on: that category.
pub fn leading_category(heading_text: &str) -> Option<StrideCategory> {
    let hay = words(&normalize_heading(heading_text));
    const NAMES: [(&[&str], StrideCategory); 8] = [
        (&["spoofing"], StrideCategory::Spoofing),
        (&["tampering"], StrideCategory::Tampering),
        (&["repudiation"], StrideCategory::Repudiation),
        (
            &["information", "disclosure"],
            StrideCategory::InformationDisclosure,
        ),
        (
            &["denial", "of", "service"],
            StrideCategory::DenialOfService,
        ),
        (&["dos"], StrideCategory::DenialOfService),
        (
            &["elevation", "of", "privilege"],
            StrideCategory::ElevationOfPrivilege,
        ),
        (
            &["privilege", "escalation"],
            StrideCategory::ElevationOfPrivilege,
        ),
    ];
    NAMES.iter().find_map(|(name, cat)| {
        (hay.len() > name.len() && hay.iter().zip(name.iter()).all(|(a, b)| a == b)).then_some(*cat)
    })
}

pub fn build(text: &str, headings: &[Heading], config: &Config) -> Vec<Section> {
    let extra: Vec<(SectionKind, Vec<String>)> = config
        .extra_section_aliases
        .iter()
        .map(|(k, a)| (*k, words(a)))
        .collect();
    let mut sections: Vec<Section> = Vec::with_capacity(headings.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if sections[top].level >= h.level {
                sections[top].range.end = h.range.start;
                sections[top].body.end = h.range.start.max(sections[top].body.start);
                stack.pop();
            } else {
                break;
            }
        }
        let normalized = normalize_heading(&h.text);
        let in_category_section = stack
            .iter()
            .any(|&i| !sections[i].categories.is_empty() || sections[i].in_category_section);
        let matched = if in_category_section {
            None
        } else {
            classify(&normalized, &extra)
        };
        let body_start = line_end(text, h.range.end);
        sections.push(Section {
            heading: i,
            level: h.level,
            heading_range: h.range,
            kind: matched.as_ref().map(|m| m.kind),
            matched_multi_word: matched.as_ref().is_some_and(|m| m.multi_word),
            hosts_diagram: hosts_diagram(&normalized),
            categories: category_heading(&h.text),
            leading_category: leading_category(&h.text),
            normalized,
            range: TextRange::new(h.range.start, text.len()),
            body: TextRange::new(body_start, text.len()),
            parent: stack.last().copied(),
            mitigations_heading: is_mitigations_heading(&h.text),
            in_category_section,
        });
        stack.push(sections.len() - 1);
    }
    sections
}

/// `Mitigations`, `Recommended mitigations`, `Threat-01-S Recommended mitigations`,
/// `Countermeasures`, `Controls`.
pub fn is_mitigations_heading(heading_text: &str) -> bool {
    let normalized = normalize_heading(heading_text);
    let rest = match super::ids::leading_threat_id(&normalized) {
        Some(r) => &normalized[r.end..],
        None => normalized.as_str(),
    };
    let w = words(rest);
    let mitigation_word =
        |x: &String| matches!(x.as_str(), "mitigation" | "mitigations" | "countermeasures");
    // `Possible mitigation strategies`, `Mitigation plan`.
    let trailing_kind = w.len() >= 2
        && w.len() <= 4
        && mitigation_word(&w[w.len() - 2])
        && matches!(
            w[w.len() - 1].as_str(),
            "strategies" | "strategy" | "plan" | "plans" | "measures" | "steps"
        );
    trailing_kind
        || w.len() <= 4
            && w.last().is_some_and(|last| {
                matches!(
                    last.as_str(),
                    "mitigation"
                        | "mitigations"
                        | "countermeasure"
                        | "countermeasures"
                        | "controls"
                        | "remediation"
                        | "remediations"
                )
            })
}

/// The offset just past the line terminator after `offset`.
fn line_end(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    match rest.find('\n') {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// The first threat-model section; an outer one wins over a nested one.
pub fn threat_model_index(sections: &[Section]) -> Option<usize> {
    sections
        .iter()
        .position(|s| s.kind == Some(SectionKind::ThreatModel))
}

/// The innermost section whose range holds `offset`.
pub fn innermost_at(sections: &[Section], offset: usize) -> Option<usize> {
    sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.range.contains(offset))
        .max_by_key(|(_, s)| s.range.start)
        .map(|(i, _)| i)
}

fn last_reviewed_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?im)^[ \t>*_-]*last[ \t]+reviewed[ \t]*[*_]*[ \t]*:[ \t]*[*_]*[ \t]*(\d{4}-\d{2}-\d{2})")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A `Last reviewed: YYYY-MM-DD` line inside the threat-model section (SPEC §4.1).
pub fn last_reviewed_line(text: &str, doc: &Document) -> Option<Spanned<String>> {
    let tm = doc.sections.get(doc.threat_model?)?;
    let body = tm.body.slice(text);
    let caps = last_reviewed_re().captures(body)?;
    let m = caps.get(1)?;
    Some(Spanned::new(
        m.as_str().to_string(),
        TextRange::new(tm.body.start + m.start(), tm.body.start + m.end()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use StrideCategory::*;

    fn kind(heading: &str) -> Option<SectionKind> {
        classify(&normalize_heading(heading), &[]).map(|m| m.kind)
    }

    #[test]
    fn normalization_strips_numbering_marks_and_trailing_punctuation() {
        assert_eq!(normalize_heading("5.2 **Threat Model**:"), "threat model");
        assert_eq!(normalize_heading("IV. Assets"), "assets");
        assert_eq!(normalize_heading("A) `Scope`?"), "scope");
        assert_eq!(
            normalize_heading("  Did we do a good enough job? "),
            "did we do a good enough job"
        );
    }

    #[test]
    fn real_world_titles_match_by_phrase() {
        assert_eq!(
            kind("Payments — Threat Model (STRIDE-based)"),
            Some(SectionKind::ThreatModel)
        );
        assert_eq!(
            kind("Threat Modeling with STRIDE"),
            Some(SectionKind::ThreatModel)
        );
        assert_eq!(kind("3. STRIDE Analysis"), Some(SectionKind::Threats));
        assert_eq!(kind("Data flow diagram (v2)"), Some(SectionKind::Diagram));
        assert_eq!(
            kind("What are we going to do about it?"),
            Some(SectionKind::Mitigations)
        );
        assert_eq!(kind("Sign-off"), Some(SectionKind::Review));
    }

    #[test]
    fn one_word_aliases_must_be_the_whole_heading() {
        assert_eq!(kind("Security"), Some(SectionKind::ThreatModel));
        assert_eq!(kind("Security champions rota"), None);
        assert_eq!(kind("Risks and Mitigations"), None);
        assert_eq!(kind("Review process for releases"), None);
    }

    #[test]
    fn container_wins_then_first_alias() {
        assert_eq!(kind("Threats and mitigations"), Some(SectionKind::Threats));
        assert_eq!(
            kind("Mitigations & threats"),
            Some(SectionKind::Mitigations)
        );
        assert_eq!(kind("Threats and security"), Some(SectionKind::ThreatModel));
        assert_eq!(
            kind("Threat model: threats and mitigations"),
            Some(SectionKind::ThreatModel)
        );
        assert_eq!(
            kind("What can go wrong and what are we going to do about it"),
            Some(SectionKind::Threats)
        );
    }

    #[test]
    fn category_headings() {
        assert_eq!(category_heading("Spoofing"), vec![Spoofing]);
        assert_eq!(
            category_heading("3.4 Information Disclosure"),
            vec![InformationDisclosure]
        );
        assert_eq!(category_heading("**S — Spoofing**"), vec![Spoofing]);
        assert_eq!(
            category_heading("Denial of Service (DoS)"),
            vec![DenialOfService]
        );
        assert_eq!(
            category_heading("Tampering and Repudiation"),
            vec![Tampering, Repudiation]
        );
        assert_eq!(category_heading("T: Tampering"), vec![Tampering]);
        assert!(category_heading("Information disclosure via logs").is_empty());
        assert!(category_heading("Overview").is_empty());
        assert!(category_heading("ID").is_empty());
        assert_eq!(
            leading_category("Information disclosure via logs"),
            Some(InformationDisclosure)
        );
        assert_eq!(leading_category("Information disclosure"), None);
        assert!(is_mitigations_heading(
            "Threat-01-S Recommended mitigations"
        ));
        assert!(is_mitigations_heading("Mitigations"));
        for id in SECTION_IDS {
            assert_eq!(
                SectionKind::from_config_key(id).map(SectionKind::id),
                Some(id)
            );
        }
        assert!(!is_mitigations_heading(
            "Risks and the design of mitigations in depth"
        ));
    }
}
