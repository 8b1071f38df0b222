//! Arbitrary bytes as a design doc: the analysis never panics, every range lies on the
//! text, and the first fix of each finding applies and analyses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use threatmark_engine::{Analysis, Source, analyze, config::Config};

fn check_ranges(text: &str, a: &Analysis) {
    for f in &a.findings {
        assert!(f.range.start <= f.range.end && f.range.end <= text.len());
        assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
        for e in f.fixes.iter().flat_map(|x| &x.edits) {
            assert!(e.range.start <= e.range.end && e.range.end <= text.len());
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = Config::default();
    let today = jiff::civil::date(2026, 11, 23);
    let a = analyze(Source { path: "design/fuzz.md", text: &text }, &config, today);
    check_ranges(&text, &a);
    for f in a.findings.iter().take(3) {
        if let Some(fix) = f.fixes.first() {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            let mut fixed = text.to_string();
            for e in edits {
                fixed.replace_range(e.range.start..e.range.end, &e.new_text);
            }
            let again = analyze(Source { path: "design/fuzz.md", text: &fixed }, &config, today);
            check_ranges(&fixed, &again);
        }
    }
});
