//! `textDocument/hover`: the engine's coaching text for what is under the cursor (a
//! STRIDE word or letter, an asset, a threat id, a diagram node, a severity, a rule
//! code), in design docs and in other markdown alike.

use super::analysis::Analyzed;
use threatmark_engine::ide;
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

pub fn hover(a: &Analyzed, position: Position) -> Option<Hover> {
    let positions = a.positions();
    let offset = positions.offset(position);
    let found = ide::hover(&a.analysis, &a.text, &a.config, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: Some(positions.range(found.range)),
    })
}
