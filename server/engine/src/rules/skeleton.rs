//! Threat-model skeletons built from the templates (knowledge data), for TM001 and TM002.

use super::Context;
use crate::diagram::ElementKind;
use crate::document::SectionKind;
use crate::knowledge::templates;

/// The skeleton of one subsection, with `hashes` as its heading marks, in the document's
/// line endings. Ends with one line break. An assets skeleton starts from the diagram's
/// data stores, and a diagram skeleton points at a flowchart the doc already has.
pub fn subsection(cx: &Context<'_>, kind: SectionKind, hashes: &str) -> String {
    let stores = match kind {
        SectionKind::Assets => diagram_stores(cx),
        _ => Vec::new(),
    };
    let body = if kind == SectionKind::Diagram
        && let Some(section) = diagram_section_title(cx)
    {
        crate::knowledge::fill(
            &templates().diagram_reference,
            &[("level", hashes), ("section", &section)],
        )
    } else if !stores.is_empty() {
        let classification = super::edits::classification_placeholder(cx);
        let rows: Vec<(&str, &str, &str)> = stores
            .iter()
            .map(|name| (name.as_str(), "data store", classification.as_str()))
            .collect();
        templates().assets_subsection(hashes, &rows)
    } else {
        templates()
            .subsection(kind.id(), hashes, cx.methodology)
            .unwrap_or_default()
    };
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

/// The labels of the diagrams' data stores, once each, in diagram order (table cells
/// cannot hold `|` or line breaks, so those become spaces).
fn diagram_stores(cx: &Context<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in cx.doc.diagrams.iter().flat_map(|d| &d.elements) {
        let name = e.label.replace(['|', '\n', '\r'], " ");
        if e.kind == ElementKind::DataStore && seen.insert(name.to_lowercase()) {
            out.push(name);
        }
    }
    out
}

/// The title of the section holding the doc's first flowchart, when it has one.
fn diagram_section_title(cx: &Context<'_>) -> Option<String> {
    let diagram = cx.doc.diagrams.first()?;
    let section = cx.doc.mermaid.get(diagram.block)?.section?;
    let heading = cx.doc.sections.get(section)?.heading;
    let title = cx.doc.headings.get(heading)?.text.trim().to_string();
    (!title.is_empty()).then_some(title)
}
