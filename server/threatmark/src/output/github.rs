//! `check --format github`: one GitHub Actions workflow command per finding, which the
//! runner turns into an annotation on the pull request's diff.
//!
//! `::error file=docs/design/x.md,line=3,col=1,endLine=3,endColumn=11,title=TM020 stride-unaddressed::No threat…`

use crate::record::FileReport;
use std::io::Write;
use threatmark_engine::Level;

/// One line per finding of the file.
pub(super) fn render_file(report: &FileReport, out: &mut Vec<u8>) {
    if report.findings.is_empty() {
        return;
    }
    let file = property(&report.path);
    for f in &report.findings {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info | Level::Hint => "notice",
        };
        // Writing into a Vec does not fail.
        let _ = writeln!(
            out,
            "::{command} file={file},line={},col={},endLine={},endColumn={},title={}::{}",
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            property(&format!("{} {}", f.code, f.name)),
            data(&f.message),
        );
    }
}

/// The escaping GitHub's runner undoes in a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The escaping of a property value, where `:` and `,` delimit.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Format;
    use crate::output::{HumanOptions, fixtures};

    fn render(reports: &[FileReport]) -> String {
        crate::output::render(Format::Github, reports, HumanOptions::default())
    }

    #[test]
    fn one_command_per_finding_with_escaping() {
        let out = render(&fixtures::reports());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::warning file=docs/design/export%2C v2.md,line=3,col=1,endLine=3,endColumn=11,\
                 title=TM020 stride-unaddressed::No threat addresses Repudiation. Could a caller deny 100%25 of it?",
                "::error file=docs/design/export%2C v2.md,line=5,col=3,endLine=5,endColumn=7,\
                 title=TM030 unmitigated-threat::Threat T1 (high) has no mitigation:%0Awhat stops it?",
                "::notice file=docs/design/export%2C v2.md,line=1,col=1,endLine=1,endColumn=5,\
                 title=TM041 security-review-recommended::Touches authentication.",
            ]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
