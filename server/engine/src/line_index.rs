//! Lines and columns for byte offsets: the one place where engine positions (byte
//! offsets) become the positions people and editors use.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as in LSP, so a text ending with a line
//! terminator has an empty last line. Three kinds of column:
//! - [`LineCol`]: 0-based line, 0-based byte column (inside the engine and tests);
//! - [`HumanPosition`]: 1-based line, 1-based column counting Unicode scalar values (the
//!   CLI and the JSON output, SPEC §8.1);
//! - [`WidePosition`]: 0-based line, column in UTF-8 or UTF-16 code units (the language
//!   server, whichever encoding was negotiated). A distinct type, so that a byte column
//!   and a UTF-16 column cannot be mixed up silently.
//!
//! Nothing here panics on input: an offset past the end is clamped to the end, an offset
//! inside a character is moved back to the character's start, and so is an offset
//! between the `\r` and the `\n` of a `\r\n` (a line terminator is one unit, as a
//! character is). A position past the end of its line is clamped to the line's end (never
//! into its terminator); a line past the last one means the end of the text.

use crate::span::TextRange;

/// 0-based line and 0-based byte column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// 1-based line and 1-based column counting Unicode scalar values (a tab is one column,
/// an emoji is one column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanPosition {
    pub line: usize,
    pub column: usize,
}

/// The code units a [`WidePosition`] counts its column in (the LSP position encoding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WideEncoding {
    Utf8,
    Utf16,
}

impl WideEncoding {
    /// Code units of `c` in this encoding.
    pub fn len(self, c: char) -> usize {
        match self {
            WideEncoding::Utf8 => c.len_utf8(),
            WideEncoding::Utf16 => c.len_utf16(),
        }
    }
}

/// 0-based line and a column in code units of a [`WideEncoding`], as LSP counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct WidePosition {
    pub line: u32,
    pub col: u32,
}

/// One line: where it starts and where its content ends (its terminator excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    start: usize,
    end: usize,
}

/// The lines of a text, for converting offsets to positions and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Never empty: a text has at least one (possibly empty) line.
    lines: Vec<Line>,
    /// Start and byte length of every character longer than one byte, in order; used
    /// to move an offset inside a character back to its start without the text.
    multibyte: Vec<(usize, u8)>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut multibyte = Vec::new();
        let mut start = 0;
        // Line by line with a vectorized search for the breaks; a line is scanned for
        // multibyte characters only when it holds any, which most lines do not.
        while start <= bytes.len() {
            let rest = &bytes[start..];
            let brk = memchr::memchr2(b'\n', b'\r', rest).map(|i| start + i);
            let end = brk.unwrap_or(bytes.len());
            let line = &bytes[start..end];
            if !line.is_ascii() {
                let mut i = 0;
                while i < line.len() {
                    let b = line[i];
                    if b < 0x80 {
                        i += 1;
                    } else {
                        // A UTF-8 lead byte: its leading ones give the character's length.
                        let n = b.leading_ones().clamp(2, 4) as usize;
                        multibyte.push((start + i, n as u8));
                        i += n;
                    }
                }
            }
            let Some(brk) = brk else { break };
            lines.push(Line { start, end: brk });
            start = if bytes[brk] == b'\r' && bytes.get(brk + 1) == Some(&b'\n') {
                brk + 2
            } else {
                brk + 1
            };
        }
        lines.push(Line {
            start,
            end: bytes.len(),
        });
        LineIndex {
            lines,
            multibyte,
            len: bytes.len(),
        }
    }

    /// The number of lines; a text ending with a line terminator has an empty last line.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// 0-based line and 0-based byte column of an offset (clamped to the text length; an
    /// offset inside a character or a `\r\n` is moved back to its start).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.snap(offset);
        let line = self.line_of(offset);
        LineCol {
            line: to_u32(line),
            col: to_u32(offset - self.lines[line].start),
        }
    }

    /// The offset where a 0-based line starts, if the line exists.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line(line).map(|l| l.start)
    }

    /// The range of a 0-based line without its terminator, if the line exists.
    pub fn line_range(&self, line: u32) -> Option<TextRange> {
        self.line(line).map(|l| TextRange::new(l.start, l.end))
    }

    /// 1-based line and 1-based column counting Unicode scalar values.
    pub fn to_human(&self, text: &str, offset: usize) -> HumanPosition {
        let offset = self.snap_in(text, offset);
        let line = self.line_of(offset);
        let start = self.lines[line].start;
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        HumanPosition {
            line: line + 1,
            column,
        }
    }

    /// The offset of a [`HumanPosition`]; a column past the line's end is clamped to it,
    /// a line past the last one is the end of the text, and 0 is read as 1.
    pub fn from_human(&self, text: &str, pos: HumanPosition) -> usize {
        let line = pos.line.max(1) - 1;
        let Some(l) = self.lines.get(line) else {
            return self.len.min(text.len());
        };
        self.advance(text, *l, pos.column.max(1) - 1, |_| 1)
    }

    /// 0-based line and a column in code units of `enc`.
    pub fn to_wide(&self, text: &str, offset: usize, enc: WideEncoding) -> WidePosition {
        let offset = self.snap_in(text, offset);
        let line = self.line_of(offset);
        let start = self.lines[line].start;
        let col = match enc {
            WideEncoding::Utf8 => offset - start,
            WideEncoding::Utf16 => text
                .get(start..offset)
                .map_or(0, |s| s.chars().map(char::len_utf16).sum()),
        };
        WidePosition {
            line: to_u32(line),
            col: to_u32(col),
        }
    }

    /// The offset of a [`WidePosition`]; a column past the line's end is clamped to it and
    /// a column inside a character (half a surrogate pair, part of a UTF-8 sequence) is
    /// moved back to the character's start. A line past the last one is the end of the
    /// text.
    pub fn from_wide(&self, text: &str, pos: WidePosition, enc: WideEncoding) -> usize {
        let Some(l) = self.line(pos.line) else {
            return self.len.min(text.len());
        };
        self.advance(text, *l, pos.col as usize, |c| enc.len(c))
    }

    fn line(&self, line: u32) -> Option<&Line> {
        self.lines.get(usize::try_from(line).ok()?)
    }

    /// The index of the line holding `offset` (a snapped offset).
    fn line_of(&self, offset: usize) -> usize {
        // The last line whose start is at or before the offset; line 0 starts at 0.
        self.lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1)
    }

    /// `offset` clamped to the text and moved back to the start of a character or of a
    /// `\r\n`, using only the index.
    fn snap(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        let i = self.multibyte.partition_point(|&(s, _)| s <= offset);
        let offset = match i.checked_sub(1).map(|i| self.multibyte[i]) {
            Some((s, n)) if offset < s + usize::from(n) => s,
            _ => offset,
        };
        self.snap_crlf(offset)
    }

    /// As [`snap`](Self::snap), also clamped to `text`, in case the text is not the one
    /// the index was built from: never panics, even then.
    fn snap_in(&self, text: &str, offset: usize) -> usize {
        let mut offset = self.snap(offset).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// An offset between the `\r` and the `\n` of a `\r\n` moves back to the `\r`.
    fn snap_crlf(&self, offset: usize) -> usize {
        let line = self.line_of(offset);
        let end = self.lines[line].end;
        // Only a `\r\n` makes a terminator two bytes long.
        let two_byte_terminator = self
            .lines
            .get(line + 1)
            .is_some_and(|next| next.start == end + 2);
        if two_byte_terminator && offset == end + 1 {
            end
        } else {
            offset
        }
    }

    /// The offset `units` code units into line `l` (each character counting
    /// `width(c)`), stopping at the line's end and never inside a character.
    fn advance(&self, text: &str, l: Line, units: usize, width: impl Fn(char) -> usize) -> usize {
        let end = l.end.min(text.len());
        let Some(content) = text.get(l.start..end) else {
            return self.snap_in(text, l.start);
        };
        let mut left = units;
        for (i, c) in content.char_indices() {
            let w = width(c);
            if w > left {
                return l.start + i;
            }
            left -= w;
        }
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn human(line: usize, column: usize) -> HumanPosition {
        HumanPosition { line, column }
    }

    fn wide(line: u32, col: u32) -> WidePosition {
        WidePosition { line, col }
    }

    #[test]
    fn empty_text_has_one_empty_line() {
        let index = LineIndex::new("");
        assert_eq!(index.line_count(), 1);
        assert_eq!(index.line_range(0), Some(TextRange::new(0, 0)));
        assert_eq!(index.line_col(0), LineCol { line: 0, col: 0 });
        assert_eq!(index.to_human("", 5), human(1, 1));
        assert_eq!(index.from_human("", human(3, 3)), 0);
        assert_eq!(index.from_wide("", wide(0, 9), WideEncoding::Utf16), 0);
    }

    #[test]
    fn lf_lines() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_start(1), Some(3));
        assert_eq!(index.line_range(1), Some(TextRange::new(3, 5)));
        assert_eq!(index.line_range(2), Some(TextRange::new(6, 6)));
        assert_eq!(index.line_range(3), None);
        assert_eq!(index.line_col(4), LineCol { line: 1, col: 1 });
        assert_eq!(index.line_col(6), LineCol { line: 2, col: 0 });
        assert_eq!(index.to_human(text, 2), human(1, 3));
    }

    #[test]
    fn crlf_is_one_terminator() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_range(0), Some(TextRange::new(0, 2)));
        assert_eq!(index.line_start(1), Some(4));
        assert_eq!(index.line_col(5), LineCol { line: 1, col: 1 });
        // Between `\r` and `\n`: moved back to the `\r`.
        assert_eq!(index.line_col(3), LineCol { line: 0, col: 2 });
        assert_eq!(index.to_human(text, 3), human(1, 3));
        // A column past the end stops before the `\r`, not between `\r` and `\n`.
        assert_eq!(index.from_human(text, human(1, 99)), 2);
        assert_eq!(index.from_wide(text, wide(0, 3), WideEncoding::Utf8), 2);
        assert_eq!(index.from_wide(text, wide(1, 99), WideEncoding::Utf16), 6);
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let text = "a\rb\r\rc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_range(1), Some(TextRange::new(2, 3)));
        assert_eq!(index.line_range(2), Some(TextRange::new(4, 4)));
        assert_eq!(index.line_col(5), LineCol { line: 3, col: 0 });
        assert_eq!(index.to_human(text, 3), human(2, 2));
        assert_eq!(index.from_human(text, human(4, 1)), 5);
    }

    #[test]
    fn mixed_terminators() {
        let text = "a\nb\r\nc\rd";
        let index = LineIndex::new(text);
        let starts: Vec<_> = (0..4).map(|l| index.line_start(l).unwrap()).collect();
        assert_eq!(starts, [0, 2, 5, 7]);
    }

    #[test]
    fn tab_is_one_column() {
        let text = "\t| x |";
        let index = LineIndex::new(text);
        assert_eq!(index.to_human(text, 1), human(1, 2));
        assert_eq!(index.to_wide(text, 1, WideEncoding::Utf16), wide(0, 1));
        assert_eq!(index.from_human(text, human(1, 2)), 1);
    }

    #[test]
    fn emoji_is_one_scalar_two_utf16_units_four_bytes() {
        let text = "a😀b";
        let index = LineIndex::new(text);
        let b = 5;
        assert_eq!(index.line_col(b), LineCol { line: 0, col: 5 });
        assert_eq!(index.to_human(text, b), human(1, 3));
        assert_eq!(index.to_wide(text, b, WideEncoding::Utf16), wide(0, 3));
        assert_eq!(index.to_wide(text, b, WideEncoding::Utf8), wide(0, 5));
        assert_eq!(index.from_human(text, human(1, 3)), b);
        assert_eq!(index.from_wide(text, wide(0, 3), WideEncoding::Utf16), b);
        assert_eq!(index.from_wide(text, wide(0, 5), WideEncoding::Utf8), b);
        // Inside the emoji: moved back to its start.
        for inside in 2..5 {
            assert_eq!(index.line_col(inside), LineCol { line: 0, col: 1 });
            assert_eq!(index.to_human(text, inside), human(1, 2));
            assert_eq!(index.to_wide(text, inside, WideEncoding::Utf16), wide(0, 1));
        }
        // Half a surrogate pair, part of a UTF-8 sequence: the emoji's start.
        assert_eq!(index.from_wide(text, wide(0, 2), WideEncoding::Utf16), 1);
        assert_eq!(index.from_wide(text, wide(0, 3), WideEncoding::Utf8), 1);
    }

    #[test]
    fn cjk_is_one_scalar_one_utf16_unit_three_bytes() {
        let text = "# 威胁模型\n资产";
        let index = LineIndex::new(text);
        let second = text.find('胁').unwrap();
        assert_eq!(index.to_human(text, second), human(1, 4));
        assert_eq!(index.to_wide(text, second, WideEncoding::Utf16), wide(0, 3));
        assert_eq!(index.to_wide(text, second, WideEncoding::Utf8), wide(0, 5));
        let line2 = text.find('产').unwrap();
        assert_eq!(index.to_human(text, line2), human(2, 2));
        assert_eq!(index.from_human(text, human(2, 2)), line2);
        // Inside `产`: its start, three bytes into the line.
        assert_eq!(index.line_col(line2 + 1), LineCol { line: 1, col: 3 });
    }

    #[test]
    fn out_of_range_inputs_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(100), LineCol { line: 1, col: 2 });
        assert_eq!(index.to_human(text, usize::MAX), human(2, 3));
        assert_eq!(index.from_human(text, human(0, 0)), 0);
        assert_eq!(index.from_human(text, human(9, 1)), text.len());
        assert_eq!(index.from_human(text, human(1, usize::MAX)), 2);
        assert_eq!(
            index.from_wide(text, wide(u32::MAX, 0), WideEncoding::Utf16),
            text.len()
        );
        assert_eq!(
            index.from_wide(text, wide(0, u32::MAX), WideEncoding::Utf8),
            2
        );
        assert_eq!(index.line_start(u32::MAX), None);
    }

    #[test]
    fn a_different_text_never_panics() {
        let index = LineIndex::new("😀😀😀\n😀");
        for text in ["", "a", "é", "\r\n", "😀😀😀\n😀 and more"] {
            for offset in 0..24 {
                let _ = index.to_human(text, offset);
                let _ = index.to_wide(text, offset, WideEncoding::Utf16);
            }
            for line in 0..4 {
                for col in 0..10 {
                    let o = index.from_human(text, human(line, col));
                    assert!(text.is_char_boundary(o));
                    let o =
                        index.from_wide(text, wide(line as u32, col as u32), WideEncoding::Utf16);
                    assert!(text.is_char_boundary(o));
                }
            }
        }
    }

    /// Text made mostly of the characters that break position code.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => Just("\n".to_string()),
            3 => Just("\r".to_string()),
            3 => Just("\r\n".to_string()),
            2 => Just("\t".to_string()),
            2 => Just("😀".to_string()),
            2 => Just("🏳️‍🌈".to_string()),
            2 => Just("威胁".to_string()),
            1 => Just("é".to_string()),
            4 => "[a-z |#]{1,4}",
            2 => any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn in_crlf(text: &str, offset: usize) -> bool {
        offset > 0
            && text.as_bytes().get(offset - 1) == Some(&b'\r')
            && text.as_bytes().get(offset) == Some(&b'\n')
    }

    fn check_round_trips(text: &str) -> Result<(), TestCaseError> {
        let index = LineIndex::new(text);
        let terminators = text.matches(['\r', '\n']).count() - text.matches("\r\n").count();
        prop_assert_eq!(index.line_count(), terminators + 1);
        for offset in 0..=text.len() + 2 {
            let human = index.to_human(text, offset);
            let back = index.from_human(text, human);
            let utf8 = index.from_wide(
                text,
                index.to_wide(text, offset, WideEncoding::Utf8),
                WideEncoding::Utf8,
            );
            let utf16 = index.from_wide(
                text,
                index.to_wide(text, offset, WideEncoding::Utf16),
                WideEncoding::Utf16,
            );
            let lc = index.line_col(offset);
            let from_lc = index.line_start(lc.line).unwrap() + lc.col as usize;
            if offset <= text.len() && text.is_char_boundary(offset) && !in_crlf(text, offset) {
                prop_assert_eq!(back, offset);
                prop_assert_eq!(utf8, offset);
                prop_assert_eq!(utf16, offset);
                prop_assert_eq!(from_lc, offset);
                let before = &text[..offset];
                prop_assert_eq!(
                    human.column,
                    before.rsplit(['\r', '\n']).next().unwrap().chars().count() + 1
                );
            } else {
                // Moved back to a character start, or clamped to the end.
                prop_assert!(back < offset && text.is_char_boundary(back));
                prop_assert_eq!(utf8, back);
                prop_assert_eq!(utf16, back);
                prop_assert_eq!(from_lc, back);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn round_trips_on_tricky_text(text in tricky_text()) {
            check_round_trips(&text)?;
        }

        #[test]
        fn round_trips_on_any_text(text in any::<String>()) {
            check_round_trips(&text)?;
        }

        #[test]
        fn from_positions_never_panic_and_stay_on_their_line(
            text in tricky_text(),
            line in 0u32..50,
            col in prop_oneof![0u32..20, Just(u32::MAX)],
        ) {
            let index = LineIndex::new(&text);
            for enc in [WideEncoding::Utf8, WideEncoding::Utf16] {
                let o = index.from_wide(&text, WidePosition { line, col }, enc);
                prop_assert!(text.is_char_boundary(o));
                prop_assert!(!in_crlf(&text, o));
                if let Some(range) = index.line_range(line) {
                    prop_assert!(range.start <= o && o <= range.end);
                } else {
                    prop_assert_eq!(o, text.len());
                }
            }
            let h = HumanPosition { line: line as usize + 1, column: col as usize };
            let o = index.from_human(&text, h);
            prop_assert!(text.is_char_boundary(o));
            if let Some(range) = index.line_range(line) {
                prop_assert!(range.start <= o && o <= range.end);
            }
        }
    }
}
