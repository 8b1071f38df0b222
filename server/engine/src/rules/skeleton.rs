//! Threat-model skeletons built from the templates (knowledge data), for TM001 and TM002.

use super::Context;
use crate::document::SectionKind;
use crate::knowledge::templates;

/// The skeleton of one subsection, with `hashes` as its heading marks, in the document's
/// line endings. Ends with one line break.
pub fn subsection(cx: &Context<'_>, kind: SectionKind, hashes: &str) -> String {
    let body = templates()
        .subsection(kind.id(), hashes, cx.methodology)
        .unwrap_or_default();
    let body = format!("{}\n", body.trim_end_matches('\n'));
    match super::edits::eol(cx.text) {
        "\n" => body,
        nl => body.replace('\n', nl),
    }
}

/// The whole threat model: its heading and every subsection the doc lacks (review
/// included), each separated by a blank line.
pub fn threat_model(cx: &Context<'_>, container_level: u8) -> String {
    let nl = super::edits::eol(cx.text);
    let container_hashes = "#".repeat(usize::from(container_level.clamp(1, 6)));
    let sub_hashes = "#".repeat(usize::from(container_level.saturating_add(1).min(6)));
    let heading_text = templates()
        .threat_model_heading
        .trim_start_matches('#')
        .trim()
        .to_string();
    let mut out = format!("{container_hashes} {heading_text}{nl}");
    for kind in SectionKind::REQUIRED
        .into_iter()
        .chain([SectionKind::Review])
    {
        if cx.doc.section_index(kind).is_some() {
            continue;
        }
        out.push_str(nl);
        out.push_str(&subsection(cx, kind, &sub_hashes));
    }
    out
}
