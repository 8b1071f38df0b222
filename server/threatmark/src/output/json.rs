//! `check --format json`: the shape of SPEC §8.1, schema version 1.
//!
//! Every file that was read is listed; one that is no design doc has `"design_doc":
//! false`, no `risk` and no findings. `title` is always present (`null` when the doc has
//! no heading), so that a reader need not test for the key.

use super::Summary;
use crate::record::{EditRecord, FileReport, FindingRecord, FixRecord};
use serde::Serialize;
use threatmark_engine::{Applicability, FindingData};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: Summary,
}

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

pub fn render(reports: &[FileReport]) -> String {
    let mut bytes = Vec::new();
    // Writing into a Vec fails only where serializing fails (see `write`).
    if write(reports, &mut bytes).is_err() {
        bytes.clear();
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`render`] straight into `out`: `check` streams its report to stdout rather than
/// building it in memory first (hundreds of MB for a large corpus, most of the peak RSS).
pub fn write(reports: &[FileReport], out: &mut impl std::io::Write) -> std::io::Result<()> {
    let output = Output {
        version: VERSION,
        files: reports.iter().map(file).collect(),
        summary: Summary::of(reports),
    };
    match serde_json::to_writer_pretty(&mut *out, &output) {
        Ok(()) => {}
        Err(e) => match e.io_error_kind() {
            Some(kind) => return Err(std::io::Error::new(kind, e)),
            // Only a map with non-string keys fails to serialize; none of the types above
            // has one. Still, a broken promise must not become a panic.
            None => write!(
                out,
                "{{\"version\": {VERSION}, \"error\": {:?}}}",
                e.to_string()
            )?,
        },
    }
    out.write_all(b"\n")
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
    use crate::output::fixtures;
    use serde_json::{Value, json};

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
