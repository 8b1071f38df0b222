//! The workspace: its root folder (what include/exclude globs are relative to) and its
//! configuration.
//!
//! The root is the folder of the nearest `.threatmark.toml` in the current directory or
//! its ancestors, else the current directory. With `--config FILE` the root is the
//! current directory, as ruff resolves a `--config` file's relative paths.

use crate::cli::CliError;
use crate::message;
use std::path::{Path, PathBuf};
use threatmark_engine::config::{Config, ConfigDiagnostic};
use threatmark_engine::knowledge::Methodology;
use threatmark_engine::line_index::LineIndex;
use threatmark_engine::{Level, rules};

pub const CONFIG_FILE: &str = ".threatmark.toml";

/// The methodology `Config::methodology` names when it names no file.
const BUILT_IN_METHODOLOGY: &str = "stride";

#[derive(Debug)]
pub struct Workspace {
    /// Absolute; globs are matched against paths relative to it.
    pub root: PathBuf,
    pub config: Config,
}

/// Finds the root and loads the configuration. Warnings (unknown keys, unknown rule
/// codes) are printed to stderr; errors end the command with status 2.
pub fn load(cwd: &Path, explicit: Option<&Path>) -> Result<Workspace, CliError> {
    let (root, config_path) = match explicit {
        Some(file) => {
            let file = cwd.join(file);
            if !file.is_file() {
                return Err(CliError::new(format!(
                    "{}: no such file",
                    display(cwd, &file)
                )));
            }
            (cwd.to_path_buf(), Some(file))
        }
        None => match find_config(cwd) {
            Some(file) => (
                file.parent()
                    .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf),
                Some(file),
            ),
            None => (cwd.to_path_buf(), None),
        },
    };
    let mut config = match &config_path {
        Some(file) => read_config(cwd, file)?,
        None => Config::default(),
    };
    config.loaded_methodology = check_methodology(cwd, &root, &config)?.map(std::sync::Arc::new);
    Ok(Workspace { root, config })
}

/// The nearest `.threatmark.toml` in `dir` or its ancestors.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|f| f.is_file())
}

fn read_config(cwd: &Path, file: &Path) -> Result<Config, CliError> {
    let shown = display(cwd, file);
    let text = std::fs::read_to_string(file).map_err(|e| CliError::new(format!("{shown}: {e}")))?;
    match Config::from_toml(&text) {
        Ok((config, diagnostics)) => {
            // Only warnings come with a config that loaded; an error would have failed it.
            for d in &diagnostics {
                message::warning(describe(&shown, &text, d));
            }
            // A typo (`TM02`) would silently do nothing; the engine leaves this check to
            // its caller, which knows the registry.
            let index = LineIndex::new(&text);
            for (code, range) in config
                .rule_codes()
                .filter(|(code, _)| rules::lookup(code).is_none())
            {
                let at = index.to_human(&text, range.start);
                message::warning(format!(
                    "{shown}:{}:{}: `[rules]` names `{code}`, which is no rule's code; run `threatmark explain --list` to see them",
                    at.line, at.column
                ));
            }
            Ok(config)
        }
        Err(diagnostics) => {
            let (errors, warnings): (Vec<_>, Vec<_>) =
                diagnostics.iter().partition(|d| d.level == Level::Error);
            for d in warnings {
                message::warning(describe(&shown, &text, d));
            }
            let mut lines: Vec<String> =
                errors.iter().map(|d| describe(&shown, &text, d)).collect();
            if lines.is_empty() {
                lines.push(format!("{shown}: invalid configuration"));
            }
            Err(CliError { lines })
        }
    }
}

/// `path:line:column: key: message`, the line and column 1-based.
fn describe(shown: &str, text: &str, d: &ConfigDiagnostic) -> String {
    let index = LineIndex::new(text);
    let at = index.to_human(text, d.range.start.min(text.len()));
    let key = if d.key.is_empty() || d.message.contains(&format!("`{}`", d.key)) {
        String::new()
    } else {
        format!("`{}`: ", d.key)
    };
    format!("{shown}:{}:{}: {key}{}", at.line, at.column, d.message)
}

/// A `methodology` other than the built-in one names a file, relative to the root; it
/// must exist and parse, or the command stops here rather than checking against the
/// wrong questions.
fn check_methodology(
    cwd: &Path,
    root: &Path,
    config: &Config,
) -> Result<Option<Methodology>, CliError> {
    let name = config.methodology.trim();
    if name.is_empty() || name.eq_ignore_ascii_case(BUILT_IN_METHODOLOGY) {
        return Ok(None);
    }
    let file = root.join(name);
    let shown = display(cwd, &file);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| CliError::new(format!("{shown}: cannot read the methodology file: {e}")))?;
    Methodology::from_toml(&text)
        .map(Some)
        .map_err(|e| CliError::new(format!("{shown}: {e}")))
}

/// `path` relative to `cwd` when it lies inside it, else as it is.
pub fn display(cwd: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    if shown.as_os_str().is_empty() {
        ".".to_string()
    } else {
        shown.display().to_string()
    }
}
