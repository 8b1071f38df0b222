//! The engine's entry point: one source text in, its analysis out.

use crate::config::Config;
use crate::detect;
use crate::document::Document;
use crate::finding::Finding;
use crate::risk::{self, RiskAssessment};
use crate::rules::{self, Context, Facts, LinkRole};
use crate::summary::{self, DocSummary};

/// A document to analyse: its path (relative to the workspace root, `/`-separated; used
/// for design-doc detection and nothing else) and its text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone)]
pub struct Analysis {
    pub design_doc: bool,
    pub title: Option<String>,
    /// The risk tier of a design doc (SPEC §5.2); `None` for other markdown.
    pub risk: Option<RiskAssessment>,
    /// Findings in document order, at their configured levels, suppressed ones removed.
    pub findings: Vec<Finding>,
    /// How many findings suppression comments silenced.
    pub suppressed: usize,
    /// Coverage, threat counts and review state of a design doc; `None` for other
    /// markdown.
    pub summary: Option<DocSummary>,
    pub document: Document,
    /// What the rules derived from the document, kept for the editor features (hover,
    /// code lens) so that they need not derive it again; `None` when no rule ran (not a
    /// design doc, or over the size limit).
    pub facts: Option<Facts>,
}

/// Analyses one document. Pure: the same inputs always give the same output.
pub fn analyze(source: Source<'_>, config: &Config, today: jiff::civil::Date) -> Analysis {
    if source.text.len() > rules::tm092_document_too_large::MAX_DOCUMENT_BYTES {
        return too_large(source, config);
    }
    let document = Document::parse(source.text, config);
    let design_doc = detect::is_design_doc(source.path, &document, config);
    run(
        source,
        document,
        design_doc,
        LinkRole::Standalone,
        config,
        today,
    )
}

/// A document over the size limit: not parsed; a design doc (by its path alone) gets
/// TM092, unless the config turns it off.
fn too_large(source: Source<'_>, config: &Config) -> Analysis {
    let design_doc = config.path_match(source.path) == crate::config::PathMatch::Included;
    let meta = &rules::tm092_document_too_large::META;
    let findings = match config.rule_level(meta.code, meta.default_level) {
        Some(level) if design_doc => {
            let mut f = rules::tm092_document_too_large::finding(source.text.len());
            f.level = level;
            vec![f]
        }
        _ => Vec::new(),
    };
    Analysis {
        design_doc,
        title: None,
        risk: None,
        findings,
        suppressed: 0,
        summary: None,
        document: Document::default(),
        facts: None,
    }
}

/// The local markdown files a design doc links to that could hold its threat model
/// (SPEC §3): only for a design doc without a threat-model section of its own. The
/// caller resolves each target against the doc's folder, reads it, and checks it with
/// [`is_threat_model_file`].
pub fn threat_model_link_candidates(analysis: &Analysis) -> Vec<&str> {
    if !analysis.design_doc || analysis.document.threat_model.is_some() {
        return Vec::new();
    }
    analysis
        .document
        .links
        .iter()
        .map(|l| l.target.as_str())
        .collect()
}

/// Whether a file is a threat model: its first heading names one, or its front matter
/// has a `threat_model:` key.
pub fn is_threat_model_file(text: &str, config: &Config) -> bool {
    is_threat_model_document(&Document::parse(text, config))
}

/// [`is_threat_model_file`] of a document already parsed (`check` reads it off the
/// file's own analysis).
pub fn is_threat_model_document(doc: &Document) -> bool {
    doc.front_matter
        .as_ref()
        .is_some_and(|fm| fm.threat_model_key.is_some())
        || doc
            .sections
            .first()
            .is_some_and(|s| s.kind == Some(crate::document::SectionKind::ThreatModel))
}

/// Analyses a design doc together with the threat model it keeps in a linked file: the
/// design doc gets no missing-threat-model finding, and the threat model is checked as
/// one (whatever its path) with the design doc's diagram in force. Findings about the
/// threat model's content are the threat-model file's; diagram findings the design doc's.
pub fn analyze_linked(
    design: Source<'_>,
    threat_model: Source<'_>,
    config: &Config,
    today: jiff::civil::Date,
) -> (Analysis, Analysis) {
    let design_document = Document::parse(design.text, config);
    let design_has_diagram = design_document.has_diagram();
    let design_analysis = run(
        design,
        design_document,
        true,
        LinkRole::DesignWithLinkedThreatModel,
        config,
        today,
    );
    let tm_document = Document::parse(threat_model.text, config);
    let tm_analysis = run(
        threat_model,
        tm_document,
        true,
        LinkRole::ThreatModelOfDesign { design_has_diagram },
        config,
        today,
    );
    (design_analysis, tm_analysis)
}

fn run(
    source: Source<'_>,
    document: Document,
    design_doc: bool,
    link: LinkRole,
    config: &Config,
    today: jiff::civil::Date,
) -> Analysis {
    let title = document.title();
    if !design_doc {
        return Analysis {
            design_doc,
            title,
            risk: None,
            findings: Vec::new(),
            suppressed: 0,
            summary: None,
            document,
            facts: None,
        };
    }
    let methodology = config.methodology();
    let facts = Facts::new(source.text, &document, config);
    let cx = Context {
        link,
        text: source.text,
        doc: &document,
        facts: &facts,
        config,
        methodology,
        today,
    };
    let mut raw = Vec::new();
    for rule in rules::RULES {
        let Some(level) = config.rule_level(rule.meta.code, rule.meta.default_level) else {
            continue;
        };
        let start = raw.len();
        (rule.check)(&cx, &mut raw);
        for f in &mut raw[start..] {
            // A rule may raise its own level (TM030 for critical/high); the config's
            // setting wins only when it differs from the rule's default.
            if level != rule.meta.default_level {
                f.level = level;
            }
        }
    }
    let (findings, suppressed) = rules::suppress::apply(source.text, &document, raw);
    let risk = Some(risk::assess(source.text, &document, &facts, config));
    let summary = Some(summary::summarize(&document, &facts, config, today));
    Analysis {
        design_doc,
        title,
        risk,
        findings,
        suppressed,
        summary,
        document,
        facts: Some(facts),
    }
}

/// "Generate threat rows from diagram" (the editor's refactor): one placeholder threat
/// for every diagram element and flow and every STRIDE-per-element category no threat
/// covers for it yet. `None` when there is nothing to add or nowhere to add it.
pub fn generate_threat_rows(
    text: &str,
    document: &Document,
    config: &Config,
    today: jiff::civil::Date,
) -> Option<crate::finding::Fix> {
    let facts = Facts::new(text, document, config);
    let cx = Context {
        link: LinkRole::Standalone,
        text,
        doc: document,
        facts: &facts,
        config,
        methodology: config.methodology(),
        today,
    };
    rules::tm022_element_unaddressed::generate_rows(&cx)
}
