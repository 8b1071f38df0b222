//! TM092 document-too-large: a design doc over the size threatmark reads.

use super::{Context, RuleMeta};
use crate::finding::{Finding, Level};
use crate::span::TextRange;

/// The largest document threatmark reads: far above any design doc written by hand
/// (the largest of 657 real ones is under 1 MiB), low enough that a generated or pasted
/// file cannot stall a CI run or the editor.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

pub const META: RuleMeta = RuleMeta {
    code: "TM092",
    name: "document-too-large",
    default_level: Level::Warning,
    summary: "A design doc is larger than threatmark reads, so it was not checked.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Fires once, at the start of the file, on a design doc larger than 16 MiB. Such a file
is not parsed or checked at all: no other finding is reported for it. Only its path
decides whether it is a design doc (`include` / `exclude`); other markdown of that size
is skipped silently.

## Why does it matter?
No design doc written by people is that large: it is generated output, a log or a
paste gone wrong. Reading it would stall the CI run or the editor for everyone, and
nothing in it would be a threat model anyway.

## Example
A 40 MB `docs/design/export-dump.md` that a script wrote into the design folder.

## How to fix
Move the generated content out of the design docs (or `exclude` its path), and keep the
design doc itself short enough to read.
";

/// The finding for a document of `len` bytes, reported instead of every other check.
pub fn finding(len: usize) -> Finding {
    let mib = len as f64 / (1024.0 * 1024.0);
    Finding::new(
        &META,
        TextRange::empty(0),
        format!(
            "This file is {mib:.1} MiB, more than the {} MiB threatmark reads, so it was not checked. Is it really a design doc, or generated content that belongs elsewhere?",
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ),
    )
}

/// Nothing to do on a parsed document: `analyze` reports TM092 before parsing.
pub fn check(_: &Context<'_>, _: &mut Vec<Finding>) {}

#[cfg(test)]
mod tests {
    use crate::config::{Config, PathMatch};
    use crate::{Source, analyze};

    #[test]
    fn an_oversized_design_doc_gets_one_finding_and_is_not_parsed() {
        let config = Config::default();
        let text = format!("# Big\n\n## Threat model\n\n{}", "x".repeat(super::MAX_DOCUMENT_BYTES));
        assert_eq!(config.path_match("design/big.md"), PathMatch::Included);
        let a = analyze(Source { path: "design/big.md", text: &text }, &config, jiff::civil::date(2026, 11, 23));
        let codes: Vec<&str> = a.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["TM092"]);
        assert!(a.design_doc && a.document.sections.is_empty());
        // Other markdown of that size is skipped without a finding.
        let a = analyze(Source { path: "notes/big.md", text: &text }, &config, jiff::civil::date(2026, 11, 23));
        assert!(!a.design_doc && a.findings.is_empty());
    }
}
