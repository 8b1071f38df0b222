//! `threatmark explain CODE|CATEGORY`: a rule's documentation, or what a STRIDE category
//! is about and the questions that lead to its threats. Without an argument (or with
//! `--list`), every rule and category.
//!
//! The texts are the engine's (rule docs in the registry, categories in the methodology
//! file), so `explain`, the hovers and the finding messages say the same thing.

use super::{CliError, ExitStatus, ExplainArgs};
use std::fmt::Write as _;
use std::io::Write;
use threatmark_engine::StrideCategory;
use threatmark_engine::knowledge::{CategoryInfo, ElementInfo, Methodology};
use threatmark_engine::rules::{self, RULES, Rule};

pub fn run(args: ExplainArgs) -> Result<ExitStatus, CliError> {
    let methodology = Methodology::stride();
    let text = match args.topic.as_deref().map(str::trim) {
        None => list(methodology),
        Some(topic) => explain(topic, methodology)?,
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::new(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(ExitStatus::Success),
    }
}

/// The text for one rule or category, or an error with a suggestion.
pub fn explain(topic: &str, methodology: &Methodology) -> Result<String, CliError> {
    if let Some(rule) = rule_by_code_or_name(topic) {
        return Ok(rule_text(rule));
    }
    if let Some(info) = category(topic).and_then(|c| methodology.category(c)) {
        return Ok(category_text(info, methodology));
    }
    if let Some(info) = element(topic, methodology) {
        return Ok(element_text(info, methodology));
    }
    let hint = match suggestion(topic, methodology) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    };
    Err(CliError::new(format!(
        "`{topic}` is not a rule code, a STRIDE category or a diagram element type{hint}; run `threatmark explain --list` to see them all"
    )))
}

fn rule_by_code_or_name(topic: &str) -> Option<&'static Rule> {
    rules::lookup(topic).or_else(|| {
        RULES
            .iter()
            .find(|r| r.meta.name.eq_ignore_ascii_case(topic))
    })
}

/// A category by name or short form (`spoofing`, `DoS`, `information_disclosure`), or
/// by its letter (`I`, `i`).
fn category(topic: &str) -> Option<StrideCategory> {
    let mut chars = topic.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => StrideCategory::from_letter(c),
        _ => StrideCategory::from_name(topic)
            .or_else(|| StrideCategory::from_id(&topic.to_ascii_lowercase())),
    }
}

/// A diagram element type by id or name (`data_store`, `data store`, `Data store`,
/// `external-entity`).
fn element<'m>(topic: &str, methodology: &'m Methodology) -> Option<&'m ElementInfo> {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = key(topic);
    methodology
        .elements
        .iter()
        .find(|e| key(&e.id) == wanted || key(&e.name) == wanted)
}

fn element_text(info: &ElementInfo, methodology: &Methodology) -> String {
    let name = |c: &StrideCategory| {
        methodology.category(*c).map_or_else(
            || c.name().to_string(),
            |i| format!("{} ({})", i.name, i.letter),
        )
    };
    let mut out = format!("{} (diagram element type)\n\n", info.name);
    let applies: Vec<String> = info.categories.iter().map(name).collect();
    if applies.is_empty() {
        out.push_str("No STRIDE category applies to it on its own.\n");
    } else {
        let _ = writeln!(out, "STRIDE per element: {}", applies.join(", "));
    }
    if !info.extra_categories.is_empty() && !info.when_named.is_empty() {
        let extra: Vec<String> = info.extra_categories.iter().map(name).collect();
        let _ = writeln!(
            out,
            "Also {} when its name says it holds: {}",
            extra.join(", "),
            info.when_named.join(", ")
        );
    }
    let _ = write!(out, "\n{}\n", info.why);
    out
}

fn rule_text(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = format!(
        "{} {} ({})\n\n{}\n",
        m.code,
        m.name,
        m.default_level.as_str(),
        m.summary
    );
    let docs = m.docs.trim();
    if !docs.is_empty() {
        let _ = write!(out, "\n{docs}\n");
    }
    out
}

fn category_text(info: &CategoryInfo, methodology: &Methodology) -> String {
    let mut out = format!("{} ({})\n\n", info.name, info.letter);
    let _ = writeln!(out, "Violates: {}", info.property);
    if !info.short_forms.is_empty() {
        let _ = writeln!(out, "Also written: {}", info.short_forms.join(", "));
    }
    let elements: Vec<&str> = info
        .elements
        .iter()
        .map(|id| {
            methodology
                .element(id)
                .map_or(id.as_str(), |e| e.name.as_str())
        })
        .collect();
    if !elements.is_empty() {
        let _ = writeln!(out, "Applies to: {}", elements.join(", "));
    }
    let _ = write!(out, "\n{}\n", info.explanation);
    bullets(&mut out, "Questions to ask", &info.questions);
    bullets(&mut out, "Typical mitigations", &info.mitigations);
    out
}

fn bullets(out: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, "\n{heading}:\n");
    for item in items {
        let _ = writeln!(out, "  - {item}");
    }
}

/// Every rule (code, name, level, summary) and every category.
pub fn list(methodology: &Methodology) -> String {
    let mut out = String::from("Rules:\n");
    let name_width = RULES.iter().map(|r| r.meta.name.len()).max().unwrap_or(0);
    for r in RULES {
        let m = &r.meta;
        let _ = writeln!(
            out,
            "  {}  {:name_width$}  {:7}  {}",
            m.code,
            m.name,
            m.default_level.as_str(),
            m.summary
        );
    }
    out.push_str("\nSTRIDE categories:\n");
    let cat_width = methodology
        .categories
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    for c in &methodology.categories {
        let forms = if c.short_forms.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.short_forms.join(", "))
        };
        let _ = writeln!(
            out,
            "  {}  {:cat_width$}  violates {}{forms}",
            c.letter, c.name, c.property
        );
    }
    out.push_str("\nDiagram element types:\n");
    let el_width = methodology
        .elements
        .iter()
        .map(|e| e.id.len())
        .max()
        .unwrap_or(0);
    for e in &methodology.elements {
        let letters: String = e
            .categories
            .iter()
            .filter_map(|c| methodology.category(*c).map(|i| i.letter))
            .collect();
        let _ = writeln!(out, "  {:el_width$}  {letters}", e.id);
    }
    out.push_str(
        "\nRun `threatmark explain CODE`, `threatmark explain CATEGORY` or `threatmark explain ELEMENT-TYPE` for details.\n",
    );
    out
}

/// The closest rule code, rule name or category name, when one is close enough.
fn suggestion(topic: &str, methodology: &Methodology) -> Option<String> {
    let wanted = topic.to_lowercase();
    let candidates = RULES
        .iter()
        .flat_map(|r| [r.meta.code.to_string(), r.meta.name.to_string()])
        .chain(methodology.categories.iter().map(|c| c.name.to_lowercase()))
        .chain(methodology.elements.iter().map(|e| e.id.clone()))
        .chain(
            methodology
                .categories
                .iter()
                .flat_map(|c| c.short_forms.iter().cloned()),
        );
    let mut best: Option<(f64, String)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(&wanted, &c.to_lowercase());
        // On a tie the first candidate (the lower code) wins.
        if score >= 0.6 && best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stride() -> &'static Methodology {
        Methodology::stride()
    }

    fn ok(topic: &str) -> String {
        explain(topic, stride()).unwrap_or_else(|e| panic!("{topic}: {e:?}"))
    }

    fn err(topic: &str) -> String {
        explain(topic, stride())
            .err()
            .map(|e| e.lines.join("\n"))
            .unwrap_or_default()
    }

    #[test]
    fn rules_by_code_any_case_or_by_name() {
        let text = ok("tm020");
        assert!(
            text.starts_with("TM020 stride-unaddressed (warning)\n"),
            "{text}"
        );
        assert_eq!(ok("stride-unaddressed"), text);
        assert_eq!(ok("TM020"), text);
    }

    #[test]
    fn categories_by_name_short_form_or_letter() {
        let spoofing = ok("spoofing");
        assert!(spoofing.starts_with("Spoofing (S)\n"), "{spoofing}");
        assert!(spoofing.contains("Violates: authenticity"));
        assert!(spoofing.contains("Questions to ask:\n  - "));
        assert!(spoofing.contains("Typical mitigations:\n  - "));
        assert!(spoofing.contains("Applies to: "));
        assert!(ok("DoS").starts_with("Denial of service (D)\n"));
        assert!(ok("D").starts_with("Denial of service (D)\n"));
        assert!(ok("i").starts_with("Information disclosure (I)\n"));
        assert!(ok("information_disclosure").starts_with("Information disclosure (I)\n"));
    }

    #[test]
    fn unknown_topics_get_a_suggestion() {
        assert!(
            err("spofing").contains("(did you mean `spoofing`?)"),
            "{}",
            err("spofing")
        );
        assert!(
            err("TM02O").contains("(did you mean `TM020`?)"),
            "{}",
            err("TM02O")
        );
        let nope = err("nope");
        assert!(
            nope.contains("`nope` is not a rule code") && nope.contains("--list"),
            "{nope}"
        );
        assert!(!err("X").is_empty());
    }

    #[test]
    fn the_list_has_every_rule_and_category() {
        let text = list(stride());
        for r in RULES {
            assert!(
                text.contains(r.meta.code) && text.contains(r.meta.name),
                "{}",
                r.meta.code
            );
        }
        for c in StrideCategory::ALL {
            assert!(text.contains(c.name()), "{c}");
        }
    }
}
