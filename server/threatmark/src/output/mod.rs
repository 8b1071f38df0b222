//! The output formats of `check`. A run's output is written as it goes: each file is
//! rendered on its own ([`render_file`], pure, so files render in parallel), and a
//! [`Writer`] writes a format's header, the files in path order, and the footer (the
//! human summary line, the JSON `summary`) from the totals it kept. Nothing holds the
//! output of the whole run. [`render`] is the same for a list of records, in memory.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::cli::Format;
use crate::record::FileReport;
use serde::Serialize;
use std::io::{self, Write};
use threatmark_engine::Level;

/// What the human format adds to its summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Color the snippets (ANSI). Without it the snippets hold no escape codes, so they
    /// can be written without anstream's stripping.
    pub color: bool,
    /// `--fix` ran: the hint "N fixable with --fix" would be noise.
    pub fixed: bool,
}

/// One file's share of the output, and what it adds to the totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub tally: Tally,
}

/// The output of one file in `format`.
pub fn render_file(format: Format, report: &FileReport, human: HumanOptions) -> Rendered {
    let mut bytes = Vec::new();
    match format {
        Format::Human => human::render_file(report, human, &mut bytes),
        Format::Json => json::render_file(report, &mut bytes),
        Format::Sarif => sarif::render_file(report, &mut bytes),
        Format::Github => github::render_file(report, &mut bytes),
    }
    Rendered {
        bytes,
        tally: Tally::of(report),
    }
}

/// Writes a run's output: [`Writer::start`], [`Writer::file`] for each file in path
/// order, [`Writer::finish`].
pub struct Writer<W: Write> {
    format: Format,
    human: HumanOptions,
    out: W,
    totals: Tally,
    /// Whether an element of the JSON `files` or SARIF `results` array was written (the
    /// next one needs a comma before it; the closing bracket goes on its own line).
    elements: bool,
    /// The end of the SARIF log after its `results` array.
    sarif_tail: String,
}

impl<W: Write> Writer<W> {
    pub fn start(format: Format, human: HumanOptions, mut out: W) -> io::Result<Writer<W>> {
        let mut sarif_tail = String::new();
        match format {
            Format::Json => json::write_head(&mut out)?,
            Format::Sarif => {
                let (head, tail) = sarif::head_and_tail();
                out.write_all(head.as_bytes())?;
                sarif_tail = tail;
            }
            Format::Human | Format::Github => {}
        }
        Ok(Writer {
            format,
            human,
            out,
            totals: Tally::default(),
            elements: false,
            sarif_tail,
        })
    }

    pub fn file(&mut self, file: &Rendered) -> io::Result<()> {
        self.totals.add(&file.tally);
        if file.bytes.is_empty() {
            return Ok(());
        }
        if self.elements && matches!(self.format, Format::Json | Format::Sarif) {
            self.out.write_all(b",")?;
        }
        self.elements = true;
        self.out.write_all(&file.bytes)
    }

    /// Writes the footer and flushes; the totals of the run.
    pub fn finish(mut self) -> io::Result<Tally> {
        match self.format {
            Format::Human => {
                self.out
                    .write_all(human::summary(&self.totals, self.human).as_bytes())?;
                self.out.write_all(b"\n")?;
            }
            Format::Json => json::write_tail(&mut self.out, self.elements, &self.totals.summary)?,
            Format::Sarif => {
                if self.elements {
                    self.out.write_all(b"\n      ")?;
                }
                self.out.write_all(self.sarif_tail.as_bytes())?;
                self.out.write_all(b"\n")?;
            }
            Format::Github => {}
        }
        self.out.flush()?;
        Ok(self.totals)
    }
}

/// The whole output of `reports` (in the order given), in memory.
pub fn render(format: Format, reports: &[FileReport], human: HumanOptions) -> String {
    let mut bytes = Vec::new();
    // Writing into a Vec does not fail.
    let written = Writer::start(format, human, &mut bytes).and_then(|mut w| {
        for report in reports {
            w.file(&render_file(format, report, human))?;
        }
        w.finish()
    });
    if written.is_err() {
        bytes.clear();
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Serializes `value` as serde_json's pretty printer would at `depth` levels of nesting
/// (two spaces each), so that an element can be written into a document printed the
/// same way without building the document.
fn pretty_at(
    value: &impl Serialize,
    depth: usize,
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    use serde_json::ser::Formatter;
    let mut formatter = serde_json::ser::PrettyFormatter::new();
    for _ in 0..depth {
        // Opening an array is what moves the printer one level in; into the sink.
        formatter
            .begin_array(&mut io::sink())
            .map_err(serde_json::Error::io)?;
    }
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
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
    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos + self.hints
    }
}

/// What a file adds to the run's totals: the summary, and what the human summary line
/// and the exit status need besides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub summary: Summary,
    /// Design docs with at least one finding.
    pub design_docs_with_findings: usize,
    /// Findings that have a safe fix.
    pub fixable: usize,
    /// The highest level of any finding.
    pub worst: Option<Level>,
}

impl Tally {
    pub fn of(report: &FileReport) -> Tally {
        let mut s = Summary {
            files: 1,
            design_docs: usize::from(report.design_doc),
            suppressed: report.suppressed,
            ..Summary::default()
        };
        let mut fixable = 0;
        for f in &report.findings {
            match f.level {
                Level::Error => s.errors += 1,
                Level::Warning => s.warnings += 1,
                Level::Info => s.infos += 1,
                Level::Hint => s.hints += 1,
            }
            fixable += usize::from(f.safe_fix().is_some());
        }
        Tally {
            summary: s,
            design_docs_with_findings: usize::from(
                report.design_doc && !report.findings.is_empty(),
            ),
            fixable,
            worst: report.findings.iter().map(|f| f.level).max(),
        }
    }

    pub fn add(&mut self, other: &Tally) {
        let (s, o) = (&mut self.summary, &other.summary);
        s.files += o.files;
        s.design_docs += o.design_docs;
        s.errors += o.errors;
        s.warnings += o.warnings;
        s.infos += o.infos;
        s.hints += o.hints;
        s.suppressed += o.suppressed;
        self.design_docs_with_findings += other.design_docs_with_findings;
        self.fixable += other.fixable;
        self.worst = self.worst.max(other.worst);
    }

    /// The totals of several files.
    pub fn of_all(reports: &[FileReport]) -> Tally {
        let mut t = Tally::default();
        for r in reports {
            t.add(&Tally::of(r));
        }
        t
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
        let t = Tally::of_all(&fixtures::reports());
        let s = t.summary;
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
        assert_eq!(t.design_docs_with_findings, 1);
        assert_eq!(t.fixable, 1);
        assert_eq!(t.worst, Some(Level::Error));
        assert_eq!(Tally::of_all(&[]).worst, None);
    }
}
