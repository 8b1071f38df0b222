//! Which files `check` reads: markdown files under the given directories (respecting
//! `.gitignore`, skipping hidden entries, following no symlinks) and every file named
//! explicitly.

use crate::cli::CliError;
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// One file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// As the walk found it (relative to the current directory unless given absolute).
    pub path: PathBuf,
    /// What the output shows: `path` without a leading `./`, `/`-separated.
    pub display: String,
    /// Relative to the workspace root, `/`-separated: what the engine matches globs on.
    pub engine_path: String,
}

/// The files to check, sorted by path, each once; plus the walk's own errors (an
/// unreadable directory), which the caller reports.
pub fn collect(
    paths: &[PathBuf],
    cwd: &Path,
    root: &Path,
) -> Result<(Vec<Target>, Vec<String>), CliError> {
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| std::fs::metadata(p).is_err())
        .map(|p| format!("{}: no such file or directory", p.display()))
        .collect();
    if !missing.is_empty() {
        return Err(CliError { lines: missing });
    }
    let mut found: Vec<PathBuf> = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if !path.is_dir() {
            found.push(path.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(path)
            .hidden(true)
            .follow_links(false)
            // Respect .gitignore in a folder that is not (yet) a git repository too.
            .require_git(false)
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file && is_markdown(entry.path()) {
                        found.push(entry.into_path());
                    }
                }
                Err(err) => errors.push(err.to_string()),
            }
        }
    }
    let mut seen = HashSet::new();
    let mut targets: Vec<Target> = found
        .into_iter()
        .filter(|p| seen.insert(normalize(&cwd.join(p))))
        .map(|path| {
            let display = display_path(&path);
            let engine_path = engine_path(&path, cwd, root).unwrap_or_else(|| display.clone());
            Target {
                path,
                display,
                engine_path,
            }
        })
        .collect();
    // By path components, so `docs/a.md` comes before `docs-old/a.md`.
    targets.sort_by(|a, b| Path::new(&a.display).cmp(Path::new(&b.display)));
    Ok((targets, errors))
}

pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// The path as the user sees it: no `.` components, `..` resolved where it can be, `/`
/// between components.
pub fn display_path(path: &Path) -> String {
    let parts: Vec<String> = normalize(path)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else if parts.len() == 1 && parts[0].is_empty() {
        "/".to_string()
    } else {
        parts.join("/")
    }
}

/// `path` (relative to `cwd`, or absolute) relative to the workspace root, `/`-separated;
/// `None` when it lies outside the root.
pub fn engine_path(path: &Path, cwd: &Path, root: &Path) -> Option<String> {
    let absolute = normalize(&cwd.join(path));
    let relative = absolute.strip_prefix(normalize(root)).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Removes `.` and resolves `..` lexically, without touching the file system (a
/// symlinked folder keeps the name the user gave it).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // Above the root is the root.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(Component::ParentDir | Component::CurDir) | None => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_drop_the_leading_dot() {
        assert_eq!(
            display_path(Path::new("./docs/design/x.md")),
            "docs/design/x.md"
        );
        assert_eq!(display_path(Path::new("docs/x.md")), "docs/x.md");
        assert_eq!(display_path(Path::new("../other/x.md")), "../other/x.md");
        assert_eq!(display_path(Path::new("docs/../docs/./x.md")), "docs/x.md");
        assert_eq!(display_path(Path::new("/tmp/x.md")), "/tmp/x.md");
        assert_eq!(display_path(Path::new(".")), ".");
    }

    #[test]
    fn engine_paths_are_relative_to_the_root() {
        let cwd = Path::new("/repo/docs");
        let root = Path::new("/repo");
        assert_eq!(
            engine_path(Path::new("./design/x.md"), cwd, root).as_deref(),
            Some("docs/design/x.md")
        );
        assert_eq!(
            engine_path(Path::new("../README.md"), cwd, root).as_deref(),
            Some("README.md")
        );
        assert_eq!(
            engine_path(Path::new("/repo/a/b.md"), cwd, root).as_deref(),
            Some("a/b.md")
        );
        assert_eq!(engine_path(Path::new("/elsewhere/b.md"), cwd, root), None);
    }

    #[test]
    fn normalizing_keeps_leading_parents() {
        assert_eq!(
            normalize(Path::new("../../x.md")),
            PathBuf::from("../../x.md")
        );
        assert_eq!(
            normalize(Path::new("a/../../x.md")),
            PathBuf::from("../x.md")
        );
        assert_eq!(
            normalize(Path::new("/a/../../x.md")),
            PathBuf::from("/x.md")
        );
        assert_eq!(
            normalize(Path::new("./a/./b/../c.md")),
            PathBuf::from("a/c.md")
        );
    }

    #[test]
    fn markdown_extensions() {
        assert!(is_markdown(Path::new("a.md")));
        assert!(is_markdown(Path::new("a.MARKDOWN")));
        assert!(!is_markdown(Path::new("a.mdx")));
        assert!(!is_markdown(Path::new("md")));
    }
}
