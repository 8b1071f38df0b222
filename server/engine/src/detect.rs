//! Which markdown files are design docs (SPEC §3).

use crate::config::{Config, PathMatch};
use crate::document::{Document, SectionKind};

/// Whether the document at `path` (workspace-relative, `/`-separated) is a design doc.
///
/// Exclusion wins over everything: an `exclude` glob or `threatmark: off`. Then a design
/// doc is one whose path matches `include`, whose front matter marks it, or which has a
/// heading naming a threat model with a multi-word alias (a bare `## Security` does not
/// make a README a design doc).
pub fn is_design_doc(path: &str, doc: &Document, config: &Config) -> bool {
    let fm = doc.front_matter.as_ref();
    if fm.is_some_and(|fm| fm.threatmark_off) {
        return false;
    }
    match config.path_match(path) {
        PathMatch::Excluded => return false,
        PathMatch::Included => return true,
        PathMatch::NotMatched => {}
    }
    if let Some(fm) = fm {
        let typed = fm
            .doc_type
            .as_ref()
            .is_some_and(|t| t.value.eq_ignore_ascii_case("design"));
        if typed || fm.sdd || fm.threat_model_key.is_some() {
            return true;
        }
    }
    doc.sections
        .iter()
        .any(|s| s.kind == Some(SectionKind::ThreatModel) && s.matched_multi_word)
}
