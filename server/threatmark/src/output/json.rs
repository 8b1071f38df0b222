//! `check --format json`: the shape of SPEC §8.1, schema version 1.
//!
//! Every file that was read is listed; one that is no design doc has `"design_doc":
//! false`, no `risk` and no findings. `title` is always present (`null` when the doc has
//! no heading), so that a reader need not test for the key.

use super::{Summary, pretty_at};
use crate::record::{EditRecord, FileReport, FindingRecord, FixRecord};
use serde::Serialize;
use std::io::{self, Write};
use threatmark_engine::{Applicability, FindingData};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    design_doc: bool,
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    risk: Option<Risk<'a>>,
    suppressed: usize,
    findings: Vec<Finding<'a>>,
}

#[derive(Serialize)]
struct Risk<'a> {
    tier: &'static str,
    topics: &'a [String],
    activities: &'a [String],
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    name: &'static str,
    level: &'static str,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    data: &'a FindingData,
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Edit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    new_text: &'a str,
}

/// The document up to its `files` array's opening bracket. The document is written as
/// serde_json's pretty printer writes `{version, files, summary}`, a file at a time.
pub(super) fn write_head(out: &mut impl Write) -> io::Result<()> {
    write!(out, "{{\n  \"version\": {VERSION},\n  \"files\": [")
}

/// One element of the `files` array, with the line break and indent before it.
pub(super) fn render_file(report: &FileReport, out: &mut Vec<u8>) {
    // About what a file takes (fixes hold most of it), so that the buffer seldom grows.
    let estimate: usize = report
        .findings
        .iter()
        .flat_map(|f| &f.fixes)
        .flat_map(|fix| &fix.edits)
        .map(|e| 2 * e.new_text.len() + 300)
        .sum::<usize>()
        + report
            .findings
            .iter()
            .map(|f| f.message.len() + 600)
            .sum::<usize>()
        + 300;
    out.reserve(estimate);
    out.extend_from_slice(b"\n    ");
    let start = out.len();
    if let Err(e) = pretty_at(&file(report), 2, out) {
        // Only a map with non-string keys fails to serialize; none of the types here has
        // one. Still, a broken promise must not become a panic, nor invalid JSON.
        out.truncate(start);
        let text = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let error = format!(
            "{{\"path\": {}, \"error\": {}}}",
            text(&report.path),
            text(&e.to_string())
        );
        out.extend_from_slice(error.as_bytes());
    }
}

/// The end of the `files` array (`elements`: whether it has any), the summary, and the
/// final line break.
pub(super) fn write_tail(
    out: &mut impl Write,
    elements: bool,
    summary: &Summary,
) -> io::Result<()> {
    out.write_all(if elements { b"\n  ]" } else { b"]" })?;
    out.write_all(b",\n  \"summary\": ")?;
    let mut bytes = Vec::new();
    pretty_at(summary, 1, &mut bytes).map_err(io::Error::other)?;
    out.write_all(&bytes)?;
    out.write_all(b"\n}\n")
}

fn file(r: &FileReport) -> File<'_> {
    File {
        path: &r.path,
        design_doc: r.design_doc,
        title: r.title.as_deref(),
        risk: r.risk.as_ref().filter(|_| r.design_doc).map(|risk| Risk {
            tier: risk.tier.as_str(),
            topics: &risk.topics,
            activities: &risk.activities,
        }),
        suppressed: r.suppressed,
        findings: r.findings.iter().map(finding).collect(),
    }
}

fn finding(f: &FindingRecord) -> Finding<'_> {
    Finding {
        code: f.code,
        name: f.name,
        level: f.level.as_str(),
        message: &f.message,
        line: f.start.line,
        column: f.start.column,
        end_line: f.end.line,
        end_column: f.end.column,
        data: &f.data,
        fixes: f.fixes.iter().map(fix).collect(),
    }
}

fn fix(f: &FixRecord) -> Fix<'_> {
    Fix {
        title: &f.title,
        applicability: f.applicability,
        edits: f.edits.iter().map(edit).collect(),
    }
}

fn edit(e: &EditRecord) -> Edit<'_> {
    Edit {
        line: e.start.line,
        column: e.start.column,
        end_line: e.end.line,
        end_column: e.end.column,
        new_text: &e.new_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Format;
    use crate::output::{HumanOptions, Tally, fixtures};
    use serde_json::{Value, json};

    fn render(reports: &[FileReport]) -> String {
        crate::output::render(Format::Json, reports, HumanOptions::default())
    }

    /// The whole document as serde_json prints it in one go: what the streamed document
    /// must equal byte for byte.
    fn whole(reports: &[FileReport]) -> String {
        #[derive(Serialize)]
        struct Output<'a> {
            version: u32,
            files: Vec<File<'a>>,
            summary: Summary,
        }
        let output = Output {
            version: VERSION,
            files: reports.iter().map(file).collect(),
            summary: Tally::of_all(reports).summary,
        };
        serde_json::to_string_pretty(&output).unwrap_or_default() + "\n"
    }

    #[test]
    fn streamed_equals_printed_whole() {
        let reports = fixtures::reports();
        for n in 0..=reports.len() {
            assert_eq!(render(&reports[..n]), whole(&reports[..n]), "{n} files");
        }
    }

    #[test]
    fn the_shape_of_spec_8_1() {
        let out: Value = serde_json::from_str(&render(&fixtures::reports())).unwrap_or_default();
        assert_eq!(out["version"], 1);
        // Key sets, compared sorted: serde_json's map may not keep the order.
        let keys = |v: &Value| {
            let mut k = v
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| {
            let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&out), sorted(&["version", "files", "summary"]));
        let readme = &out["files"][0];
        assert_eq!(
            keys(readme),
            sorted(&["path", "design_doc", "title", "suppressed", "findings"])
        );
        assert_eq!(readme["design_doc"], false);
        assert_eq!(readme["findings"], json!([]));
        let doc = &out["files"][1];
        assert_eq!(
            keys(doc),
            sorted(&[
                "path",
                "design_doc",
                "title",
                "risk",
                "suppressed",
                "findings"
            ])
        );
        assert_eq!(doc["path"], "docs/design/export, v2.md");
        assert_eq!(
            doc["risk"],
            json!({"tier": "high", "topics": ["authentication", "payment_data"], "activities": ["security review"]})
        );
        let f = &doc["findings"][0];
        assert_eq!(
            keys(f),
            sorted(&[
                "code",
                "name",
                "level",
                "message",
                "line",
                "column",
                "end_line",
                "end_column",
                "data",
                "fixes"
            ])
        );
        assert_eq!(f["level"], "warning");
        assert_eq!(f["data"], json!({"category": "repudiation"}));
        assert_eq!(
            f["fixes"],
            json!([{"title": "Add a Repudiation threat row", "applicability": "safe", "edits": [
                {"line": 6, "column": 1, "end_line": 6, "end_column": 1, "new_text": "| T9 | Repudiation |\n"}
            ]}])
        );
        assert_eq!(doc["findings"][1]["data"], json!({"id": "T1"}));
        assert_eq!(
            doc["findings"][2]["data"],
            json!({"topics": ["authentication"]})
        );
        assert_eq!(
            out["summary"],
            json!({"files": 2, "design_docs": 1, "errors": 1, "warnings": 1, "infos": 1, "hints": 0, "suppressed": 1})
        );
    }

    #[test]
    fn an_empty_run_is_still_a_document() {
        let out: Value = serde_json::from_str(&render(&[])).unwrap_or_default();
        assert_eq!(out["files"], json!([]));
        assert_eq!(out["summary"]["files"], 0);
    }
}
