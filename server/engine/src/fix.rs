//! Safe fixes applied round after round until none applies: `check --fix` and the
//! language server's `source.fixAll.threatmark` share this one implementation.
//!
//! A round takes the first safe fix of each finding, in the order of their first edit,
//! and skips a fix that overlaps or touches one taken before it. Touching counts: two
//! fixes that insert at the same place (two rows appended to one table, each numbered
//! with "the next free id") would otherwise collide. A round also takes at most one fix
//! that inserts text: insertions add structure (a section, a table, a row with the next
//! free id), and two of them computed against the same text can add the same thing
//! twice in different places — TM002's assets skeleton and TM010's "create the
//! inventory" did. Replacements (a misspelt category, a severity) are local and combine.
//! A skipped fix is proposed again by the next round's analysis of the new text, and
//! applies then.

use crate::finding::{Applicability, Finding, Fix};
use crate::span::TextRange;

/// How many rounds one file gets. Each round re-analyses the document.
pub const MAX_ROUNDS: usize = 10;

/// The text after one round, and how many fixes it applied; `None` when no safe fix
/// applies.
pub fn apply_round(text: &str, findings: &[Finding]) -> Option<(String, usize)> {
    let mut fixes: Vec<(TextRange, &Fix)> = findings
        .iter()
        .filter_map(|f| {
            f.fixes
                .iter()
                .find(|fix| fix.applicability == Applicability::Safe)
        })
        .filter(|fix| applicable(text, fix))
        .filter_map(|fix| Some((extent(fix)?, fix)))
        .collect();
    // A stable sort keeps the findings' order among fixes that start at the same place.
    fixes.sort_by_key(|(extent, _)| extent.start);
    let mut taken: Vec<&Fix> = Vec::new();
    let mut last_end: Option<usize> = None;
    let mut inserted = false;
    for (extent, fix) in fixes {
        if last_end.is_some_and(|end| extent.start <= end) {
            continue;
        }
        let inserts = fix
            .edits
            .iter()
            .any(|e| e.range.is_empty() && !e.new_text.is_empty());
        if inserts && inserted {
            continue;
        }
        inserted |= inserts;
        last_end = Some(extent.end);
        taken.push(fix);
    }
    if taken.is_empty() {
        return None;
    }
    let mut edits: Vec<(TextRange, &str)> = taken
        .iter()
        .flat_map(|fix| fix.edits.iter().map(|e| (e.range, e.new_text.as_str())))
        .collect();
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut at = 0;
    for (range, new_text) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(new_text);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Some((out, taken.len()))
}

/// The span from a fix's first edit to its last.
fn extent(fix: &Fix) -> Option<TextRange> {
    let start = fix.edits.iter().map(|e| e.range.start).min()?;
    let end = fix.edits.iter().map(|e| e.range.end).max()?;
    Some(TextRange::new(start, end))
}

/// A fix whose edits lie inside the text, on character boundaries, and do not overlap
/// one another (insertions at one place apply in the fix's order). Anything else is a rule's bug; skipping it beats corrupting the file.
fn applicable(text: &str, fix: &Fix) -> bool {
    let mut ranges: Vec<TextRange> = fix.edits.iter().map(|e| e.range).collect();
    ranges.sort();
    let inside = ranges.iter().all(|r| {
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    });
    let disjoint = ranges.windows(2).all(|w| w[0].end <= w[1].start);
    !fix.edits.is_empty() && inside && disjoint
}

/// Applies rounds until none applies or `MAX_ROUNDS` have run. `analyze` gives the
/// findings of a text. Returns the final text, its findings' source (the last value
/// `analyze` returned, so the caller need not analyse again) and the number of fixes
/// applied.
pub fn fix_all<A>(
    text: String,
    first: A,
    findings: impl Fn(&A) -> &[Finding],
    analyze: impl Fn(&str) -> A,
) -> (String, A, usize) {
    let mut text = text;
    let mut current = first;
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let Some((next, n)) = apply_round(&text, findings(&current)) else {
            break;
        };
        current = analyze(&next);
        text = next;
        applied += n;
    }
    (text, current, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Edit, FindingData, Level};

    fn finding(fixes: Vec<Fix>) -> Finding {
        Finding {
            code: "TM999",
            name: "test",
            level: Level::Warning,
            message: String::new(),
            range: TextRange::empty(0),
            data: FindingData::default(),
            fixes,
        }
    }

    fn fix(applicability: Applicability, edits: Vec<Edit>) -> Fix {
        Fix {
            title: "t".into(),
            applicability,
            edits,
        }
    }

    fn safe(edits: Vec<Edit>) -> Finding {
        finding(vec![fix(Applicability::Safe, edits)])
    }

    #[test]
    fn applies_disjoint_safe_fixes_in_one_round() {
        let text = "abc def ghi";
        let findings = [
            safe(vec![Edit::replace(TextRange::new(8, 11), "GHI")]),
            safe(vec![Edit::replace(TextRange::new(0, 3), "ABC")]),
        ];
        assert_eq!(
            apply_round(text, &findings),
            Some(("ABC def GHI".to_string(), 2))
        );
    }

    #[test]
    fn skips_unsafe_and_display_only_fixes() {
        let findings = [
            finding(vec![fix(Applicability::Unsafe, vec![Edit::insert(0, "x")])]),
            finding(vec![fix(
                Applicability::DisplayOnly,
                vec![Edit::insert(0, "y")],
            )]),
        ];
        assert_eq!(apply_round("abc", &findings), None);
    }

    #[test]
    fn takes_the_first_safe_fix_of_a_finding() {
        let findings = [finding(vec![
            fix(Applicability::Unsafe, vec![Edit::insert(0, "u")]),
            fix(Applicability::Safe, vec![Edit::insert(0, "s")]),
            fix(Applicability::Safe, vec![Edit::insert(0, "t")]),
        ])];
        assert_eq!(apply_round("abc", &findings), Some(("sabc".to_string(), 1)));
    }

    #[test]
    fn one_insertion_per_round() {
        let text = "## A\n\n## B\n";
        let findings = [
            safe(vec![Edit::insert(5, "- a1\n")]),
            safe(vec![Edit::replace(TextRange::new(3, 4), "X")]),
            safe(vec![Edit::insert(12, "- b1\n")]),
        ];
        assert_eq!(
            apply_round(text, &findings),
            Some(("## X\n- a1\n\n## B\n".to_string(), 2))
        );
    }

    #[test]
    fn overlapping_and_touching_fixes_wait_for_the_next_round() {
        let text = "abcdef";
        let findings = [
            safe(vec![Edit::replace(TextRange::new(0, 3), "X")]),
            safe(vec![Edit::replace(TextRange::new(2, 4), "Y")]),
            safe(vec![Edit::replace(TextRange::new(5, 6), "1")]),
            safe(vec![Edit::replace(TextRange::new(6, 6), "")]),
            safe(vec![Edit::insert(6, "2")]),
        ];
        assert_eq!(apply_round(text, &findings), Some(("Xde1".to_string(), 2)));
    }

    #[test]
    fn a_fix_with_several_edits_applies_whole_or_not_at_all() {
        let text = "row\nlist\n";
        let findings = [
            safe(vec![Edit::insert(3, " M1"), Edit::insert(9, "- M1\n")]),
            // Overlaps the span of the first fix: skipped as a whole.
            safe(vec![Edit::insert(4, ">"), Edit::insert(9, "- M1\n")]),
        ];
        assert_eq!(
            apply_round(text, &findings),
            Some(("row M1\nlist\n- M1\n".to_string(), 1))
        );
    }

    #[test]
    fn broken_edits_are_skipped() {
        let text = "é";
        let findings = [
            safe(vec![Edit::insert(1, "x")]),
            safe(vec![Edit::insert(9, "x")]),
            safe(vec![Edit::replace(TextRange::new(2, 1), "x")]),
            safe(vec![]),
        ];
        assert_eq!(apply_round(text, &findings), None);
    }

    #[test]
    fn rounds_stop_when_nothing_applies() {
        // Each analysis proposes one insertion of `!` until the text has three.
        let analyze = |t: &str| -> Vec<Finding> {
            if t.matches('!').count() < 3 {
                vec![safe(vec![Edit::insert(t.len(), "!")])]
            } else {
                vec![]
            }
        };
        let first = analyze("hi");
        let (text, last, applied) = fix_all("hi".to_string(), first, |f| f.as_slice(), analyze);
        assert_eq!((text.as_str(), last.len(), applied), ("hi!!!", 0, 3));
    }

    #[test]
    fn rounds_are_capped() {
        let analyze = |t: &str| vec![safe(vec![Edit::insert(t.len(), "!")])];
        let first = analyze("");
        let (text, _, applied) = fix_all(String::new(), first, |f| f.as_slice(), analyze);
        assert_eq!((text.len(), applied), (MAX_ROUNDS, MAX_ROUNDS));
    }
}
