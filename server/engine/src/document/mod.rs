//! The design-doc model: what a document says about its threat model, with byte ranges.
//!
//! Built in one pass over the markdown blocks (`markdown`), then read section by section.
//! Parsing never fails: what cannot be read is left out or becomes a finding later.

pub mod assets;
pub mod columns;
pub mod front_matter;
pub mod ids;
pub mod markdown;
pub mod mitigations;
pub mod not_applicable;
pub mod sections;
pub mod suppressions;
pub mod threats;

pub use assets::{Asset, AssetInventory};
pub use front_matter::FrontMatter;
pub use markdown::{Block, Blocks, Heading};
pub use mitigations::Mitigation;
pub use not_applicable::NotApplicable;
pub use sections::{Section, SectionKind};
pub use suppressions::{Suppression, SuppressionScope};
pub use threats::{Threat, ThreatShape};

use crate::config::Config;
use crate::span::{Spanned, TextRange};

/// A mermaid code block and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MermaidBlock {
    pub range: TextRange,
    /// The block's content as the ranges the markdown parser included (exact positions
    /// even inside list items and blockquotes).
    pub content: Vec<TextRange>,
    /// Whether the first statement is a `flowchart`/`graph` header.
    pub is_flowchart: bool,
    /// Index into `Document::sections` of the innermost section holding the block.
    pub section: Option<usize>,
}

/// A link to a local markdown file (for threat models kept in a separate file, SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalLink {
    /// The link target without any `#fragment`, as written (relative to the doc's folder).
    pub target: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub text_len: usize,
    pub front_matter: Option<FrontMatter>,
    pub blocks: Vec<Block>,
    /// Every heading, in order (indexes into `blocks` are not needed by rules).
    pub headings: Vec<Heading>,
    /// One entry per heading, in order, with its recognized kind and extent.
    pub sections: Vec<Section>,
    /// Index into `sections` of the threat-model container, if any.
    pub threat_model: Option<usize>,
    pub assets: AssetInventory,
    pub threats: Vec<Threat>,
    pub mitigations: mitigations::MitigationList,
    pub not_applicable: Vec<NotApplicable>,
    pub suppressions: Vec<Suppression>,
    pub mermaid: Vec<MermaidBlock>,
    /// The flowcharts among `mermaid`, read as data-flow diagrams.
    pub diagrams: Vec<crate::diagram::Diagram>,
    pub links: Vec<LocalLink>,
    /// A `Last reviewed: YYYY-MM-DD` line inside the threat-model section.
    pub last_reviewed_line: Option<Spanned<String>>,
}

impl Document {
    pub fn parse(text: &str, config: &Config) -> Document {
        let mut parsed = markdown::parse_blocks(text);
        promote_bold_category_paragraphs(text, &mut parsed.blocks);
        let mut doc = Document {
            text_len: text.len(),
            ..Document::default()
        };

        doc.front_matter = parsed
            .front_matter
            .map(|(whole, yaml)| front_matter::parse(text, whole, yaml));
        doc.headings = parsed
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::Heading(h) = b {
                    Some(h.clone())
                } else {
                    None
                }
            })
            .collect();
        doc.sections = sections::build(text, &doc.headings, config);
        doc.threat_model = sections::threat_model_index(&doc.sections);
        doc.blocks = parsed.blocks;

        doc.mermaid = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Code(c) if c.lang == "mermaid" => Some(MermaidBlock {
                    range: c.range,
                    is_flowchart: is_flowchart(text, &c.content),
                    section: sections::innermost_at(&doc.sections, c.range.start),
                    content: c.content.clone(),
                }),
                _ => None,
            })
            .collect();
        doc.diagrams = doc
            .mermaid
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_flowchart)
            .map(|(i, b)| crate::diagram::read(text, i, &b.content, config))
            .collect();
        doc.links = parsed
            .links
            .into_iter()
            .filter_map(|l| {
                local_markdown_target(&l.dest).map(|target| LocalLink {
                    target,
                    range: l.range,
                })
            })
            .collect();

        doc.assets = assets::read(text, &doc, config);
        doc.mitigations = mitigations::read(text, &doc);
        doc.threats = threats::read(text, &doc, config);
        doc.not_applicable = not_applicable::read(text, &doc);
        doc.suppressions = suppressions::read(text, &doc);
        doc.last_reviewed_line = sections::last_reviewed_line(text, &doc);
        doc
    }

    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.section_index(kind).and_then(|i| self.sections.get(i))
    }

    /// The section of `kind` that counts: inside the threat model when there is one,
    /// else the first anywhere (SPEC §4).
    pub fn section_index(&self, kind: SectionKind) -> Option<usize> {
        if kind == SectionKind::ThreatModel {
            return self.threat_model;
        }
        let within = |s: &Section| match self.threat_model.and_then(|i| self.sections.get(i)) {
            Some(tm) => tm.range.covers(s.range),
            None => true,
        };
        self.sections
            .iter()
            .position(|s| s.kind == Some(kind) && within(s))
    }

    /// The section threats are read from: the threat model, else the threats section.
    pub fn threat_region(&self) -> Option<&Section> {
        self.threat_region_index()
            .and_then(|i| self.sections.get(i))
    }

    pub fn threat_region_index(&self) -> Option<usize> {
        self.threat_model
            .or_else(|| self.section_index(SectionKind::Threats))
    }

    /// A section's own body: from after its heading to its first sub-heading.
    pub fn own_body(&self, section_index: usize) -> TextRange {
        let Some(s) = self.sections.get(section_index) else {
            return TextRange::default();
        };
        let end = self
            .sections
            .iter()
            .skip(section_index + 1)
            .find(|c| c.parent == Some(section_index))
            .map_or(s.range.end, |c| c.heading_range.start);
        TextRange::new(s.body.start.min(end), end)
    }

    /// The blocks whose start lies inside `range`, in order.
    pub fn blocks_in(&self, range: TextRange) -> impl Iterator<Item = &Block> {
        let first = self
            .blocks
            .partition_point(|b| b.range().start < range.start);
        self.blocks[first..]
            .iter()
            .take_while(move |b| b.range().start < range.end)
    }

    /// The document's title: front-matter `title`, else the first level-1 heading.
    pub fn title(&self) -> Option<String> {
        if let Some(t) = self.front_matter.as_ref().and_then(|fm| fm.title.as_ref()) {
            return Some(t.value.clone());
        }
        self.title_heading().map(|h| h.text.clone())
    }

    /// The first level-1 heading (else the first heading), where doc-level findings go.
    pub fn title_heading(&self) -> Option<&Heading> {
        self.headings
            .iter()
            .find(|h| h.level == 1)
            .or(self.headings.first())
    }

    /// Whether a mermaid flowchart stands where SPEC §4 says a diagram counts.
    pub fn has_diagram(&self) -> bool {
        self.mermaid.iter().any(|m| {
            m.is_flowchart
                && m.section.is_some_and(|mut i| {
                    loop {
                        let Some(s) = self.sections.get(i) else {
                            break false;
                        };
                        if s.hosts_diagram
                            || matches!(
                                s.kind,
                                Some(SectionKind::Diagram | SectionKind::ThreatModel)
                            )
                        {
                            break true;
                        }
                        match s.parent {
                            Some(p) => i = p,
                            None => break false,
                        }
                    }
                })
        })
    }
}

/// Some threat models name their STRIDE categories in bold paragraphs instead of
/// headings (`**1. Spoofing**`). Such a paragraph becomes a heading one level below the
/// last real heading, so it opens a category section like `## Spoofing` would.
fn promote_bold_category_paragraphs(text: &str, blocks: &mut [Block]) {
    let mut last_level = 1u8;
    for block in blocks.iter_mut() {
        match block {
            Block::Heading(h) => last_level = h.level,
            Block::Paragraph(p) if !p.in_list_item && !p.in_blockquote => {
                let raw = p.range.slice(text).trim();
                let inner = raw
                    .strip_prefix("**")
                    .and_then(|r| r.strip_suffix("**"))
                    .or_else(|| raw.strip_prefix("__").and_then(|r| r.strip_suffix("__")));
                let Some(inner) = inner.filter(|i| !i.contains(['*', '\n'])) else {
                    continue;
                };
                if sections::category_heading(inner).is_empty() {
                    continue;
                }
                *block = Block::Heading(Heading {
                    level: last_level.saturating_add(1).min(6),
                    range: p.range,
                    text: inner.trim().to_string(),
                });
            }
            _ => {}
        }
    }
}

fn is_flowchart(text: &str, content: &[TextRange]) -> bool {
    content
        .iter()
        .flat_map(|r| r.slice(text).lines())
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%") && *l != "---")
        .is_some_and(|l| {
            let first = l.split_whitespace().next().unwrap_or("");
            first.eq_ignore_ascii_case("flowchart") || first.eq_ignore_ascii_case("graph")
        })
}

fn local_markdown_target(dest: &str) -> Option<String> {
    if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with('#') {
        return None;
    }
    let path = dest.split('#').next().unwrap_or(dest);
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".md") || lower.ends_with(".markdown")).then(|| path.to_string())
}
