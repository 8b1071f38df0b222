//! `check --format sarif`: SARIF 2.1.0 for code-scanning dashboards.
//!
//! Every rule of the registry is in `tool.driver.rules` (with its documentation as
//! help), so a dashboard can explain a result without the tool; results point at the
//! registry by `ruleIndex`. Columns count Unicode code points (`columnKind`), as in the
//! other formats. Safe fixes are included as `fixes`.

use super::pretty_at;
use crate::record::{FileReport, FindingRecord, Position};
use serde::Serialize;
use threatmark_engine::Level;
use threatmark_engine::rules::{RULES, RuleMeta};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text,
    artifact_changes: [ArtifactChange<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: InsertedContent<'a>,
}

#[derive(Serialize)]
struct InsertedContent<'a> {
    text: &'a str,
}

/// The log up to its `results` array's opening bracket, and from its closing bracket on
/// (without the final line break). The log is written as serde_json's pretty printer
/// writes it, a file's results at a time.
pub(super) fn head_and_tail() -> (String, String) {
    let version = env!("CARGO_PKG_VERSION");
    let driver = Driver {
        name: "threatmark",
        version,
        semantic_version: version,
        information_uri: INFORMATION_URI,
        rules: RULES.iter().map(|r| rule(&r.meta)).collect(),
    };
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool { driver },
            column_kind: "unicodeCodePoints",
            results: Vec::new(),
        }],
    };
    // `results` is the last field of the one run: its empty array is the last `[]`.
    let split = serde_json::to_string_pretty(&log).ok().and_then(|text| {
        let at = text.rfind("\"results\": []")? + "\"results\": [".len();
        Some((text[..at].to_string(), text[at..].to_string()))
    });
    // None of the types above can fail to serialize; never panic if one does.
    split.unwrap_or_else(|| {
        (
            "{\"version\": \"2.1.0\", \"runs\": [{\"results\": [".to_string(),
            "]}]}".to_string(),
        )
    })
}

/// The results of one file, each with the line break and indent before it, separated
/// by commas; nothing for a file without findings.
pub(super) fn render_file(report: &FileReport, out: &mut Vec<u8>) {
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\n        ");
        let start = out.len();
        if pretty_at(&result(&report.path, f), 4, out).is_err() {
            // As in the head: cannot happen, must not panic nor break the JSON.
            out.truncate(start);
            out.extend_from_slice(b"{}");
        }
    }
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info | Level::Hint => "note",
    }
}

fn rule(meta: &RuleMeta) -> Rule {
    Rule {
        id: meta.code,
        name: meta.name,
        short_description: Text {
            text: meta.summary.to_string(),
        },
        full_description: Text {
            text: what_it_does(meta.docs).unwrap_or_else(|| meta.summary.to_string()),
        },
        help: Help {
            text: meta.docs,
            markdown: meta.docs,
        },
        default_configuration: Configuration {
            level: level(meta.default_level),
        },
    }
}

/// The paragraphs under `## What it does` in a rule's docs, joined into one line each.
fn what_it_does(docs: &str) -> Option<String> {
    let start = docs.find("## What it does")?;
    let body = &docs[start..];
    let body = body.split_once('\n').map_or("", |(_, rest)| rest);
    let end = body.find("\n## ").unwrap_or(body.len());
    let text = body[..end]
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}

fn result<'a>(path: &str, f: &'a FindingRecord) -> SarifResult<'a> {
    let fixes = f
        .safe_fix()
        .map(|fix| SarifFix {
            description: Text {
                text: fix.title.clone(),
            },
            artifact_changes: [ArtifactChange {
                artifact_location: ArtifactLocation { uri: uri(path) },
                replacements: fix
                    .edits
                    .iter()
                    .map(|e| Replacement {
                        deleted_region: region(e.start, e.end),
                        inserted_content: InsertedContent { text: &e.new_text },
                    })
                    .collect(),
            }],
        })
        .into_iter()
        .collect();
    SarifResult {
        rule_id: f.code,
        rule_index: RULES.iter().position(|r| r.meta.code == f.code),
        level: level(f.level),
        message: Text {
            text: f.message.clone(),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: uri(path) },
                region: region(f.start, f.end),
            },
        }],
        fixes,
    }
}

fn region(start: Position, end: Position) -> Region {
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// A relative URI reference for a `/`-separated path: every byte outside RFC 3986's
/// unreserved characters and `/` is percent-encoded (a space, `#`, `%`, non-ASCII).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Format;
    use crate::output::{HumanOptions, fixtures};
    use serde_json::{Value, json};

    fn render(reports: &[FileReport]) -> String {
        crate::output::render(Format::Sarif, reports, HumanOptions::default())
    }

    /// The whole log as serde_json prints it in one go: what the streamed log must equal
    /// byte for byte.
    fn whole(reports: &[FileReport]) -> String {
        let version = env!("CARGO_PKG_VERSION");
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "threatmark",
                        version,
                        semantic_version: version,
                        information_uri: INFORMATION_URI,
                        rules: RULES.iter().map(|r| rule(&r.meta)).collect(),
                    },
                },
                column_kind: "unicodeCodePoints",
                results: reports
                    .iter()
                    .flat_map(|r| r.findings.iter().map(move |f| result(&r.path, f)))
                    .collect(),
            }],
        };
        serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
    }

    #[test]
    fn streamed_equals_printed_whole() {
        let mut reports = fixtures::reports();
        // Two files with findings, one without between them.
        let mut second = reports[1].clone();
        second.path = "docs/design/z.md".into();
        reports.push(second);
        for n in 0..=reports.len() {
            assert_eq!(render(&reports[..n]), whole(&reports[..n]), "{n} files");
        }
        assert_eq!(render(&reports[1..]), whole(&reports[1..]));
    }

    #[test]
    fn the_required_fields_of_sarif_2_1_0() {
        let log: Value = serde_json::from_str(&render(&fixtures::reports())).unwrap_or_default();
        assert_eq!(log["version"], "2.1.0");
        assert!(log["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "threatmark");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        let rules = driver["rules"].as_array().cloned().unwrap_or_default();
        assert_eq!(rules.len(), RULES.len());
        for r in &rules {
            for key in ["id", "name"] {
                assert!(
                    r[key].as_str().is_some_and(|s| !s.is_empty()),
                    "{key} of {r}"
                );
            }
            for key in ["shortDescription", "fullDescription", "help"] {
                assert!(
                    r[key]["text"].as_str().is_some_and(|s| !s.is_empty()),
                    "{key} of {r}"
                );
            }
            assert!(
                ["error", "warning", "note"]
                    .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or(""))
            );
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), 3);
        let first = &results[0];
        assert_eq!(first["ruleId"], "TM020");
        assert_eq!(first["level"], "warning");
        assert_eq!(
            first["message"]["text"],
            "No threat addresses Repudiation. Could a caller deny 100% of it?"
        );
        let location = &first["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            "docs/design/export%2C%20v2.md"
        );
        assert_eq!(
            location["region"],
            json!({"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 11})
        );
        let change = &first["fixes"][0]["artifactChanges"][0];
        assert_eq!(
            change["replacements"][0]["insertedContent"]["text"],
            "| T9 | Repudiation |\n"
        );
        assert_eq!(
            change["replacements"][0]["deletedRegion"],
            json!({"startLine": 6, "startColumn": 1, "endLine": 6, "endColumn": 1})
        );
        assert_eq!(results[1]["level"], "error");
        assert!(results[1].get("fixes").is_none());
        assert_eq!(results[2]["level"], "note");
        for r in &results {
            let index = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
            assert_eq!(rules.get(index).map(|rule| &rule["id"]), Some(&r["ruleId"]));
        }
    }

    #[test]
    fn full_description_is_what_the_rule_does() {
        let docs = "## What it does\n\nFinds a\nthing.\n\nAnd more.\n\n## Why does it matter?\n\nBecause.\n";
        assert_eq!(
            what_it_does(docs).as_deref(),
            Some("Finds a thing.\n\nAnd more.")
        );
        assert_eq!(what_it_does("no headings"), None);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("docs/a b#1%.md"), "docs/a%20b%231%25.md");
        assert_eq!(uri("docs/é.md"), "docs/%C3%A9.md");
    }
}
