//! Open documents: each kept as a rope and edited in place by the client's incremental
//! changes, in the order they arrive.
//!
//! A client's position becomes a char index the way `LineIndex::from_wide` makes it a
//! byte offset: a line past the last one is the end of the text, a column past the line's
//! end is the line's end (never inside its terminator), a column inside a character is
//! that character's start. The property test below holds the two to the same answers.

use ropey::{Rope, RopeSlice};
use threatmark_engine::line_index::WideEncoding;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};

#[derive(Debug, Clone)]
pub struct OpenDocument {
    pub rope: Rope,
    pub version: i32,
}

impl OpenDocument {
    pub fn new(text: &str, version: i32) -> OpenDocument {
        OpenDocument {
            rope: Rope::from_str(text),
            version,
        }
    }

    /// Applies one change: a range replaced, or (without a range) the whole text.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: WideEncoding) {
        match change.range {
            Some(range) => {
                let a = char_index(&self.rope, range.start, encoding);
                let b = char_index(&self.rope, range.end, encoding);
                let (start, end) = (a.min(b), a.max(b));
                self.rope.remove(start..end);
                self.rope.insert(start, &change.text);
            }
            None => self.rope = Rope::from_str(&change.text),
        }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

/// The char index of a client's position in `rope`.
pub fn char_index(rope: &Rope, position: Position, encoding: WideEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let whole = rope.line(line);
    let content = whole.slice(..whole.len_chars() - terminator_chars(whole));
    let col = position.character as usize;
    let chars = match encoding {
        WideEncoding::Utf8 if col < content.len_bytes() => content.byte_to_char(col),
        WideEncoding::Utf16 if col < content.len_utf16_cu() => content.utf16_cu_to_char(col),
        _ => content.len_chars(),
    };
    start + chars
}

/// How many chars end the line: 2 for `\r\n`, 1 for `\n` or `\r`, 0 for the last line.
fn terminator_chars(line: RopeSlice<'_>) -> usize {
    let n = line.len_chars();
    match (
        n.checked_sub(2).map(|i| line.char(i)),
        n.checked_sub(1).map(|i| line.char(i)),
    ) {
        (Some('\r'), Some('\n')) => 2,
        (_, Some('\n' | '\r')) => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use threatmark_engine::line_index::{LineIndex, WidePosition};
    use tower_lsp_server::ls_types::Range;

    fn change(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        }
    }

    fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Option<Range> {
        Some(Range::new(Position::new(l1, c1), Position::new(l2, c2)))
    }

    #[test]
    fn edits_count_columns_in_the_negotiated_encoding() {
        let mut doc = OpenDocument::new("a😀b\r\nc", 1);
        // After the emoji: column 3 in UTF-16, 5 in UTF-8.
        doc.apply(&change(range(0, 3, 0, 3), "X"), WideEncoding::Utf16);
        assert_eq!(doc.text(), "a😀Xb\r\nc");
        doc.apply(&change(range(0, 5, 0, 6), "Y"), WideEncoding::Utf8);
        assert_eq!(doc.text(), "a😀Yb\r\nc");
        // Past the end of a CRLF line: before the `\r`, never between `\r` and `\n`.
        doc.apply(&change(range(0, 99, 0, 99), "!"), WideEncoding::Utf16);
        assert_eq!(doc.text(), "a😀Yb!\r\nc");
        // Past the last line: the end.
        doc.apply(&change(range(9, 0, 9, 0), "?"), WideEncoding::Utf16);
        assert_eq!(doc.text(), "a😀Yb!\r\nc?");
        doc.apply(&change(None, "new"), WideEncoding::Utf16);
        assert_eq!(doc.text(), "new");
    }

    /// Text made of what breaks position code: every line terminator, tabs, emoji, CJK.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => Just("\n".to_string()),
            2 => Just("\r".to_string()),
            3 => Just("\r\n".to_string()),
            2 => Just("\t".to_string()),
            2 => Just("😀".to_string()),
            2 => Just("威胁".to_string()),
            1 => Just("é".to_string()),
            5 => "[a-z |#]{1,5}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    /// The same edit applied to a `String` through the engine's `LineIndex`.
    fn apply_to_string(text: &mut String, range: Range, new_text: &str, encoding: WideEncoding) {
        let index = LineIndex::new(text);
        let at = |p: Position| {
            index.from_wide(
                text,
                WidePosition {
                    line: p.line,
                    col: p.character,
                },
                encoding,
            )
        };
        let (a, b) = (at(range.start), at(range.end));
        text.replace_range(a.min(b)..a.max(b), new_text);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_rope_and_a_string_agree_after_any_edits(
            initial in tricky_text(),
            edits in prop::collection::vec(
                (0u32..8, 0u32..12, 0u32..8, 0u32..12, tricky_text()),
                1..30,
            ),
        ) {
            for encoding in [WideEncoding::Utf8, WideEncoding::Utf16] {
                let mut doc = OpenDocument::new(&initial, 0);
                let mut string = initial.clone();
                for (l1, c1, l2, c2, new_text) in &edits {
                    let r = Range::new(Position::new(*l1, *c1), Position::new(*l2, *c2));
                    doc.apply(&change(Some(r), new_text), encoding);
                    apply_to_string(&mut string, r, new_text, encoding);
                    prop_assert_eq!(doc.text(), string.clone());
                }
            }
        }
    }
}
