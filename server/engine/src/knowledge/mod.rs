//! What threatmark knows, kept as data and embedded at build time (SPEC §6): the STRIDE
//! methodology, the sensitive topics of the risk tier, the threat-model skeletons that
//! fixes insert, and the documents `threatmark init` writes.
//!
//! Architecture invariant: the texts live in the files beside this module, never in Rust
//! strings, so the hover, `threatmark explain`, the finding messages and the templates
//! say the same thing. The embedded files are parsed once; the tests below check them,
//! so parsing them cannot fail at run time. A team's own methodology file goes through
//! [`Methodology::from_toml`], whose errors name the problem.

pub mod editor;

use crate::stride::StrideCategory;
use serde::Deserialize;
use std::sync::OnceLock;

/// The template `threatmark init` writes. `{today}` stands for the date (`YYYY-MM-DD`);
/// fill it with [`fill`].
pub const DESIGN_DOC_TEMPLATE: &str = include_str!("design-doc.md");

/// The practice doc `threatmark init --example billing` writes: a card billing design
/// with deliberate gaps for a training session (the README lists them for trainers).
pub const BILLING_EXAMPLE: &str = include_str!("billing.md");

const STRIDE_TOML: &str = include_str!("stride.toml");
const TOPICS_TOML: &str = include_str!("topics.toml");
const TEMPLATES_TOML: &str = include_str!("templates.toml");

/// A threat-modeling methodology: its categories and which of them apply to each kind
/// of diagram element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Methodology {
    pub name: String,
    /// In the file's order (S, T, R, I, D, E for STRIDE).
    pub categories: Vec<CategoryInfo>,
    pub elements: Vec<ElementInfo>,
}

/// What the server says about one category: in hovers, `explain` and finding messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryInfo {
    pub category: StrideCategory,
    pub name: String,
    pub letter: char,
    /// Other spellings writers use (`DoS`, `EoP`, `info disclosure`).
    pub short_forms: Vec<String>,
    /// The security property a threat of this category violates (`authenticity` …).
    pub property: String,
    /// Two sentences.
    pub explanation: String,
    /// Guiding questions, the most useful first; each one reads on its own after
    /// "No threat addresses Repudiation. ".
    pub questions: Vec<String>,
    pub mitigations: Vec<String>,
    /// Ids of the element types it applies to (`external_entity`, `process`, …).
    pub elements: Vec<String>,
}

/// One element type of a data-flow diagram and the categories to ask about for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementInfo {
    /// `process`, `data_store`, `external_entity`, `data_flow` or `trust_boundary`.
    pub id: String,
    pub name: String,
    pub categories: Vec<StrideCategory>,
    /// Why these categories apply.
    pub why: String,
    /// Categories that also apply when the element's name holds one of `when_named`
    /// (a data store that holds logs also needs Repudiation).
    pub extra_categories: Vec<StrideCategory>,
    /// Lowercase words, matched as whole words of the element's id or label.
    pub when_named: Vec<String>,
}

impl ElementInfo {
    /// The categories that apply to an element of this type called `names` (its id and
    /// label), in methodology order.
    pub fn categories_for(&self, names: &[&str]) -> Vec<StrideCategory> {
        let named = names.iter().any(|name| {
            name.split(|c: char| !c.is_alphanumeric())
                .any(|w| self.when_named.iter().any(|k| k.eq_ignore_ascii_case(w)))
        });
        let mut out = self.categories.clone();
        if named {
            for c in &self.extra_categories {
                if !out.contains(c) {
                    out.push(*c);
                }
            }
            out.sort();
        }
        out
    }
}

/// The element type ids a methodology file may use.
pub const ELEMENT_TYPES: [&str; 5] = [
    "process",
    "data_store",
    "external_entity",
    "data_flow",
    "trust_boundary",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodologyFile {
    name: String,
    #[serde(default)]
    category: Vec<CategoryEntry>,
    #[serde(default)]
    element: Vec<ElementEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryEntry {
    id: String,
    name: String,
    letter: String,
    #[serde(default)]
    short_forms: Vec<String>,
    property: String,
    explanation: String,
    questions: Vec<String>,
    #[serde(default)]
    mitigations: Vec<String>,
    #[serde(default)]
    elements: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementEntry {
    id: String,
    name: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    extra_categories: Vec<String>,
    #[serde(default)]
    when_named: Vec<String>,
    #[serde(default)]
    why: String,
}

impl Methodology {
    /// The STRIDE methodology shipped with threatmark, parsed once.
    pub fn stride() -> &'static Methodology {
        static STRIDE: OnceLock<Methodology> = OnceLock::new();
        STRIDE.get_or_init(|| {
            // Embedded data, checked by tests: this cannot fail in a built binary.
            Methodology::from_toml(STRIDE_TOML).expect("knowledge/stride.toml is valid")
        })
    }

    /// Reads a methodology file (the shape of `stride.toml`). Every category must be one
    /// of the six STRIDE categories, named once, with a one-letter `letter` and at least
    /// one question; element categories must be categories of the file.
    pub fn from_toml(text: &str) -> Result<Methodology, String> {
        let file: MethodologyFile =
            toml::from_str(text).map_err(|e| format!("invalid methodology file: {e}"))?;
        let mut categories: Vec<CategoryInfo> = Vec::with_capacity(file.category.len());
        for entry in file.category {
            let Some(category) = StrideCategory::from_id(entry.id.trim()) else {
                return Err(format!(
                    "category `{}` is not a STRIDE category id (expected one of: {})",
                    entry.id,
                    StrideCategory::ALL.map(StrideCategory::id).join(", ")
                ));
            };
            if categories.iter().any(|c| c.category == category) {
                return Err(format!("category `{}` appears twice", entry.id));
            }
            let mut letters = entry.letter.trim().chars();
            let (Some(letter), None) = (letters.next(), letters.next()) else {
                return Err(format!(
                    "category `{}`: `letter` must be one character, not `{}`",
                    entry.id, entry.letter
                ));
            };
            let letter = letter.to_ascii_uppercase();
            if let Some(other) = categories.iter().find(|c| c.letter == letter) {
                return Err(format!(
                    "category `{}`: letter `{letter}` is already used by `{}`",
                    entry.id,
                    other.category.id()
                ));
            }
            if entry.questions.iter().all(|q| q.trim().is_empty()) {
                return Err(format!("category `{}` has no questions", entry.id));
            }
            for element in &entry.elements {
                if !ELEMENT_TYPES.contains(&element.as_str()) {
                    return Err(format!(
                        "category `{}`: unknown element type `{element}` (expected one of: {})",
                        entry.id,
                        ELEMENT_TYPES.join(", ")
                    ));
                }
            }
            categories.push(CategoryInfo {
                category,
                name: entry.name.trim().to_string(),
                letter,
                short_forms: entry.short_forms,
                property: entry.property.trim().to_string(),
                explanation: entry.explanation.trim().to_string(),
                questions: entry
                    .questions
                    .into_iter()
                    .map(|q| q.trim().to_string())
                    .collect(),
                mitigations: entry.mitigations,
                elements: entry.elements,
            });
        }
        let mut elements: Vec<ElementInfo> = Vec::with_capacity(file.element.len());
        for entry in file.element {
            if elements.iter().any(|e| e.id == entry.id) {
                return Err(format!("element `{}` appears twice", entry.id));
            }
            let known = |ids: &[String]| -> Result<Vec<StrideCategory>, String> {
                let mut cats = Vec::with_capacity(ids.len());
                for id in ids {
                    let c = StrideCategory::from_id(id.trim())
                        .filter(|c| categories.iter().any(|info| info.category == *c))
                        .ok_or_else(|| {
                            format!(
                                "element `{}`: `{id}` is not a category of this methodology",
                                entry.id
                            )
                        })?;
                    if !cats.contains(&c) {
                        cats.push(c);
                    }
                }
                Ok(cats)
            };
            let cats = known(&entry.categories)?;
            let extra_categories = known(&entry.extra_categories)?;
            elements.push(ElementInfo {
                name: entry.name.trim().to_string(),
                categories: cats,
                why: entry.why.trim().to_string(),
                extra_categories,
                when_named: entry
                    .when_named
                    .iter()
                    .map(|w| w.trim().to_lowercase())
                    .collect(),
                id: entry.id,
            });
        }
        Ok(Methodology {
            name: file.name,
            categories,
            elements,
        })
    }

    pub fn category(&self, c: StrideCategory) -> Option<&CategoryInfo> {
        self.categories.iter().find(|info| info.category == c)
    }

    /// An element type by id (`process`, `data_store`, …).
    pub fn element(&self, id: &str) -> Option<&ElementInfo> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// The category's most useful guiding question, for finding messages and skeleton rows.
    pub fn first_question(&self, c: StrideCategory) -> Option<&str> {
        self.category(c)
            .and_then(|info| info.questions.first())
            .map(String::as_str)
    }
}

/// A sensitive topic of the risk tier (SPEC §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// `authentication`, `payment_data`, … (used in JSON `data.topics`).
    pub id: String,
    pub label: String,
    /// Whole words or phrases, matched case-insensitively.
    pub keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    topic: Vec<Topic>,
    activities: Activities,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Activities {
    high: Vec<String>,
    medium: Vec<String>,
    low: Vec<String>,
}

fn topics_file() -> &'static TopicsFile {
    static TOPICS: OnceLock<TopicsFile> = OnceLock::new();
    TOPICS.get_or_init(|| {
        // Embedded data, checked by tests: this cannot fail in a built binary.
        toml::from_str(TOPICS_TOML).expect("knowledge/topics.toml is valid")
    })
}

/// The sensitive topics with their default keywords.
pub fn topics() -> &'static [Topic] {
    &topics_file().topic
}

/// The activities recommended by default for a risk tier (`high`, `medium`, `low`;
/// case-insensitive); none for an unknown tier.
pub fn default_activities(tier: &str) -> &'static [String] {
    let a = &topics_file().activities;
    match tier.trim().to_ascii_lowercase().as_str() {
        "high" => &a.high,
        "medium" => &a.medium,
        "low" => &a.low,
        _ => &[],
    }
}

/// Markdown skeletons of a threat model (see `templates.toml` for the conventions):
/// `{level}` is a subsection's heading hashes, `{rows}` / `{items}` the rows or items
/// made from the `*_row` / `*_item` templates, joined by `\n`. Every subsection starts
/// with its heading and ends with one `\n`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Templates {
    pub threat_model_heading: String,
    pub scope: String,
    pub diagram: String,
    /// The diagram subsection of a doc whose flowchart stands elsewhere: holds `{level}`
    /// and `{section}` (the title of the section holding the flowchart).
    pub diagram_reference: String,
    /// Holds `{level}` and `{rows}`.
    pub assets: String,
    /// Holds `{id}`, `{name}`, `{type}`, `{classification}`.
    pub asset_row: String,
    /// Holds `{level}` and `{rows}`.
    pub threats: String,
    /// Holds `{id}`, `{category}` (a name) and `{question}` (without angle brackets).
    pub threat_row: String,
    /// Holds `{level}` and `{items}`.
    pub mitigations: String,
    /// Holds `{id}` and `{text}`.
    pub mitigation_item: String,
    pub review: String,
    /// Holds `{category}` (a name).
    pub not_applicable_item: String,
}

#[derive(Deserialize)]
struct TemplatesFile {
    #[serde(flatten)]
    templates: Templates,
    placeholder: Placeholders,
}

/// Cell values for a skeleton with nothing to pre-fill it from.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Placeholders {
    asset_name: String,
    asset_type: String,
    asset_classification: String,
    mitigation_text: String,
}

fn templates_file() -> &'static TemplatesFile {
    static TEMPLATES: OnceLock<TemplatesFile> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        // Embedded data, checked by tests: this cannot fail in a built binary.
        toml::from_str(TEMPLATES_TOML).expect("knowledge/templates.toml is valid")
    })
}

pub fn templates() -> &'static Templates {
    &templates_file().templates
}

impl Templates {
    /// The raw template of a subsection kind (`scope`, `diagram`, `assets`, `threats`,
    /// `mitigations`, `review`).
    pub fn subsection_template(&self, kind: &str) -> Option<&str> {
        Some(match kind {
            "scope" => &self.scope,
            "diagram" => &self.diagram,
            "assets" => &self.assets,
            "threats" => &self.threats,
            "mitigations" => &self.mitigations,
            "review" => &self.review,
            _ => return None,
        })
    }

    /// A skeleton row for `category` whose threat cell is its first guiding question.
    pub fn threat_row_for(&self, id: &str, category: &CategoryInfo) -> String {
        let question = category.questions.first().map_or("", String::as_str);
        fill(
            &self.threat_row,
            &[
                ("id", id),
                ("category", &category.name),
                ("question", question),
            ],
        )
    }

    /// One row per category of `methodology`, numbered `T1`, `T2`, …, joined by `\n`.
    pub fn threat_rows(&self, methodology: &Methodology) -> String {
        let rows: Vec<String> = methodology
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| self.threat_row_for(&format!("T{}", i + 1), c))
            .collect();
        rows.join("\n")
    }

    /// The assets subsection listing `rows` of (name, type, classification), numbered
    /// `A1`, `A2`, …; ends with `\n`.
    pub fn assets_subsection(&self, level: &str, rows: &[(&str, &str, &str)]) -> String {
        let rows: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (name, kind, classification))| {
                fill(
                    &self.asset_row,
                    &[
                        ("id", &format!("A{}", i + 1)),
                        ("name", name),
                        ("type", kind),
                        ("classification", classification),
                    ],
                )
            })
            .collect();
        fill(
            &self.assets,
            &[("level", level), ("rows", &rows.join("\n"))],
        )
    }

    /// A subsection ready to insert, with `level` as its heading hashes (`###`) and
    /// default content: a threat row per category, one placeholder asset, one
    /// placeholder mitigation. Ends with `\n`; `None` for an unknown kind.
    pub fn subsection(&self, kind: &str, level: &str, methodology: &Methodology) -> Option<String> {
        let template = self.subsection_template(kind)?;
        let p = &templates_file().placeholder;
        Some(match kind {
            "assets" => {
                let row = fill(
                    &self.asset_row,
                    &[
                        ("id", "A1"),
                        ("name", &p.asset_name),
                        ("type", &p.asset_type),
                        ("classification", &p.asset_classification),
                    ],
                );
                fill(template, &[("level", level), ("rows", &row)])
            }
            "threats" => fill(
                template,
                &[("level", level), ("rows", &self.threat_rows(methodology))],
            ),
            "mitigations" => {
                let item = fill(
                    &self.mitigation_item,
                    &[("id", "M1"), ("text", &p.mitigation_text)],
                );
                fill(template, &[("level", level), ("items", &item)])
            }
            _ => fill(template, &[("level", level)]),
        })
    }
}

/// Replaces each `{name}` of `template` whose name is in `vars` by its value, in one
/// pass: values are not searched again, and unknown `{…}` stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subsection kinds a skeleton has, in order.
    fn subsections() -> Vec<&'static str> {
        use crate::document::SectionKind;
        SectionKind::REQUIRED
            .into_iter()
            .chain([SectionKind::Review])
            .map(SectionKind::id)
            .collect()
    }

    fn stride() -> &'static Methodology {
        Methodology::stride()
    }

    #[test]
    fn every_stride_category_once_with_its_own_letter() {
        let m = stride();
        assert_eq!(m.name, "STRIDE");
        assert_eq!(m.categories.len(), 6);
        for (info, expected) in m.categories.iter().zip(StrideCategory::ALL) {
            assert_eq!(
                info.category, expected,
                "categories are in S, T, R, I, D, E order"
            );
            assert_eq!(info.letter, expected.letter());
            assert_eq!(info.name, expected.name());
        }
    }

    #[test]
    fn categories_are_complete_and_coach_with_questions() {
        let properties = [
            "authenticity",
            "integrity",
            "non-repudiation",
            "confidentiality",
            "availability",
            "authorization",
        ];
        for info in &stride().categories {
            let id = info.category.id();
            assert!(
                (3..=5).contains(&info.questions.len()),
                "{id}: 3 to 5 questions"
            );
            for q in &info.questions {
                assert!(q.ends_with('?'), "{id}: a question ends with `?`: {q}");
                assert!(
                    !q.contains(['<', '>', '|', '{', '}']),
                    "{id}: no markup in {q}"
                );
                assert!(
                    q.chars().next().is_some_and(char::is_uppercase),
                    "{id}: {q}"
                );
            }
            assert!(
                (4..=6).contains(&info.mitigations.len()),
                "{id}: 4 to 6 mitigations"
            );
            assert!(
                properties.contains(&info.property.as_str()),
                "{id}: {}",
                info.property
            );
            let sentences = info.explanation.matches(". ").count() + 1;
            assert_eq!(sentences, 2, "{id}: a two-sentence explanation");
            assert!(info.explanation.ends_with('.'));
            assert!(
                !info.elements.is_empty(),
                "{id}: applies to some element type"
            );
        }
        let mut props: Vec<&str> = stride()
            .categories
            .iter()
            .map(|c| c.property.as_str())
            .collect();
        props.sort_unstable();
        props.dedup();
        assert_eq!(props.len(), 6, "each category violates its own property");
    }

    #[test]
    fn short_forms_are_understood_by_the_category_parser() {
        for info in &stride().categories {
            for form in info.short_forms.iter().chain(std::iter::once(&info.name)) {
                assert_eq!(
                    StrideCategory::from_name(form),
                    Some(info.category),
                    "{form}"
                );
            }
        }
    }

    #[test]
    fn stride_per_element_matches_the_spec() {
        use StrideCategory::*;
        let m = stride();
        let cats = |id: &str| {
            m.element(id)
                .map(|e| e.categories.clone())
                .unwrap_or_default()
        };
        assert_eq!(cats("external_entity"), [Spoofing, Repudiation]);
        assert_eq!(cats("process"), StrideCategory::ALL);
        assert_eq!(
            cats("data_store"),
            [Tampering, InformationDisclosure, DenialOfService]
        );
        assert_eq!(
            cats("data_flow"),
            [Tampering, InformationDisclosure, DenialOfService]
        );
        assert_eq!(cats("trust_boundary"), Vec::<StrideCategory>::new());
        for id in ELEMENT_TYPES {
            let e = m.element(id).unwrap_or_else(|| panic!("element {id}"));
            assert!(!e.why.is_empty() && !e.name.is_empty(), "{id}");
        }
        assert!(m.element("router").is_none());
    }

    #[test]
    fn category_elements_agree_with_the_element_table() {
        let m = stride();
        for info in &m.categories {
            let mut from_elements: Vec<&str> = m
                .elements
                .iter()
                .filter(|e| e.categories.contains(&info.category))
                .map(|e| e.id.as_str())
                .collect();
            let mut listed: Vec<&str> = info.elements.iter().map(String::as_str).collect();
            from_elements.sort_unstable();
            listed.sort_unstable();
            assert_eq!(listed, from_elements, "{}", info.category.id());
        }
    }

    #[test]
    fn lookups() {
        let m = stride();
        let r = m
            .category(StrideCategory::Repudiation)
            .map(|c| c.name.as_str());
        assert_eq!(r, Some("Repudiation"));
        let q = m.first_question(StrideCategory::Spoofing);
        assert_eq!(
            q,
            Some("What stops a caller from pretending to be another user or service?")
        );
    }

    #[test]
    fn a_team_file_with_mistakes_gets_an_error_naming_them() {
        let err = |text: &str| Methodology::from_toml(text).err().unwrap_or_default();
        let cat = |id: &str, letter: &str| {
            format!(
                "[[category]]\nid = \"{id}\"\nname = \"X\"\nletter = \"{letter}\"\nproperty = \"p\"\n\
                 explanation = \"e\"\nquestions = [\"q?\"]\n"
            )
        };
        assert!(err("name = ").contains("invalid methodology file"));
        assert!(err(&format!("name = \"M\"\n{}", cat("phishing", "P"))).contains("`phishing`"));
        let twice = format!(
            "name = \"M\"\n{}{}",
            cat("spoofing", "S"),
            cat("spoofing", "S")
        );
        assert!(err(&twice).contains("twice"));
        let letters = format!(
            "name = \"M\"\n{}{}",
            cat("spoofing", "S"),
            cat("tampering", "s")
        );
        assert!(err(&letters).contains("letter `S`"));
        assert!(err(&format!("name = \"M\"\n{}", cat("spoofing", "SP"))).contains("one character"));
        let element = format!(
            "name = \"M\"\n{}[[element]]\nid = \"process\"\nname = \"P\"\ncategories = [\"tampering\"]\n",
            cat("spoofing", "S")
        );
        assert!(err(&element).contains("not a category of this methodology"));
        let unknown = format!("name = \"M\"\ncolour = \"red\"\n{}", cat("spoofing", "S"));
        assert!(err(&unknown).contains("colour"));
    }

    #[test]
    fn a_smaller_team_file_parses() {
        let text = "name = \"Mini\"\n[[category]]\nid = \"tampering\"\nname = \"Tampering\"\n\
                    letter = \"T\"\nproperty = \"integrity\"\nexplanation = \"E.\"\n\
                    questions = [\"Who can change it?\"]\n";
        let m = Methodology::from_toml(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.categories.len(), 1);
        assert!(m.category(StrideCategory::Spoofing).is_none());
        assert_eq!(
            m.first_question(StrideCategory::Tampering),
            Some("Who can change it?")
        );
    }

    #[test]
    fn topics_have_whole_word_keywords() {
        let ids: Vec<&str> = topics().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "authentication",
                "authorization",
                "personal_data",
                "health_data",
                "payment_data",
                "internet_exposure",
                "secrets"
            ]
        );
        for t in topics() {
            assert!(
                (6..=15).contains(&t.keywords.len()),
                "{}: 6 to 15 keywords",
                t.id
            );
            assert!(!t.label.is_empty());
            for k in &t.keywords {
                assert_eq!(k.trim(), k, "{}: {k:?} has surrounding space", t.id);
                assert!(!k.is_empty());
                assert_eq!(
                    k.to_lowercase(),
                    *k,
                    "{}: keywords are lowercase: {k}",
                    t.id
                );
            }
        }
    }

    #[test]
    fn activities_per_tier() {
        assert_eq!(
            default_activities("high"),
            ["security review", "penetration test before launch"]
        );
        assert_eq!(default_activities("Medium"), ["security champion review"]);
        assert!(default_activities("low").is_empty());
        assert!(default_activities("extreme").is_empty());
    }

    #[test]
    fn fill_replaces_known_names_once() {
        assert_eq!(fill("{level} Scope", &[("level", "###")]), "### Scope");
        assert_eq!(fill("{a}{b}-{a}", &[("a", "1"), ("b", "2")]), "12-1");
        // Unknown names, lone braces and braces in values are left alone.
        assert_eq!(fill("{x} { {a", &[("a", "1")]), "{x} { {a");
        assert_eq!(fill("{a}", &[("a", "{b}"), ("b", "no")]), "{b}");
        assert_eq!(fill("é{a}ü", &[("a", "→")]), "é→ü");
    }

    #[test]
    fn templates_hold_the_placeholders_the_engine_fills() {
        let t = templates();
        assert_eq!(t.threat_model_heading, "## Threat model");
        for kind in subsections() {
            let s = t.subsection_template(kind).unwrap_or_default();
            assert!(s.starts_with("{level} "), "{kind} starts with its heading");
            assert!(
                s.ends_with('\n') && !s.ends_with("\n\n"),
                "{kind} ends with one line break"
            );
        }
        assert!(
            t.assets
                .contains("| ID | Asset | Type | Classification |\n")
        );
        assert!(t.assets.ends_with("|\n{rows}\n"));
        assert!(t.threats.contains(
            "| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status | Ticket |\n"
        ));
        assert!(t.threats.ends_with("|\n{rows}\n"));
        assert!(t.mitigations.contains("{items}"));
        for (template, names) in [
            (&t.asset_row, &["id", "name", "type", "classification"][..]),
            (&t.threat_row, &["id", "category", "question"]),
            (&t.mitigation_item, &["id", "text"]),
            (&t.not_applicable_item, &["category"]),
        ] {
            for name in names {
                assert!(
                    template.contains(&format!("{{{name}}}")),
                    "{template} holds {{{name}}}"
                );
            }
            assert!(!template.contains('\n'), "a row is one line: {template}");
        }
        assert!(t.threat_row.contains("<{question}>"));
        let na = fill(&t.not_applicable_item, &[("category", "Repudiation")]);
        assert!(na.starts_with("- Repudiation: not applicable — <"));
    }

    /// Every `<…>` placeholder in `s`, outside HTML comments.
    fn placeholders(s: &str) -> Vec<String> {
        let mut text = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("<!--") {
            text.push_str(&rest[..start]);
            let end = rest[start..]
                .find("-->")
                .map_or(rest.len(), |i| start + i + 3);
            rest = &rest[end..];
        }
        text.push_str(rest);
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('<') {
            let after = &rest[open..];
            let Some(close) = after.find('>') else { break };
            out.push(after[..=close].to_string());
            rest = &after[close + 1..];
        }
        out
    }

    #[test]
    fn placeholders_are_visible_and_findable() {
        let t = templates();
        let m = stride();
        let mut all = String::new();
        for kind in subsections() {
            all.push_str(&t.subsection(kind, "###", m).unwrap_or_default());
        }
        all.push_str(&fill(&t.not_applicable_item, &[("category", "Tampering")]));
        all.push_str(DESIGN_DOC_TEMPLATE);
        let found = placeholders(&all);
        assert!(found.len() > 10);
        for p in found {
            // TM050 finds a bracketed phrase with a space or `?` in it; a `?` or `,` also
            // keeps a markdown renderer from taking it for an HTML tag and hiding it.
            assert!(p.contains(' '), "{p} is a phrase");
            assert!(p.contains(['?', ',']), "{p} holds `?` or `,`");
        }
    }

    #[test]
    fn subsections_fill_completely() {
        let t = templates();
        let m = stride();
        for kind in subsections() {
            let s = t.subsection(kind, "####", m).unwrap_or_default();
            assert!(s.starts_with("#### "), "{kind}");
            assert!(
                !s.contains('{') && !s.contains('}'),
                "{kind} is filled: {s}"
            );
        }
        assert!(t.subsection("appendix", "###", m).is_none());
        let threats = t.subsection("threats", "###", m).unwrap_or_default();
        assert_eq!(threats.lines().filter(|l| l.starts_with("| T")).count(), 6);
        assert!(threats.contains(
            "| T1 | Spoofing |  | <What stops a caller from pretending to be another user or service?> |"
        ));
        assert!(threats.ends_with("|  |  |  |  |\n"));
    }

    #[test]
    fn design_doc_template_has_a_threat_model_with_every_stride_row() {
        let doc = fill(DESIGN_DOC_TEMPLATE, &[("today", "2026-01-02")]);
        assert!(doc.starts_with("---\n"));
        assert!(doc.contains("\nlast_reviewed: 2026-01-02\n"));
        assert!(doc.contains("\nstatus: draft\n"));
        assert!(
            !doc.contains('{') && !doc.contains('}'),
            "only {{today}} is left to fill"
        );
        assert!(doc.contains("\n## Threat model\n"));
        for heading in [
            "### Scope",
            "### Assets",
            "### Threats",
            "### Mitigations",
            "### Review",
        ] {
            assert!(doc.contains(&format!("\n{heading}\n")), "{heading}");
        }
        assert!(doc.contains("```mermaid\nflowchart"));
        assert!(doc.contains("subgraph "));
        let t = templates();
        for (i, info) in stride().categories.iter().enumerate() {
            let row = t.threat_row_for(&format!("T{}", i + 1), info);
            assert!(
                doc.contains(&format!("\n{row}\n")),
                "the template holds {row}"
            );
        }
        assert!(doc.contains(&fill(
            &t.mitigation_item,
            &[
                ("id", "M1"),
                ("text", &templates_file().placeholder.mitigation_text)
            ]
        )));
    }

    #[test]
    fn billing_example_is_a_design_doc_with_a_stale_approved_model() {
        assert!(
            !BILLING_EXAMPLE.contains('{'),
            "the practice doc needs no filling"
        );
        assert!(BILLING_EXAMPLE.contains("\nstatus: approved\n"));
        assert!(BILLING_EXAMPLE.contains("\nlast_reviewed: 2025-06-01\n"));
        assert!(!BILLING_EXAMPLE.contains("reviewers"));
        assert!(BILLING_EXAMPLE.contains("\n## Threat model\n"));
        assert!(BILLING_EXAMPLE.contains("events[(Webhook events)]"));
        assert!(BILLING_EXAMPLE.contains("| Spofing |"));
    }
}
