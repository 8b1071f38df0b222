//! The output formats of `check`. Each is a pure function from the file records to the
//! text to print, so each is tested without spawning the binary.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::cli::Format;
use crate::record::FileReport;
use serde::Serialize;
use threatmark_engine::Level;

/// What the human format adds to its summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Color the snippets (ANSI); anstream strips it again when the stream is no terminal.
    pub color: bool,
    /// `--fix` ran: the hint "N fixable with --fix" would be noise.
    pub fixed: bool,
}

pub fn render(format: Format, reports: &[FileReport], human: HumanOptions) -> String {
    match format {
        Format::Human => human::render(reports, human),
        Format::Json => json::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Github => github::render(reports),
    }
}

/// The totals of a run (the JSON `summary`, the human summary line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub design_docs: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    pub suppressed: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            s.design_docs += usize::from(r.design_doc);
            s.suppressed += r.suppressed;
            for f in &r.findings {
                match f.level {
                    Level::Error => s.errors += 1,
                    Level::Warning => s.warnings += 1,
                    Level::Info => s.infos += 1,
                    Level::Hint => s.hints += 1,
                }
            }
        }
        s
    }

    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos + self.hints
    }
}

#[cfg(test)]
pub mod fixtures {
    //! File records for the formats' tests, built by hand so that they do not depend on
    //! what the rules currently report.

    use crate::record::{EditRecord, Excerpt, FileReport, FindingRecord, FixRecord, Position};
    use threatmark_engine::risk::{RiskAssessment, RiskTier};
    use threatmark_engine::{Applicability, FindingData, Level, StrideCategory};

    pub fn reports() -> Vec<FileReport> {
        vec![
            FileReport {
                path: "README.md".into(),
                design_doc: false,
                title: Some("Readme".into()),
                risk: None,
                suppressed: 0,
                findings: vec![],
            },
            FileReport {
                path: "docs/design/export, v2.md".into(),
                design_doc: true,
                title: Some("Merchant ledger export".into()),
                risk: Some(RiskAssessment {
                    tier: RiskTier::High,
                    topics: vec!["authentication".into(), "payment_data".into()],
                    activities: vec!["security review".into()],
                }),
                suppressed: 1,
                findings: vec![
                    FindingRecord {
                        code: "TM020",
                        name: "stride-unaddressed",
                        level: Level::Warning,
                        message: "No threat addresses Repudiation. Could a caller deny 100% of it?"
                            .into(),
                        start: Position { line: 3, column: 1 },
                        end: Position {
                            line: 3,
                            column: 11,
                        },
                        data: FindingData {
                            category: Some(StrideCategory::Repudiation),
                            ..FindingData::default()
                        },
                        fixes: vec![FixRecord {
                            title: "Add a Repudiation threat row".into(),
                            applicability: Applicability::Safe,
                            edits: vec![EditRecord {
                                start: Position { line: 6, column: 1 },
                                end: Position { line: 6, column: 1 },
                                new_text: "| T9 | Repudiation |\n".into(),
                            }],
                        }],
                        excerpt: Excerpt {
                            first_line: 3,
                            text: "## Threats".into(),
                            span: 0..10,
                        },
                    },
                    FindingRecord {
                        code: "TM030",
                        name: "unmitigated-threat",
                        level: Level::Error,
                        message: "Threat T1 (high) has no mitigation:\nwhat stops it?".into(),
                        start: Position { line: 5, column: 3 },
                        end: Position { line: 5, column: 7 },
                        data: FindingData {
                            id: Some("T1".into()),
                            ..FindingData::default()
                        },
                        fixes: vec![],
                        excerpt: Excerpt {
                            first_line: 5,
                            text: "| T1 | Spoofing |".into(),
                            span: 2..6,
                        },
                    },
                    FindingRecord {
                        code: "TM041",
                        name: "security-review-recommended",
                        level: Level::Info,
                        message: "Touches authentication.".into(),
                        start: Position { line: 1, column: 1 },
                        end: Position { line: 1, column: 5 },
                        data: FindingData {
                            topics: vec!["authentication".into()],
                            ..FindingData::default()
                        },
                        fixes: vec![],
                        excerpt: Excerpt {
                            first_line: 1,
                            text: "# Export".into(),
                            span: 0..8,
                        },
                    },
                ],
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_levels_files_and_design_docs() {
        let s = Summary::of(&fixtures::reports());
        assert_eq!(
            s,
            Summary {
                files: 2,
                design_docs: 1,
                errors: 1,
                warnings: 1,
                infos: 1,
                hints: 0,
                suppressed: 1
            }
        );
        assert_eq!(s.findings(), 3);
    }
}
