//! TM012 unclassified-asset: an asset has no classification, or one outside the scale.

use super::{Context, RuleMeta, edits, placeholder};
use crate::finding::{Applicability, Edit, Finding, FindingData, Fix, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM012",
    name: "unclassified-asset",
    default_level: Level::Warning,
    summary: "An asset has no classification, or one outside the classification scale.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on each inventory asset without a classification, or whose classification is not
on the configured scale (by default `public`, `internal`, `confidential`,
`restricted`; `classification_scale` in `.threatmark.toml` changes it). Case is
ignored, and a value may go on after the scale word (`Confidential (PII)`).
`data.asset` names the asset. A `<classification>` placeholder is left to the
placeholder rule.

## Why does it matter?
The classification says how much harm a leak, a change or a loss of the asset would
do, and so how much each threat against it matters. Without it, a reviewer cannot
tell whether the mitigations are proportionate. A word from outside the scale
(`secret`, `sensitive`) means different things to different readers.

## Example
```md
| ID | Asset | Classification |
|----|-------|----------------|
| A1 | Orders replica | confidental |
| A2 | SFTP key store |  |
```

## How to fix
Pick the scale value that fits: how bad would it be if this leaked or were changed?
When the value is a misspelling of one scale value, the fix replaces it.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let scale = &cx.config.classification_scale;
    let tm = cx
        .doc
        .threat_model
        .and_then(|i| cx.doc.sections.get(i))
        .map(|s| s.range);
    for asset in &cx.doc.assets.assets {
        let name = asset.name.value.as_str();
        let data = FindingData {
            asset: Some(name.to_string()),
            ..FindingData::default()
        };
        let value = asset
            .classification
            .as_ref()
            .filter(|c| !c.value.trim().is_empty());
        let Some(value) = value else {
            let message = format!(
                "`{name}` has no classification. How much harm would a leak do: is it {}?",
                either(scale)
            );
            out.push(Finding::new(&META, asset.range, message).with_data(data));
            continue;
        };
        if scale.is_empty() || on_scale(&value.value, scale) {
            continue;
        }
        // TM050 reports a placeholder left inside the threat model; once is enough.
        if placeholder::only_placeholders(&value.value) && tm.is_some_and(|r| r.covers(asset.range))
        {
            continue;
        }
        let written = value.range.slice(cx.text);
        let range = if written.is_empty() {
            asset.range
        } else {
            value.range
        };
        let suggestion = unique_closest(&value.value, scale);
        let message = match suggestion {
            Some(s) => format!(
                "`{}` is not on the classification scale ({}). Did you mean `{s}`?",
                value.value,
                scale.join(", ")
            ),
            None => format!(
                "`{}` is not on the classification scale. Which fits `{name}`: {}?",
                value.value,
                either(scale)
            ),
        };
        let mut finding = Finding::new(&META, range, message).with_data(data);
        if let (Some(s), false) = (suggestion, written.is_empty()) {
            let replacement = same_case(written, s);
            finding = finding.with_fix(Fix {
                title: format!("Replace `{written}` with `{replacement}`"),
                applicability: Applicability::Safe,
                edits: vec![Edit::replace(value.range, replacement)],
            });
        }
        out.push(finding);
    }
}

/// Whether `value` is on the scale: a scale word, possibly followed by more words after a
/// separator (`Confidential (PII)`, `restricted — keys`).
fn on_scale(value: &str, scale: &[String]) -> bool {
    let v = value
        .trim()
        .trim_matches(|c: char| matches!(c, '*' | '_' | '`'))
        .trim()
        .to_lowercase();
    scale.iter().any(|s| {
        let s = s.to_lowercase();
        v == s
            || v.strip_prefix(&s)
                .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric() && c != '-'))
    })
}

/// The scale value `value` misspells, when exactly one is close.
fn unique_closest<'s>(value: &str, scale: &'s [String]) -> Option<&'s str> {
    let best = edits::closest(value, scale)?;
    let others: Vec<String> = scale
        .iter()
        .filter(|s| s.as_str() != best)
        .cloned()
        .collect();
    edits::closest(value, &others).is_none().then_some(best)
}

/// `public, internal, confidential or restricted`.
fn either(scale: &[String]) -> String {
    match scale {
        [] => "public, internal, confidential or restricted".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// `value` in the capitalization of `written` (`Confidental` → `Confidential`).
fn same_case(written: &str, value: &str) -> String {
    let inner = written.trim_matches(|c: char| !c.is_alphanumeric());
    if inner.len() > 1 && inner.chars().all(|c| !c.is_lowercase()) {
        return value.to_uppercase();
    }
    if inner.starts_with(char::is_uppercase) {
        let mut chars = value.chars();
        return chars
            .next()
            .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect());
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Vec<String> {
        ["public", "internal", "confidential", "restricted"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn scale_words_with_trailing_notes() {
        assert!(on_scale("Confidential", &scale()));
        assert!(on_scale("**restricted**", &scale()));
        assert!(on_scale("Confidential (PII)", &scale()));
        assert!(!on_scale("internal-only", &scale()));
        assert!(!on_scale("secret", &scale()));
        assert!(!on_scale("publicly known", &scale()));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            unique_closest("confidental", &scale()),
            Some("confidential")
        );
        assert_eq!(unique_closest("Restircted", &scale()), Some("restricted"));
        assert_eq!(unique_closest("secret", &scale()), None);
        assert_eq!(same_case("Confidental", "confidential"), "Confidential");
        assert_eq!(same_case("PUBLC", "public"), "PUBLIC");
        assert_eq!(
            either(&scale()),
            "public, internal, confidential or restricted"
        );
    }
}
