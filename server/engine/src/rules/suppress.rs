//! Applies suppression comments to raw findings.

use crate::document::Document;
use crate::finding::Finding;

/// Codes whose findings are about suppressions themselves and cannot be silenced.
const UNSUPPRESSIBLE: &[&str] = &["TM091"];

/// Drops findings a justified suppression silences; returns the rest in document order
/// and how many were silenced.
pub fn apply(text: &str, doc: &Document, mut findings: Vec<Finding>) -> (Vec<Finding>, usize) {
    let _ = text;
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    let before = findings.len();
    findings.retain(|f| {
        UNSUPPRESSIBLE.contains(&f.code)
            || !doc
                .suppressions
                .iter()
                .any(|s| s.silences(f.code, f.range.start))
    });
    let suppressed = before - findings.len();
    (findings, suppressed)
}
