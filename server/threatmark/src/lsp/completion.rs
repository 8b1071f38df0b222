//! `textDocument/completion`: the engine's items for the cursor's context (categories,
//! assets, scale values, ids, section skeletons, diagram nodes, front-matter keys, the
//! threat statement snippet), each replacing what the writer typed of it.

use super::analysis::Analyzed;
use threatmark_engine::ide::{self, CompletionKind};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, InsertTextFormat,
    MarkupContent, MarkupKind, Position, TextEdit,
};

/// Characters after which a client should ask without waiting for a word: a new table
/// cell, a heading, the next item of a list of categories or targets, a bracket.
pub const TRIGGERS: &[&str] = &["|", "#", ",", "/", "["];

pub fn completions(a: &Analyzed, position: Position, snippets: bool) -> Vec<CompletionItem> {
    let positions = a.positions();
    let offset = positions.offset(position);
    ide::completions(&a.analysis, &a.text, &a.config, offset)
        .into_iter()
        .map(|item| {
            let (new_text, format) = if item.is_snippet && snippets {
                (item.insert_text, InsertTextFormat::SNIPPET)
            } else if item.is_snippet {
                (plain(&item.insert_text), InsertTextFormat::PLAIN_TEXT)
            } else {
                (item.insert_text, InsertTextFormat::PLAIN_TEXT)
            };
            CompletionItem {
                label: item.label,
                kind: Some(kind(item.kind)),
                detail: item.detail,
                documentation: item.documentation.map(|value| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value,
                    })
                }),
                sort_text: item.sort_text,
                insert_text_format: Some(format),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: positions.range(item.replace),
                    new_text,
                })),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn kind(kind: CompletionKind) -> CompletionItemKind {
    match kind {
        CompletionKind::Category => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Asset => CompletionItemKind::VARIABLE,
        CompletionKind::Threat | CompletionKind::Mitigation => CompletionItemKind::REFERENCE,
        CompletionKind::Element => CompletionItemKind::CLASS,
        CompletionKind::Value => CompletionItemKind::VALUE,
        CompletionKind::Id => CompletionItemKind::CONSTANT,
        CompletionKind::Section => CompletionItemKind::MODULE,
        CompletionKind::FrontMatterKey => CompletionItemKind::PROPERTY,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
    }
}

/// A snippet as plain text, for a client without snippet support: `${1:who}` becomes
/// `who`, `$1` and `$0` disappear, `\$` stays a `$`.
fn plain(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                // `${n:placeholder}` or `${n}`: keep the placeholder.
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                if chars.peek() == Some(&':') {
                    chars.next();
                }
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    out.push(c);
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_plain_text() {
        assert_eq!(
            plain("A ${1:who} with ${2:access} can $3do ${4}x$0 \\$5"),
            "A who with access can do x $5"
        );
    }
}
