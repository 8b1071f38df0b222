//! Position conversions on arbitrary text: every offset maps to a line/column in each
//! encoding and back to a character boundary at or before it; a character's start maps
//! back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatmark_engine::line_index::{LineIndex, WideEncoding};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let index = LineIndex::new(&text);
    for offset in 0..=text.len() + 1 {
        let back_h = index.from_human(&text, index.to_human(&text, offset));
        assert!(back_h <= text.len() && text.is_char_boundary(back_h));
        for enc in [WideEncoding::Utf8, WideEncoding::Utf16] {
            let wide = index.to_wide(&text, offset, enc);
            let back = index.from_wide(&text, wide, enc);
            assert!(back <= text.len() && text.is_char_boundary(back));
            assert!(back <= offset.min(text.len()));
            let inside_crlf = offset > 0
                && text.as_bytes().get(offset - 1) == Some(&b'\r')
                && text.as_bytes().get(offset) == Some(&b'\n');
            if offset <= text.len() && text.is_char_boundary(offset) && !inside_crlf {
                assert_eq!(back, offset, "{enc:?} at {offset}");
                assert_eq!(back_h, offset, "human at {offset}");
            }
        }
    }
});
