//! YAML front matter (SPEC §4.1), read with serde-saphyr so every value keeps its span.
//!
//! The YAML is read into a small tree of spanned nodes (a generic value, so unknown keys
//! and wrong types never fail the whole block), then the known keys are picked out of it.
//! A known key with a wrong type or value becomes a [`FrontMatterError`] on exactly that
//! value and the key is treated as absent; unknown keys are only recorded in
//! [`FrontMatter::keys`].
//!
//! Ranges of string values are the scalar's content: inside the quotes for `"quoted"` and
//! `'quoted'` scalars, so that an edit replacing a date keeps the quotes; the whole token
//! for plain scalars. serde-saphyr reports positions relative to the YAML text (as byte
//! offsets for string input, always as character offsets); they are shifted by the start
//! of the YAML so every range here is a byte range of the whole document.
//!
//! *Architecture Invariant:* parsing never panics and stays bounded whatever the input:
//! the YAML is read under a tight [`serde_saphyr::Budget`] (depth, node and alias limits),
//! since front matter is a handful of keys and hostile YAML (alias bombs, `[[[[…`) must not
//! stall the language server.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Location, MessageFormatter, Spanned as YamlSpanned, UserMessageFormatter};

use crate::span::{Spanned, TextRange};

/// A problem with the front matter: invalid YAML, or a known key with a wrong type or
/// value (TM090).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub message: String,
    /// Byte range in the document text.
    pub range: TextRange,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// The whole block, `---` lines included.
    pub range: TextRange,
    /// The YAML text between the delimiters.
    pub yaml: TextRange,
    pub title: Option<Spanned<String>>,
    pub owner: Option<Spanned<String>>,
    /// `draft`, `in-review` or `approved` (lowercased); anything else is a TM090 error.
    pub status: Option<Spanned<String>>,
    /// As written (`YYYY-MM-DD`), from `last_reviewed` or `threat_model.last_reviewed`.
    pub last_reviewed: Option<Spanned<String>>,
    pub reviewers: Vec<Spanned<String>>,
    pub security_reviewer: Option<Spanned<String>>,
    /// `low`, `medium` or `high` (lowercased).
    pub risk: Option<Spanned<String>>,
    /// `type` as written (a design doc when `design`).
    pub doc_type: Option<Spanned<String>>,
    pub sdd: bool,
    /// The `threat_model:` key, whatever its value.
    pub threat_model_key: Option<TextRange>,
    pub threatmark_off: bool,
    /// Every top-level key with the range of the key.
    pub keys: Vec<Spanned<String>>,
    pub errors: Vec<FrontMatterError>,
}

impl FrontMatter {
    /// The first top-level key named `name`, with its range.
    pub fn key(&self, name: &str) -> Option<&Spanned<String>> {
        self.keys.iter().find(|k| k.value == name)
    }
}

/// Front matter longer than this is not read at all: real front matter is a few hundred
/// bytes, and the budget below stops the parser early anyway.
const MAX_YAML_BYTES: usize = 1 << 20;
/// Deepest nesting of sequences and mappings read (front matter needs two or three).
const MAX_DEPTH: usize = 32;
/// Most YAML nodes (scalars, sequences, mappings) read, aliases expanded.
const MAX_NODES: usize = 10_000;

/// Reads the front matter. `whole` is the block with its delimiters and `yaml` the text
/// between them, both as byte ranges of `text`.
pub fn parse(text: &str, whole: TextRange, yaml: TextRange) -> FrontMatter {
    let mut fm = FrontMatter {
        range: whole,
        yaml,
        ..FrontMatter::default()
    };
    let Some(src) = text.get(yaml.start..yaml.end) else {
        return fm;
    };
    if src.len() > MAX_YAML_BYTES {
        fm.errors.push(FrontMatterError {
            message: format!(
                "front matter is too large to read: {} KiB, more than the {} KiB threatmark reads",
                src.len() / 1024,
                MAX_YAML_BYTES / 1024
            ),
            range: first_line(src, yaml.start),
        });
        return fm;
    }
    let positions = Positions {
        src,
        base: yaml.start,
        char_starts: OnceCell::new(),
    };
    match read_yaml(&positions) {
        Ok(root) => {
            let root = positions.node(root);
            Reader {
                fm: &mut fm,
                positions: &positions,
            }
            .read(root);
        }
        Err(err) => fm.errors.push(yaml_error(&positions, &err)),
    }
    fm
}

/// At most this many `!!timestamp` tags are looked past (each costs a parse).
const MAX_TIMESTAMP_TAGS: usize = 4;

/// Parses the YAML into a spanned tree. serde-saphyr refuses to hand a `!!timestamp`
/// scalar over as text, so `last_reviewed: !!timestamp 2026-11-02` is read again with the
/// tag blanked out (same length, so every position stays put).
fn read_yaml(positions: &Positions<'_>) -> Result<YamlSpanned<Raw>, serde_saphyr::Error> {
    let mut src = Cow::Borrowed(positions.src);
    let mut retries = 0;
    loop {
        let err = match serde_saphyr::from_str_with_options::<YamlSpanned<Raw>>(&src, options()) {
            Ok(root) => return Ok(root),
            Err(err) => err,
        };
        let tag = match original_error(&err) {
            serde_saphyr::Error::TaggedScalarCannotDeserializeIntoString { location } => positions
                .location(location)
                .and_then(|at| timestamp_tag_before(&src, at.start)),
            _ => None,
        };
        match tag {
            Some(tag) if retries < MAX_TIMESTAMP_TAGS => {
                retries += 1;
                src.to_mut()
                    .replace_range(tag.start..tag.end, &" ".repeat(tag.len()));
            }
            _ => return Err(err),
        }
    }
}

/// The `!!timestamp` tag written just before offset `at`, if any.
fn timestamp_tag_before(src: &str, at: usize) -> Option<TextRange> {
    const TAG: &str = "!!timestamp";
    let before = src.get(..at)?.trim_end_matches([' ', '\t']);
    before
        .ends_with(TAG)
        .then(|| TextRange::new(before.len() - TAG.len(), before.len()))
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_events: 4 * MAX_NODES,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_merge_keys: 100,
            max_documents: 1,
            max_total_scalar_bytes: MAX_YAML_BYTES,
            max_recorded_anchor_events: 4 * MAX_NODES,
            max_recorded_anchor_bytes: MAX_YAML_BYTES,
        },
        // An alias bomb is stopped after a few thousand replayed events, in milliseconds.
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_NODES,
            max_replay_stack_depth: 16,
        },
        // Duplicates are reported by `Reader` with the key's name and range.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        // `<<` is an ordinary (unknown) key: merging buys nothing in front matter.
        merge_keys: serde_saphyr::MergeKeyPolicy::AsOrdinary,
        // `title: .nan` is text here, not an error.
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
    }
}

// ---------------------------------------------------------------------------------------
// The spanned YAML tree
// ---------------------------------------------------------------------------------------

/// A YAML value as serde-saphyr hands it over, each child wrapped with its location.
enum Raw {
    Null,
    Bool(bool),
    /// A number (or other non-string scalar); its text is taken from the source.
    Other,
    Str(String),
    Seq(Vec<YamlSpanned<Raw>>),
    Map(Vec<(YamlSpanned<Raw>, YamlSpanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_char<E>(self, v: char) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }

    fn visit_bytes<E>(self, _: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Raw, A::Error> {
        // A tagged node (`!custom value`) may arrive as an enum; its value is what counts.
        let (_tag, variant) = data.variant::<de::IgnoredAny>()?;
        de::VariantAccess::newtype_variant::<Raw>(variant)
    }
}

/// A YAML node with its byte range in the document. Scalars cover their token (quotes
/// included); collections run from their first token to the end of their last child.
struct Node {
    value: Value,
    range: TextRange,
}

enum Value {
    Null,
    Bool(bool),
    Other,
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Turns serde-saphyr locations (relative to the YAML text) into document byte ranges.
struct Positions<'a> {
    src: &'a str,
    base: usize,
    /// Byte offset of every character, built only if a location lacks byte offsets.
    char_starts: OnceCell<Vec<usize>>,
}

impl Positions<'_> {
    fn node(&self, raw: YamlSpanned<Raw>) -> Node {
        let token = self.token(&raw.referenced, &raw.defined);
        let value = match raw.value {
            Raw::Null => Value::Null,
            Raw::Bool(b) => Value::Bool(b),
            Raw::Other => Value::Other,
            Raw::Str(s) => Value::Str(s),
            Raw::Seq(items) => Value::Seq(items.into_iter().map(|i| self.node(i)).collect()),
            Raw::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (self.node(k), self.node(v)))
                    .collect(),
            ),
        };
        let range = self.extent(token, &value);
        Node { value, range }
    }

    /// The range (relative to the YAML text) of the node at `referenced`: where it is
    /// written, which for an alias is the `*name` token.
    fn token(&self, referenced: &Location, defined: &Location) -> TextRange {
        let loc = if *referenced == Location::UNKNOWN {
            defined
        } else {
            referenced
        };
        self.location(loc).unwrap_or(TextRange::empty(0))
    }

    /// A location as a byte range relative to the YAML text, clamped to it and to
    /// character boundaries.
    fn location(&self, loc: &Location) -> Option<TextRange> {
        if *loc == Location::UNKNOWN {
            return None;
        }
        let span = loc.span();
        let (start, end) = match (span.byte_offset(), span.byte_len()) {
            (Some(offset), Some(len)) => {
                let start = to_usize(offset);
                (start, start.saturating_add(to_usize(len)))
            }
            _ => {
                let start = to_usize(span.offset());
                let end = start.saturating_add(to_usize(span.len()));
                (self.char_to_byte(start), self.char_to_byte(end))
            }
        };
        let start = floor_boundary(self.src, start);
        let end = floor_boundary(self.src, end).max(start);
        Some(TextRange::new(start, end))
    }

    fn char_to_byte(&self, chars: usize) -> usize {
        let starts = self
            .char_starts
            .get_or_init(|| self.src.char_indices().map(|(i, _)| i).collect());
        starts.get(chars).copied().unwrap_or(self.src.len())
    }

    /// Grows a collection's range over its children (and a flow collection's closing
    /// bracket), then makes it absolute.
    fn extent(&self, token: TextRange, value: &Value) -> TextRange {
        let mut end = token.end;
        let is_alias = self.src[token.start..].starts_with('*');
        if !is_alias {
            let children_end = match value {
                Value::Seq(items) => items.iter().map(|n| n.range.end - self.base).max(),
                Value::Map(entries) => entries
                    .iter()
                    .flat_map(|(k, v)| [k.range.end, v.range.end])
                    .map(|e| e - self.base)
                    .max(),
                _ => None,
            };
            end = end.max(children_end.unwrap_or(end));
            let close = match self.src[token.start..].chars().next() {
                Some('[') if matches!(value, Value::Seq(_)) => Some(']'),
                Some('{') if matches!(value, Value::Map(_)) => Some('}'),
                _ => None,
            };
            if let Some(close) = close {
                let rest = &self.src[end..];
                let skipped =
                    rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n', ',']).len();
                if rest[skipped..].starts_with(close) {
                    end += skipped + 1;
                }
            }
        }
        TextRange::new(self.base + token.start, self.base + end)
    }
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------------------
// Known keys
// ---------------------------------------------------------------------------------------

const STATUSES: &[&str] = &["draft", "in-review", "approved"];
const RISKS: &[&str] = &["low", "medium", "high"];

struct Reader<'f, 'p> {
    fm: &'f mut FrontMatter,
    positions: &'p Positions<'p>,
}

impl Reader<'_, '_> {
    fn read(mut self, root: Node) {
        let entries = match root.value {
            Value::Null => return,
            Value::Map(entries) => entries,
            Value::Seq(_) => {
                let message = "front matter must be `key: value` lines, not a list".to_owned();
                self.error(root.range, message);
                return;
            }
            _ => {
                let found = shown(&self.scalar_text(&root).value);
                let message = format!("front matter must be `key: value` lines, not {found}");
                self.error(root.range, message);
                return;
            }
        };
        let mut seen = HashSet::new();
        let mut nested_last_reviewed = None;
        for (key, value) in entries {
            let name = self.scalar_text(&key);
            if !seen.insert(name.value.clone()) {
                self.fm.keys.push(name.clone());
                self.error(
                    name.range,
                    format!(
                        "`{}` appears twice in the front matter; YAML allows each key once, so keep one (the first is used)",
                        name.value
                    ),
                );
                continue;
            }
            self.fm.keys.push(name.clone());
            match name.value.as_str() {
                "title" => self.fm.title = self.text("title", "text", &value),
                "owner" => self.fm.owner = self.text("owner", "a name", &value),
                "status" => self.fm.status = self.choice("status", STATUSES, &value),
                "last_reviewed" => self.fm.last_reviewed = self.date("last_reviewed", &value),
                "threat_model" => {
                    self.fm.threat_model_key = Some(name.range);
                    if let Value::Map(entries) = &value.value {
                        let reviewed = entries
                            .iter()
                            .find(|(k, _)| self.scalar_text(k).value == "last_reviewed");
                        if let Some((_, v)) = reviewed {
                            nested_last_reviewed = self.date("threat_model.last_reviewed", v);
                        }
                    }
                }
                "reviewers" => self.fm.reviewers = self.reviewers(&value),
                "security_reviewer" => {
                    self.fm.security_reviewer = self.text("security_reviewer", "a name", &value);
                }
                "risk" => self.fm.risk = self.choice("risk", RISKS, &value),
                "type" => self.fm.doc_type = self.text("type", "a word such as design", &value),
                "sdd" => self.fm.sdd = self.flag(&value),
                "threatmark" => self.fm.threatmark_off = is_off(&value),
                _ => {}
            }
        }
        if self.fm.last_reviewed.is_none() {
            self.fm.last_reviewed = nested_last_reviewed;
        }
    }

    fn error(&mut self, range: TextRange, message: String) {
        self.fm.errors.push(FrontMatterError { message, range });
    }

    /// The text of a scalar as it reads: the decoded string for strings, the source text
    /// for booleans and numbers (`owner: no` is the name "no", not `false`), and for
    /// anything else. The range is the content range (inside quotes).
    fn scalar_text(&self, node: &Node) -> Spanned<String> {
        let text = self.positions.src;
        let base = self.positions.base;
        let token = TextRange::new(node.range.start - base, node.range.end - base);
        let written = token.slice(text);
        let quoted = written.len() >= 2
            && ((written.starts_with('"') && written.ends_with('"'))
                || (written.starts_with('\'') && written.ends_with('\'')));
        let mut content = if quoted {
            TextRange::new(token.start + 1, token.end - 1)
        } else {
            // Block scalars (`|`, `>`) end with their line breaks.
            TextRange::new(token.start, token.start + written.trim_end().len())
        };
        let value = match &node.value {
            Value::Str(s) => {
                // When the value reads as written, trim the range with it.
                if content.slice(text) == s.as_str() {
                    let lead = s.len() - s.trim_start().len();
                    content =
                        TextRange::new(content.start + lead, content.start + s.trim_end().len());
                }
                s.trim().to_owned()
            }
            _ => content.slice(text).trim().to_owned(),
        };
        Spanned::new(
            value,
            TextRange::new(base + content.start, base + content.end),
        )
    }

    /// A single piece of text. Null or empty means absent.
    fn text(&mut self, key: &str, expected: &str, node: &Node) -> Option<Spanned<String>> {
        match &node.value {
            Value::Null => None,
            Value::Seq(_) | Value::Map(_) => {
                self.error(
                    node.range,
                    format!("`{key}` must be {expected}, not {}", kind(node)),
                );
                None
            }
            _ => Some(self.scalar_text(node)).filter(|t| !t.value.is_empty()),
        }
    }

    /// One of `allowed`, case-insensitive, stored lowercased.
    fn choice(&mut self, key: &str, allowed: &[&str], node: &Node) -> Option<Spanned<String>> {
        let expected = match allowed {
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
            [] => String::new(),
        };
        let text = self.text(key, &expected, node)?;
        let lower = text.value.to_lowercase();
        if allowed.contains(&lower.as_str()) {
            Some(Spanned::new(lower, text.range))
        } else {
            self.error(
                text.range,
                format!("`{key}` must be {expected}, not {}", shown(&text.value)),
            );
            None
        }
    }

    /// A real date written `YYYY-MM-DD` (a string or a date-like plain scalar).
    fn date(&mut self, key: &str, node: &Node) -> Option<Spanned<String>> {
        let expected = "a date written YYYY-MM-DD";
        let text = self.text(key, expected, node)?;
        if !is_iso_date_shape(&text.value) {
            self.error(
                text.range,
                format!("`{key}` must be {expected}, not {}", shown(&text.value)),
            );
            return None;
        }
        if text.value.parse::<jiff::civil::Date>().is_err() {
            self.error(
                text.range,
                format!(
                    "`{key}` must be a real date written YYYY-MM-DD; {} does not exist",
                    text.value
                ),
            );
            return None;
        }
        Some(text)
    }

    /// A list of names; a single name is a one-item list.
    fn reviewers(&mut self, node: &Node) -> Vec<Spanned<String>> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Map(_) => {
                self.error(
                    node.range,
                    "`reviewers` must be a list of names, not a mapping".to_owned(),
                );
                Vec::new()
            }
            Value::Seq(items) => {
                let mut names = Vec::new();
                for item in items {
                    if let Some(name) = self.text("reviewers", "a list of names", item) {
                        names.push(name);
                    }
                }
                names
            }
            _ => self
                .text("reviewers", "a list of names", node)
                .into_iter()
                .collect(),
        }
    }

    /// `sdd: true`; YAML's yes/no/on/off also count, quoted or not.
    fn flag(&mut self, node: &Node) -> bool {
        match &node.value {
            Value::Null => false,
            Value::Bool(b) => *b,
            _ => {
                let Some(text) = self.text("sdd", "true or false", node) else {
                    return false;
                };
                match text.value.to_lowercase().as_str() {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" => false,
                    _ => {
                        let message =
                            format!("`sdd` must be true or false, not {}", shown(&text.value));
                        self.error(text.range, message);
                        false
                    }
                }
            }
        }
    }
}

/// `threatmark: off` (a YAML 1.1 boolean false) or `false`, quoted or not.
fn is_off(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => !b,
        Value::Str(s) => matches!(s.trim().to_lowercase().as_str(), "off" | "false" | "no"),
        _ => false,
    }
}

fn kind(node: &Node) -> &'static str {
    match node.value {
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
        _ => "a single value",
    }
}

/// A value quoted for a message, cut short when long.
fn shown(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() > MAX_CHARS {
        let cut: String = value.chars().take(MAX_CHARS).collect();
        format!("\"{cut}…\"")
    } else {
        format!("{value:?}")
    }
}

fn is_iso_date_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

// ---------------------------------------------------------------------------------------
// YAML errors
// ---------------------------------------------------------------------------------------

/// One error for YAML that could not be read: a short range at the reported position.
fn yaml_error(positions: &Positions<'_>, err: &serde_saphyr::Error) -> FrontMatterError {
    let src = positions.src;
    let reported = err.location().and_then(|loc| positions.location(&loc));
    let range = match reported {
        Some(r) => small_range(src, r.start, r.end),
        None => small_range(src, 0, 0),
    };
    let range = TextRange::new(positions.base + range.start, positions.base + range.end);
    FrontMatterError {
        message: yaml_error_message(err),
        range,
    }
}

/// The reported range cut to its line, at least one character when the line has one, and
/// moved back onto the last text when the error is reported at the very end.
fn small_range(src: &str, start: usize, end: usize) -> TextRange {
    let text_end = src.trim_end().len();
    let mut start = start.min(src.len());
    if start >= text_end && text_end > 0 {
        start = src[..text_end]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i);
    }
    let line_end = src[start..]
        .find(['\r', '\n'])
        .map_or(src.len(), |i| start + i);
    let mut end = end.clamp(start, line_end);
    if end == start {
        end = src[start..line_end]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    TextRange::new(start, floor_boundary(src, end).max(start))
}

fn yaml_error_message(err: &serde_saphyr::Error) -> String {
    const TOO_COMPLEX: &str = "front matter is too large or too deeply nested to read";
    let nests_too_deep = || format!("{TOO_COMPLEX}: it nests more than {MAX_DEPTH} levels deep");
    let original = original_error(err);
    match original {
        serde_saphyr::Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => nests_too_deep(),
            BudgetBreach::Aliases { .. }
            | BudgetBreach::Anchors { .. }
            | BudgetBreach::AliasAnchorRatio { .. }
            | BudgetBreach::RecordedAnchorEvents { .. }
            | BudgetBreach::RecordedAnchorBytes { .. } => {
                format!("{TOO_COMPLEX}: it uses too many anchors and aliases (`&name`, `*name`)")
            }
            BudgetBreach::Documents { .. } => "front matter is not valid YAML: it holds more \
                than one document (a `...` line ends the first)"
                .to_owned(),
            _ => format!(
                "{TOO_COMPLEX}: it holds more than {MAX_NODES} values or {} KiB of text",
                MAX_YAML_BYTES / 1024
            ),
        },
        serde_saphyr::Error::AliasReplayLimitExceeded { .. }
        | serde_saphyr::Error::AliasExpansionLimitExceeded { .. }
        | serde_saphyr::Error::AliasReplayStackDepthExceeded { .. }
        | serde_saphyr::Error::AliasReplayCounterOverflow { .. } => {
            format!("{TOO_COMPLEX}: its aliases (`*name`) expand to too many values")
        }
        _ => {
            let short = UserMessageFormatter.format_message(original);
            // The parser's own cap on `[[[[…` nesting.
            if short.contains("recursion limit exceeded") {
                return nests_too_deep();
            }
            // Keep the message on one line whatever the parser put in it.
            let short: String = short
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("front matter is not valid YAML: {}", short.trim())
        }
    }
}

/// The error beneath alias and snippet wrappers.
fn original_error(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = err
    {
        err = error;
    }
    err
}

/// The start of the first line (at most 200 bytes of it, so a huge block costs nothing).
fn first_line(src: &str, base: usize) -> TextRange {
    let head = &src[..floor_boundary(src, 200)];
    let r = small_range(head, 0, head.find(['\r', '\n']).unwrap_or(head.len()));
    TextRange::new(base + r.start, base + r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document whose front matter holds `yaml`, with `eol` line endings, parsed.
    fn parse_with_eol(yaml: &str, eol: &str) -> (String, FrontMatter) {
        let open = format!("---{eol}");
        let text = format!("{open}{yaml}---{eol}# Design{eol}");
        let yaml_range = TextRange::new(open.len(), open.len() + yaml.len());
        let whole = TextRange::new(0, yaml_range.end + open.len());
        let fm = parse(&text, whole, yaml_range);
        assert_eq!(fm.range, whole);
        assert_eq!(fm.yaml, yaml_range);
        (text, fm)
    }

    fn front_matter(yaml: &str) -> (String, FrontMatter) {
        parse_with_eol(yaml, "\n")
    }

    /// The value and the text its range covers.
    fn read<'t>(text: &'t str, v: &Option<Spanned<String>>) -> (String, &'t str) {
        let v = v.as_ref().expect("value present");
        (v.value.clone(), v.range.slice(text))
    }

    fn messages(fm: &FrontMatter) -> Vec<&str> {
        fm.errors.iter().map(|e| e.message.as_str()).collect()
    }

    /// Every error range lies inside the YAML and is short.
    fn assert_errors_inside(fm: &FrontMatter) {
        for e in &fm.errors {
            assert!(
                fm.yaml.covers(e.range) || (fm.yaml.is_empty() && e.range == fm.yaml),
                "{e:?} outside {:?}",
                fm.yaml
            );
        }
    }

    #[test]
    fn reads_every_known_key_with_the_range_of_its_value() {
        let yaml = "\
title: \"Export service\"
owner: mira
status: Approved
last_reviewed: 2026-11-02
reviewers: [tobias, 'ana']
security_reviewer: sam
risk: High
type: design
sdd: true
threatmark: on
tags: [payments, export]
";
        let (text, fm) = front_matter(yaml);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            read(&text, &fm.title),
            ("Export service".into(), "Export service")
        );
        assert_eq!(read(&text, &fm.owner), ("mira".into(), "mira"));
        assert_eq!(read(&text, &fm.status), ("approved".into(), "Approved"));
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-11-02".into(), "2026-11-02")
        );
        let reviewers: Vec<_> = fm
            .reviewers
            .iter()
            .map(|r| (r.value.as_str(), r.range.slice(&text)))
            .collect();
        assert_eq!(reviewers, [("tobias", "tobias"), ("ana", "ana")]);
        assert_eq!(read(&text, &fm.security_reviewer), ("sam".into(), "sam"));
        assert_eq!(read(&text, &fm.risk), ("high".into(), "High"));
        assert_eq!(read(&text, &fm.doc_type), ("design".into(), "design"));
        assert!(fm.sdd);
        assert!(!fm.threatmark_off);
        assert_eq!(fm.threat_model_key, None);
        let keys: Vec<_> = fm
            .keys
            .iter()
            .map(|k| (k.value.as_str(), k.range.slice(&text)))
            .collect();
        assert_eq!(
            keys,
            [
                ("title", "title"),
                ("owner", "owner"),
                ("status", "status"),
                ("last_reviewed", "last_reviewed"),
                ("reviewers", "reviewers"),
                ("security_reviewer", "security_reviewer"),
                ("risk", "risk"),
                ("type", "type"),
                ("sdd", "sdd"),
                ("threatmark", "threatmark"),
                ("tags", "tags"),
            ]
        );
        assert_eq!(
            fm.key("status").map(|k| k.range.slice(&text)),
            Some("status")
        );
        // Keys and values are located in the whole document, not in the YAML alone.
        assert_eq!(fm.keys[0].range, TextRange::new(4, 9));
    }

    #[test]
    fn quoted_values_range_over_their_content() {
        let yaml =
            "title: \"quoted title\"\nowner: 'single quoted'\nlast_reviewed: \"2026-11-02\"\n";
        let (text, fm) = front_matter(yaml);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            read(&text, &fm.title),
            ("quoted title".into(), "quoted title")
        );
        assert_eq!(
            read(&text, &fm.owner),
            ("single quoted".into(), "single quoted")
        );
        // Replacing the range keeps the quotes around the new date.
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-11-02".into(), "2026-11-02")
        );
        let date = fm
            .last_reviewed
            .as_ref()
            .map(|d| d.range)
            .unwrap_or_default();
        assert_eq!(&text[date.start - 1..date.end + 1], "\"2026-11-02\"");
    }

    #[test]
    fn escaped_and_block_values_keep_a_range_over_what_is_written() {
        let yaml = "title: \"caf\\u00e9 \\\"x\\\"\"\nowner: |\n  mira\n  tobias\nstatus: draft\n";
        let (text, fm) = front_matter(yaml);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            read(&text, &fm.title),
            ("café \"x\"".into(), "caf\\u00e9 \\\"x\\\"")
        );
        assert_eq!(
            read(&text, &fm.owner),
            ("mira\ntobias".into(), "mira\n  tobias")
        );
        assert_eq!(read(&text, &fm.status), ("draft".into(), "draft"));
    }

    #[test]
    fn booleans_and_numbers_read_as_written_where_text_is_expected() {
        let (text, fm) = front_matter("title: 2026\nowner: no\nsecurity_reviewer: y\ntype: 1.5\n");
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(read(&text, &fm.title), ("2026".into(), "2026"));
        assert_eq!(read(&text, &fm.owner), ("no".into(), "no"));
        assert_eq!(read(&text, &fm.security_reviewer), ("y".into(), "y"));
        assert_eq!(read(&text, &fm.doc_type), ("1.5".into(), "1.5"));
    }

    #[test]
    fn empty_values_are_absent_not_errors() {
        let (_, fm) = front_matter(
            "title:\nowner: ~\nstatus: \"\"\nlast_reviewed:\nreviewers:\nrisk: null\n",
        );
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(fm.title, None);
        assert_eq!(fm.owner, None);
        assert_eq!(fm.status, None);
        assert_eq!(fm.last_reviewed, None);
        assert!(fm.reviewers.is_empty());
        assert_eq!(fm.risk, None);
        assert_eq!(fm.keys.len(), 6);
    }

    #[test]
    fn a_date_tagged_as_a_timestamp_is_a_date() {
        let yaml = "last_reviewed: !!timestamp 2026-11-02\nthreat_model:\n  last_reviewed: !!timestamp 2026-01-01\ntitle: x\n";
        let (text, fm) = front_matter(yaml);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-11-02".into(), "2026-11-02")
        );
        assert_eq!(read(&text, &fm.title), ("x".into(), "x"));
        // Other clashes between a tag and its value stay YAML errors.
        let (text, fm) = front_matter("title: x\nsdd: !!bool maybe\n");
        assert_eq!(fm.errors.len(), 1, "{:?}", fm.errors);
        assert!(
            fm.errors[0]
                .message
                .starts_with("front matter is not valid YAML: ")
        );
        assert_eq!(fm.errors[0].range.slice(&text), "maybe");
    }

    #[test]
    fn nested_threat_model_last_reviewed() {
        let yaml = "threat_model:\n  last_reviewed: 2026-03-01\n  owner: sec-team\n";
        let (text, fm) = front_matter(yaml);
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            fm.threat_model_key.map(|r| r.slice(&text)),
            Some("threat_model")
        );
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-03-01".into(), "2026-03-01")
        );
        // The nested owner is the threat model's, not the document's.
        assert_eq!(fm.owner, None);
    }

    #[test]
    fn top_level_last_reviewed_wins_over_the_nested_one() {
        let yaml = "threat_model:\n  last_reviewed: 2026-03-01\nlast_reviewed: 2026-04-01\n";
        let (text, fm) = front_matter(yaml);
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-04-01".into(), "2026-04-01")
        );

        let yaml = "last_reviewed: soon\nthreat_model:\n  last_reviewed: 2026-03-01\n";
        let (text, fm) = front_matter(yaml);
        assert_eq!(
            messages(&fm),
            ["`last_reviewed` must be a date written YYYY-MM-DD, not \"soon\""]
        );
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-03-01".into(), "2026-03-01")
        );
    }

    #[test]
    fn any_threat_model_value_marks_a_design_doc() {
        for yaml in [
            "threat_model:\n",
            "threat_model: yes\n",
            "threat_model: [a]\n",
            "threat_model: docs/tm.md\n",
        ] {
            let (text, fm) = front_matter(yaml);
            assert!(fm.errors.is_empty(), "{yaml}: {:?}", fm.errors);
            assert_eq!(
                fm.threat_model_key.map(|r| r.slice(&text)),
                Some("threat_model"),
                "{yaml}"
            );
            assert_eq!(fm.last_reviewed, None);
        }
        let (_, fm) = front_matter("threat_model:\n  last_reviewed: 2026-13-01\n");
        assert_eq!(
            messages(&fm),
            [
                "`threat_model.last_reviewed` must be a real date written YYYY-MM-DD; 2026-13-01 does not exist"
            ]
        );
        assert!(fm.threat_model_key.is_some());
    }

    #[test]
    fn reviewers_as_a_list_or_a_single_name() {
        let names = |fm: &FrontMatter, text: &str| -> Vec<(String, String)> {
            fm.reviewers
                .iter()
                .map(|r| (r.value.clone(), r.range.slice(text).to_owned()))
                .collect()
        };
        let (text, fm) = front_matter("reviewers:\n  - mira\n  - \"tobias k\"\n  -\n");
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(
            names(&fm, &text),
            [
                ("mira".into(), "mira".into()),
                ("tobias k".into(), "tobias k".into())
            ]
        );

        let (text, fm) = front_matter("reviewers: mira\n");
        assert_eq!(names(&fm, &text), [("mira".into(), "mira".into())]);

        let (text, fm) = front_matter("reviewers: []\n");
        assert!(fm.errors.is_empty() && names(&fm, &text).is_empty());
    }

    #[test]
    fn flags() {
        let (_, fm) = front_matter("sdd: yes\n");
        assert!(fm.sdd && fm.errors.is_empty());
        let (_, fm) = front_matter("sdd: \"False\"\n");
        assert!(!fm.sdd && fm.errors.is_empty());
        for off in [
            "threatmark: off\n",
            "threatmark: false\n",
            "threatmark: \"off\"\n",
            "threatmark: OFF\n",
        ] {
            let (_, fm) = front_matter(off);
            assert!(fm.threatmark_off, "{off}");
            assert!(fm.errors.is_empty(), "{off}");
        }
        for on in [
            "threatmark: on\n",
            "threatmark: true\n",
            "threatmark: strict\n",
            "threatmark:\n",
        ] {
            let (_, fm) = front_matter(on);
            assert!(!fm.threatmark_off, "{on}");
            assert!(fm.errors.is_empty(), "{on}");
        }
    }

    /// Each bad value: the message, the text the error covers; the key is then absent.
    #[test]
    fn bad_values_are_errors_on_the_value() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "status: done\n",
                "`status` must be draft, in-review or approved, not \"done\"",
                "done",
            ),
            (
                "status: \"in review\"\n",
                "`status` must be draft, in-review or approved, not \"in review\"",
                "in review",
            ),
            (
                "status: [draft]\n",
                "`status` must be draft, in-review or approved, not a list",
                "[draft]",
            ),
            (
                "risk: extreme\n",
                "`risk` must be low, medium or high, not \"extreme\"",
                "extreme",
            ),
            (
                "risk: 3\n",
                "`risk` must be low, medium or high, not \"3\"",
                "3",
            ),
            (
                "last_reviewed: last week\n",
                "`last_reviewed` must be a date written YYYY-MM-DD, not \"last week\"",
                "last week",
            ),
            (
                "last_reviewed: 2026-1-2\n",
                "`last_reviewed` must be a date written YYYY-MM-DD, not \"2026-1-2\"",
                "2026-1-2",
            ),
            (
                "last_reviewed: '02/11/2026'\n",
                "`last_reviewed` must be a date written YYYY-MM-DD, not \"02/11/2026\"",
                "02/11/2026",
            ),
            (
                "last_reviewed: 2026-11-02T10:00:00Z\n",
                "`last_reviewed` must be a date written YYYY-MM-DD, not \"2026-11-02T10:00:00Z\"",
                "2026-11-02T10:00:00Z",
            ),
            (
                "last_reviewed: 2026-02-30\n",
                "`last_reviewed` must be a real date written YYYY-MM-DD; 2026-02-30 does not exist",
                "2026-02-30",
            ),
            (
                "title:\n  - a\n  - b\n",
                "`title` must be text, not a list",
                "- a\n  - b",
            ),
            (
                "owner: {name: mira}\n",
                "`owner` must be a name, not a mapping",
                "{name: mira}",
            ),
            (
                "security_reviewer: [sam, ana]\n",
                "`security_reviewer` must be a name, not a list",
                "[sam, ana]",
            ),
            (
                "type: [design]\n",
                "`type` must be a word such as design, not a list",
                "[design]",
            ),
            (
                "reviewers:\n  lead: mira\n",
                "`reviewers` must be a list of names, not a mapping",
                "lead: mira",
            ),
            (
                "reviewers:\n  - name: mira\n",
                "`reviewers` must be a list of names, not a mapping",
                "name: mira",
            ),
            (
                "sdd: maybe\n",
                "`sdd` must be true or false, not \"maybe\"",
                "maybe",
            ),
            (
                "sdd: [true]\n",
                "`sdd` must be true or false, not a list",
                "[true]",
            ),
        ];
        for (yaml, message, covered) in cases {
            let (text, fm) = front_matter(yaml);
            assert_eq!(messages(&fm), [*message], "{yaml}");
            assert_eq!(fm.errors[0].range.slice(&text), *covered, "{yaml}");
            assert_errors_inside(&fm);
            assert!(
                fm.status.is_none()
                    && fm.risk.is_none()
                    && fm.last_reviewed.is_none()
                    && fm.title.is_none()
                    && fm.owner.is_none()
                    && fm.security_reviewer.is_none()
                    && fm.doc_type.is_none()
                    && fm.reviewers.is_empty()
                    && !fm.sdd,
                "{yaml}: {fm:?}"
            );
        }
    }

    #[test]
    fn a_bad_value_leaves_the_other_keys_alone() {
        let (text, fm) = front_matter("title: Export\nstatus: done\nowner: mira\n");
        assert_eq!(fm.errors.len(), 1);
        assert_eq!(read(&text, &fm.title), ("Export".into(), "Export"));
        assert_eq!(read(&text, &fm.owner), ("mira".into(), "mira"));
        assert_eq!(fm.status, None);
    }

    #[test]
    fn a_long_bad_value_is_cut_short_in_the_message() {
        let long = "x".repeat(100);
        let (_, fm) = front_matter(&format!("status: {long}\n"));
        assert_eq!(
            messages(&fm),
            [format!(
                "`status` must be draft, in-review or approved, not \"{}…\"",
                "x".repeat(40)
            )
            .as_str()]
        );
    }

    #[test]
    fn unknown_keys_are_recorded_not_reported() {
        let (text, fm) = front_matter(
            "jira: PAY-12\n\"quoted key\": 1\n42: answer\nnested:\n  title: not the title\n",
        );
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        let keys: Vec<_> = fm
            .keys
            .iter()
            .map(|k| (k.value.as_str(), k.range.slice(&text)))
            .collect();
        assert_eq!(
            keys,
            [
                ("jira", "jira"),
                ("quoted key", "quoted key"),
                ("42", "42"),
                ("nested", "nested")
            ]
        );
        assert_eq!(fm.title, None);
    }

    #[test]
    fn a_key_given_twice_is_reported_on_the_second() {
        let (text, fm) = front_matter("status: draft\nowner: mira\nstatus: approved\n");
        assert_eq!(
            messages(&fm),
            [
                "`status` appears twice in the front matter; YAML allows each key once, so keep one (the first is used)"
            ]
        );
        let second = text.rfind("status").unwrap_or_default();
        assert_eq!(
            fm.errors[0].range,
            TextRange::new(second, second + "status".len())
        );
        assert_eq!(read(&text, &fm.status), ("draft".into(), "draft"));
        assert_eq!(fm.keys.len(), 3);
    }

    #[test]
    fn invalid_yaml_is_one_error_at_the_reported_position() {
        let yaml = "title: Export\nstatus: [draft\nowner: mira\n";
        let (text, fm) = front_matter(yaml);
        assert_eq!(fm.errors.len(), 1, "{:?}", fm.errors);
        let e = &fm.errors[0];
        assert!(
            e.message.starts_with("front matter is not valid YAML: "),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'));
        assert!(
            fm.yaml.covers(e.range) && !e.range.is_empty() && e.range.len() <= 4,
            "{e:?}"
        );
        assert!(!e.range.slice(&text).contains('\n'));
        assert_eq!(fm.title, None);
        assert_eq!(fm.status, None);
        assert!(fm.keys.is_empty());
    }

    #[test]
    fn invalid_yaml_after_multi_byte_characters_points_at_the_bad_character() {
        // The scanner reports this error in characters only; it must land on the `@`.
        let yaml = "title: 🦀 日本語 ünïcode\nstatus: @draft\n";
        let (text, fm) = front_matter(yaml);
        assert_eq!(fm.errors.len(), 1, "{:?}", fm.errors);
        assert!(
            fm.errors[0]
                .message
                .starts_with("front matter is not valid YAML: ")
        );
        assert_eq!(fm.errors[0].range.slice(&text), "@");

        let (text, fm) = parse_with_eol("title: 🦀 日本語\r\nstatus: @draft\r\n", "\r\n");
        assert_eq!(fm.errors[0].range.slice(&text), "@");
    }

    #[test]
    fn invalid_yaml_at_the_end_stays_inside_the_front_matter() {
        for yaml in [
            "title: \"unterminated\n",
            "reviewers: [mira,\n",
            "a: b: c\n",
            "title: x\n- y\n",
            "title: 'x''\n",
        ] {
            let (_, fm) = front_matter(yaml);
            assert_eq!(fm.errors.len(), 1, "{yaml}: {:?}", fm.errors);
            assert!(
                fm.errors[0]
                    .message
                    .starts_with("front matter is not valid YAML: "),
                "{yaml}: {:?}",
                fm.errors
            );
            assert_errors_inside(&fm);
            assert!(!fm.errors[0].range.is_empty(), "{yaml}");
        }
    }

    #[test]
    fn front_matter_that_is_not_a_mapping() {
        let (text, fm) = front_matter("- a\n- b\n");
        assert_eq!(
            messages(&fm),
            ["front matter must be `key: value` lines, not a list"]
        );
        assert_eq!(fm.errors[0].range.slice(&text), "- a\n- b");
        let (_, fm) = front_matter("just a sentence\n");
        assert_eq!(
            messages(&fm),
            ["front matter must be `key: value` lines, not \"just a sentence\""]
        );
    }

    #[test]
    fn crlf_line_endings() {
        let yaml = "title: \"Export\"\r\nstatus: draft\r\nlast_reviewed: 2026-11-02\r\nreviewers:\r\n  - mira\r\nthreat_model:\r\n  last_reviewed: 2025-01-01\r\n";
        let (text, fm) = parse_with_eol(yaml, "\r\n");
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert_eq!(read(&text, &fm.title), ("Export".into(), "Export"));
        assert_eq!(read(&text, &fm.status), ("draft".into(), "draft"));
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-11-02".into(), "2026-11-02")
        );
        assert_eq!(fm.reviewers[0].range.slice(&text), "mira");
        assert_eq!(
            fm.threat_model_key.map(|r| r.slice(&text)),
            Some("threat_model")
        );

        let (text, fm) = parse_with_eol("status: done\r\n", "\r\n");
        assert_eq!(fm.errors[0].range.slice(&text), "done");
    }

    #[test]
    fn multi_byte_characters_before_a_later_key_do_not_shift_ranges() {
        let yaml = "title: 🦀 日本語の設計 — «export» 🚀\nowner: 李雷\nstatus: in-review\nlast_reviewed: 2026-11-02\nrisk: nope\n";
        let (text, fm) = front_matter(yaml);
        assert_eq!(
            read(&text, &fm.title),
            (
                "🦀 日本語の設計 — «export» 🚀".into(),
                "🦀 日本語の設計 — «export» 🚀"
            )
        );
        assert_eq!(read(&text, &fm.owner), ("李雷".into(), "李雷"));
        assert_eq!(read(&text, &fm.status), ("in-review".into(), "in-review"));
        assert_eq!(
            read(&text, &fm.last_reviewed),
            ("2026-11-02".into(), "2026-11-02")
        );
        assert_eq!(fm.errors.len(), 1);
        assert_eq!(fm.errors[0].range.slice(&text), "nope");
        assert_eq!(fm.key("risk").map(|k| k.range.slice(&text)), Some("risk"));
    }

    #[test]
    fn empty_front_matter() {
        let text = "---\n---\n# Design\n";
        let fm = parse(text, TextRange::new(0, 8), TextRange::new(4, 4));
        assert_eq!(
            fm,
            FrontMatter {
                range: TextRange::new(0, 8),
                yaml: TextRange::new(4, 4),
                ..FrontMatter::default()
            }
        );
        let (_, fm) = front_matter("# only a comment\n\n");
        assert!(fm.errors.is_empty() && fm.keys.is_empty());
    }

    #[test]
    fn ranges_outside_the_text_do_not_panic() {
        let text = "---\ntitle: x\n---\n";
        let fm = parse(text, TextRange::new(0, 17), TextRange::new(4, 400));
        assert!(fm.errors.is_empty() && fm.title.is_none());
        let fm = parse(
            "---\n🦀: x\n---\n",
            TextRange::new(0, 10),
            TextRange::new(5, 9),
        );
        assert!(fm.title.is_none());
    }

    /// Runs `parse` on hostile YAML: it must end with one error and nothing read (how
    /// fast is for the pathological-input bench, not for a test on a shared machine).
    fn assert_refused(yaml: &str, message_start: &str) {
        let (_, fm) = front_matter(yaml);
        assert_eq!(fm.errors.len(), 1, "{:?}", fm.errors);
        assert!(
            fm.errors[0].message.starts_with(message_start),
            "{}",
            fm.errors[0].message
        );
        assert_errors_inside(&fm);
        assert!(fm.keys.is_empty() && fm.title.is_none());
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut yaml = String::from(
            "title: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            yaml.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        assert_refused(
            &yaml,
            "front matter is too large or too deeply nested to read: ",
        );

        // Many aliases of one small anchor (a quadratic-blowup shape).
        let mut yaml = String::from("base: &x [a, b, c, d, e, f, g, h]\n");
        for i in 0..3_000 {
            yaml.push_str(&format!("k{i}: [*x, *x, *x, *x]\n"));
        }
        assert_refused(
            &yaml,
            "front matter is too large or too deeply nested to read: ",
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let open = "[".repeat(10_000);
        assert_refused(
            &format!("title: {open}\n"),
            "front matter is too large or too deeply nested to read: ",
        );
        assert_refused(
            &format!("title: {open}{}\n", "]".repeat(10_000)),
            "front matter is too large or too deeply nested to read: ",
        );
        assert_refused(
            &format!("title: {}\n", "{a: ".repeat(10_000)),
            "front matter is too large or too deeply nested to read: ",
        );
        let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_refused(
            &block,
            "front matter is too large or too deeply nested to read: ",
        );
        let seq: String = (0..300).map(|i| format!("{}-\n", "  ".repeat(i))).collect();
        assert_refused(
            &seq,
            "front matter is too large or too deeply nested to read: ",
        );
    }

    #[test]
    fn nesting_within_the_limit_is_read() {
        let nested = format!("{}{}", "[".repeat(20), "]".repeat(20));
        let (_, fm) = front_matter(&format!("extra: {nested}\nstatus: draft\n"));
        assert!(fm.errors.is_empty(), "{:?}", fm.errors);
        assert!(fm.status.is_some());
    }

    #[test]
    fn huge_front_matter_is_refused_quickly() {
        let many: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
        assert_refused(
            &many,
            "front matter is too large or too deeply nested to read: ",
        );
        let long = format!("title: {}\n", "x".repeat(2 << 20));
        assert_refused(&long, "front matter is too large to read: ");
    }

    #[test]
    fn a_second_document_is_refused() {
        let (_, fm) = front_matter("title: a\n...\ntitle: b\n");
        assert_eq!(
            messages(&fm),
            [
                "front matter is not valid YAML: it holds more than one document (a `...` line ends the first)"
            ]
        );
        assert_eq!(fm.title, None);
    }

    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Whatever the YAML, `parse` returns, and every range lies inside the YAML on
            /// character boundaries.
            #[test]
            fn any_yaml(yaml in "(title|status|reviewers|last_reviewed|threat_model|[-:\\[\\]{}&*!|>'\"#, \\t\\r\\n]|[a-z0-9]|🦀|日){0,60}") {
                let (text, fm) = front_matter(&yaml);
                let ranges = fm.errors.iter().map(|e| e.range)
                    .chain(fm.keys.iter().map(|k| k.range))
                    .chain(fm.reviewers.iter().map(|r| r.range))
                    .chain([&fm.title, &fm.owner, &fm.status, &fm.last_reviewed, &fm.security_reviewer, &fm.risk, &fm.doc_type]
                        .into_iter().flatten().map(|v| v.range))
                    .chain(fm.threat_model_key);
                for r in ranges {
                    prop_assert!(fm.yaml.covers(r) || (fm.yaml.is_empty() && r == fm.yaml), "{:?} outside {:?}", r, fm.yaml);
                    prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
        }
    }
}
