//! Suppression comments (SPEC §5.1): a decision not to act on a finding, with its reason,
//! kept in the doc so it is reviewed with the design.

use super::Document;
use crate::span::{Spanned, TextRange};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionScope {
    /// `threatmark-disable-line`: the line holding the comment.
    Line(TextRange),
    /// `threatmark-disable-next-line`: the next non-blank line.
    NextLine(TextRange),
    /// `threatmark-disable`: the whole document.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub scope: SuppressionScope,
    /// The codes as written, with their ranges.
    pub codes: Vec<Spanned<String>>,
    /// The reason after ` -- `, if any.
    pub reason: Option<Spanned<String>>,
    /// The whole comment.
    pub range: TextRange,
}

impl Suppression {
    /// Whether this suppression silences `code` at `offset` (a reasonless one silences nothing).
    pub fn silences(&self, code: &str, offset: usize) -> bool {
        if self.reason.is_none()
            || !self
                .codes
                .iter()
                .any(|c| c.value.eq_ignore_ascii_case(code))
        {
            return false;
        }
        match self.scope {
            SuppressionScope::Line(r) | SuppressionScope::NextLine(r) => {
                r.start <= offset && offset <= r.end
            }
            SuppressionScope::File => true,
        }
    }
}

fn comment_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?s)<!--[ \t]*threatmark-(disable-next-line|disable-line|disable)\b(.*?)-->")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

pub fn read(text: &str, doc: &Document) -> Vec<Suppression> {
    let code_blocks: Vec<TextRange> = doc
        .blocks
        .iter()
        .filter_map(|b| {
            if let super::Block::Code(c) = b {
                Some(c.range)
            } else {
                None
            }
        })
        .collect();
    let body_start = doc.front_matter.as_ref().map_or(0, |fm| fm.range.end);
    let mut out = Vec::new();
    for caps in comment_re().captures_iter(text) {
        let (Some(whole), Some(kind), Some(args)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        if whole.start() < body_start || code_blocks.iter().any(|r| r.contains(whole.start())) {
            continue;
        }
        let (codes_part, reason) = match args.as_str().find(" --") {
            Some(i) => {
                let reason_raw = &args.as_str()[i + 3..];
                let lead = reason_raw.len() - reason_raw.trim_start().len();
                let value = reason_raw.trim();
                let start = args.start() + i + 3 + lead;
                let reason = (!value.is_empty()).then(|| {
                    Spanned::new(
                        value.to_string(),
                        TextRange::new(start, start + value.len()),
                    )
                });
                (&args.as_str()[..i], reason)
            }
            None => (args.as_str(), None),
        };
        let mut codes = Vec::new();
        let mut offset = 0;
        for word in codes_part.split([',', ' ', '\t', '\n', '\r']) {
            if !word.is_empty() {
                let start = args.start() + offset;
                codes.push(Spanned::new(
                    word.to_string(),
                    TextRange::new(start, start + word.len()),
                ));
            }
            offset += word.len() + 1;
        }
        let range = TextRange::new(whole.start(), whole.end());
        let scope = match kind.as_str() {
            "disable-line" => SuppressionScope::Line(line_of(text, whole.start())),
            "disable-next-line" => {
                SuppressionScope::NextLine(next_nonblank_line(text, whole.end()))
            }
            _ => SuppressionScope::File,
        };
        out.push(Suppression {
            scope,
            codes,
            reason,
            range,
        });
    }
    out
}

/// The line holding `offset`, without its terminator.
fn line_of(text: &str, offset: usize) -> TextRange {
    let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    TextRange::new(start, end)
}

/// The first non-blank line after the line holding `offset`.
fn next_nonblank_line(text: &str, offset: usize) -> TextRange {
    let mut pos = text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1);
    while pos < text.len() {
        let line = line_of(text, pos);
        if !line.slice(text).trim().is_empty() {
            return line;
        }
        pos = line.end + 1;
    }
    TextRange::empty(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn three_forms() {
        let text = "# D\n\n<!-- threatmark-disable TM041 -- reviewed by platform security -->\n\n| a | b <!-- threatmark-disable-line TM032, TM030 -- tracked in backlog --> |\n\n<!-- threatmark-disable-next-line TM011 -->\n\n## Next\n";
        let doc = Document::parse(text, &Config::default());
        let s = &doc.suppressions;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].scope, SuppressionScope::File);
        assert_eq!(
            s[0].reason.as_ref().map(|r| r.value.as_str()),
            Some("reviewed by platform security")
        );
        let codes: Vec<&str> = s[1].codes.iter().map(|c| c.range.slice(text)).collect();
        assert_eq!(codes, ["TM032", "TM030"]);
        let row = text.find("| a").unwrap_or(0);
        assert!(s[1].silences("TM032", row));
        assert!(s[2].reason.is_none());
        assert!(!s[2].silences("TM011", text.find("## Next").unwrap_or(0)));
        let SuppressionScope::NextLine(r) = s[2].scope else {
            panic!()
        };
        assert_eq!(r.slice(text), "## Next");
    }
}
