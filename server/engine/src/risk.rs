//! The risk tier of a design doc (SPEC §5.2): where a security team should look first.

use crate::config::Config;
use crate::document::Document;
use crate::knowledge;
use crate::rules::Facts;
use regex::Regex;
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

/// One regex per default topic, compiled once.
fn default_matchers() -> &'static [(String, Regex)] {
    static M: OnceLock<Vec<(String, Regex)>> = OnceLock::new();
    M.get_or_init(|| {
        knowledge::topics()
            .iter()
            .filter_map(|t| {
                keyword_regex(t.keywords.iter().map(String::as_str)).map(|re| (t.id.clone(), re))
            })
            .collect()
    })
}

fn keyword_regex<'a>(keywords: impl Iterator<Item = &'a str>) -> Option<Regex> {
    let alternatives: Vec<String> = keywords
        .filter(|k| !k.trim().is_empty())
        .map(|k| regex::escape(k.trim()))
        .collect();
    if alternatives.is_empty() {
        return None;
    }
    Regex::new(&format!(r"(?i)\b(?:{})\b", alternatives.join("|"))).ok()
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

/// The sensitive topics the text touches, in the order of the topic list.
pub fn topics(text: &str, config: &Config) -> Vec<String> {
    let mut found: Vec<String> = default_matchers()
        .iter()
        .filter(|(_, re)| re.is_match(text))
        .map(|(id, _)| id.clone())
        .collect();
    let mut extra_ids: Vec<&str> = config
        .extra_topic_keywords
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    extra_ids.dedup();
    for id in extra_ids {
        if found.iter().any(|f| f == id) {
            continue;
        }
        let words = config
            .extra_topic_keywords
            .iter()
            .filter(|(t, _)| t == id)
            .map(|(_, k)| k.as_str());
        if keyword_regex(words).is_some_and(|re| re.is_match(text)) {
            found.push(id.to_string());
        }
    }
    found
}

pub fn assess(text: &str, doc: &Document, facts: &Facts, config: &Config) -> RiskAssessment {
    let topics = topics(&without_comments(text), config);
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
