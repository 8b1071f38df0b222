//! Document symbols (the section tree with the threat model's assets, threats,
//! mitigations and diagram) and workspace symbols (the same, for every markdown file of
//! the workspace, filtered by the query).

use super::analysis::Analyzed;
use super::encoding::Positions;
use threatmark_engine::ide::{self, Symbol, SymbolKind as Kind};
use tower_lsp_server::ls_types::{
    DocumentSymbol, Location, OneOf, SymbolKind, Uri, WorkspaceSymbol,
};

pub fn document_symbols(a: &Analyzed) -> Vec<DocumentSymbol> {
    let positions = a.positions();
    ide::document_symbols(&a.analysis, &a.text)
        .into_iter()
        .map(|s| convert(&positions, s))
        .collect()
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
fn convert(positions: &Positions<'_>, s: Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range: positions.range(s.range),
        selection_range: positions.range(s.selection_range),
        children: Some(
            s.children
                .into_iter()
                .map(|c| convert(positions, c))
                .collect(),
        ),
    }
}

fn kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Section => SymbolKind::NAMESPACE,
        Kind::Asset => SymbolKind::OBJECT,
        Kind::Threat => SymbolKind::EVENT,
        Kind::Mitigation => SymbolKind::INTERFACE,
        Kind::Diagram => SymbolKind::PACKAGE,
        Kind::Boundary => SymbolKind::MODULE,
        Kind::Element => SymbolKind::CLASS,
        Kind::Flow => SymbolKind::FIELD,
    }
}

/// One file's symbols, flattened, that match `query` (case-insensitive, in order: every
/// character of the query appears in the name in that order, as editors filter).
pub fn workspace_symbols(
    uri: &Uri,
    positions: &Positions<'_>,
    symbols: Vec<Symbol>,
    query: &str,
    out: &mut Vec<WorkspaceSymbol>,
) {
    fn walk(
        uri: &Uri,
        positions: &Positions<'_>,
        symbols: Vec<Symbol>,
        container: Option<&str>,
        query: &str,
        out: &mut Vec<WorkspaceSymbol>,
    ) {
        for s in symbols {
            if matches(&s.name, query) {
                out.push(WorkspaceSymbol {
                    name: s.name.clone(),
                    kind: kind(s.kind),
                    tags: None,
                    container_name: container.map(str::to_string),
                    location: OneOf::Left(Location {
                        uri: uri.clone(),
                        range: positions.range(s.selection_range),
                    }),
                    data: None,
                });
            }
            walk(uri, positions, s.children, Some(&s.name), query, out);
        }
    }
    walk(uri, positions, symbols, None, query, out);
}

fn matches(name: &str, query: &str) -> bool {
    let mut name = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .all(|q| name.any(|n| n == q))
}

/// The symbols of the workspace's markdown files that are not open (open ones come from
/// the editor's text). Blocking: run it with `spawn_blocking`.
pub fn disk_symbols(
    root: &std::path::Path,
    config: &std::sync::Arc<threatmark_engine::Config>,
    encoding: threatmark_engine::line_index::WideEncoding,
    open: &std::collections::HashSet<std::path::PathBuf>,
    query: &str,
) -> Vec<WorkspaceSymbol> {
    use crate::walk;
    let Ok((targets, _)) = walk::collect(&[root.to_path_buf()], root, root) else {
        return Vec::new();
    };
    let today = super::analysis::today();
    let mut out = Vec::new();
    for t in targets {
        let path = walk::normalize(&root.join(&t.path));
        if open.contains(&path) {
            continue;
        }
        let (Some(uri), Ok(bytes)) = (Uri::from_file_path(&path), std::fs::read(&path)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let source = threatmark_engine::Source {
            path: &t.engine_path,
            text,
        };
        let analysis = threatmark_engine::analyze(source, config, today);
        let index = threatmark_engine::line_index::LineIndex::new(text);
        let positions = Positions {
            text,
            index: &index,
            encoding,
        };
        let symbols = ide::document_symbols(&analysis, text);
        workspace_symbols(&uri, &positions, symbols, query, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_match_in_order_ignoring_case() {
        assert!(matches("T4 Replayed signing request", "t4"));
        assert!(matches("T4 Replayed signing request", "replay req"));
        assert!(matches("anything", ""));
        assert!(!matches("A1 Ledger", "a2"));
    }
}
