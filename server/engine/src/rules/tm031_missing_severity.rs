//! TM031 missing-severity: a threat has no severity, or one outside the scale.

use super::{Context, RuleMeta, edits};
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
use crate::span::TextRange;

pub const META: RuleMeta = RuleMeta {
    code: "TM031",
    name: "missing-severity",
    default_level: Level::Warning,
    summary: "A threat has no severity, or one outside the severity scale.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a threat with no severity, or with one that is not on the severity scale
(by default critical, high, medium, low, informational; `severity_scale` in
`.threatmark.toml` changes it). A severity is a table's severity or risk cell, a
`Severity:` line, or a value in parentheses after a list-form threat's categories or
at the end of a threat heading (`### TH-2 Replayed signing request (High)`).

## Why does it matter?
Severity decides what happens next: which threats block a launch, which need a
ticket, how fast they must be fixed. A threat without one is never prioritised, and a
value off the scale is not understood by the rules and the report that rely on it.

## Example
```md
| ID | STRIDE | Threat | Severity |
|----|--------|--------|----------|
| T2 | Tampering | An operator swaps a tenant's registered key | Hgih |
| T3 | Repudiation | A tenant admin denies changing the destination |  |
```

## How to fix
Rate each threat on the scale: how bad would it be, and how likely is it? For a
misspelled value the fix replaces it with the closest value on the scale.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let scale = &cx.config.severity_scale;
    let scale_list = scale.join(", ");
    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        if facts.placeholder || facts.severity.is_some() {
            continue;
        }
        let id = threat.id.as_ref().map(|i| i.value.clone());
        let who = id.clone().unwrap_or_else(|| "This threat".to_string());
        let data = FindingData { id, ..FindingData::default() };
        let written = threat.severity.as_ref().map(|s| (core(cx.text, s.range), s.value.trim()));
        match written {
            Some((range, value)) if !range.is_empty() && !value.is_empty() => {
                let shown = range.slice(cx.text);
                let suggestion = edits::closest(shown, scale).map(|s| with_case_of(shown, s));
                let question = match &suggestion {
                    Some(s) => format!("Did you mean {s}?"),
                    None => "Which one fits best?".to_string(),
                };
                let message = format!("`{shown}` is not on the severity scale ({scale_list}). {question}");
                let mut finding = Finding::new(&META, range, message).with_data(data);
                if let Some(s) = suggestion {
                    finding = finding.with_fix(Fix {
                        title: format!("Replace with {s}"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit::replace(range, s)],
                    });
                }
                out.push(finding);
            }
            _ => {
                // An empty cell's range is empty: point at the row instead.
                let range = threat.severity.as_ref().map(|s| s.range).filter(|r| !r.is_empty()).unwrap_or(threat.range);
                let message = format!(
                    "{who} has no severity. How bad would it be if it happened, and how likely is it? ({scale_list})"
                );
                out.push(Finding::new(&META, range, message).with_data(data));
            }
        }
    }
}

/// The value's letters and digits without surrounding markup (`**Hgih**` → `Hgih`).
fn core(text: &str, range: TextRange) -> TextRange {
    let slice = range.slice(text);
    let start = slice.find(|c: char| c.is_alphanumeric()).unwrap_or(slice.len());
    let end = slice.rfind(|c: char| c.is_alphanumeric()).map_or(start, |i| {
        i + slice[i..].chars().next().map_or(1, char::len_utf8)
    });
    TextRange::new(range.start + start, range.start + end.max(start))
}

/// `value` in the capitalisation style of `written`: `hgih` → `high`, `HGIH` → `HIGH`,
/// `Hgih` → `High`.
fn with_case_of(written: &str, value: &str) -> String {
    let letters: Vec<char> = written.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return value.to_uppercase();
    }
    if letters.first().is_some_and(|c| c.is_uppercase()) {
        let mut chars = value.chars();
        return chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    }
    value.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_writers_case() {
        assert_eq!(with_case_of("Hgih", "high"), "High");
        assert_eq!(with_case_of("hgih", "high"), "high");
        assert_eq!(with_case_of("HGIH", "high"), "HIGH");
    }

    #[test]
    fn core_drops_markup() {
        let text = "| **Hgih** |";
        let r = core(text, TextRange::new(2, 10));
        assert_eq!(r.slice(text), "Hgih");
        assert!(core("| ** |", TextRange::new(2, 4)).is_empty());
    }
}
