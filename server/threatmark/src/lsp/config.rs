//! The configuration in force: the workspace's `.threatmark.toml` (watched) and the
//! editor's settings (`workspace/configuration`, section `threatmark`).
//!
//! The editor settings take the keys of `.threatmark.toml` (SPEC §9), with the same
//! names. A key the file sets wins over the same key in the editor settings: the file is
//! what CI checks against, so the editor must not quietly disagree with it. Tables
//! (`[rules]`, `[sections]`…) merge key by key. Editor-only keys (`server`, `trace`)
//! are the plugin's and ignored here.
//!
//! An invalid file is a diagnostic on that file and a `window/showMessage`, and the last
//! good configuration stays in force; invalid editor settings are reported and ignored.

use super::encoding::Positions;
use crate::workspace::CONFIG_FILE;
use std::path::{Path, PathBuf};
use threatmark_engine::config::{Config, ConfigDiagnostic};
use threatmark_engine::knowledge::Methodology;
use threatmark_engine::line_index::{LineIndex, WideEncoding};
use threatmark_engine::{Level, TextRange, rules};
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, MessageType, Uri};

/// Keys of the `threatmark` settings section that belong to the editor plugin.
const EDITOR_ONLY_KEYS: &[&str] = &["server", "trace"];

/// What loading found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The configuration to put in force; `None` keeps the last good one.
    pub config: Option<Config>,
    /// The workspace's `.threatmark.toml`, if it exists, and its diagnostics (none when
    /// it is valid and has no warning).
    pub file: Option<(Uri, Vec<Diagnostic>)>,
    /// For `window/showMessage`.
    pub messages: Vec<(MessageType, String)>,
}

pub fn config_path(root: &Path) -> PathBuf {
    root.join(CONFIG_FILE)
}

pub fn load(
    root: Option<&Path>,
    settings: Option<&serde_json::Value>,
    encoding: WideEncoding,
) -> Loaded {
    let mut loaded = Loaded::default();
    let file = root.map(config_path).filter(|p| p.is_file());
    let mut file_table = None;
    let mut file_ok = true;
    let mut file_text = String::new();
    let mut file_diagnostics = Vec::new();
    if let Some(path) = &file {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                file_text = text;
                match Config::from_toml(&file_text) {
                    Ok((config, warnings)) => {
                        file_diagnostics.extend(warnings);
                        file_diagnostics.extend(unknown_rule_codes(&config));
                        file_table = toml::from_str::<toml::Table>(&file_text).ok();
                    }
                    Err(diagnostics) => {
                        file_ok = false;
                        let first = diagnostics
                            .iter()
                            .find(|d| d.level == Level::Error)
                            .map(|d| describe(&file_text, d))
                            .unwrap_or_default();
                        loaded.messages.push((
                            MessageType::ERROR,
                            format!(
                                "{CONFIG_FILE} is invalid ({first}); the last valid configuration stays in force"
                            ),
                        ));
                        file_diagnostics.extend(diagnostics);
                    }
                }
            }
            Err(e) => {
                file_ok = false;
                loaded.messages.push((
                    MessageType::ERROR,
                    format!(
                        "cannot read {}: {e}; the last valid configuration stays in force",
                        path.display()
                    ),
                ));
            }
        }
    }

    let settings_table = settings.and_then(|s| settings_table(s, &mut loaded.messages));
    let mut config = None;
    if file_ok {
        let mut merged = settings_table.unwrap_or_default();
        if let Some(file_table) = file_table {
            merge(&mut merged, file_table);
        }
        config = match toml::to_string(&merged).map(|text| Config::from_toml(&text)) {
            Ok(Ok((config, _))) => Some(config),
            // Each part was valid alone; should the merge still fail, the file alone.
            _ => Config::from_toml(&file_text).ok().map(|(c, _)| c),
        };
    }
    if let (Some(c), Some(root)) = (config.as_mut(), root) {
        match methodology(root, c) {
            Ok(m) => c.loaded_methodology = m.map(std::sync::Arc::new),
            Err(message) => {
                let at = file_text
                    .find("methodology")
                    .map_or(TextRange::empty(0), |i| TextRange::new(i, i + 11));
                file_diagnostics.push(ConfigDiagnostic {
                    level: Level::Error,
                    key: "methodology".into(),
                    message: message.clone(),
                    range: at,
                });
                loaded.messages.push((
                    MessageType::ERROR,
                    format!("{message}; the last valid configuration stays in force"),
                ));
                config = None;
            }
        }
    }
    loaded.config = config;
    if let Some(uri) = file.as_ref().and_then(Uri::from_file_path) {
        let index = LineIndex::new(&file_text);
        let positions = Positions {
            text: &file_text,
            index: &index,
            encoding,
        };
        let diagnostics = file_diagnostics
            .iter()
            .map(|d| diagnostic(&positions, d))
            .collect();
        loaded.file = Some((uri, diagnostics));
    }
    loaded
}

/// The editor settings as a TOML table, without editor-only keys and nulls; `None` when
/// there is nothing to apply or they are invalid (then with a message).
fn settings_table(
    settings: &serde_json::Value,
    messages: &mut Vec<(MessageType, String)>,
) -> Option<toml::Table> {
    let mut value = settings.clone();
    let object = value.as_object_mut()?;
    for key in EDITOR_ONLY_KEYS {
        object.remove(*key);
    }
    strip_nulls(&mut value);
    let table: toml::Table = match serde_json::from_value(value) {
        Ok(table) => table,
        Err(e) => {
            messages.push((
                MessageType::WARNING,
                format!("the `threatmark` editor settings are ignored: {e}"),
            ));
            return None;
        }
    };
    if table.is_empty() {
        return None;
    }
    let text = toml::to_string(&table).ok()?;
    match Config::from_toml(&text) {
        Ok((_, warnings)) => {
            for w in warnings {
                messages.push((
                    MessageType::WARNING,
                    format!("the `threatmark` editor settings: {}", w.message),
                ));
            }
            Some(table)
        }
        Err(diagnostics) => {
            let why: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.level == Level::Error)
                .map(|d| d.message.clone())
                .collect();
            messages.push((
                MessageType::ERROR,
                format!(
                    "the `threatmark` editor settings are ignored: {}",
                    why.join("; ")
                ),
            ));
            None
        }
    }
}

fn strip_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// `over`'s keys win; tables present in both merge key by key.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `[rules]` codes that name no rule: a typo would silently do nothing.
fn unknown_rule_codes(config: &Config) -> Vec<ConfigDiagnostic> {
    config
        .rule_codes()
        .filter(|(code, _)| rules::lookup(code).is_none())
        .map(|(code, range)| ConfigDiagnostic {
            level: Level::Warning,
            key: format!("rules.{code}"),
            message: format!("`{code}` is no rule's code; `threatmark explain --list` lists them"),
            range,
        })
        .collect()
}

/// The methodology file `methodology` names, relative to the root (`None` for the
/// built-in STRIDE).
fn methodology(root: &Path, config: &Config) -> Result<Option<Methodology>, String> {
    let name = config.methodology.trim();
    if name.is_empty() || name.eq_ignore_ascii_case(threatmark_engine::config::DEFAULT_METHODOLOGY)
    {
        return Ok(None);
    }
    let path = root.join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the methodology file {}: {e}", path.display()))?;
    Methodology::from_toml(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn describe(text: &str, d: &ConfigDiagnostic) -> String {
    let at = LineIndex::new(text).to_human(text, d.range.start);
    format!("line {}: {}", at.line, d.message)
}

fn diagnostic(positions: &Positions<'_>, d: &ConfigDiagnostic) -> Diagnostic {
    let message = if d.key.is_empty() || d.message.contains(&format!("`{}`", d.key)) {
        d.message.clone()
    } else {
        format!("`{}`: {}", d.key, d.message)
    };
    Diagnostic {
        range: positions.range(d.range),
        severity: Some(severity(d.level)),
        source: Some("threatmark".into()),
        message,
        ..Diagnostic::default()
    }
}

pub fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Error => DiagnosticSeverity::ERROR,
        Level::Warning => DiagnosticSeverity::WARNING,
        Level::Info => DiagnosticSeverity::INFORMATION,
        Level::Hint => DiagnosticSeverity::HINT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_wins_over_editor_settings_and_tables_merge() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { panic!("{dir:?}") };
        let written = std::fs::write(
            dir.path().join(CONFIG_FILE),
            "stale_after_months = 3\n[rules]\nTM011 = \"off\"\n",
        );
        assert!(written.is_ok());
        let settings = serde_json::json!({
            "stale_after_months": 12,
            "element_scope": "all",
            "rules": {"TM041": "warning", "TM011": "info"},
            "server": {"path": "/usr/bin/threatmark"},
            "trace": null,
        });
        let loaded = load(Some(dir.path()), Some(&settings), WideEncoding::Utf16);
        let Some(config) = loaded.config else {
            panic!("{:?}", loaded.messages)
        };
        assert_eq!(config.stale_after_months, 3);
        assert_eq!(config.element_scope.as_str(), "all");
        assert_eq!(config.rule_level("TM011", Level::Info), None);
        assert_eq!(
            config.rule_level("TM041", Level::Info),
            Some(Level::Warning)
        );
        assert!(loaded.messages.is_empty(), "{:?}", loaded.messages);
        assert!(matches!(&loaded.file, Some((_, d)) if d.is_empty()));
    }

    #[test]
    fn an_invalid_file_keeps_the_last_good_config() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let written = std::fs::write(dir.path().join(CONFIG_FILE), "stale_after_months = \"x\"\n");
        assert!(written.is_ok());
        let loaded = load(Some(dir.path()), None, WideEncoding::Utf16);
        assert!(loaded.config.is_none());
        assert_eq!(loaded.messages.len(), 1);
        let Some((_, diagnostics)) = &loaded.file else {
            panic!("no file diagnostics")
        };
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].range.start.line, 0);
        assert!(diagnostics[0].message.contains("stale_after_months"));
    }
}
