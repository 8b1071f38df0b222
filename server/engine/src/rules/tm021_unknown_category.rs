//! TM021 unknown-category: a category cell names something that is not a STRIDE category.

use super::{Context, RuleMeta};
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
use crate::stride::StrideCategory;

pub const META: RuleMeta = RuleMeta {
    code: "TM021",
    name: "unknown-category",
    default_level: Level::Error,
    summary: "A category cell names something that is not a STRIDE category.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each part of a threat's category (a table's STRIDE or category cell, the
brackets of a list-form threat, a `Category:` line) that names no STRIDE category.
Full names, short forms (`DoS`, `EoP`, `Info disclosure`) and letters (`S`, `T/I`,
`STRIDE`) are all understood; a misspelling or a category from another scheme is not.

## Why does it matter?
A threat counts towards STRIDE coverage only through the categories it names. A typo
silently leaves its category unaddressed, and a label from another scheme (`Phishing`,
`Injection`) says how the attack works rather than which property it breaks.

## Example
```md
| ID | STRIDE  | Threat |
|----|---------|--------|
| T1 | Spofing | A caller replays another tenant's session token |
```

## How to fix
Name the category the threat breaks. When the text is a near miss of one category
(`Spofing`), the fix replaces it with that category; otherwise ask which property the
attack violates: identity (Spoofing), integrity (Tampering), accountability
(Repudiation), confidentiality (Information disclosure), availability (Denial of
service) or authorization (Elevation of privilege).
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for threat in &cx.doc.threats {
        for unknown in &threat.unknown_categories {
            let written = unknown.range.slice(cx.text);
            let written = if written.is_empty() { unknown.value.as_str() } else { written };
            let data = FindingData { id: threat.id.as_ref().map(|i| i.value.clone()), ..FindingData::default() };
            let suggestion = suggest(cx, written);
            let message = match &suggestion {
                Some((_, replacement)) => {
                    format!("`{written}` is not a STRIDE category. Did you mean {replacement}?")
                }
                None => format!(
                    "`{written}` is not a STRIDE category. Which property does this threat break: identity (Spoofing), integrity (Tampering), accountability (Repudiation), confidentiality (Information disclosure), availability (Denial of service) or authorization (Elevation of privilege)?"
                ),
            };
            let mut finding = Finding::new(&META, unknown.range, message).with_data(data);
            if let Some((category, replacement)) = suggestion {
                finding = finding.with_fix(Fix {
                    title: format!("Replace with {}", category.name()),
                    applicability: Applicability::Safe,
                    edits: vec![Edit::replace(unknown.range, replacement)],
                });
            }
            out.push(finding);
        }
    }
}

/// The spellings a category is compared against: its name, its id, the short forms the
/// methodology lists, and the short forms `stride` recognises.
fn spellings(cx: &Context<'_>, category: StrideCategory) -> Vec<String> {
    let mut out = vec![category.name().to_string(), category.id().replace('_', " ")];
    if let Some(info) = cx.methodology.category(category) {
        out.push(info.name.clone());
        out.extend(info.short_forms.iter().cloned());
    }
    out
}

/// The closest category to `written` and the text to put in its place, when the
/// distance is small and no other category is as close.
fn suggest(cx: &Context<'_>, written: &str) -> Option<(StrideCategory, String)> {
    let word = normalize(written);
    let len = word.chars().count();
    let allowed = match len {
        0..=3 => return None,
        4..=7 => 1,
        8..=15 => 2,
        _ => 3,
    };
    // Per category: the best distance and the spelling that reached it.
    let mut best: Vec<(usize, StrideCategory, String)> = StrideCategory::ALL
        .into_iter()
        .filter_map(|c| {
            spellings(cx, c)
                .into_iter()
                .map(|s| (strsim::damerau_levenshtein(&word, &normalize(&s)), s))
                .min_by_key(|(d, _)| *d)
                .map(|(d, s)| (d, c, s))
        })
        .collect();
    best.sort_by_key(|(d, _, _)| *d);
    let (distance, category, spelling) = best.first()?.clone();
    let unique = best.get(1).is_none_or(|(d, _, _)| *d > distance);
    if distance == 0 || distance > allowed || !unique {
        return None;
    }
    // A near miss of a short form becomes that short form (`Tampr` → `Tamper`), as long
    // as the category cell reader knows it; anything else becomes the category's name.
    let target = if StrideCategory::from_name(&spelling) == Some(category) && normalize(&spelling) != normalize(category.name()) {
        spelling
    } else {
        category.name().to_string()
    };
    Some((category, with_case_of(written, &target)))
}

fn normalize(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `target` in the case style of `written`: all lowercase, all uppercase, or as given.
fn with_case_of(written: &str, target: &str) -> String {
    let letters: Vec<char> = written.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_lowercase()) {
        target.to_lowercase()
    } else if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        target.to_uppercase()
    } else {
        target.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::{Source, analyze};

    fn findings(md: &str) -> Vec<Finding> {
        let analysis = analyze(Source { path: "design/x.md", text: md }, &Config::default(), jiff::civil::date(2026, 11, 23));
        analysis.findings.into_iter().filter(|f| f.code == META.code).collect()
    }

    fn table(cell: &str) -> String {
        format!("# D\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Threat |\n|---|---|---|\n| T1 | {cell} | x |\n")
    }

    fn replacement(cell: &str) -> Option<String> {
        let f = findings(&table(cell));
        f.first().and_then(|f| f.fixes.first()).map(|fix| fix.edits[0].new_text.clone())
    }

    #[test]
    fn near_misses_get_the_closest_category() {
        assert_eq!(replacement("Spofing").as_deref(), Some("Spoofing"));
        assert_eq!(replacement("tampring").as_deref(), Some("tampering"));
        assert_eq!(replacement("Infomation disclosure").as_deref(), Some("Information disclosure"));
        assert_eq!(replacement("Denail of service").as_deref(), Some("Denial of service"));
        assert_eq!(replacement("Elevation of privelege").as_deref(), Some("Elevation of privilege"));
        assert_eq!(replacement("Repudation").as_deref(), Some("Repudiation"));
    }

    #[test]
    fn other_schemes_get_no_fix() {
        let f = findings(&table("Phishing"));
        assert_eq!(f.len(), 1);
        assert!(f[0].fixes.is_empty());
        assert!(replacement("XSS").is_none());
        assert!(replacement("Injection").is_none());
    }

    #[test]
    fn each_unknown_part_is_its_own_finding() {
        let md = table("Spofing, T, Phishing");
        let f = findings(&md);
        let parts: Vec<&str> = f.iter().map(|f| f.range.slice(&md)).collect();
        assert_eq!(parts, ["Spofing", "Phishing"]);
    }
}
