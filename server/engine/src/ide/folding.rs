//! Folding ranges: sections, tables, code blocks, the front matter and multi-line HTML
//! comments.

use crate::analysis::Analysis;
use crate::document::Block;
use crate::span::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FoldingKind {
    Section,
    Table,
    CodeBlock,
    FrontMatter,
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldingRange {
    /// From the first line of the fold to the end of its last non-blank line.
    pub range: TextRange,
    pub kind: FoldingKind,
}

/// Every fold of more than one line, in document order.
pub fn folding_ranges(analysis: &Analysis, text: &str) -> Vec<FoldingRange> {
    let doc = &analysis.document;
    let mut out = Vec::new();
    let mut push = |range: TextRange, kind: FoldingKind| {
        let end = range.start + range.slice(text).trim_end().len();
        let range = TextRange::new(range.start, end);
        if range.slice(text).contains('\n') {
            out.push(FoldingRange { range, kind });
        }
    };
    if let Some(fm) = &doc.front_matter {
        push(fm.range, FoldingKind::FrontMatter);
    }
    for s in &doc.sections {
        push(s.range, FoldingKind::Section);
    }
    let mut code = Vec::new();
    for b in &doc.blocks {
        match b {
            Block::Table(t) => push(t.range, FoldingKind::Table),
            Block::Code(c) => {
                code.push(c.range);
                push(c.range, FoldingKind::CodeBlock);
            }
            _ => {}
        }
    }
    let mut rest = 0;
    while let Some(open) = text.get(rest..).and_then(|r| r.find("<!--")) {
        let start = rest + open;
        let Some(close) = text[start..].find("-->") else {
            break;
        };
        let end = start + close + 3;
        if !code.iter().any(|r| r.contains(start)) {
            push(TextRange::new(start, end), FoldingKind::Comment);
        }
        rest = end;
    }
    out.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::symbols::tests::{analysis, example};

    #[test]
    fn examples_fold_sections_tables_code_and_front_matter() {
        for (name, sections, tables, code) in [
            ("push-notifications.md", 9, 0, 1),
            ("image-signing.md", 19, 0, 1),
            ("partner-sftp-export.md", 9, 2, 1),
        ] {
            let text = example(name);
            let a = analysis(&text);
            let folds = folding_ranges(&a, &text);
            let count = |k: FoldingKind| folds.iter().filter(|f| f.kind == k).count();
            assert_eq!(count(FoldingKind::FrontMatter), 1, "{name}");
            assert_eq!(count(FoldingKind::Section), sections, "{name} sections");
            assert_eq!(count(FoldingKind::Table), tables, "{name} tables");
            assert_eq!(count(FoldingKind::CodeBlock), code, "{name} code");
            for f in &folds {
                assert!(
                    !f.range.slice(&text).ends_with(char::is_whitespace),
                    "{name}: {f:?}"
                );
            }
        }
    }

    #[test]
    fn multi_line_comments_fold_single_line_ones_do_not() {
        let text =
            "# D\n\n<!-- one line -->\n\n<!--\nTwo\nlines -->\n\n```md\n<!--\nin code\n-->\n```\n";
        let a = analysis(text);
        let comments: Vec<&str> = folding_ranges(&a, text)
            .iter()
            .filter(|f| f.kind == FoldingKind::Comment)
            .map(|f| f.range.slice(text))
            .collect();
        assert_eq!(comments, ["<!--\nTwo\nlines -->"]);
    }
}
