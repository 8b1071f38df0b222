//! The data-flow diagram model (SPEC §4.6): the elements, flows and trust boundaries of a
//! mermaid flowchart, read through the project's tree-sitter grammar
//! (`grammars/tree-sitter-dfd`).
//!
//! Positions are byte ranges into the whole document, even for a block inside a list
//! item or blockquote: the parser is fed the block's included ranges.

use crate::span::TextRange;

pub mod coverage;
mod lower;

pub use lower::{clean_label, read};

/// What a diagram node stands for in STRIDE-per-element terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementKind {
    Process,
    DataStore,
    ExternalEntity,
}

impl ElementKind {
    /// The id of this kind in `knowledge/stride.toml`'s `[[element]]` tables.
    pub fn knowledge_id(self) -> &'static str {
        match self {
            ElementKind::Process => "process",
            ElementKind::DataStore => "data_store",
            ElementKind::ExternalEntity => "external_entity",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ElementKind::Process => "process",
            ElementKind::DataStore => "data store",
            ElementKind::ExternalEntity => "external entity",
        }
    }
}

/// One node of the flowchart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The node id as written (`db` in `db[(Orders DB)]`).
    pub id: String,
    /// The label text without shape brackets, quotes or backticks; the id when the node has
    /// no label.
    pub label: String,
    pub kind: ElementKind,
    /// The declaration with its shape (`db[(Orders DB)]`), else the first mention.
    pub range: TextRange,
    /// Every place the id is written in the diagram: declarations, edge ends, `class`,
    /// `style` and `click` statements. Rename edits these.
    pub id_ranges: Vec<TextRange>,
    /// Index into `Diagram::boundaries` of the innermost subgraph holding the node.
    pub boundary: Option<usize>,
    /// Class names from `:::name` and `class a,b name`.
    pub classes: Vec<String>,
}

/// One edge: data moving between two elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFlow {
    /// Indices into `Diagram::elements`.
    pub from: usize,
    pub to: usize,
    pub label: Option<String>,
    /// From the start of the source node reference to the end of the target reference.
    pub range: TextRange,
    /// Whether the arrow points both ways (`<-->`).
    pub bidirectional: bool,
    /// Whether the two ends are not in the same innermost subgraph.
    pub crosses_boundary: bool,
}

/// A subgraph: everything inside shares a level of trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustBoundary {
    pub id: String,
    /// `subgraph vpc [Payments VPC]` → "Payments VPC"; the id when untitled.
    pub title: String,
    /// From `subgraph` to its `end`.
    pub range: TextRange,
    pub id_range: TextRange,
    /// The enclosing subgraph, for nested boundaries.
    pub parent: Option<usize>,
}

/// A place the grammar could not read (TM060).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
}

/// One mermaid flowchart of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    /// Index into `Document::mermaid`.
    pub block: usize,
    pub elements: Vec<Element>,
    pub flows: Vec<DataFlow>,
    pub boundaries: Vec<TrustBoundary>,
    pub errors: Vec<SyntaxError>,
}

impl Diagram {
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// Whether a data flow touching element `index` crosses a trust boundary.
    pub fn on_boundary(&self, index: usize) -> bool {
        self.flows
            .iter()
            .any(|f| f.crosses_boundary && (f.from == index || f.to == index))
    }

    /// A readable name for flow `index`: "Browser → API".
    pub fn flow_name(&self, index: usize) -> String {
        let Some(flow) = self.flows.get(index) else {
            return String::new();
        };
        let name = |i: usize| self.elements.get(i).map_or("?", |e| e.label.as_str());
        format!("{} → {}", name(flow.from), name(flow.to))
    }
}
