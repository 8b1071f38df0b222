//! Editor knowledge (`editor.toml`): severity and status meanings, front-matter keys and
//! the threat-statement snippet, for the hovers and completions of `crate::ide`.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const EDITOR_TOML: &str = include_str!("editor.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatStatement {
    /// LSP snippet syntax (`${1:threat source}`).
    pub snippet: String,
    pub label: String,
    pub documentation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatterKey {
    pub key: String,
    pub detail: String,
    pub documentation: String,
    /// The values the key takes, when it is one of a few.
    #[serde(default)]
    pub values: Vec<String>,
}

/// The questions hovers lead with when something is missing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coach {
    pub threat_open: String,
    pub threat_untracked: String,
    pub asset_unthreatened: String,
    pub asset_unclassified: String,
    pub store_unlisted: String,
    pub mitigation_unused: String,
    pub category_unaddressed: String,
    pub severity_unknown: String,
    pub status_unknown: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorKnowledge {
    pub threat_statement: ThreatStatement,
    /// Severity word (lowercase) → what it means.
    pub severity: BTreeMap<String, String>,
    /// Status id (`open`, `in_progress`, … `not_applicable`) → what it means.
    pub status: BTreeMap<String, String>,
    pub front_matter: Vec<FrontMatterKey>,
    pub coach: Coach,
}

pub fn editor() -> &'static EditorKnowledge {
    static EDITOR: OnceLock<EditorKnowledge> = OnceLock::new();
    EDITOR.get_or_init(|| {
        // Embedded data, checked by a test: this cannot fail in a built binary.
        toml::from_str(EDITOR_TOML).expect("knowledge/editor.toml is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_knowledge_covers_the_default_scales() {
        let e = editor();
        for s in crate::config::DEFAULT_SEVERITY_SCALE {
            assert!(e.severity.contains_key(*s), "{s}");
        }
        for s in [
            "open",
            "in_progress",
            "mitigated",
            "accepted",
            "transferred",
            "not_applicable",
        ] {
            assert!(
                e.status.get(s).is_some_and(|t| t.ends_with(['.', '?'])),
                "{s}"
            );
        }
        for k in [
            "title",
            "owner",
            "status",
            "last_reviewed",
            "reviewers",
            "security_reviewer",
            "risk",
        ] {
            assert!(e.front_matter.iter().any(|f| f.key == k), "{k}");
        }
        assert!(e.threat_statement.snippet.contains("${5:asset}"));
        let c = &e.coach;
        for q in [
            &c.threat_open,
            &c.threat_untracked,
            &c.asset_unthreatened,
            &c.asset_unclassified,
            &c.store_unlisted,
            &c.mitigation_unused,
            &c.category_unaddressed,
            &c.severity_unknown,
            &c.status_unknown,
        ] {
            assert!(q.ends_with('?'), "a coaching text asks: {q}");
        }
    }
}
