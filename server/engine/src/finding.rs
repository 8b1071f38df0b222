//! What a rule reports: a finding with its level, range, data and fixes.

use crate::span::TextRange;
use crate::stride::StrideCategory;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    // Ordered from least to most severe, so `level >= fail_on` reads naturally.
    Hint,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Hint => "hint",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hint" => Some(Level::Hint),
            "info" | "information" => Some(Level::Info),
            "warning" | "warn" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// How safe it is to apply a fix without a human looking at it (ruff's model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Does what the writer meant; `check --fix` applies it.
    Safe,
    /// Changes meaning or inserts text the writer must finish; offered in the editor only.
    Unsafe,
    /// Shown as a suggestion, never applied automatically.
    DisplayOnly,
}

/// Replace `range` of the text with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

impl Edit {
    pub fn insert(at: usize, new_text: impl Into<String>) -> Self {
        Self {
            range: TextRange::empty(at),
            new_text: new_text.into(),
        }
    }

    pub fn replace(range: TextRange, new_text: impl Into<String>) -> Self {
        Self {
            range,
            new_text: new_text.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Machine-readable facts about a finding (SPEC §8.1 `data`). Empty fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<StrideCategory>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<StrideCategory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<crate::document::SectionKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub message: String,
    pub range: TextRange,
    pub data: FindingData,
    pub fixes: Vec<Fix>,
}
