//! A threat model kept in a separate file (SPEC §3): a design doc with no threat-model
//! section of its own that links to a local markdown file whose first heading names a
//! threat model (or whose front matter has `threat_model:`). The engine says which links
//! could be one; reading them is the caller's job, done here.

use crate::walk::{self, Target};
use std::path::{Path, PathBuf};
use threatmark_engine::config::Config;
use threatmark_engine::document::markdown::parse_blocks;
use threatmark_engine::{Analysis, analysis};

/// The linked threat-model file of `design`, if its analysis says it may have one and a
/// link leads to a readable file that is one. The first such link wins.
pub fn find(
    design: &Target,
    analysis: &Analysis,
    cwd: &Path,
    root: &Path,
    config: &Config,
) -> Option<Target> {
    find_with(design, analysis, cwd, root, config, |path| {
        let bytes = std::fs::read(path).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
    })
}

/// As [`find`], reading each candidate with `read` (the language server reads a file
/// open in the editor from the editor, the others from disk).
pub fn find_with(
    design: &Target,
    analysis: &Analysis,
    cwd: &Path,
    root: &Path,
    config: &Config,
    read: impl Fn(&Path) -> Option<String>,
) -> Option<Target> {
    let folder = design.path.parent().unwrap_or(Path::new(""));
    analysis::threat_model_link_candidates(analysis)
        .into_iter()
        .find_map(|link| {
            let path = resolve(link, folder, cwd, root)?;
            let text = read(&cwd.join(&path))?;
            analysis::is_threat_model_file(&text, config).then(|| target(path, cwd, root))
        })
}

/// Every local markdown file a link in `text` (the file `from`) leads to: a superset of
/// the files [`find`] can pick as `from`'s threat model, found with the engine's markdown
/// pass alone, without analysing the file.
pub fn linked_files(from: &Target, text: &str, cwd: &Path, root: &Path) -> Vec<PathBuf> {
    if !may_link_markdown(text) {
        return Vec::new();
    }
    let folder = from.path.parent().unwrap_or(Path::new(""));
    parse_blocks(text)
        .links
        .iter()
        .filter_map(|l| {
            // The part the engine keeps of a link to a markdown file.
            let path = l.dest.split('#').next().unwrap_or(&l.dest);
            let lower = path.to_ascii_lowercase();
            if lower.ends_with(".md") || lower.ends_with(".markdown") {
                resolve(path, folder, cwd, root)
            } else {
                None
            }
        })
        .collect()
}

/// Whether `text` can hold a link to a markdown file, without parsing it: such a link's
/// destination ends in `.md` or `.markdown` (any case) once decoded, and a backslash
/// escape keeps the character in place, so only a character reference (`&#46;`,
/// `&period;`: `&`, letters, digits or `#`, `;`) could hide that ending from this test.
fn may_link_markdown(text: &str) -> bool {
    let bytes = text.as_bytes();
    let reference = text.match_indices('&').any(|(i, _)| {
        let rest = &bytes[i + 1..];
        // The longest named reference has 31 characters; a numeric one fewer.
        let name = rest
            .iter()
            .take(33)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
            .count();
        name > 0 && rest.get(name) == Some(&b';')
    });
    reference
        || text.match_indices('.').any(|(i, _)| {
            let rest = &bytes[i + 1..];
            rest.get(..2).is_some_and(|r| r.eq_ignore_ascii_case(b"md"))
                || rest
                    .get(..8)
                    .is_some_and(|r| r.eq_ignore_ascii_case(b"markdown"))
        })
}

/// The file a link points to, as a path like the walk's (relative to the current
/// directory unless absolute); `None` when there is no such file. A link starting with
/// `/` is relative to the workspace root, as a repository host renders it.
fn resolve(link: &str, folder: &Path, cwd: &Path, root: &Path) -> Option<PathBuf> {
    let decoded = percent_decode(link);
    let candidates = [link.to_string(), decoded];
    candidates.iter().find_map(|written| {
        let path = match written.strip_prefix('/') {
            Some(from_root) => root.join(from_root),
            None => folder.join(written),
        };
        let path = walk::normalize(&path);
        let relative = path
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.clone());
        cwd.join(&relative).is_file().then_some(relative)
    })
}

fn target(path: PathBuf, cwd: &Path, root: &Path) -> Target {
    let display = walk::display_path(&path);
    let engine_path = walk::engine_path(&path, cwd, root).unwrap_or_else(|| display.clone());
    Target {
        path,
        display,
        engine_path,
    }
}

/// `%20` and friends decoded; an invalid escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            // Two hex digits make a value below 256.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("threat%20model.md"), "threat model.md");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("caf%C3%A9.md"), "café.md");
    }

    #[test]
    fn linked_files_are_the_markdown_files_links_lead_to() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/design"))?;
        std::fs::write(root.join("docs/design/tm.md"), "# Threat model\n")?;
        std::fs::write(root.join("docs/other.MARKDOWN"), "# Other\n")?;
        let from = target(PathBuf::from("docs/design/x.md"), root, root);
        let text = "# X\n\nSee [the model](tm.md#threats), [other][o], [gone](gone.md), \
                    [site](https://example.com/a.md) and ![img](tm.png).\n\n\
                    [o]: ../other.MARKDOWN\n";
        let mut found = linked_files(&from, text, root, root);
        found.sort();
        assert_eq!(
            found,
            [
                PathBuf::from("docs/design/tm.md"),
                PathBuf::from("docs/other.MARKDOWN")
            ]
        );
        Ok(())
    }

    #[test]
    fn only_a_text_that_may_link_markdown_is_parsed() {
        assert!(may_link_markdown("See [x](a.md)."));
        assert!(may_link_markdown("See [x](A.MD#top)."));
        assert!(may_link_markdown("See [x](a\\.md)."));
        assert!(may_link_markdown("[x]: notes.Markdown"));
        assert!(may_link_markdown("See [x](a&#46;md)."));
        assert!(may_link_markdown("See [x](a&period;md)."));
        assert!(may_link_markdown("See [x](a&#x2E;&#109;d)."));
        assert!(!may_link_markdown("R&D, a && b, &amp without a semicolon."));
        assert!(!may_link_markdown(
            "# Plain\n\nNo links, an [https://x.io](https://x.io) one."
        ));
        assert!(!may_link_markdown("Ends with a dot."));
    }

    #[test]
    fn links_resolve_against_the_doc_folder_or_the_root() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/design"))?;
        std::fs::create_dir_all(root.join("security"))?;
        std::fs::write(root.join("docs/design/threat model.md"), "# Threat model\n")?;
        std::fs::write(root.join("security/tm.md"), "# Threat model\n")?;
        let folder = Path::new("docs/design");
        assert_eq!(
            resolve("threat%20model.md", folder, root, root),
            Some(PathBuf::from("docs/design/threat model.md"))
        );
        assert_eq!(
            resolve("../../security/tm.md", folder, root, root),
            Some(PathBuf::from("security/tm.md"))
        );
        assert_eq!(
            resolve("/security/tm.md", folder, root, root),
            Some(PathBuf::from("security/tm.md"))
        );
        assert_eq!(resolve("missing.md", folder, root, root), None);
        Ok(())
    }
}
