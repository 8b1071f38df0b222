//! What the output formats render: one record per checked file, with positions already
//! converted to 1-based lines and columns (Unicode scalar values) and, per finding, the
//! source lines it covers. A record keeps no `Document`, so a walk over thousands of
//! files holds only what it will print.

use serde::Serialize;
use std::ops::Range;
use threatmark_engine::line_index::LineIndex;
use threatmark_engine::risk::RiskAssessment;
use threatmark_engine::{Analysis, Applicability, Finding, FindingData, Level, TextRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// As the walk found it, relative to the current directory, `/`-separated.
    pub path: String,
    pub design_doc: bool,
    pub title: Option<String>,
    pub risk: Option<RiskAssessment>,
    pub suppressed: usize,
    pub findings: Vec<FindingRecord>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRecord {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub message: String,
    pub start: Position,
    /// Just past the range.
    pub end: Position,
    pub data: FindingData,
    pub fixes: Vec<FixRecord>,
    pub excerpt: Excerpt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRecord {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<EditRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRecord {
    pub start: Position,
    pub end: Position,
    pub new_text: String,
}

/// The whole source lines a finding's range touches, for a snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The 1-based number of the first line of `text`.
    pub first_line: usize,
    pub text: String,
    /// The finding's range, relative to `text`, without a trailing line break.
    pub span: Range<usize>,
}

impl FileReport {
    /// The record of one analysed file. `text` is the text that was analysed.
    pub fn new(path: String, text: &str, analysis: Analysis) -> FileReport {
        let Analysis {
            design_doc,
            title,
            risk,
            findings,
            suppressed,
            ..
        } = analysis;
        let index = LineIndex::new(text);
        let findings = findings
            .into_iter()
            .map(|f| FindingRecord::new(text, &index, f))
            .collect();
        FileReport {
            path,
            design_doc,
            title,
            risk,
            suppressed,
            findings,
        }
    }
}

impl FindingRecord {
    fn new(text: &str, index: &LineIndex, finding: Finding) -> FindingRecord {
        let range = clamp(text, finding.range);
        let fixes = finding
            .fixes
            .into_iter()
            .map(|fix| FixRecord {
                title: fix.title,
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .into_iter()
                    .map(|edit| {
                        let r = clamp(text, edit.range);
                        EditRecord {
                            start: position(text, index, r.start),
                            end: position(text, index, r.end),
                            new_text: edit.new_text,
                        }
                    })
                    .collect(),
            })
            .collect();
        FindingRecord {
            code: finding.code,
            name: finding.name,
            level: finding.level,
            message: finding.message,
            start: position(text, index, range.start),
            end: position(text, index, range.end),
            data: finding.data,
            fixes,
            excerpt: Excerpt::new(text, index, range),
        }
    }

    /// The first fix `check --fix` would apply, if any.
    pub fn safe_fix(&self) -> Option<&FixRecord> {
        self.fixes
            .iter()
            .find(|f| f.applicability == Applicability::Safe)
    }
}

impl Excerpt {
    fn new(text: &str, index: &LineIndex, range: TextRange) -> Excerpt {
        // Ranges of headings and rows often end with their line break; underlining the
        // line, not the next one, reads better.
        let mut end = range.end;
        while end > range.start && matches!(text.as_bytes().get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        let line_start = text[..range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = text[end..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| end + i);
        Excerpt {
            first_line: position(text, index, line_start).line,
            text: text[line_start..line_end].to_string(),
            span: range.start - line_start..end - line_start,
        }
    }
}

/// The range inside the text and on character boundaries: a rule's bug must not become
/// a panic in the front end.
fn clamp(text: &str, range: TextRange) -> TextRange {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(range.start);
    TextRange::new(start, floor(range.end).max(start))
}

fn position(text: &str, index: &LineIndex, offset: usize) -> Position {
    let p = index.to_human(text, offset);
    Position {
        line: p.line,
        column: p.column,
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    #[test]
    fn excerpts_hold_whole_lines_and_drop_the_trailing_break() {
        let text = "# Title\n\n## Threats\n| a |\n";
        let index = LineIndex::new(text);
        let start = text.find("## Threats").unwrap_or(0);
        let e = Excerpt::new(
            text,
            &index,
            TextRange::new(start, start + "## Threats\n".len()),
        );
        assert_eq!(e.first_line, 3);
        assert_eq!(e.text, "## Threats");
        assert_eq!(e.span, 0..10);
    }

    #[test]
    fn ranges_are_clamped_to_the_text_and_char_boundaries() {
        let text = "é!";
        assert_eq!(clamp(text, TextRange::new(1, 99)), TextRange::new(0, 3));
        assert_eq!(clamp(text, TextRange::new(3, 1)), TextRange::new(3, 3));
    }
}
