//! Positions at the protocol edge: the position encoding negotiated once at `initialize`
//! (`utf-8` when the client offers it, else `utf-16`, the LSP default), and the
//! conversions between LSP positions and the engine's byte offsets.
//!
//! Everything goes through the engine's `LineIndex`, so the server and the CLI agree on
//! what a line is (`\n`, `\r\n`, a lone `\r`) and on how a column past the line's end or
//! inside a character is clamped. The rope (documents.rs) counts lines the same way:
//! ropey's `cr_lines` feature without `unicode_lines`.

use threatmark_engine::TextRange;
use threatmark_engine::line_index::{LineIndex, WideEncoding, WidePosition};
use tower_lsp_server::ls_types::{InitializeParams, Position, PositionEncodingKind, Range};

/// The encoding to use for a client: UTF-8 if it lists it (no conversion needed at all),
/// else UTF-16, which every client supports.
pub fn negotiate(params: &InitializeParams) -> WideEncoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => WideEncoding::Utf8,
        _ => WideEncoding::Utf16,
    }
}

pub fn kind(encoding: WideEncoding) -> PositionEncodingKind {
    match encoding {
        WideEncoding::Utf8 => PositionEncodingKind::UTF8,
        WideEncoding::Utf16 => PositionEncodingKind::UTF16,
    }
}

/// A text with its line index, converting in the negotiated encoding.
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: WideEncoding,
}

impl Positions<'_> {
    pub fn position(&self, offset: usize) -> Position {
        let wide = self.index.to_wide(self.text, offset, self.encoding);
        Position::new(wide.line, wide.col)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of a client's position, clamped as `LineIndex::from_wide` clamps.
    pub fn offset(&self, position: Position) -> usize {
        let wide = WidePosition {
            line: position.line,
            col: position.character,
        };
        self.index.from_wide(self.text, wide, self.encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emoji_is_four_utf8_units_and_two_utf16_units() {
        let text = "| T1 | 😀 | x |\r\nnext";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        let utf8 = Positions {
            text,
            index: &index,
            encoding: WideEncoding::Utf8,
        };
        let utf16 = Positions {
            encoding: WideEncoding::Utf16,
            ..utf8
        };
        assert_eq!(utf8.position(x), Position::new(0, 14));
        assert_eq!(utf16.position(x), Position::new(0, 12));
        assert_eq!(utf8.offset(Position::new(0, 14)), x);
        assert_eq!(utf16.offset(Position::new(0, 12)), x);
        // Past the end of a CRLF line: before its `\r`.
        assert_eq!(
            utf16.offset(Position::new(0, 99)),
            text.find('\r').unwrap_or_default()
        );
        // CRLF: the next line starts after both bytes; an offset between them is the
        // end of the first line.
        let next = text.find("next").unwrap_or_default();
        assert_eq!(utf16.position(next), Position::new(1, 0));
        assert_eq!(utf16.position(next - 1), Position::new(0, 15));
    }
}
