//! One pass of pulldown-cmark over the text, flattened into the blocks the model reads.
//!
//! pulldown-cmark quirks this module absorbs (SPEC §2): heading ranges include the trailing
//! newline, table-cell ranges include padding, and fenced blocks inside lists or
//! blockquotes arrive line by line (so a code block keeps its content as several ranges).

use crate::span::TextRange;
use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The heading line(s), without the trailing newline.
    pub range: TextRange,
    /// Inline text with markup removed (emphasis, code ticks, links).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The cell content, padding trimmed (empty cells get an empty range inside the cell).
    pub range: TextRange,
    /// Inline text with markup removed.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub range: TextRange,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub range: TextRange,
    pub header: Row,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// The item's own content: from its marker to its first nested list (or its end).
    pub range: TextRange,
    /// Nesting depth: 0 for a top-level item.
    pub depth: usize,
    /// Inline text of the item's own content with markup removed.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub range: TextRange,
    /// The info string's first word, lowercase (`mermaid`).
    pub lang: String,
    /// The content as the ranges pulldown-cmark included (one per line inside containers).
    pub content: Vec<TextRange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub range: TextRange,
    pub in_list_item: bool,
    pub in_blockquote: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    ListItem(ListItem),
    Table(Table),
    Code(CodeBlock),
}

impl Block {
    pub fn range(&self) -> TextRange {
        match self {
            Block::Heading(h) => h.range,
            Block::Paragraph(p) => p.range,
            Block::ListItem(i) => i.range,
            Block::Table(t) => t.range,
            Block::Code(c) => c.range,
        }
    }
}

/// The flat result of one markdown parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocks {
    /// Every block in document order (by start offset).
    pub blocks: Vec<Block>,
    /// YAML front matter: the whole block with its `---` lines, and the YAML inside.
    pub front_matter: Option<(TextRange, TextRange)>,
    pub links: Vec<Link>,
}

struct OpenItem {
    start: usize,
    depth: usize,
    nested_list_at: Option<usize>,
    text: String,
    block_index: usize,
}

pub fn parse_blocks(text: &str) -> Blocks {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut out = Blocks::default();

    let mut heading: Option<(u8, usize, String)> = None;
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut cell: Option<(TextRange, String)> = None;
    let mut code: Option<CodeBlock> = None;
    let mut metadata: Option<(TextRange, Option<TextRange>)> = None;
    let mut items: Vec<OpenItem> = Vec::new();
    let mut list_depth = 0usize;
    let mut quote_depth = 0usize;
    let mut link: Option<(String, usize)> = None;

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let range = TextRange::from(range);
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    heading = Some((level as u8, range.start, String::new()))
                }
                Tag::Paragraph => out.blocks.push(Block::Paragraph(Paragraph {
                    range: trim_newline(text, range),
                    in_list_item: !items.is_empty(),
                    in_blockquote: quote_depth > 0,
                })),
                Tag::BlockQuote(_) => quote_depth += 1,
                Tag::List(_) => {
                    if let Some(item) = items.last_mut() {
                        item.nested_list_at.get_or_insert(range.start);
                    }
                    list_depth += 1;
                }
                Tag::Item => {
                    items.push(OpenItem {
                        start: range.start,
                        depth: list_depth.saturating_sub(1),
                        nested_list_at: None,
                        text: String::new(),
                        block_index: out.blocks.len(),
                    });
                    // Placeholder, completed at the item's end so nested items come after it.
                    out.blocks.push(Block::ListItem(ListItem {
                        range,
                        depth: list_depth.saturating_sub(1),
                        text: String::new(),
                    }));
                }
                Tag::Table(_) => {
                    table = Some(Table {
                        range: trim_newline(text, range),
                        header: Row {
                            range: TextRange::empty(range.start),
                            cells: Vec::new(),
                        },
                        rows: Vec::new(),
                    })
                }
                Tag::TableHead | Tag::TableRow => {
                    row = Some(Row {
                        range: trim_newline(text, range),
                        cells: Vec::new(),
                    })
                }
                Tag::TableCell => cell = Some((range, String::new())),
                Tag::CodeBlock(kind) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info
                            .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                            .next()
                            .unwrap_or("")
                            .to_ascii_lowercase(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some(CodeBlock {
                        range: trim_newline(text, range),
                        lang,
                        content: Vec::new(),
                    });
                }
                Tag::MetadataBlock(MetadataBlockKind::YamlStyle) => metadata = Some((range, None)),
                Tag::Link { dest_url, .. } => link = Some((dest_url.to_string(), range.start)),
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    if let Some((level, start, text_acc)) = heading.take() {
                        let range = trim_newline(text, TextRange::new(start, range.end));
                        out.blocks.push(Block::Heading(Heading {
                            level,
                            range,
                            text: collapse_ws(text_acc),
                        }));
                    }
                }
                TagEnd::BlockQuote(_) => quote_depth = quote_depth.saturating_sub(1),
                TagEnd::List(_) => list_depth = list_depth.saturating_sub(1),
                TagEnd::Item => {
                    if let Some(item) = items.pop() {
                        let end = item.nested_list_at.unwrap_or(range.end);
                        let own =
                            trim_trailing_ws(text, TextRange::new(item.start, end.max(item.start)));
                        if let Some(Block::ListItem(slot)) = out.blocks.get_mut(item.block_index) {
                            slot.range = own;
                            slot.depth = item.depth;
                            slot.text = collapse_ws(item.text);
                        }
                    }
                }
                TagEnd::Table => {
                    if let Some(t) = table.take() {
                        out.blocks.push(Block::Table(t));
                    }
                }
                TagEnd::TableHead => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.header = r;
                    }
                }
                TagEnd::TableRow => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.rows.push(r);
                    }
                }
                TagEnd::TableCell => {
                    // pulldown-cmark pads a short row with empty cells that lie past the
                    // row's line; they are not in the text, so they are left out.
                    if let (Some(r), Some((cell_range, acc))) = (row.as_mut(), cell.take())
                        && cell_range.start <= r.range.end
                    {
                        r.cells.push(Cell {
                            range: trim_cell(text, cell_range),
                            text: collapse_ws(acc),
                        });
                    }
                }
                TagEnd::CodeBlock => {
                    if let Some(c) = code.take() {
                        out.blocks.push(Block::Code(c));
                    }
                }
                TagEnd::MetadataBlock(_) => {
                    // Front matter is only front matter at offset 0 (pulldown-cmark also
                    // reports a `---` block later in the text as metadata).
                    if let Some((whole, inner)) = metadata.take().filter(|(w, _)| w.start == 0) {
                        let inner = inner.unwrap_or(TextRange::empty(whole.start));
                        out.front_matter = Some((whole, inner));
                    }
                }
                TagEnd::Link => {
                    if let Some((dest, start)) = link.take() {
                        out.links.push(Link {
                            dest,
                            range: TextRange::new(start, range.end),
                        });
                    }
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = code.as_mut() {
                    c.content.push(range);
                } else if let Some((_, inner)) = metadata.as_mut() {
                    *inner = Some(match inner {
                        Some(prev) => TextRange::new(prev.start, range.end),
                        None => range,
                    });
                } else {
                    push_inline(&t, &mut heading, &mut cell, &mut items);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                push_inline(" ", &mut heading, &mut cell, &mut items);
            }
            _ => {}
        }
    }
    out.blocks.sort_by_key(|b| b.range().start);
    out
}

fn push_inline(
    t: &str,
    heading: &mut Option<(u8, usize, String)>,
    cell: &mut Option<(TextRange, String)>,
    items: &mut [OpenItem],
) {
    if let Some((_, _, acc)) = heading.as_mut() {
        acc.push_str(t);
    } else if let Some((_, acc)) = cell.as_mut() {
        acc.push_str(t);
    } else if let Some(item) = items.last_mut()
        && item.nested_list_at.is_none()
    {
        item.text.push_str(t);
    }
}

/// Runs of whitespace as one space, none at either end. Most cells and headings
/// already read that way and are returned as they are.
fn collapse_ws(s: String) -> String {
    // ASCII whitespace as `char::is_whitespace` sees it (with vertical tab).
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let bytes = s.as_bytes();
    let clean = s.is_ascii()
        && !bytes.first().is_some_and(ws)
        && !bytes.last().is_some_and(ws)
        && !bytes
            .windows(2)
            .any(|w| ws(&w[0]) && (w[0] != b' ' || ws(&w[1])));
    if clean {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Drops trailing line terminators from a block range.
fn trim_newline(text: &str, range: TextRange) -> TextRange {
    let slice = range.slice(text);
    let trimmed = slice.trim_end_matches(['\n', '\r']);
    TextRange::new(range.start, range.start + trimmed.len())
}

fn trim_trailing_ws(text: &str, range: TextRange) -> TextRange {
    let trimmed = range.slice(text).trim_end();
    TextRange::new(range.start, range.start + trimmed.len())
}

/// The content of a table cell without its padding and pipes.
fn trim_cell(text: &str, range: TextRange) -> TextRange {
    let slice = range.slice(text);
    let lead = slice.len() - slice.trim_start_matches([' ', '\t', '|']).len();
    let body = slice.trim_end_matches([' ', '\t', '|', '\r', '\n']);
    let start = range.start + lead.min(body.len());
    TextRange::new(start, (range.start + body.len()).max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_ws_agrees_with_split_whitespace() {
        for sample in [
            "",
            " ",
            "a",
            "a b",
            "a  b",
            " a",
            "a ",
            "a\tb",
            "a\u{b}b",
            "a\u{c}b",
            "a \nb",
            "caf\u{e9} bar",
            "a\u{a0}b",
            "a\u{2003} b",
        ] {
            let expected = sample.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_ws(sample.to_string()), expected, "{sample:?}");
        }
    }

    #[test]
    fn table_cells_are_trimmed_to_their_content() {
        let text = "| ID | Asset |\n|----|-------|\n| A1 | **Orders** replica |\n";
        let blocks = parse_blocks(text);
        let Some(Block::Table(t)) = blocks.blocks.first() else {
            panic!("no table")
        };
        assert_eq!(t.header.cells.len(), 2);
        assert_eq!(t.header.cells[1].range.slice(text), "Asset");
        assert_eq!(t.rows[0].cells[1].range.slice(text), "**Orders** replica");
        assert_eq!(t.rows[0].cells[1].text, "Orders replica");
    }

    #[test]
    fn short_rows_get_no_padding_cells() {
        let text = "| a | b | c |\n|---|---|---|\n| 1 | 2 |\n\nnext\n";
        let blocks = parse_blocks(text);
        let Some(Block::Table(t)) = blocks.blocks.first() else {
            panic!("no table")
        };
        assert_eq!(t.rows[0].cells.len(), 2);
        assert!(
            t.rows[0]
                .cells
                .iter()
                .all(|c| t.rows[0].range.covers(c.range))
        );
    }

    #[test]
    fn nested_items_keep_their_own_text() {
        let text = "- parent **bold**\n  - child one\n- second\n";
        let blocks = parse_blocks(text);
        let items: Vec<&ListItem> = blocks
            .blocks
            .iter()
            .filter_map(|b| {
                if let Block::ListItem(i) = b {
                    Some(i)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].text, "parent bold");
        assert_eq!(items[0].range.slice(text), "- parent **bold**");
        assert_eq!(items[1].depth, 1);
        assert_eq!(items[1].text, "child one");
        assert_eq!(items[2].text, "second");
    }

    #[test]
    fn fenced_block_in_list_keeps_content_ranges() {
        let text = "- item\n\n  ```mermaid\n  flowchart LR\n    a --> b\n  ```\n";
        let blocks = parse_blocks(text);
        let code = blocks
            .blocks
            .iter()
            .find_map(|b| {
                if let Block::Code(c) = b {
                    Some(c)
                } else {
                    None
                }
            })
            .expect("code block");
        assert_eq!(code.lang, "mermaid");
        let content: String = code.content.iter().map(|r| r.slice(text)).collect();
        assert_eq!(content, "flowchart LR\n  a --> b\n");
    }

    #[test]
    fn front_matter_only_at_offset_zero() {
        let text = "---\ntitle: x\n---\n# T\n";
        let blocks = parse_blocks(text);
        let (whole, inner) = blocks.front_matter.expect("front matter");
        assert_eq!(whole.start, 0);
        assert_eq!(inner.slice(text), "title: x\n");
        let later = parse_blocks("# T\n\n---\ntitle: x\n---\n");
        assert!(later.front_matter.is_none());
    }

    #[test]
    fn heading_text_drops_markup_and_newline() {
        let text = "### **S — Spoofing** `x`\nbody\n";
        let blocks = parse_blocks(text);
        let Some(Block::Heading(h)) = blocks.blocks.first() else {
            panic!()
        };
        assert_eq!(h.text, "S — Spoofing x");
        assert_eq!(h.range.slice(text), "### **S — Spoofing** `x`");
    }
}
