//! TM035 thin-threat: a threat's description is too thin to act on.
//!
//! The words that count as a threat source or an impact live in
//! `knowledge/threat_words.toml`, so the list can grow without touching the rule.

use super::{Context, RuleMeta};
use crate::document::{Threat, ThreatShape};
use crate::finding::{Finding, FindingData, Level};
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::OnceLock;

pub const META: RuleMeta = RuleMeta {
    code: "TM035",
    name: "thin-threat",
    default_level: Level::Info,
    summary: "A threat's description is too thin to act on: under six words, or no actor and no impact.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires on a threat whose description has fewer than six words, or names neither a
threat source (an attacker, a user, an operator, a script, a bug…) nor an action or
impact (leak, forge, overwrite, exhaust, escalate…). For a heading-form threat the
heading counts as part of the description.

## Why does it matter?
\"SQL injection\" or \"Data not encrypted\" names a topic, not a threat. Nobody can judge
its severity or check a mitigation against it. A threat statement says who, with what
access, can do what, leading to what, against which asset:

> A [threat source] with [prerequisites] can [action], leading to [impact] on [asset].

## Example
```md
| ID | STRIDE | Threat |
|----|--------|--------|
| T3 | I | Logging of tokens |
```

## How to fix
Rewrite the description as a threat statement: \"A support engineer with read access to
the log index can copy session tokens from request logs, leading to account takeover
of any customer.\"
";

const PATTERN: &str = "\"A [threat source] with [prerequisites] can [action], leading to [impact] on [asset]\"";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (threat, facts) in cx.doc.threats.iter().zip(&cx.facts.threats) {
        if facts.placeholder {
            continue;
        }
        let Some(description) = &threat.description else { continue };
        let count = word_count(&description.value);
        if count >= 6 {
            // Long enough: thin only when neither it nor its heading names an actor or an
            // impact. The heading and the description are matched word by word, so they
            // need not be joined.
            let (actors, impacts) = word_forms();
            let heading = heading_text(cx, threat).unwrap_or("");
            let names = |forms| names_any_form(heading, forms) || names_any_form(&description.value, forms);
            if names(actors) || names(impacts) {
                continue;
            }
        }
        let who = match &threat.id {
            Some(id) => id.value.clone(),
            None => "This threat".to_string(),
        };
        let message = if count < 6 {
            format!(
                "{who} is described in {} {}. Who could do this, with what access, and what would it cost? A threat statement reads: {PATTERN}.",
                count,
                if count == 1 { "word" } else { "words" }
            )
        } else {
            format!(
                "{who} says what is weak, but not who would exploit it or what it would cost. Who could do this, and what happens when they do? Try: {PATTERN}."
            )
        };
        let data = FindingData { id: threat.id.as_ref().map(|i| i.value.clone()), ..FindingData::default() };
        out.push(Finding::new(&META, description.range, message).with_data(data));
    }
}

/// The heading text of a heading-form threat (its title often names the impact).
fn heading_text<'a>(cx: &'a Context<'_>, threat: &Threat) -> Option<&'a str> {
    if threat.shape != ThreatShape::Heading {
        return None;
    }
    cx.doc.headings.iter().find(|h| h.range == threat.range).map(|h| h.text.as_str())
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreatWords {
    suffixes: Vec<String>,
    actors: Vec<String>,
    impacts: Vec<String>,
}

fn threat_words() -> &'static ThreatWords {
    static WORDS: OnceLock<ThreatWords> = OnceLock::new();
    // Embedded data, parsed in a test below: an error here is a build defect, and an
    // empty list only makes the rule quieter.
    WORDS.get_or_init(|| toml::from_str(include_str!("../knowledge/threat_words.toml")).unwrap_or_default())
}

/// Every inflected form of the actor and impact words, built once: a description's
/// words are then one set lookup each.
fn word_forms() -> &'static (HashSet<String>, HashSet<String>) {
    static FORMS: OnceLock<(HashSet<String>, HashSet<String>)> = OnceLock::new();
    FORMS.get_or_init(|| {
        let w = threat_words();
        let forms = |bases: &[String]| -> HashSet<String> {
            let mut set = HashSet::new();
            for base in bases {
                let base = base.to_lowercase();
                for stem in stems(&base) {
                    for suffix in &w.suffixes {
                        set.insert(format!("{stem}{suffix}"));
                    }
                }
                set.insert(base);
            }
            set
        };
        (forms(&w.actors), forms(&w.impacts))
    })
}

fn names_any_form(text: &str, forms: &HashSet<String>) -> bool {
    let mut lower = String::new();
    raw_words(text).any(|w| {
        lower.clear();
        lower.extend(w.chars().flat_map(char::to_lowercase));
        let word = normalize_word(&lower);
        !word.is_empty() && forms.contains(word)
    })
}

/// `base` and its stems: a final `e` dropped, `y` as `i`, a final consonant doubled.
fn stems(base: &str) -> Vec<String> {
    let mut stems = vec![base.to_string()];
    if let Some(s) = base.strip_suffix('e') {
        stems.push(s.to_string());
    }
    if let Some(s) = base.strip_suffix('y') {
        stems.push(format!("{s}i"));
    }
    if let Some(last) = base.chars().next_back().filter(|c| c.is_alphabetic() && !"aeiouywx".contains(*c)) {
        stems.push(format!("{base}{last}"));
    }
    stems
}

/// The words of `text` as written.
fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
}

/// A lowercase word without a possessive `'s` or surrounding apostrophes.
fn normalize_word(lower: &str) -> &str {
    let w = lower.strip_suffix("'s").or_else(|| lower.strip_suffix("’s")).unwrap_or(lower);
    w.trim_matches(['\'', '’'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_list_parses() {
        let parsed: Result<ThreatWords, _> = toml::from_str(include_str!("../knowledge/threat_words.toml"));
        let words = parsed.unwrap_or_else(|e| panic!("threat_words.toml: {e}"));
        assert!(words.actors.len() > 20 && words.impacts.len() > 20);
    }

    #[test]
    fn inflections_match_but_other_words_do_not() {
        let (actors, impacts) = word_forms();
        let has = names_any_form;
        assert!(has("Key material exposed through logging", impacts));
        assert!(has("real notifications are dropped", impacts));
        assert!(has("the release owner denies a signature", impacts));
        assert!(has("code execution on the host", impacts));
        assert!(has("one tenant's orders", actors));
        assert!(has("attackers", actors));
        assert!(has("the bot spammed", actors));
        assert!(!has("both sides", actors));
        assert!(!has("data at rest is not encrypted", actors));
        assert!(!has("data at rest is not encrypted", impacts));
        assert!(!has("the form is ready", impacts));
    }
}
