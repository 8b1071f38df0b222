//! Code actions: each finding's fixes as quick fixes bound to its diagnostic, plus
//! "Suppress TMxxx here…" (SPEC §5.1),
//! `source.fixAll.threatmark` (the safe fixes, in rounds, as `check --fix` applies them)
//! and the refactor "Generate threat rows from diagram".
//!
//! Edits name the document version they were computed for, so a client applies them only
//! to that text; in a CRLF document inserted lines end with `\r\n`. `fixAll` returns a
//! line diff between the text and the fixed text, so it touches only the lines the fixes
//! change.

use super::analysis::Analyzed;
use super::diagnostics::SOURCE;
use super::encoding::Positions;
use std::collections::HashMap;
use threatmark_engine::line_index::LineIndex;
use threatmark_engine::{Applicability, Finding, Fix, fix, ide};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, Command, Diagnostic, DocumentChanges, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit, WorkspaceEdit,
};

pub const FIX_ALL: &str = "source.fixAll.threatmark";
/// The command a suppression's quick fix runs: select a range (`[uri, range]`).
pub const SELECT_RANGE: &str = "threatmark.selectRange";
pub const GENERATE_ROWS: &str = "refactor.rewrite.threatmark.generateThreatRows";

/// The quick fixes for the client's diagnostics that are still this version's findings.
pub fn quick_fixes(
    a: &Analyzed,
    diagnostics: &[Diagnostic],
    document_changes: bool,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for d in diagnostics {
        let Some(finding) = finding_of(a, d) else {
            continue;
        };
        let mut preferred_given = false;
        for fix in finding.fixes.iter().filter(|f| !f.edits.is_empty()) {
            // The first safe fix is the one `check --fix` applies: the editor's default.
            let preferred = fix.applicability == Applicability::Safe && !preferred_given;
            preferred_given |= preferred;
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(a, fix_edits(a, fix), document_changes)),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            });
        }
        if let Some(suppress) = ide::suppress_fix(&a.analysis, &a.text, finding) {
            // After the edit, select the `reason` placeholder for the writer to type over
            // (LSP 3.17 has no snippet edits in code actions; the client runs the command
            // and the server answers with `window/showDocument`).
            let fixed = apply(&a.text, &suppress.fix.edits);
            let index = LineIndex::new(&fixed);
            let after = Positions {
                text: &fixed,
                index: &index,
                encoding: a.encoding,
            };
            let select = Command {
                title: "Select the reason".into(),
                command: SELECT_RANGE.into(),
                arguments: Some(vec![
                    serde_json::json!(a.uri.as_str()),
                    serde_json::to_value(after.range(suppress.placeholder)).unwrap_or_default(),
                ]),
            };
            actions.push(CodeAction {
                title: suppress.fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(a, fix_edits(a, &suppress.fix), document_changes)),
                command: Some(select),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
    }
    actions
}

/// `text` with `edits` (disjoint byte ranges) applied.
fn apply(text: &str, edits: &[threatmark_engine::Edit]) -> String {
    let mut sorted: Vec<&threatmark_engine::Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in sorted {
        if e.range.start < at || e.range.end > text.len() {
            continue;
        }
        out.push_str(text.get(at..e.range.start).unwrap_or_default());
        out.push_str(&e.new_text);
        at = e.range.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// The finding a client's diagnostic stands for in this analysis: by the version and
/// index in its `data` when they match, else by code and range. A diagnostic of an
/// older text that no longer matches gets no fix: its edits would land in the wrong place.
pub fn finding_of<'a>(a: &'a Analyzed, d: &Diagnostic) -> Option<&'a Finding> {
    if d.source.as_deref() != Some(SOURCE) {
        return None;
    }
    let Some(NumberOrString::String(code)) = &d.code else {
        return None;
    };
    let positions = a.positions();
    let same = |f: &Finding| f.code == code && positions.range(f.range) == d.range;
    let data = d.data.as_ref();
    let version = data.and_then(|v| v.get("version")).and_then(|v| v.as_i64());
    let index = data.and_then(|v| v.get("finding")).and_then(|v| v.as_u64());
    let by_data = match (version, index) {
        (Some(v), Some(i)) if v == i64::from(a.version) => usize::try_from(i)
            .ok()
            .and_then(|i| a.analysis.findings.get(i))
            .filter(|f| same(f)),
        _ => None,
    };
    by_data.or_else(|| a.analysis.findings.iter().find(|f| same(f)))
}

/// `source.fixAll.threatmark`: every safe fix, round after round; `None` when there is
/// none.
pub fn fix_all(a: &Analyzed, document_changes: bool) -> Option<CodeAction> {
    let (fixed, _, applied) = fix::fix_all(
        a.text.clone(),
        a.analysis.clone(),
        |analysis| &analysis.findings,
        |text| a.reanalyze(text),
    );
    if applied == 0 || fixed == a.text {
        return None;
    }
    let edits = line_diff(a, &fixed);
    let title = if applied == 1 {
        "Fix 1 threatmark finding".to_string()
    } else {
        format!("Fix {applied} threatmark findings")
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(edit(a, edits, document_changes)),
        ..CodeAction::default()
    })
}

/// The refactor "Generate threat rows from diagram": a placeholder threat for every
/// diagram element and flow and every STRIDE-per-element category no threat covers yet.
pub fn generate_threat_rows(a: &Analyzed, document_changes: bool) -> Option<CodeAction> {
    if !a.analysis.design_doc {
        return None;
    }
    let fix =
        threatmark_engine::generate_threat_rows(&a.text, &a.analysis.document, &a.config, a.today)?;
    Some(CodeAction {
        title: "Generate threat rows from diagram".into(),
        kind: Some(CodeActionKind::new(GENERATE_ROWS)),
        edit: Some(edit(a, fix_edits(a, &fix), document_changes)),
        ..CodeAction::default()
    })
}

/// The changed lines between the analysed text and `new`, as edits of the former.
fn line_diff(a: &Analyzed, new: &str) -> Vec<TextEdit> {
    let diff = similar::TextDiff::from_lines(a.text.as_str(), new);
    let offsets = |slices: &[&str]| -> Vec<usize> {
        std::iter::once(0)
            .chain(slices.iter().scan(0, |at, s| {
                *at += s.len();
                Some(*at)
            }))
            .collect()
    };
    let old_at = offsets(diff.old_slices());
    let new_lines = diff.new_slices();
    let positions = a.positions();
    let eol = line_ending(&a.text);
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .filter_map(|op| {
            // The ranges of a diff op lie inside the slices it was computed from.
            let old = op.old_range();
            let range =
                threatmark_engine::TextRange::new(*old_at.get(old.start)?, *old_at.get(old.end)?);
            let new_text = new_lines.get(op.new_range())?.concat();
            Some(TextEdit {
                range: positions.range(range),
                new_text: with_line_ending(&new_text, eol),
            })
        })
        .collect()
}

fn fix_edits(a: &Analyzed, fix: &Fix) -> Vec<TextEdit> {
    let positions = a.positions();
    let eol = line_ending(&a.text);
    fix.edits
        .iter()
        .map(|e| TextEdit {
            range: positions.range(e.range),
            new_text: with_line_ending(&e.new_text, eol),
        })
        .collect()
}

/// A workspace edit of this document, bound to its version when the client supports it.
pub fn edit(a: &Analyzed, edits: Vec<TextEdit>, document_changes: bool) -> WorkspaceEdit {
    if document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: a.uri.clone(),
                    version: Some(a.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(a.uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// `\r\n` when the document's first line ends so, else `\n`.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// The engine writes `\n`; a CRLF document gets `\r\n`.
fn with_line_ending(text: &str, eol: &str) -> String {
    if eol == "\n" {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous = '\0';
    for c in text.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// Whether a request's `only` filter admits actions of `kind`.
pub fn wanted(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    match only {
        None => true,
        Some(kinds) => kinds.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        }),
    }
}

/// Ranges overlap or touch (an empty range at a diagnostic's edge counts).
pub fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}
