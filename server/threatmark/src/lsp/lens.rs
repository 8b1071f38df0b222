//! The code lens on the threat-model heading (`STRIDE 4/6 · 9 threats · 2 unmitigated ·
//! reviewed 41 days ago · risk high`) and folding ranges for sections, tables, code
//! blocks, the front matter and comments.

use super::analysis::Analyzed;
use threatmark_engine::ide::{self, FoldingKind};
use tower_lsp_server::ls_types::{CodeLens, Command, FoldingRange, FoldingRangeKind};

/// The lens is information only: its command is empty, so clicking does nothing.
pub fn code_lens(a: &Analyzed) -> Vec<CodeLens> {
    let positions = a.positions();
    ide::code_lens(&a.analysis, &a.text, &a.config, a.today)
        .map(|lens| CodeLens {
            range: positions.range(lens.range),
            command: Some(Command {
                title: lens.title,
                command: String::new(),
                arguments: None,
            }),
            data: None,
        })
        .into_iter()
        .collect()
}

pub fn folding_ranges(a: &Analyzed) -> Vec<FoldingRange> {
    let positions = a.positions();
    ide::folding_ranges(&a.analysis, &a.text)
        .into_iter()
        .map(|f| {
            let range = positions.range(f.range);
            FoldingRange {
                start_line: range.start.line,
                start_character: None,
                end_line: range.end.line,
                end_character: None,
                kind: Some(match f.kind {
                    FoldingKind::Comment => FoldingRangeKind::Comment,
                    FoldingKind::Section
                    | FoldingKind::Table
                    | FoldingKind::CodeBlock
                    | FoldingKind::FrontMatter => FoldingRangeKind::Region,
                }),
                collapsed_text: None,
            }
        })
        .collect()
}
