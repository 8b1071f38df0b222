//! The risk tier of a design doc (SPEC §5.2): where a security team should look first.

use crate::config::Config;
use crate::document::Document;
use crate::knowledge;
use crate::rules::Facts;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Serialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskTier {
    Low,
    Medium,
    High,
}

impl RiskTier {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::Low => "low",
            RiskTier::Medium => "medium",
            RiskTier::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<RiskTier> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(RiskTier::Low),
            "medium" => Some(RiskTier::Medium),
            "high" => Some(RiskTier::High),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    pub tier: RiskTier,
    /// Ids of the sensitive topics the doc touches (`authentication`, `payment_data` …).
    pub topics: Vec<String>,
    /// What the config recommends for this tier.
    pub activities: Vec<String>,
}

/// Every topic's keywords in one Aho-Corasick automaton, so the text is scanned once,
/// case-insensitively (ASCII), with whole-word matches checked in code.
struct TopicMatcher {
    /// Topic id of each keyword pattern.
    topic_of: Vec<usize>,
    ids: Vec<String>,
    automaton: AhoCorasick,
}

impl TopicMatcher {
    fn new<'a>(topics: impl Iterator<Item = (&'a str, Vec<&'a str>)>) -> Option<TopicMatcher> {
        let mut ids = Vec::new();
        let mut topic_of = Vec::new();
        let mut patterns = Vec::new();
        for (id, keywords) in topics {
            let index = ids.len();
            ids.push(id.to_string());
            for k in keywords.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
                patterns.push(k.to_string());
                topic_of.push(index);
            }
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // A DFA: the scan reads every byte of every document, and the default
            // picks a slower NFA past 100 patterns.
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok()?;
        Some(TopicMatcher {
            topic_of,
            ids,
            automaton,
        })
    }

    fn matches(&self, text: &str) -> Vec<String> {
        let bytes = text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut hit = vec![false; self.ids.len()];
        let mut remaining = self.ids.len();
        // Overlapping matches, so a keyword inside a longer word does not hide the next.
        for m in self.automaton.find_overlapping_iter(text) {
            let before = m.start().checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(is_word) || after.is_some_and(is_word) {
                continue;
            }
            if let Some(&t) = self.topic_of.get(m.pattern().as_usize())
                && !hit[t]
            {
                hit[t] = true;
                remaining -= 1;
                if remaining == 0 {
                    break; // every topic found: the rest of the text cannot add one
                }
            }
        }
        self.ids
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(id, _)| id.clone())
            .collect()
    }
}

fn default_matcher() -> Option<&'static TopicMatcher> {
    static M: OnceLock<Option<TopicMatcher>> = OnceLock::new();
    M.get_or_init(|| {
        TopicMatcher::new(knowledge::topics().iter().map(|t| {
            (
                t.id.as_str(),
                t.keywords.iter().map(String::as_str).collect(),
            )
        }))
    })
    .as_ref()
}

/// The text with HTML comments blanked out: a template's instructions are not the
/// design's topics.
pub fn without_comments(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("<!--") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |i| start + i + 3);
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The sensitive topics the text touches (HTML comments aside), in the order of the
/// topic list, then the config's own topics.
pub fn topics(text: &str, config: &Config) -> Vec<String> {
    let text = without_comments(text);
    let mut found = default_matcher()
        .map(|m| m.matches(&text))
        .unwrap_or_default();
    if config.extra_topic_keywords.is_empty() {
        return found;
    }
    // Extra keywords may extend a built-in topic or define a new one.
    let mut ids: Vec<&str> = config
        .extra_topic_keywords
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    ids.dedup();
    let extra = TopicMatcher::new(ids.into_iter().map(|id| {
        (
            id,
            config
                .extra_topic_keywords
                .iter()
                .filter(|(t, _)| t == id)
                .map(|(_, k)| k.as_str())
                .collect(),
        )
    }));
    for id in extra.map(|m| m.matches(&text)).unwrap_or_default() {
        if !found.contains(&id) {
            found.push(id);
        }
    }
    found
}

pub fn assess(text: &str, doc: &Document, facts: &Facts, config: &Config) -> RiskAssessment {
    let _ = (text, config);
    let topics = facts.topics.clone();
    let open = |levels: &[&str]| {
        facts.threats.iter().any(|f| {
            f.is_open()
                && !f.placeholder
                && f.severity.as_deref().is_some_and(|s| levels.contains(&s))
        })
    };
    let declared = doc
        .front_matter
        .as_ref()
        .and_then(|fm| fm.risk.as_ref())
        .and_then(|r| RiskTier::parse(&r.value));
    let tier = declared.unwrap_or(if topics.len() >= 2 || open(&["critical", "high"]) {
        RiskTier::High
    } else if topics.len() == 1 || open(&["medium"]) {
        RiskTier::Medium
    } else {
        RiskTier::Low
    });
    let activities = config
        .activities
        .iter()
        .find(|(t, _)| t == tier.as_str())
        .and_then(|(_, a)| a.clone())
        .unwrap_or_else(|| knowledge::default_activities(tier.as_str()).to_vec());
    RiskAssessment {
        tier,
        topics,
        activities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_match_whole_words_case_insensitively_outside_comments() {
        let config = Config::default();
        assert_eq!(
            topics("Users LOGIN with a Password.", &config),
            ["authentication"]
        );
        // Inside another word, or only inside an HTML comment: no topic.
        assert!(topics("The blogin service. <!-- password -->", &config).is_empty());
    }

    #[test]
    fn config_keywords_extend_and_add_topics() {
        let (config, _) = Config::from_toml(
            "[sensitive_topics]\npayment_data = [\"ledger\"]\nexport_control = [\"itar\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            topics("The Ledger sync, ITAR data.", &config),
            ["payment_data", "export_control"]
        );
    }
}
