//! The tree-sitter grammar for the mermaid flowchart subset threatmark reads as a
//! data-flow diagram (SPEC §4.6).
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_dfd::LANGUAGE.into()).expect("grammar loads");
//! let tree = parser.parse("flowchart LR\n  a[Browser] -->|HTTPS| b[(DB)]\n", None).expect("parsed");
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_dfd() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for this grammar.
// SAFETY: `tree_sitter_dfd` is the language function of the parser compiled by build.rs.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_dfd) };

/// The grammar's `src/node-types.json`: every node kind and its fields.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting for mermaid flowcharts parsed with [`LANGUAGE`].
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// An injection query for the *markdown* grammar (tree-sitter-md's block grammar): it
/// hands the content of ```` ```mermaid ```` fences to this grammar, named `dfd`.
pub const INJECTIONS_QUERY: &str = include_str!("../../markdown/injections.scm");

#[cfg(test)]
mod tests;
