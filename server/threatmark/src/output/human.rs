//! `check --format human`: rustc-style snippets, then one summary line.
//!
//! ```text
//! warning[TM001]: This design doc has no threat model. …
//!  --> docs/design/x.md:1:1
//!   |
//! 1 | # X
//!   | ^^^
//!   |
//!   = help: Insert a threat-model skeleton
//! ```
//!
//! Files that are no design docs print nothing; they are counted in the summary.

use super::{HumanOptions, Tally};
use crate::record::{FileReport, FindingRecord};
use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use threatmark_engine::Level;

/// The snippets of one file (none for a file that is no design doc), each followed by a
/// blank line.
pub fn render_file(report: &FileReport, options: HumanOptions, out: &mut Vec<u8>) {
    if !report.design_doc || report.findings.is_empty() {
        return;
    }
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // About what a snippet takes, so that the buffer seldom grows (and copies) again.
    let estimate: usize = report
        .findings
        .iter()
        .map(|f| 2 * f.excerpt.text.len() + f.message.len() + report.path.len() + 160)
        .sum();
    out.reserve(estimate);
    for finding in &report.findings {
        let snippet = renderer.render(&[group(&report.path, finding)]);
        if options.color {
            out.extend_from_slice(snippet.as_bytes());
        } else {
            plain(&snippet, out);
        }
        out.extend_from_slice(b"\n\n");
    }
}

/// Uncolored output is written to stdout as it is, no longer through anstream, which
/// would scan every byte for escape codes to strip. A document can still carry control
/// characters into a message; a snippet that holds one (rare) is stripped here, as
/// anstream would have.
fn plain(snippet: &str, out: &mut Vec<u8>) {
    let bytes = snippet.as_bytes();
    // A test of every byte, without an early exit inside a chunk so that the compiler
    // vectorizes it. `0xC2` leads the C1 controls (U+0080 to U+009F) in UTF-8, and a few
    // printable characters, which take the exact path too.
    let control = bytes.chunks(64).any(|chunk| {
        chunk.iter().fold(false, |found, &b| {
            found
                | ((b < 0x20) & (b != b'\n') & (b != b'\t') & (b != b'\r'))
                | (b == 0x7f)
                | (b == 0xc2)
        })
    });
    if control {
        out.extend(anstream::adapter::strip_bytes(bytes).into_vec());
    } else {
        out.extend_from_slice(bytes);
    }
}

fn group<'a>(path: &'a str, f: &'a FindingRecord) -> Group<'a> {
    let level = match f.level {
        Level::Error => SnippetLevel::ERROR,
        Level::Warning => SnippetLevel::WARNING,
        Level::Info => SnippetLevel::INFO,
        Level::Hint => SnippetLevel::NOTE.with_name("hint"),
    };
    let snippet = Snippet::source(f.excerpt.text.as_str())
        .line_start(f.excerpt.first_line)
        .path(path)
        .annotation(AnnotationKind::Primary.span(f.excerpt.span.clone()));
    let group = level
        .primary_title(f.message.as_str())
        .id(f.code)
        .element(snippet);
    match f.fixes.first() {
        Some(fix) => group.element(SnippetLevel::HELP.message(fix.title.as_str())),
        None => group,
    }
}

/// `Found 2 errors, 5 warnings, 1 info in 2 of 3 design docs (12 files checked; 1 suppressed).`
pub fn summary(t: &Tally, options: HumanOptions) -> String {
    let s = t.summary;
    let suppressed = if s.suppressed > 0 {
        format!("; {} suppressed", s.suppressed)
    } else {
        String::new()
    };
    let checked = format!("{} checked{suppressed}", count(s.files, "file", "files"));
    if s.files == 0 {
        return "No markdown files to check.".to_string();
    }
    if s.design_docs == 0 {
        return format!("No design docs found ({checked}).");
    }
    if s.findings() == 0 {
        return if s.design_docs == 1 {
            format!("1 design doc passes ({checked}).")
        } else {
            format!("All {} design docs pass ({checked}).", s.design_docs)
        };
    }
    let mut parts = Vec::new();
    for (n, one, many) in [
        (s.errors, "error", "errors"),
        (s.warnings, "warning", "warnings"),
        (s.infos, "info", "info"),
        (s.hints, "hint", "hints"),
    ] {
        if n > 0 {
            parts.push(count(n, one, many));
        }
    }
    let with_findings = t.design_docs_with_findings;
    let docs = if with_findings == s.design_docs {
        count(s.design_docs, "design doc", "design docs")
    } else {
        format!(
            "{with_findings} of {}",
            count(s.design_docs, "design doc", "design docs")
        )
    };
    let mut line = format!("Found {} in {docs} ({checked}).", parts.join(", "));
    if t.fixable > 0 && !options.fixed {
        line.push_str(&format!(
            "\n{} fixable with `threatmark check --fix`.",
            t.fixable
        ));
    }
    line
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Format;
    use crate::output::{fixtures, render as render_all};

    fn render(reports: &[FileReport], options: HumanOptions) -> String {
        render_all(Format::Human, reports, options)
    }

    #[test]
    fn snippets_and_summary() {
        let out = render(&fixtures::reports(), HumanOptions::default());
        insta::assert_snapshot!(out);
    }

    fn summary(reports: &[FileReport], options: HumanOptions) -> String {
        super::summary(&Tally::of_all(reports), options)
    }

    #[test]
    fn summaries() {
        let mut reports = fixtures::reports();
        let options = HumanOptions::default();
        assert_eq!(summary(&[], options), "No markdown files to check.");
        assert_eq!(
            summary(&reports[..1], options),
            "No design docs found (1 file checked)."
        );
        assert_eq!(
            summary(
                &reports,
                HumanOptions {
                    fixed: true,
                    ..options
                }
            ),
            "Found 1 error, 1 warning, 1 info in 1 design doc (2 files checked; 1 suppressed)."
        );
        reports[1].findings.clear();
        reports[1].suppressed = 0;
        assert_eq!(
            summary(&reports, options),
            "1 design doc passes (2 files checked)."
        );
        let mut third = reports[1].clone();
        third.path = "docs/design/b.md".into();
        reports.push(third);
        assert_eq!(
            summary(&reports, options),
            "All 2 design docs pass (3 files checked)."
        );
        reports[2].findings = fixtures::reports()[1].findings.clone();
        assert_eq!(
            summary(&reports, options),
            "Found 1 error, 1 warning, 1 info in 1 of 2 design docs (3 files checked).\n\
             1 fixable with `threatmark check --fix`."
        );
    }

    #[test]
    fn plain_snippets_are_stripped_as_anstream_strips_them() {
        for text in [
            "warning[TM001]: plain, café, 日本\n --> x.md:1:1\n",
            "a \u{1b}[31mred\u{1b}[0m title",
            "bell \u{7} and del \u{7f} and C1 \u{9b}31m",
            "tab\tand\r\nbreaks",
            "printable after 0xC2: \u{a0}non-breaking, \u{b0}degrees",
        ] {
            let mut out = Vec::new();
            plain(text, &mut out);
            let stripped = anstream::adapter::strip_str(text).to_string();
            assert_eq!(String::from_utf8_lossy(&out), stripped, "{text:?}");
        }
    }

    #[test]
    fn other_markdown_prints_nothing_but_the_summary() {
        let reports = fixtures::reports();
        let out = render(&reports[..1], HumanOptions::default());
        assert_eq!(out, "No design docs found (1 file checked).\n");
    }
}
