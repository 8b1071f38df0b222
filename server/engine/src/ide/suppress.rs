//! The "Suppress TMxxx here…" quick fix (SPEC §5.1): the right comment form for where the
//! finding stands, with a `reason` placeholder for the writer to replace.

use crate::analysis::Analysis;
use crate::document::Block;
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::span::TextRange;

use super::context::{clamp, line_at};

/// The fix, and where its `reason` placeholder stands in the text after the edit (for the
/// editor to select).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressFix {
    pub fix: Fix,
    pub placeholder: TextRange,
}

const REASON: &str = "reason";

/// A table row gets `threatmark-disable-line` inside its last cell (a comment between
/// rows would end the table); a finding in the front matter or a code block (the
/// diagram) gets `threatmark-disable` for the file after the front matter; anything else
/// gets `threatmark-disable-next-line` on its own line above, indented like the line.
/// `None` for TM091, which no suppression silences.
pub fn suppress_fix(analysis: &Analysis, text: &str, finding: &Finding) -> Option<SuppressFix> {
    if finding.code == "TM091" {
        return None;
    }
    let doc = &analysis.document;
    let at = clamp(text, finding.range.start);
    let code = finding.code;
    let nl = crate::rules::edits::eol(text);
    let in_front_matter = doc
        .front_matter
        .as_ref()
        .is_some_and(|fm| fm.range.contains(at));
    let in_code = doc
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Code(c) if c.range.contains(at)));
    if in_front_matter || in_code {
        let insert_at = doc.front_matter.as_ref().map_or(0, |fm| {
            let end = clamp(text, fm.range.end);
            // After the closing `---` line, whatever the front matter's range holds.
            if end == 0 || text[..end].ends_with('\n') {
                end
            } else {
                text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
            }
        });
        let lead = if insert_at > 0 && !text[..insert_at].ends_with('\n') {
            nl
        } else {
            ""
        };
        let comment = format!("{lead}<!-- threatmark-disable {code} -- {REASON} -->{nl}");
        return Some(build(
            format!("Suppress {code} in this file…"),
            insert_at,
            comment,
        ));
    }
    let line = line_at(text, at);
    let content = line.slice(text);
    let in_table = doc
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Table(t) if t.range.start <= at && at <= t.range.end));
    if in_table || content.trim_start().starts_with('|') {
        let trimmed_end = line.start + content.trim_end().len();
        let comment = format!("<!-- threatmark-disable-line {code} -- {REASON} -->");
        let body = &text[line.start..trimmed_end];
        let (insert_at, new_text) = match body.strip_suffix('|') {
            // Inside the last cell: before its closing pipe, after the cell's padding.
            Some(before_pipe) => {
                let pipe = line.start + before_pipe.len();
                if before_pipe.ends_with([' ', '\t']) {
                    (pipe, format!("{comment} "))
                } else {
                    (pipe, format!(" {comment} "))
                }
            }
            None => (trimmed_end, format!(" {comment}")),
        };
        return Some(build(format!("Suppress {code} here…"), insert_at, new_text));
    }
    let indent: String = content
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let comment = format!("{indent}<!-- threatmark-disable-next-line {code} -- {REASON} -->{nl}");
    Some(build(format!("Suppress {code} here…"), line.start, comment))
}

fn build(title: String, insert_at: usize, new_text: String) -> SuppressFix {
    let rel = new_text.rfind(REASON).unwrap_or(0);
    let start = insert_at + rel;
    SuppressFix {
        fix: Fix {
            title,
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(insert_at, new_text)],
        },
        placeholder: TextRange::new(start, start + REASON.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::symbols::tests::analysis;

    fn apply(text: &str, fix: &Fix) -> String {
        let mut out = text.to_string();
        for e in fix.edits.iter().rev() {
            out.replace_range(e.range.start..e.range.end, &e.new_text);
        }
        out
    }

    /// Suppresses the first finding of `code` and checks that, once the placeholder is
    /// replaced by a real reason, the finding is gone and nothing else changed.
    fn suppress(text: &str, code: &str) -> (String, TextRange) {
        let a = analysis(text);
        let f = a
            .findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:?}", a.findings));
        let s = suppress_fix(&a, text, f).unwrap_or_else(|| panic!("no fix"));
        let after = apply(text, &s.fix);
        assert_eq!(s.placeholder.slice(&after), "reason");
        let mut justified = after.clone();
        justified.replace_range(
            s.placeholder.start..s.placeholder.end,
            "decided with the platform team",
        );
        let again = analysis(&justified);
        let silenced = |g: &Finding| g.code == f.code && g.range == f.range;
        let key = |g: &Finding| (g.code, g.message.clone());
        let expected: Vec<_> = a
            .findings
            .iter()
            .filter(|g| !silenced(g))
            .map(key)
            .collect();
        let got: Vec<_> = again.findings.iter().map(key).collect();
        assert_eq!(got, expected, "{justified}");
        (after, s.placeholder)
    }

    const DOC: &str = "---\ntitle: Export\nstatus: approved\nreviewers: [mira]\n---\n\n# Export\n\n## Threat model\n\nLast reviewed: 2026-11-01\n\n### Assets\n\n| ID | Asset | Classification |\n|----|----|----|\n| A1 | Orders replica | confidential |\n| A2 | Audit log | internal |\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |\n|----|----|----|----|----|----|----|\n| T1 | STRIDE | A1 | A job writes one tenant's orders into another tenant's file | Low | Per-tenant process | Mitigated |\n\n  - an indented note about A2\n";

    #[test]
    fn a_table_row_gets_disable_line_inside_its_last_cell() {
        let (after, _) = suppress(DOC, "TM011");
        assert!(
            after.contains(
                "| A2 | Audit log | internal <!-- threatmark-disable-line TM011 -- reason --> |\n"
            ),
            "{after}"
        );
    }

    #[test]
    fn a_heading_gets_disable_next_line_above_it() {
        let text = DOC.replace("| T1 | STRIDE |", "| T1 | S |");
        let (after, _) = suppress(&text, "TM020");
        assert!(
            after
                .contains("\n<!-- threatmark-disable-next-line TM020 -- reason -->\n### Threats\n"),
            "{after}"
        );
    }

    #[test]
    fn indentation_is_kept_and_front_matter_findings_suppress_the_file() {
        let a = analysis(DOC);
        let at = DOC.find("  - an indented").unwrap_or(0) + 4;
        let f = Finding {
            code: "TM050",
            name: "placeholder-left",
            level: crate::finding::Level::Warning,
            message: String::new(),
            range: TextRange::new(at, at + 2),
            data: Default::default(),
            fixes: Vec::new(),
        };
        let s = suppress_fix(&a, DOC, &f).unwrap_or_else(|| panic!("no fix"));
        let after = apply(DOC, &s.fix);
        assert!(
            after.contains(
                "\n  <!-- threatmark-disable-next-line TM050 -- reason -->\n  - an indented"
            ),
            "{after}"
        );
        let text = DOC.replace("reviewers: [mira]\n", "");
        let (after, _) = suppress(&text, "TM042");
        assert!(
            after.contains("---\n<!-- threatmark-disable TM042 -- reason -->\n\n# Export"),
            "{after}"
        );
        let tm091 = Finding { code: "TM091", ..f };
        assert!(suppress_fix(&a, DOC, &tm091).is_none());
    }
}
