//! Template placeholder text: `<what stops a caller …?>`, `TODO`, `TBD`, `FIXME`.

use regex::Regex;
use std::sync::OnceLock;

fn placeholder_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // An angle-bracketed phrase, or a to-do marker as a whole word. Which bracketed
        // phrases are placeholders is decided in `is_placeholder`: counted repetitions
        // here would make the automaton large and the scan slow.
        Regex::new(r"<[A-Za-z][^<>\n]*>|(?-u:\b)(?:TODO|TBD|FIXME|XXX)(?-u:\b)")
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Every placeholder in `s`, as byte ranges of `s`.
pub fn find(s: &str) -> Vec<std::ops::Range<usize>> {
    placeholder_re()
        .find_iter(s)
        .filter(|m| is_placeholder(m.as_str()))
        .map(|m| m.range())
        .collect()
}

/// A to-do marker, `<What stops a caller?>` (a space or question mark inside) or
/// `<reason>` (one lowercase word) is a placeholder; `<br>`, `<div class=…>`, autolinks
/// and e-mail addresses are not.
fn is_placeholder(t: &str) -> bool {
    let Some(inner) = t.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        return true;
    };
    if inner.len() > 400 || inner.contains("://") || inner.contains('@') || is_html_tag(t) {
        return false;
    }
    inner.contains([' ', '\t', '?'])
        || (inner.len() >= 3
            && inner.len() <= 41
            && inner.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
}

fn is_html_tag(t: &str) -> bool {
    const TAGS: &[&str] = &[
        "<br>",
        "<hr>",
        "<sup>",
        "<sub>",
        "<kbd>",
        "<details>",
        "<summary>",
        "<table>",
        "<code>",
        "<pre>",
    ];
    let lower = t.to_ascii_lowercase();
    TAGS.contains(&lower.as_str())
        || lower.starts_with("<a ")
        || lower.starts_with("<img ")
        || lower.starts_with("<span ")
        || lower.starts_with("<div ")
        || lower.starts_with("<p ")
        || lower.starts_with("<td ")
        || lower.starts_with("<th ")
}

/// Whether `s` holds nothing but placeholders, HTML comments, markup and whitespace.
pub fn only_placeholders(s: &str) -> bool {
    let mut rest = s.to_string();
    for r in find(s).into_iter().rev() {
        rest.replace_range(r, " ");
    }
    let rest = strip_comments(&rest);
    rest.chars().all(|c| {
        c.is_whitespace() || matches!(c, '|' | '-' | '*' | '_' | '.' | '…' | ':' | '#' | '`' | '>')
    })
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_not_tags() {
        let s = "<What stops a caller?> and <reason> TODO but not <br> or <https://x.y> or TODOS";
        let found: Vec<&str> = find(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(found, ["<What stops a caller?>", "<reason>", "TODO"]);
    }

    #[test]
    fn only_placeholders_ignores_markup_and_comments() {
        assert!(only_placeholders("<!-- write here --> TBD\n\n- <asset>\n"));
        assert!(only_placeholders("..."));
        assert!(!only_placeholders("The export job and its bucket."));
    }
}
