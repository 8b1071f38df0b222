//! The configuration (SPEC §9), read from the text of `.threatmark.toml`.
//!
//! Every setting is described once, in [`CONFIG_KEYS`]; the parser's list of known keys,
//! the README's config table and the editor settings come from it. Reading never fails
//! silently: a bad value is an error and an unknown key a warning, each naming the key
//! and carrying the byte range of the key or value in the TOML text (the caller turns it
//! into a line with a [`LineIndex`](crate::line_index::LineIndex)).

use crate::document::SectionKind;
use crate::finding::Level;
use crate::span::TextRange;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The paths that are design docs unless `default_include = false` (SPEC §3).
pub const DEFAULT_INCLUDE: &[&str] = &[
    "**/design/**/*.md",
    "**/designs/**/*.md",
    "**/design-docs/**/*.md",
    "**/sdd/**/*.md",
    "**/rfcs/**/*.md",
    "**/*.design.md",
    "**/*-design.md",
    "**/*_design.md",
    "**/*.sdd.md",
];
pub const DEFAULT_METHODOLOGY: &str = "stride";
pub const DEFAULT_STALE_AFTER_MONTHS: u32 = 9;
pub const DEFAULT_SEVERITY_SCALE: &[&str] = &["critical", "high", "medium", "low", "informational"];
pub const DEFAULT_CLASSIFICATION_SCALE: &[&str] =
    &["public", "internal", "confidential", "restricted"];
pub const DEFAULT_TICKET_PATTERN: &str = r"([A-Z][A-Z0-9]+-\d+|#\d+|https?://\S+)";
pub const DEFAULT_REMEDIATION_DAYS: &[(&str, u32)] =
    &[("critical", 7), ("high", 30), ("medium", 90), ("low", 180)];
/// The risk tiers of SPEC §5.2, the keys of `[activities]`.
pub const RISK_TIERS: &[&str] = &["high", "medium", "low"];
/// The section kinds `[sections]` may add heading names to.
const SECTION_KEYS: &[&str] = &crate::document::sections::SECTION_IDS;
/// The sensitive topics of SPEC §5.2 (`knowledge/topics.toml` holds their keywords).
const TOPIC_IDS: &[&str] = &[
    "authentication",
    "authorization",
    "personal_data",
    "health_data",
    "payment_data",
    "internet_exposure",
    "secrets",
];
const RULE_VALUES: &[&str] = &["off", "error", "warning", "info", "hint"];
const ELEMENT_SCOPES: &[&str] = &["boundary", "all", "off"];

/// The element kinds `[element_classes]` may name.
const ELEMENT_KINDS: &[&str] = &["data_store", "external_entity"];

/// Mermaid class names that type a diagram node (SPEC §4.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementClasses {
    pub data_store: Vec<String>,
    pub external_entity: Vec<String>,
}

impl Default for ElementClasses {
    fn default() -> Self {
        ElementClasses {
            data_store: strings(&["store", "datastore"]),
            external_entity: strings(&["external"]),
        }
    }
}

/// Which diagram elements must have their STRIDE categories covered (TM022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ElementScope {
    /// Elements on a trust boundary, and every data store.
    #[default]
    Boundary,
    All,
    /// TM022 is not checked.
    Off,
}

impl ElementScope {
    pub fn as_str(self) -> &'static str {
        match self {
            ElementScope::Boundary => "boundary",
            ElementScope::All => "all",
            ElementScope::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<ElementScope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "boundary" => Some(ElementScope::Boundary),
            "all" => Some(ElementScope::All),
            "off" => Some(ElementScope::Off),
            _ => None,
        }
    }
}

/// A rule's level as `[rules]` sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleSetting {
    Off,
    Level(Level),
}

/// How the `include` and `exclude` globs classify a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathMatch {
    /// An `exclude` glob matches: never a design doc.
    Excluded,
    /// An `include` glob matches and no `exclude` glob does: a design doc.
    Included,
    /// Neither: the document's content decides.
    NotMatched,
}

/// A problem in the configuration text: an error for a bad value or bad TOML, a warning
/// for an unknown key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDiagnostic {
    pub level: Level,
    /// The dotted key it is about (`stale_after_months`, `rules.TM011`); empty for a TOML
    /// syntax error.
    pub key: String,
    pub message: String,
    /// The bad value, or the unknown key, in the TOML text.
    pub range: TextRange,
}

/// The shape of a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigValueKind {
    Boolean,
    Integer,
    String,
    StringList,
    /// A table whose values are lists of strings (`[sections]`, `[activities]`…).
    StringListTable,
    /// A table whose values are whole numbers (`[remediation_days]`).
    IntegerTable,
    /// A table whose values are strings (`[rules]`).
    StringTable,
}

impl ConfigValueKind {
    /// The type as the README names it.
    pub fn describe(self) -> &'static str {
        match self {
            ConfigValueKind::Boolean => "boolean",
            ConfigValueKind::Integer => "integer",
            ConfigValueKind::String => "string",
            ConfigValueKind::StringList => "array of strings",
            ConfigValueKind::StringListTable => "table of string arrays",
            ConfigValueKind::IntegerTable => "table of integers",
            ConfigValueKind::StringTable => "table of strings",
        }
    }
}

/// One setting of `.threatmark.toml`, described once for the parser, the README and the
/// editor settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigKeyDoc {
    pub key: &'static str,
    pub kind: ConfigValueKind,
    /// The default as TOML text (`9`, `["public", "internal"]`, `{}`).
    pub default: &'static str,
    /// The values a string setting (or each value of a string table) may take; empty
    /// when any value goes.
    pub choices: &'static [&'static str],
    /// The keys a table setting may have; empty when they are open (rule codes, topic
    /// ids, severities).
    pub table_keys: &'static [&'static str],
    pub description: &'static str,
}

/// Every setting, in the order the README lists them.
pub const CONFIG_KEYS: &[ConfigKeyDoc] = &[
    ConfigKeyDoc {
        key: "include",
        kind: ConfigValueKind::StringList,
        default: "[]",
        choices: &[],
        table_keys: &[],
        description: "More glob patterns for files that are design docs, relative to the workspace root \
            (the folder of `.threatmark.toml`). They add to the built-in patterns unless \
            `default_include = false`. `*` stays inside one folder and `**` crosses folders; a \
            pattern that names a folder covers every file under it.",
    },
    ConfigKeyDoc {
        key: "exclude",
        kind: ConfigValueKind::StringList,
        default: "[]",
        choices: &[],
        table_keys: &[],
        description: "Glob patterns for files that are never design docs, such as an archive of old designs. \
            An excluded file gets no findings even when `include`, its front matter or a \
            threat-model heading says it is a design doc. A pattern that names a folder covers \
            every file under it.",
    },
    ConfigKeyDoc {
        key: "default_include",
        kind: ConfigValueKind::Boolean,
        default: "true",
        choices: &[],
        table_keys: &[],
        description: "Whether the built-in patterns find design docs: `**/design/**/*.md`, \
            `**/designs/**/*.md`, `**/design-docs/**/*.md`, `**/sdd/**/*.md`, `**/rfcs/**/*.md`, \
            `**/*.design.md`, `**/*-design.md`, `**/*_design.md` and `**/*.sdd.md`. Set it to \
            `false` to use only your `include` list. Either way, a markdown file whose front \
            matter says `type: design` or that has a threat-model heading is a design doc.",
    },
    ConfigKeyDoc {
        key: "methodology",
        kind: ConfigValueKind::String,
        default: "\"stride\"",
        choices: &[],
        table_keys: &[],
        description: "The threat-modeling method whose categories, guiding questions and mitigations the \
            checks and hovers use: `stride` (built in), or the path of a methodology file, \
            relative to the workspace root.",
    },
    ConfigKeyDoc {
        key: "stale_after_months",
        kind: ConfigValueKind::Integer,
        default: "9",
        choices: &[],
        table_keys: &[],
        description: "How many months after its `last_reviewed` date a threat model counts as stale and \
            is due for another look (TM040).",
    },
    ConfigKeyDoc {
        key: "severity_scale",
        kind: ConfigValueKind::StringList,
        default: "[\"critical\", \"high\", \"medium\", \"low\", \"informational\"]",
        choices: &[],
        table_keys: &[],
        description: "The severities a threat may be rated with, most severe first; matched regardless of \
            case. A severity outside the scale is reported (TM031). Critical and high threats \
            need a mitigation (TM030) and a ticket while they are open (TM032).",
    },
    ConfigKeyDoc {
        key: "classification_scale",
        kind: ConfigValueKind::StringList,
        default: "[\"public\", \"internal\", \"confidential\", \"restricted\"]",
        choices: &[],
        table_keys: &[],
        description: "The data classifications an asset may have, matched regardless of case. An asset \
            without one, or with one outside the scale, is reported (TM012).",
    },
    ConfigKeyDoc {
        key: "ticket_pattern",
        kind: ConfigValueKind::String,
        default: "'([A-Z][A-Z0-9]+-\\d+|#\\d+|https?://\\S+)'",
        choices: &[],
        table_keys: &[],
        description: "A regular expression that recognizes a reference to your issue tracker. An open \
            critical or high threat needs one (TM032). The default accepts keys like `PAY-123`, \
            issue numbers like `#123` and links.",
    },
    ConfigKeyDoc {
        key: "element_scope",
        kind: ConfigValueKind::String,
        default: "\"boundary\"",
        choices: ELEMENT_SCOPES,
        table_keys: &[],
        description: "Which diagram elements need threats for each STRIDE category that applies to them \
            (TM022): `boundary` checks elements on a trust boundary and every data store, `all` \
            checks every element, `off` turns the check off.",
    },
    ConfigKeyDoc {
        key: "element_classes",
        kind: ConfigValueKind::StringListTable,
        default: "{ data_store = [\"store\", \"datastore\"], external_entity = [\"external\"] }",
        choices: &[],
        table_keys: ELEMENT_KINDS,
        description: "Mermaid class names that make a diagram node a data store or an external entity \
            (`db:::store`, `class partner external`). A cylinder `db[(…)]` is always a data store and \
            a parallelogram `user[/…/]` an external entity; when the diagram has subgraphs, a node \
            outside all of them is an external entity too. A kind you leave out keeps its \
            default.",
    },
    ConfigKeyDoc {
        key: "sections",
        kind: ConfigValueKind::StringListTable,
        default: "{}",
        choices: &[],
        table_keys: SECTION_KEYS,
        description: "More heading names per section kind, for templates that say \"Risks\" where threatmark \
            expects \"Threats\": `threats = [\"risks\"]`. The built-in names keep working.",
    },
    ConfigKeyDoc {
        key: "sensitive_topics",
        kind: ConfigValueKind::StringListTable,
        default: "{}",
        choices: &[],
        table_keys: TOPIC_IDS,
        description: "More keywords per sensitive topic, matched as whole words regardless of case: \
            `payment_data = [\"ledger\"]`. A design doc that touches sensitive topics gets a higher \
            risk tier and a nudge to name a security reviewer (TM041). A topic id of your own adds \
            a new topic.",
    },
    ConfigKeyDoc {
        key: "remediation_days",
        kind: ConfigValueKind::IntegerTable,
        default: "{ critical = 7, high = 30, medium = 90, low = 180 }",
        choices: &[],
        table_keys: &[],
        description: "How many days your policy allows for fixing a threat of each severity, shown when you \
            hover a severity. The keys are values of `severity_scale`; a severity you leave out \
            keeps its default.",
    },
    ConfigKeyDoc {
        key: "activities",
        kind: ConfigValueKind::StringListTable,
        default: "{ high = [\"security review\", \"penetration test before launch\"], \
            medium = [\"security champion review\"], low = [] }",
        choices: &[],
        table_keys: RISK_TIERS,
        description: "The security activities recommended for each risk tier (`high`, `medium`, `low`), \
            shown in hovers, the code lens, the JSON output and the report. A tier you leave out \
            keeps its default.",
    },
    ConfigKeyDoc {
        key: "rules",
        kind: ConfigValueKind::StringTable,
        default: "{}",
        choices: RULE_VALUES,
        table_keys: &[],
        description: "The level of a rule, by code: `TM011 = \"off\"` turns a rule off, `TM041 = \"warning\"` \
            makes it count for `--fail-on warning`. `threatmark explain CODE` describes a rule.",
    },
];

/// The configuration in force. `Config::default()` is what a workspace without
/// `.threatmark.toml` gets.
#[derive(Debug, Clone)]
pub struct Config {
    /// The effective include globs: the defaults of SPEC §3 (unless `default_include =
    /// false`) and then the user's.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// `stride`, or a path the CLI resolves (the engine only stores it).
    pub methodology: String,
    /// The methodology file `methodology` names, once the caller has read and parsed it
    /// (the engine does no I/O). `None` means the built-in STRIDE.
    pub loaded_methodology: Option<std::sync::Arc<crate::knowledge::Methodology>>,
    pub stale_after_months: u32,
    /// Lowercase, most severe first.
    pub severity_scale: Vec<String>,
    /// Lowercase.
    pub classification_scale: Vec<String>,
    pub ticket_pattern: Regex,
    pub element_scope: ElementScope,
    /// `[element_classes]`: class names that type diagram nodes (SPEC §4.6).
    pub element_classes: ElementClasses,
    /// `[sections]`: extra heading aliases per section kind, in file order.
    pub extra_section_aliases: Vec<(SectionKind, String)>,
    /// `[sensitive_topics]`: (topic id, keyword); the keywords of a topic are adjacent.
    pub extra_topic_keywords: Vec<(String, String)>,
    /// Severity → days to fix, for the severities of the scale that have one.
    pub remediation_days: Vec<(String, u32)>,
    /// Risk tier (`high`, `medium`, `low`) → recommended activities; `None` means the
    /// defaults of the knowledge module.
    pub activities: Vec<(String, Option<Vec<String>>)>,
    /// Rule code (uppercase) → its setting, in file order.
    pub rules: Vec<(String, RuleSetting)>,
    /// Each `[rules]` code as written and the range of its key, for the caller to check
    /// that the codes exist.
    rule_keys: Vec<(String, TextRange)>,
    includes: GlobSet,
    excludes: GlobSet,
}

impl Default for Config {
    fn default() -> Self {
        let include: Vec<String> = DEFAULT_INCLUDE.iter().map(|g| g.to_string()).collect();
        let severity_scale = strings(DEFAULT_SEVERITY_SCALE);
        Config {
            includes: glob_set(&include),
            excludes: GlobSet::empty(),
            include,
            exclude: Vec::new(),
            methodology: DEFAULT_METHODOLOGY.to_string(),
            loaded_methodology: None,
            stale_after_months: DEFAULT_STALE_AFTER_MONTHS,
            remediation_days: default_remediation_days(&severity_scale),
            severity_scale,
            classification_scale: strings(DEFAULT_CLASSIFICATION_SCALE),
            ticket_pattern: Regex::new(DEFAULT_TICKET_PATTERN)
                .expect("the default ticket pattern compiles"),
            element_scope: ElementScope::Boundary,
            element_classes: ElementClasses::default(),
            extra_section_aliases: Vec::new(),
            extra_topic_keywords: Vec::new(),
            activities: RISK_TIERS.iter().map(|t| (t.to_string(), None)).collect(),
            rules: Vec::new(),
            rule_keys: Vec::new(),
        }
    }
}

impl Config {
    /// The methodology in force: the loaded file, else the built-in STRIDE.
    pub fn methodology(&self) -> &crate::knowledge::Methodology {
        match self.loaded_methodology.as_deref() {
            Some(m) => m,
            None => crate::knowledge::Methodology::stride(),
        }
    }

    /// Reads `.threatmark.toml` text. `Ok` holds the configuration and its warnings
    /// (unknown keys); `Err` holds every diagnostic, warnings included, when there is at
    /// least one error (bad TOML, a bad value).
    pub fn from_toml(text: &str) -> Result<(Config, Vec<ConfigDiagnostic>), Vec<ConfigDiagnostic>> {
        let table = match DeTable::parse(text) {
            Ok(table) => table,
            Err(e) => {
                let range = e.span().map_or(TextRange::empty(0), TextRange::from);
                let message = format!("this is not valid TOML: {}", e.message());
                return Err(vec![ConfigDiagnostic {
                    level: Level::Error,
                    key: String::new(),
                    message,
                    range,
                }]);
            }
        };
        let mut reader = Reader {
            text,
            diagnostics: Vec::new(),
        };
        let config = reader.config(table.get_ref());
        if reader.diagnostics.iter().any(|d| d.level == Level::Error) {
            Err(reader.diagnostics)
        } else {
            Ok((config, reader.diagnostics))
        }
    }

    /// How the globs classify `rel_path` (relative to the workspace root, `/`-separated).
    /// A glob matches a file when it matches its path or one of its folders; `exclude`
    /// wins over `include`.
    pub fn path_match(&self, rel_path: &str) -> PathMatch {
        let mut path = rel_path;
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        let candidates =
            || std::iter::once(path).chain(path.match_indices('/').map(|(i, _)| &path[..i]));
        if candidates().any(|p| !p.is_empty() && self.excludes.is_match(p)) {
            PathMatch::Excluded
        } else if candidates().any(|p| !p.is_empty() && self.includes.is_match(p)) {
            PathMatch::Included
        } else {
            PathMatch::NotMatched
        }
    }

    /// The level of rule `code` (case-insensitive): the configured one, else `default`;
    /// `None` when the rule is off.
    pub fn rule_level(&self, code: &str, default: Level) -> Option<Level> {
        let code = code.trim();
        match self
            .rules
            .iter()
            .rev()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
        {
            Some((_, RuleSetting::Off)) => None,
            Some((_, RuleSetting::Level(level))) => Some(*level),
            None => Some(default),
        }
    }

    /// The codes under `[rules]` as written, with the range of each key: the caller
    /// checks them against the rule registry and warns about codes no rule has.
    pub fn rule_codes(&self) -> impl Iterator<Item = (&str, TextRange)> {
        self.rule_keys.iter().map(|(c, r)| (c.as_str(), *r))
    }

    /// Days allowed to fix a threat of `severity` (case-insensitive), if the config says.
    pub fn remediation_days(&self, severity: &str) -> Option<u32> {
        let severity = severity.trim();
        self.remediation_days
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(severity))
            .map(|(_, d)| *d)
    }

    /// The recommended activities for a risk tier, if the config sets them (`None`: use
    /// the knowledge module's defaults).
    pub fn activities_for(&self, tier: &str) -> Option<&[String]> {
        let tier = tier.trim();
        self.activities
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(tier))
            .and_then(|(_, a)| a.as_deref())
    }

    /// Whether `text` (trimmed) is one ticket reference and nothing else.
    pub fn is_ticket(&self, text: &str) -> bool {
        let text = text.trim();
        !text.is_empty() && self.find_tickets(text).first() == Some(&text)
    }

    /// Whether `text` mentions a ticket anywhere.
    pub fn has_ticket(&self, text: &str) -> bool {
        !self.find_tickets(text).is_empty()
    }

    /// The ticket references in `text`, in order. Punctuation that ends a sentence or
    /// closes a markdown link is not part of a reference: `(see https://t/1).` gives
    /// `https://t/1`.
    pub fn find_tickets<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.ticket_pattern
            .find_iter(text)
            .map(|m| trim_reference(m.as_str()))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Drops trailing sentence punctuation, markdown emphasis and unbalanced closing
/// brackets from a matched reference.
fn trim_reference(s: &str) -> &str {
    let mut s = s;
    loop {
        let before = s.len();
        s = s.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', '*', '`', '|']);
        for (open, close) in [('(', ')'), ('[', ']'), ('{', '}'), ('<', '>')] {
            if s.ends_with(close) && s.matches(close).count() > s.matches(open).count() {
                s = &s[..s.len() - 1];
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn default_remediation_days(scale: &[String]) -> Vec<(String, u32)> {
    DEFAULT_REMEDIATION_DAYS
        .iter()
        .filter(|(s, _)| scale.iter().any(|level| level == s))
        .map(|(s, d)| (s.to_string(), *d))
        .collect()
}

/// A glob as the user means it: `./` and a trailing `/` removed.
fn normalize_glob(glob: &str) -> String {
    let mut g = glob.trim();
    while let Some(rest) = g.strip_prefix("./") {
        g = rest;
    }
    let g = if g.len() > 1 {
        g.trim_end_matches('/')
    } else {
        g
    };
    g.to_string()
}

/// `*` stays inside one folder; `**` crosses folders.
fn compile_glob(glob: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// The set of globs that compile (the parser has reported the others).
fn glob_set(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        if let Ok(g) = compile_glob(glob) {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The closest of `candidates` to `key`, when one is close enough to be a likely typo.
fn suggest<'c>(key: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let norm = |s: &str| s.trim().to_lowercase().replace(['-', ' ', '.'], "_");
    let key = norm(key);
    candidates
        .into_iter()
        .map(|c| (c, strsim::jaro_winkler(&key, &norm(c))))
        .filter(|(_, score)| *score >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// `a`, `a or b`, `a, b or c`, each quoted with `quote`.
fn one_of(items: &[&str], quote: &str) -> String {
    listed(items, quote, "or")
}

/// `a`, `a and b`, `a, b and c`, each quoted with `quote`.
fn all_of(items: &[&str], quote: &str) -> String {
    listed(items, quote, "and")
}

fn listed(items: &[&str], quote: &str, conjunction: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{quote}{i}{quote}")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// The part of a `regex` error message that says what is wrong.
fn regex_problem(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(
            || text.lines().last().unwrap_or("").trim().to_string(),
            str::to_string,
        )
}

type Key<'i> = Spanned<std::borrow::Cow<'i, str>>;
type Value<'i> = Spanned<DeValue<'i>>;

/// The entries of a table in the order they appear in the file.
fn entries<'t, 'i>(table: &'t DeTable<'i>) -> Vec<(&'t Key<'i>, &'t Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

fn range(span: std::ops::Range<usize>) -> TextRange {
    TextRange::from(span)
}

struct Reader<'a> {
    text: &'a str,
    diagnostics: Vec<ConfigDiagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, key: &str, span: std::ops::Range<usize>, message: String) {
        self.diagnostics.push(ConfigDiagnostic {
            level: Level::Error,
            key: key.to_string(),
            message,
            range: range(span),
        });
    }

    fn warning(&mut self, key: &str, span: std::ops::Range<usize>, message: String) {
        self.diagnostics.push(ConfigDiagnostic {
            level: Level::Warning,
            key: key.to_string(),
            message,
            range: range(span),
        });
    }

    /// A value as the message quotes it: scalars as written, containers by kind.
    fn shown(&self, value: &Value<'_>) -> String {
        match value.get_ref() {
            DeValue::Array(_) => "a list".to_string(),
            DeValue::Table(_) => "a table".to_string(),
            _ => {
                let raw = self.text.get(value.span()).unwrap_or("").trim();
                let mut shown: String = raw.chars().take(40).collect();
                if shown.len() < raw.len() {
                    shown.push('…');
                }
                shown
            }
        }
    }

    fn unknown_key(&mut self, key: &str, span: std::ops::Range<usize>, hint: Option<String>) {
        let message = match hint {
            Some(hint) => format!("unknown key `{key}` ({hint})"),
            None => format!("unknown key `{key}`"),
        };
        self.warning(key, span, message);
    }

    fn config(&mut self, table: &DeTable<'_>) -> Config {
        let mut config = Config::default();
        let mut default_include = true;
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        // `[remediation_days]` keys are checked against the severity scale, whatever
        // order the file has them in.
        let mut remediation = None;
        for (key, value) in entries(table) {
            let name: &str = key.get_ref();
            match name {
                "include" => include = self.globs(name, value),
                "exclude" => exclude = self.globs(name, value),
                "default_include" => match value.get_ref() {
                    DeValue::Boolean(b) => default_include = *b,
                    _ => {
                        let shown = self.shown(value);
                        self.error(
                            name,
                            value.span(),
                            format!("`{name}` must be true or false, not {shown}"),
                        );
                    }
                },
                "methodology" => {
                    if let Some(m) =
                        self.string(name, value, "\"stride\" or the path of a methodology file")
                    {
                        if m.trim().is_empty() {
                            self.error(name, value.span(), format!("`{name}` must be \"stride\" or the path of a methodology file, not empty"));
                        } else {
                            config.methodology = m.trim().to_string();
                        }
                    }
                }
                "stale_after_months" => {
                    if let Some(n) =
                        self.whole_number(name, value, 1, "a positive whole number of months")
                    {
                        config.stale_after_months = n;
                    }
                }
                "severity_scale" => {
                    if let Some(scale) =
                        self.scale(name, value, "[\"critical\", \"high\", \"medium\", \"low\"]")
                    {
                        config.severity_scale = scale;
                    }
                }
                "classification_scale" => {
                    if let Some(scale) =
                        self.scale(name, value, "[\"public\", \"internal\", \"confidential\"]")
                    {
                        config.classification_scale = scale;
                    }
                }
                "ticket_pattern" => {
                    if let Some(p) = self.ticket_pattern(name, value) {
                        config.ticket_pattern = p;
                    }
                }
                "element_scope" => {
                    if let Some(s) = self.string(name, value, &one_of(ELEMENT_SCOPES, "\"")) {
                        match ElementScope::parse(&s) {
                            Some(scope) => config.element_scope = scope,
                            None => {
                                let shown = self.shown(value);
                                let expected = one_of(ELEMENT_SCOPES, "\"");
                                self.error(
                                    name,
                                    value.span(),
                                    format!("`{name}` must be {expected}, not {shown}"),
                                );
                            }
                        }
                    }
                }
                "sections" => config.extra_section_aliases = self.sections(name, value),
                "sensitive_topics" => config.extra_topic_keywords = self.topics(name, value),
                "remediation_days" => remediation = Some(value),
                "activities" => self.activities(name, value, &mut config.activities),
                "element_classes" => self.element_classes(name, value, &mut config.element_classes),
                "rules" => (config.rules, config.rule_keys) = self.rules(name, value),
                _ => {
                    let hint = if looks_like_rule_code(name) {
                        Some(format!(
                            "rule levels go under `[rules]`: `[rules] {name} = \"off\"`"
                        ))
                    } else {
                        suggest(name, CONFIG_KEYS.iter().map(|k| k.key))
                            .map(|s| format!("did you mean `{s}`?"))
                    };
                    self.unknown_key(name, key.span(), hint);
                }
            }
        }
        config.remediation_days = default_remediation_days(&config.severity_scale);
        if let Some(value) = remediation {
            self.remediation_days(value, &config.severity_scale, &mut config.remediation_days);
        }
        config.include = if default_include {
            strings(DEFAULT_INCLUDE)
        } else {
            Vec::new()
        };
        config.include.extend(include);
        config.exclude = exclude;
        config.includes = glob_set(&config.include);
        config.excludes = glob_set(&config.exclude);
        config
    }

    fn string(&mut self, key: &str, value: &Value<'_>, expected: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                let shown = self.shown(value);
                self.error(
                    key,
                    value.span(),
                    format!("`{key}` must be {expected}, not {shown}"),
                );
                None
            }
        }
    }

    /// A whole number at least `min` that fits a `u32`.
    fn whole_number(
        &mut self,
        key: &str,
        value: &Value<'_>,
        min: u32,
        expected: &str,
    ) -> Option<u32> {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        match n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n >= min) {
            Some(n) => Some(n),
            None => {
                let shown = self.shown(value);
                self.error(
                    key,
                    value.span(),
                    format!("`{key}` must be {expected}, not {shown}"),
                );
                None
            }
        }
    }

    /// A list of non-empty strings; `example` shows the expected form. Errors name
    /// the bad entry.
    fn string_list(
        &mut self,
        key: &str,
        value: &Value<'_>,
        what: &str,
        example: &str,
    ) -> Option<Vec<Spanned<String>>> {
        let DeValue::Array(items) = value.get_ref() else {
            let shown = self.shown(value);
            self.error(
                key,
                value.span(),
                format!("`{key}` must be a list of {what}, like {example}, not {shown}"),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => {
                    out.push(Spanned::new(item.span(), s.trim().to_string()))
                }
                DeValue::String(_) => {
                    ok = false;
                    self.error(
                        key,
                        item.span(),
                        format!("`{key}` has an empty entry; each of its {what} must be some text"),
                    );
                }
                _ => {
                    ok = false;
                    let shown = self.shown(item);
                    self.error(key, item.span(), format!("`{key}` must be a list of {what}, like {example}; {shown} is not a quoted string"));
                }
            }
        }
        ok.then_some(out)
    }

    fn globs(&mut self, key: &str, value: &Value<'_>) -> Vec<String> {
        let Some(items) =
            self.string_list(key, value, "glob patterns", "[\"docs/design/**/*.md\"]")
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let glob = normalize_glob(item.get_ref());
            match compile_glob(&glob) {
                Ok(_) => out.push(glob),
                Err(e) => {
                    let problem = match e.kind() {
                        globset::ErrorKind::UnclosedClass => {
                            "a `[` has no matching `]`".to_string()
                        }
                        globset::ErrorKind::UnclosedAlternates => {
                            "a `{` has no matching `}`".to_string()
                        }
                        kind => kind.to_string(),
                    };
                    self.error(
                        key,
                        item.span(),
                        format!("`{key}` has an invalid glob pattern \"{glob}\": {problem}"),
                    );
                }
            }
        }
        out
    }

    /// A non-empty list of values, lowercased; repeated values are dropped with a warning.
    fn scale(&mut self, key: &str, value: &Value<'_>, example: &str) -> Option<Vec<String>> {
        let items = self.string_list(key, value, "values", example)?;
        if items.is_empty() {
            self.error(
                key,
                value.span(),
                format!("`{key}` must list at least one value, like {example}"),
            );
            return None;
        }
        let mut scale: Vec<String> = Vec::new();
        for item in items {
            let v = item.get_ref().to_lowercase();
            if scale.contains(&v) {
                self.warning(key, item.span(), format!("`{key}` lists \"{v}\" twice"));
            } else {
                scale.push(v);
            }
        }
        Some(scale)
    }

    fn ticket_pattern(&mut self, key: &str, value: &Value<'_>) -> Option<Regex> {
        let pattern = self.string(
            key,
            value,
            "a regular expression, like '([A-Z][A-Z0-9]+-\\d+|#\\d+)'",
        )?;
        match regex::RegexBuilder::new(&pattern)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) if re.is_match("") => {
                self.error(
                    key,
                    value.span(),
                    format!("`{key}` matches empty text, so every threat would count as tracked; make it require at least one character"),
                );
                None
            }
            Ok(re) => Some(re),
            Err(e) => {
                let problem = regex_problem(&e);
                self.error(
                    key,
                    value.span(),
                    format!("`{key}` is not a valid regular expression: {problem}"),
                );
                None
            }
        }
    }

    /// A table's entries in file order, or an error when the value is no table.
    fn table<'t, 'i>(
        &mut self,
        key: &str,
        value: &'t Value<'i>,
        example: &str,
    ) -> Vec<(&'t Key<'i>, &'t Value<'i>)> {
        match value.get_ref() {
            DeValue::Table(t) => entries(t),
            _ => {
                let shown = self.shown(value);
                self.error(
                    key,
                    value.span(),
                    format!(
                        "`{key}` must be a table, like `[{key}]` followed by {example}, not {shown}"
                    ),
                );
                Vec::new()
            }
        }
    }

    fn sections(&mut self, key: &str, value: &Value<'_>) -> Vec<(SectionKind, String)> {
        let mut out = Vec::new();
        for (k, v) in self.table(key, value, "`threats = [\"risks\"]`") {
            let name: &str = k.get_ref();
            let full = format!("{key}.{name}");
            let Some(kind) = SectionKind::from_config_key(&name.trim().to_lowercase()) else {
                let hint = match suggest(name, SECTION_KEYS.iter().copied()) {
                    Some(s) => format!("did you mean `{key}.{s}`?"),
                    None => format!("section kinds are {}", all_of(SECTION_KEYS, "`")),
                };
                self.unknown_key(&full, k.span(), Some(hint));
                continue;
            };
            if let Some(aliases) = self.string_list(&full, v, "headings", "[\"risks\"]") {
                out.extend(aliases.into_iter().map(|a| (kind, a.into_inner())));
            }
        }
        out
    }

    fn topics(&mut self, key: &str, value: &Value<'_>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in self.table(key, value, "`payment_data = [\"ledger\"]`") {
            let id = k.get_ref().trim().to_string();
            let full = format!("{key}.{id}");
            if !TOPIC_IDS.contains(&id.as_str())
                && let Some(s) = suggest(&id, TOPIC_IDS.iter().copied())
            {
                self.warning(
                    &full,
                    k.span(),
                    format!("`{full}` adds a new sensitive topic; did you mean the built-in topic `{key}.{s}`?"),
                );
            }
            if let Some(words) = self.string_list(&full, v, "keywords", "[\"ledger\"]") {
                out.extend(words.into_iter().map(|w| (id.clone(), w.into_inner())));
            }
        }
        out
    }

    fn remediation_days(
        &mut self,
        value: &Value<'_>,
        scale: &[String],
        days: &mut Vec<(String, u32)>,
    ) {
        let key = "remediation_days";
        for (k, v) in self.table(key, value, "`critical = 7`") {
            let severity = k.get_ref().trim().to_lowercase();
            let full = format!("{key}.{}", k.get_ref());
            let Some(n) = self.whole_number(&full, v, 0, "a whole number of days") else {
                continue;
            };
            if !scale.contains(&severity) {
                let scale_refs: Vec<&str> = scale.iter().map(String::as_str).collect();
                let hint = match suggest(&severity, scale_refs.iter().copied()) {
                    Some(s) => format!("did you mean `{key}.{s}`?"),
                    None => format!("`severity_scale` has {}", all_of(&scale_refs, "`")),
                };
                self.unknown_key(&full, k.span(), Some(hint));
                continue;
            }
            match days.iter_mut().find(|(s, _)| *s == severity) {
                Some(entry) => entry.1 = n,
                None => days.push((severity, n)),
            }
        }
        // In the order of the scale, so that hovers and docs list them most severe first.
        days.sort_by_key(|(s, _)| scale.iter().position(|level| level == s));
    }

    fn activities(
        &mut self,
        key: &str,
        value: &Value<'_>,
        activities: &mut [(String, Option<Vec<String>>)],
    ) {
        for (k, v) in self.table(key, value, "`high = [\"security review\"]`") {
            let tier = k.get_ref().trim().to_lowercase();
            let full = format!("{key}.{}", k.get_ref());
            let Some(slot) = activities.iter_mut().find(|(t, _)| *t == tier) else {
                let hint = match suggest(&tier, RISK_TIERS.iter().copied()) {
                    Some(s) => format!("did you mean `{key}.{s}`?"),
                    None => format!("risk tiers are {}", all_of(RISK_TIERS, "`")),
                };
                self.unknown_key(&full, k.span(), Some(hint));
                continue;
            };
            if let Some(list) = self.string_list(&full, v, "activities", "[\"security review\"]") {
                slot.1 = Some(list.into_iter().map(Spanned::into_inner).collect());
            }
        }
    }

    fn element_classes(&mut self, key: &str, value: &Value<'_>, classes: &mut ElementClasses) {
        for (k, v) in self.table(key, value, "`data_store = [\"store\"]`") {
            let kind = k.get_ref().trim().to_lowercase();
            let full = format!("{key}.{}", k.get_ref());
            let slot = match kind.as_str() {
                "data_store" => &mut classes.data_store,
                "external_entity" => &mut classes.external_entity,
                _ => {
                    let hint = match suggest(&kind, ELEMENT_KINDS.iter().copied()) {
                        Some(s) => format!("did you mean `{key}.{s}`?"),
                        None => format!("element kinds are {}", all_of(ELEMENT_KINDS, "`")),
                    };
                    self.unknown_key(&full, k.span(), Some(hint));
                    continue;
                }
            };
            if let Some(list) = self.string_list(&full, v, "class names", "[\"store\"]") {
                *slot = list.into_iter().map(Spanned::into_inner).collect();
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn rules(
        &mut self,
        key: &str,
        value: &Value<'_>,
    ) -> (Vec<(String, RuleSetting)>, Vec<(String, TextRange)>) {
        let mut rules: Vec<(String, RuleSetting)> = Vec::new();
        let mut keys = Vec::new();
        let expected = one_of(RULE_VALUES, "\"");
        for (k, v) in self.table(key, value, "`TM011 = \"off\"`") {
            let written: &str = k.get_ref();
            let full = format!("{key}.{written}");
            if !looks_like_rule_code(written) {
                self.error(
                    &full,
                    k.span(),
                    format!("`{full}` is not a rule code; codes look like `TM011`"),
                );
                continue;
            }
            let code = written.trim().to_ascii_uppercase();
            keys.push((written.to_string(), range(k.span())));
            let Some(s) = self.string(&full, v, &expected) else {
                continue;
            };
            let setting = match s.trim().to_ascii_lowercase().as_str() {
                "off" => Some(RuleSetting::Off),
                other => Level::parse(other).map(RuleSetting::Level),
            };
            let Some(setting) = setting else {
                let shown = self.shown(v);
                self.error(
                    &full,
                    v.span(),
                    format!("`{full}` must be {expected}, not {shown}"),
                );
                continue;
            };
            if let Some(i) = rules.iter().position(|(c, _)| *c == code) {
                self.warning(
                    &full,
                    k.span(),
                    format!("`{full}` sets rule {code} a second time; this setting wins"),
                );
                rules.remove(i);
            }
            rules.push((code, setting));
        }
        (rules, keys)
    }
}

/// `TM` and three digits, in any case (the registry looks codes up case-insensitively).
fn looks_like_rule_code(s: &str) -> bool {
    let s = s.trim().as_bytes();
    s.len() == 5 && s[..2].eq_ignore_ascii_case(b"TM") && s[2..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Config, Vec<ConfigDiagnostic>) {
        match Config::from_toml(text) {
            Ok(ok) => ok,
            Err(e) => panic!("expected the config to load: {e:#?}"),
        }
    }

    fn errors(text: &str) -> Vec<ConfigDiagnostic> {
        match Config::from_toml(text) {
            Ok((_, warnings)) => panic!("expected errors, got a config with {warnings:#?}"),
            Err(e) => e,
        }
    }

    /// The single error of `text`: it names `key` and its range slices to `value`.
    fn assert_error(text: &str, key: &str, value: &str) -> ConfigDiagnostic {
        let diagnostics = errors(text);
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{text}: {errors:#?}");
        let d = errors[0].clone();
        assert_eq!(d.key, key, "{d:#?}");
        assert!(
            d.message.contains(&format!("`{key}`")),
            "message names the key: {}",
            d.message
        );
        assert_eq!(d.range.slice(text), value, "{d:#?}");
        d
    }

    const SPEC_EXAMPLE: &str = r#"include = ["docs/design/**/*.md"]        # adds to the defaults unless default_include = false
exclude = ["docs/design/archive/**"]
methodology = "stride"                   # or a path to a methodology file
stale_after_months = 9
severity_scale = ["critical", "high", "medium", "low", "informational"]
classification_scale = ["public", "internal", "confidential", "restricted"]
ticket_pattern = '([A-Z][A-Z0-9]+-\d+|#\d+|https?://\S+)'
element_scope = "boundary"               # boundary | all | off (TM022)
[sections]                               # extra heading aliases per kind
threats = ["risks"]
[sensitive_topics]                       # extra keywords per topic
payment_data = ["ledger"]
[remediation_days]                       # shown in hovers
critical = 7
high = 30
[activities]                             # recommended per risk tier (5.2)
high = ["security review", "pentest before launch"]
[rules]
TM011 = "off"
TM041 = "warning"
"#;

    #[test]
    fn defaults() {
        let c = Config::default();
        assert_eq!(c.include, DEFAULT_INCLUDE);
        assert!(c.exclude.is_empty());
        assert_eq!(c.methodology, "stride");
        assert_eq!(c.stale_after_months, 9);
        assert_eq!(
            c.severity_scale,
            ["critical", "high", "medium", "low", "informational"]
        );
        assert_eq!(
            c.classification_scale,
            ["public", "internal", "confidential", "restricted"]
        );
        assert_eq!(c.ticket_pattern.as_str(), DEFAULT_TICKET_PATTERN);
        assert_eq!(c.element_scope, ElementScope::Boundary);
        assert!(c.extra_section_aliases.is_empty() && c.extra_topic_keywords.is_empty());
        assert_eq!(c.remediation_days("critical"), Some(7));
        assert_eq!(c.remediation_days("High"), Some(30));
        assert_eq!(c.remediation_days("medium"), Some(90));
        assert_eq!(c.remediation_days("low"), Some(180));
        assert_eq!(c.remediation_days("informational"), None);
        assert_eq!(c.activities.len(), 3);
        assert!(c.activities.iter().all(|(_, a)| a.is_none()));
        assert!(c.rules.is_empty());
        assert_eq!(c.rule_level("TM011", Level::Info), Some(Level::Info));
    }

    #[test]
    fn empty_file_is_the_default() {
        let (c, warnings) = parse("");
        assert!(warnings.is_empty());
        assert_eq!(c.include, Config::default().include);
        assert_eq!(c.remediation_days, Config::default().remediation_days);
    }

    #[test]
    fn spec_example_parses() {
        let (c, warnings) = parse(SPEC_EXAMPLE);
        assert!(warnings.is_empty(), "{warnings:#?}");
        assert_eq!(c.include.len(), DEFAULT_INCLUDE.len() + 1);
        assert_eq!(
            c.include.last().map(String::as_str),
            Some("docs/design/**/*.md")
        );
        assert_eq!(c.exclude, ["docs/design/archive/**"]);
        assert_eq!(
            c.extra_section_aliases,
            [(SectionKind::Threats, "risks".to_string())]
        );
        assert_eq!(
            c.extra_topic_keywords,
            [("payment_data".to_string(), "ledger".to_string())]
        );
        assert_eq!(c.remediation_days("critical"), Some(7));
        assert_eq!(
            c.remediation_days("medium"),
            Some(90),
            "unset severities keep their default"
        );
        assert_eq!(
            c.activities_for("high"),
            Some(
                &[
                    "security review".to_string(),
                    "pentest before launch".to_string()
                ][..]
            )
        );
        assert_eq!(c.activities_for("medium"), None);
        assert_eq!(c.rule_level("TM011", Level::Info), None);
        assert_eq!(c.rule_level("TM041", Level::Info), Some(Level::Warning));
        assert_eq!(c.rule_level("TM001", Level::Warning), Some(Level::Warning));
        let codes: Vec<_> = c
            .rule_codes()
            .map(|(code, r)| (code, r.slice(SPEC_EXAMPLE)))
            .collect();
        assert_eq!(codes, [("TM011", "TM011"), ("TM041", "TM041")]);
        assert_eq!(
            c.path_match("docs/design/archive/old.md"),
            PathMatch::Excluded
        );
        assert_eq!(c.path_match("docs/design/export.md"), PathMatch::Included);
    }

    #[test]
    fn every_documented_default_reads_back_as_the_default() {
        let default = Config::default();
        for doc in CONFIG_KEYS {
            let text = format!("{} = {}\n", doc.key, doc.default);
            let (c, warnings) = parse(&text);
            assert!(warnings.is_empty(), "{text}: {warnings:#?}");
            assert_eq!(c.include, default.include, "{}", doc.key);
            assert_eq!(c.exclude, default.exclude);
            assert_eq!(c.methodology, default.methodology);
            assert_eq!(c.stale_after_months, default.stale_after_months);
            assert_eq!(c.severity_scale, default.severity_scale);
            assert_eq!(c.classification_scale, default.classification_scale);
            assert_eq!(c.ticket_pattern.as_str(), default.ticket_pattern.as_str());
            assert_eq!(c.element_scope, default.element_scope);
            assert_eq!(c.remediation_days, default.remediation_days);
            assert_eq!(c.rules, default.rules);
            for tier in RISK_TIERS {
                let expected = crate::knowledge::default_activities(tier);
                let got = c.activities_for(tier).unwrap_or(expected);
                assert_eq!(got, expected, "{}: {tier}", doc.key);
            }
        }
    }

    #[test]
    fn key_docs_are_complete() {
        for doc in CONFIG_KEYS {
            assert!(
                doc.description.len() > 40,
                "{} needs a real description",
                doc.key
            );
            assert!(!doc.description.contains("  "), "{}: stray spaces", doc.key);
        }
        let built_in = CONFIG_KEYS
            .iter()
            .find(|d| d.key == "default_include")
            .unwrap();
        for glob in DEFAULT_INCLUDE {
            assert!(
                built_in.description.contains(&format!("`{glob}`")),
                "{glob}"
            );
        }
        let topics: Vec<&str> = crate::knowledge::topics()
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(topics, TOPIC_IDS);
        for key in SECTION_KEYS {
            assert!(SectionKind::from_config_key(key).is_some(), "{key}");
        }
    }

    #[test]
    fn bad_values_are_errors_naming_the_key_and_the_value() {
        let d = assert_error(
            "stale_after_months = \"nine\"\n",
            "stale_after_months",
            "\"nine\"",
        );
        assert_eq!(
            d.message,
            "`stale_after_months` must be a positive whole number of months, not \"nine\""
        );
        assert_error("stale_after_months = 0\n", "stale_after_months", "0");
        assert_error("stale_after_months = -3\n", "stale_after_months", "-3");
        assert_error("stale_after_months = 9.5\n", "stale_after_months", "9.5");
        assert_error(
            "stale_after_months = 99999999999\n",
            "stale_after_months",
            "99999999999",
        );
        assert_error("default_include = \"no\"\n", "default_include", "\"no\"");
        assert_error("methodology = 5\n", "methodology", "5");
        assert_error("methodology = \"  \"\n", "methodology", "\"  \"");
        assert_error("element_scope = \"some\"\n", "element_scope", "\"some\"");
        assert_error(
            "include = \"docs/**/*.md\"\n",
            "include",
            "\"docs/**/*.md\"",
        );
        assert_error("include = [\"ok/*.md\", 3]\n", "include", "3");
        assert_error(
            "exclude = [\"docs/[archive\"]\n",
            "exclude",
            "\"docs/[archive\"",
        );
        assert_error("exclude = [\"\"]\n", "exclude", "\"\"");
        assert_error("severity_scale = []\n", "severity_scale", "[]");
        assert_error(
            "classification_scale = [\"public\", true]\n",
            "classification_scale",
            "true",
        );
        let d = assert_error("ticket_pattern = '([A-Z'\n", "ticket_pattern", "'([A-Z'");
        assert!(
            d.message.contains("not a valid regular expression"),
            "{}",
            d.message
        );
        let d = assert_error("ticket_pattern = 'x*'\n", "ticket_pattern", "'x*'");
        assert!(d.message.contains("empty text"), "{}", d.message);
        assert_error(
            "[sections]\nthreats = \"risks\"\n",
            "sections.threats",
            "\"risks\"",
        );
        assert_error("sections = 3\n", "sections", "3");
        assert_error(
            "[sensitive_topics]\npayment_data = [\"\"]\n",
            "sensitive_topics.payment_data",
            "\"\"",
        );
        assert_error(
            "[remediation_days]\nhigh = \"a month\"\n",
            "remediation_days.high",
            "\"a month\"",
        );
        assert_error(
            "[activities]\nhigh = \"security review\"\n",
            "activities.high",
            "\"security review\"",
        );
        assert_error("[rules]\nTM011 = \"loud\"\n", "rules.TM011", "\"loud\"");
        assert_error("[rules]\nTM011 = false\n", "rules.TM011", "false");
        assert_error("[rules]\nTM11 = \"off\"\n", "rules.TM11", "TM11");
        assert_error(
            "[rules]\nstride-unaddressed = \"off\"\n",
            "rules.stride-unaddressed",
            "stride-unaddressed",
        );
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let d = errors("stale_after_months = \"x\"\nelement_scope = 1\nnope = 1\n");
        let keys: Vec<_> = d.iter().map(|d| (d.level, d.key.as_str())).collect();
        assert_eq!(
            keys,
            [
                (Level::Error, "stale_after_months"),
                (Level::Error, "element_scope"),
                (Level::Warning, "nope")
            ]
        );
    }

    #[test]
    fn invalid_toml_is_one_error_with_a_range() {
        let text = "stale_after_months = 9\nstale_after_months = 10\n";
        let d = errors(text);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("duplicate key"), "{}", d[0].message);
        assert_eq!(d[0].range.slice(text), "stale_after_months");
        assert!(d[0].range.start > 20);
        let d = errors("include = [\n");
        assert_eq!(d[0].level, Level::Error);
    }

    #[test]
    fn unknown_keys_are_warnings_with_suggestions() {
        let text = "stale_after_month = 6\n";
        let (c, warnings) = parse(text);
        assert_eq!(c.stale_after_months, 9);
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert_eq!(w.level, Level::Warning);
        assert_eq!(w.key, "stale_after_month");
        assert_eq!(
            w.message,
            "unknown key `stale_after_month` (did you mean `stale_after_months`?)"
        );
        assert_eq!(w.range.slice(text), "stale_after_month");

        let (_, warnings) = parse("colour = \"red\"\n");
        assert_eq!(warnings[0].message, "unknown key `colour`");

        let (_, warnings) = parse("TM011 = \"off\"\n");
        assert!(
            warnings[0].message.contains("`[rules]`"),
            "{}",
            warnings[0].message
        );

        let text = "[sections]\nthreat = [\"risks\"]\n[activities]\ncritical = []\n[remediation_days]\nurgent = 1\n";
        let (c, warnings) = parse(text);
        assert!(c.extra_section_aliases.is_empty());
        let got: Vec<_> = warnings
            .iter()
            .map(|w| (w.key.as_str(), w.range.slice(text), w.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "sections.threat",
                    "threat",
                    "unknown key `sections.threat` (did you mean `sections.threats`?)"
                ),
                (
                    "activities.critical",
                    "critical",
                    "unknown key `activities.critical` (risk tiers are `high`, `medium` and `low`)"
                ),
                (
                    "remediation_days.urgent",
                    "urgent",
                    "unknown key `remediation_days.urgent` (`severity_scale` has `critical`, `high`, `medium`, `low` and `informational`)"
                ),
            ]
        );
    }

    #[test]
    fn scales_are_lowercased_and_remediation_follows_them() {
        let text = "severity_scale = [\"P1\", \"P2\", \"p2\", \"Low\"]\n[remediation_days]\np1 = 2\nP2 = 14\n";
        let (c, warnings) = parse(text);
        assert_eq!(c.severity_scale, ["p1", "p2", "low"]);
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert_eq!(warnings[0].range.slice(text), "\"p2\"");
        assert_eq!(
            c.remediation_days,
            [
                ("p1".to_string(), 2),
                ("p2".to_string(), 14),
                ("low".to_string(), 180)
            ]
        );
        assert_eq!(c.remediation_days("P1"), Some(2));
        assert_eq!(c.remediation_days("critical"), None);
    }

    #[test]
    fn sensitive_topics_may_be_new_but_near_misses_are_flagged() {
        let text = "[sensitive_topics]\npayment-data = [\"ledger\"]\nexport_control = [\"itar\", \"ear99\"]\n";
        let (c, warnings) = parse(text);
        assert_eq!(c.extra_topic_keywords.len(), 3);
        assert_eq!(
            c.extra_topic_keywords[1],
            ("export_control".to_string(), "itar".to_string())
        );
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert!(
            warnings[0]
                .message
                .contains("`sensitive_topics.payment_data`"),
            "{}",
            warnings[0].message
        );
        assert_eq!(warnings[0].range.slice(text), "payment-data");
    }

    #[test]
    fn sections_accept_every_kind() {
        let text = "[sections]\nthreat_model = [\"Risk analysis\"]\nmitigations = [\"safeguards\", \"Defences\"]\n";
        let (c, warnings) = parse(text);
        assert!(warnings.is_empty());
        assert_eq!(
            c.extra_section_aliases,
            [
                (SectionKind::ThreatModel, "Risk analysis".to_string()),
                (SectionKind::Mitigations, "safeguards".to_string()),
                (SectionKind::Mitigations, "Defences".to_string()),
            ]
        );
    }

    #[test]
    fn default_globs() {
        let c = Config::default();
        let included = [
            "design/x.md",
            "docs/design/a/b.md",
            "docs/design/x.md",
            "designs/x.md",
            "a/design-docs/x.md",
            "sdd/x.md",
            "rfcs/0001-export.md",
            "export.design.md",
            "docs/export-design.md",
            "docs/export_design.md",
            "a/b/export.sdd.md",
        ];
        for path in included {
            assert_eq!(c.path_match(path), PathMatch::Included, "{path}");
        }
        let not_matched = [
            "README.md",
            "docs/designer/x.md",
            "design.md",
            "docs/design/x.txt",
            "docs/x.md",
        ];
        for path in not_matched {
            assert_eq!(c.path_match(path), PathMatch::NotMatched, "{path}");
        }
        assert_eq!(c.path_match("./design/x.md"), PathMatch::Included);
    }

    #[test]
    fn star_stays_in_one_folder() {
        let (c, _) =
            parse("default_include = false\ninclude = [\"docs/*.md\", \"specs/**/*.md\"]\n");
        assert_eq!(c.include, ["docs/*.md", "specs/**/*.md"]);
        assert_eq!(c.path_match("docs/a.md"), PathMatch::Included);
        assert_eq!(c.path_match("docs/sub/a.md"), PathMatch::NotMatched);
        assert_eq!(c.path_match("specs/a.md"), PathMatch::Included);
        assert_eq!(c.path_match("specs/a/b/c.md"), PathMatch::Included);
        assert_eq!(
            c.path_match("design/x.md"),
            PathMatch::NotMatched,
            "defaults are off"
        );
    }

    #[test]
    fn exclude_wins_and_covers_folders() {
        let text = "include = [\"./notes/\"]\nexclude = [\"docs/design/archive\", \"**/drafts/**\", \"./old/\"]\n";
        let (c, warnings) = parse(text);
        assert!(warnings.is_empty());
        assert_eq!(c.exclude, ["docs/design/archive", "**/drafts/**", "old"]);
        assert_eq!(
            c.path_match("docs/design/archive/2019/x.md"),
            PathMatch::Excluded
        );
        assert_eq!(c.path_match("docs/design/archive.md"), PathMatch::Included);
        assert_eq!(c.path_match("a/drafts/b/c.design.md"), PathMatch::Excluded);
        assert_eq!(c.path_match("old/design/x.md"), PathMatch::Excluded);
        assert_eq!(c.path_match("notes/x.md"), PathMatch::Included);
        assert_eq!(c.path_match("notes/a/b.md"), PathMatch::Included);
    }

    #[test]
    fn rule_levels() {
        let text = "[rules]\nTM011 = \"off\"\nTM041 = \"Warning\"\ntm020 = \"error\"\nTM035 = \"hint\"\nTM050 = \"info\"\n";
        let (c, warnings) = parse(text);
        assert!(warnings.is_empty());
        assert_eq!(c.rule_level("TM011", Level::Info), None);
        assert_eq!(c.rule_level("tm041", Level::Info), Some(Level::Warning));
        assert_eq!(c.rule_level("TM020", Level::Warning), Some(Level::Error));
        assert_eq!(c.rule_level("TM035", Level::Info), Some(Level::Hint));
        assert_eq!(c.rule_level("TM050", Level::Warning), Some(Level::Info));
        assert_eq!(c.rule_level("TM001", Level::Warning), Some(Level::Warning));
        let written: Vec<_> = c
            .rule_codes()
            .map(|(code, r)| (code, r.slice(text)))
            .collect();
        assert_eq!(written[2], ("tm020", "tm020"));

        let text = "[rules]\nTM011 = \"off\"\ntm011 = \"error\"\n";
        let (c, warnings) = parse(text);
        assert_eq!(c.rule_level("TM011", Level::Info), Some(Level::Error));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].range.slice(text), "tm011");
    }

    #[test]
    fn inline_and_dotted_tables_work_too() {
        let text = "rules = { TM011 = \"off\" }\nsections.threats = [\"risks\"]\n";
        let (c, warnings) = parse(text);
        assert!(warnings.is_empty());
        assert_eq!(c.rule_level("TM011", Level::Info), None);
        assert_eq!(c.extra_section_aliases.len(), 1);
    }

    #[test]
    fn element_scope_values() {
        for (v, scope) in [
            ("boundary", ElementScope::Boundary),
            ("all", ElementScope::All),
            ("OFF", ElementScope::Off),
        ] {
            let (c, _) = parse(&format!("element_scope = \"{v}\"\n"));
            assert_eq!(c.element_scope, scope);
        }
    }

    #[test]
    fn ticket_pattern() {
        let c = Config::default();
        assert!(c.is_ticket("PAY-123"));
        assert!(c.is_ticket(" #42 "));
        assert!(c.is_ticket("https://tracker.example/browse/PAY-1"));
        assert!(!c.is_ticket("see PAY-123"));
        assert!(!c.is_ticket("pay-123"));
        assert!(!c.is_ticket(""));
        assert!(c.has_ticket("tracked in PAY-9."));
        assert!(!c.has_ticket("no ticket yet"));
        assert_eq!(
            c.find_tickets("PAY-1, SEC-22 and #7."),
            ["PAY-1", "SEC-22", "#7"]
        );
        assert_eq!(
            c.find_tickets("[PAY-12](https://t.example/PAY-12)."),
            ["PAY-12", "https://t.example/PAY-12"]
        );
        assert_eq!(
            c.find_tickets("(see https://t.example/x_(y))"),
            ["https://t.example/x_(y)"]
        );
        assert_eq!(
            c.find_tickets("**https://t.example/1**"),
            ["https://t.example/1"]
        );

        let (c, _) = parse("ticket_pattern = 'JIRA-\\d+'\n");
        assert!(c.is_ticket("JIRA-7"));
        assert!(!c.has_ticket("PAY-7"));
    }
}
