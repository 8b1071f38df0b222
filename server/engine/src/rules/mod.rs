//! The rule registry: every rule once, with its metadata, docs and check function.
//!
//! One rule, one file (`tm020_stride_unaddressed.rs`), holding the check, its docs (what
//! `threatmark explain` prints and `codeDescription` links to), its fix and its tests.
//! Retired codes are never reused.

use crate::config::Config;
use crate::document::Document;
use crate::finding::{Finding, FindingData, Level};
use crate::knowledge::Methodology;
use crate::span::TextRange;

pub mod edits;
pub mod facts;
pub mod placeholder;
pub mod skeleton;
pub mod suppress;

pub use facts::Facts;

/// What a rule is, independent of any document.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    pub code: &'static str,
    /// Kebab-case name that reads as the problem (`stride-unaddressed`).
    pub name: &'static str,
    pub default_level: Level,
    /// One line: when the rule fires.
    pub summary: &'static str,
    /// Markdown under the fixed headings `## What it does`, `## Why does it matter?`,
    /// `## Example`, `## How to fix`.
    pub docs: &'static str,
}

/// How a document relates to a threat model kept in a separate file (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkRole {
    #[default]
    Standalone,
    /// A design doc whose threat model lives in a linked file: it has one (no TM001).
    DesignWithLinkedThreatModel,
    /// The linked threat-model file, checked with its design doc's diagram in force.
    ThreatModelOfDesign { design_has_diagram: bool },
}

/// Everything a rule may read.
pub struct Context<'a> {
    pub link: LinkRole,
    pub text: &'a str,
    pub doc: &'a Document,
    pub facts: &'a Facts,
    pub config: &'a Config,
    pub methodology: &'a Methodology,
    pub today: jiff::civil::Date,
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

impl Finding {
    /// A finding of `meta` at its default level; the analysis applies configured levels.
    pub fn new(meta: &RuleMeta, range: TextRange, message: impl Into<String>) -> Finding {
        Finding {
            code: meta.code,
            name: meta.name,
            level: meta.default_level,
            message: message.into(),
            range,
            data: FindingData::default(),
            fixes: Vec::new(),
        }
    }

    pub fn with_data(mut self, data: FindingData) -> Finding {
        self.data = data;
        self
    }

    pub fn with_fix(mut self, fix: crate::finding::Fix) -> Finding {
        self.fixes.push(fix);
        self
    }
}

macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, in code order.
        pub static RULES: &[Rule] = &[$(Rule { meta: $module::META, check: $module::check }),*];
    };
}

registry![
    tm001_missing_threat_model,
    tm002_missing_section,
    tm003_empty_section,
    tm010_unlisted_asset,
    tm011_unthreatened_asset,
    tm012_unclassified_asset,
    tm020_stride_unaddressed,
    tm021_unknown_category,
    tm022_element_unaddressed,
    tm023_unjustified_not_applicable,
    tm030_unmitigated_threat,
    tm031_missing_severity,
    tm032_untracked_threat,
    tm033_duplicate_id,
    tm034_dangling_reference,
    tm035_thin_threat,
    tm036_unjustified_acceptance,
    tm040_stale_threat_model,
    tm041_security_review_recommended,
    tm042_approved_without_review,
    tm050_placeholder_left,
    tm060_diagram_syntax_error,
    tm090_invalid_front_matter,
    tm091_unjustified_suppression,
    tm092_document_too_large,
];

/// The rule with this code (case-insensitive), if it exists.
pub fn lookup(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.meta.code.eq_ignore_ascii_case(code.trim()))
}
