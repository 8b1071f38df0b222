//! Go to definition, find references and rename for asset, threat and mitigation ids:
//! the engine finds them (inventory, table cells, list references, diagram nodes); this
//! module turns its byte ranges into locations and edits.

use super::actions;
use super::analysis::Analyzed;
use threatmark_engine::ide;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    Location, Position, PrepareRenameResponse, TextEdit, WorkspaceEdit,
};

pub fn definition(a: &Analyzed, position: Position) -> Option<Location> {
    let positions = a.positions();
    let range = ide::definition(&a.analysis, &a.text, positions.offset(position))?;
    Some(Location {
        uri: a.uri.clone(),
        range: positions.range(range),
    })
}

pub fn references(a: &Analyzed, position: Position, include_declaration: bool) -> Vec<Location> {
    let positions = a.positions();
    let offset = positions.offset(position);
    ide::references(&a.analysis, &a.text, offset, include_declaration)
        .into_iter()
        .map(|range| Location {
            uri: a.uri.clone(),
            range: positions.range(range),
        })
        .collect()
}

pub fn prepare_rename(a: &Analyzed, position: Position) -> Option<PrepareRenameResponse> {
    let positions = a.positions();
    let range = ide::prepare_rename(&a.analysis, &a.text, positions.offset(position))?;
    Some(PrepareRenameResponse::Range(positions.range(range)))
}

/// The rename's edits, bound to the version they were computed for; a refused rename
/// (a new id of the wrong shape, or one already in use) is an error the editor shows.
pub fn rename(
    a: &Analyzed,
    position: Position,
    new_name: &str,
    document_changes: bool,
) -> Result<WorkspaceEdit> {
    let positions = a.positions();
    let edits = ide::rename(&a.analysis, &a.text, positions.offset(position), new_name)
        .map_err(|e| Error::invalid_params(e.message))?;
    let edits = edits
        .into_iter()
        .map(|e| TextEdit {
            range: positions.range(e.range),
            new_text: e.new_text,
        })
        .collect();
    Ok(actions::edit(a, edits, document_changes))
}
