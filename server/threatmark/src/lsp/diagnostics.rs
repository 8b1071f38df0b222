//! Findings as LSP diagnostics, and the workspace-wide scan behind
//! `workspace/diagnostic`.
//!
//! A diagnostic carries `source: "threatmark"`, the rule code, a `codeDescription` and
//! `data`: the finding's SPEC §8.1 data (`category`, `asset`, `element`…) plus
//! `version` and `finding` (its index in that version's analysis), which bind a quick
//! fix to its finding. The `codeDescription` is `threatmark://explain/TM020`: the rule's
//! documentation is what `threatmark explain TM020` prints, and the editor plugins open
//! that URI by showing it.

use super::analysis::{Analyzed, Input, Partner, compute};
use super::config::severity;
use super::encoding::Positions;
use crate::walk;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use threatmark_engine::config::Config;
use threatmark_engine::line_index::WideEncoding;
use threatmark_engine::{Analysis, Finding};
use tower_lsp_server::ls_types::{CodeDescription, Diagnostic, NumberOrString, Uri};

pub const SOURCE: &str = "threatmark";

/// The URI of a rule's documentation.
pub fn explain_uri(code: &str) -> Option<Uri> {
    format!("threatmark://explain/{code}").parse().ok()
}

/// The diagnostics of one analysis, for the document version it was made from.
pub fn of(positions: &Positions<'_>, analysis: &Analysis, version: i32) -> Vec<Diagnostic> {
    analysis
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| diagnostic(positions, f, Some((version, i))))
        .collect()
}

/// `binding` is the document version and the finding's index, for `data`.
pub fn diagnostic(
    positions: &Positions<'_>,
    f: &Finding,
    binding: Option<(i32, usize)>,
) -> Diagnostic {
    let mut data = serde_json::to_value(&f.data).unwrap_or_default();
    if let (Some(object), Some((version, index))) = (data.as_object_mut(), binding) {
        object.insert("version".into(), version.into());
        object.insert("finding".into(), index.into());
    }
    Diagnostic {
        range: positions.range(f.range),
        severity: Some(severity(f.level)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: explain_uri(f.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        data: Some(data),
        ..Diagnostic::default()
    }
}

/// One file's diagnostics from the disk, for `workspace/diagnostic`.
#[derive(Clone)]
pub struct DiskReport {
    pub uri: Uri,
    /// Changes when the text or the configuration changes.
    pub result_id: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a scan of the disk depends on: the configuration, the files open in the editor,
/// and each markdown file's size and modification time.
#[derive(PartialEq, Eq)]
struct DiskKey {
    generation: u64,
    open: Vec<PathBuf>,
    files: Vec<(PathBuf, u64, Option<std::time::SystemTime>)>,
}

/// The last scan, reused while nothing it depends on changed: clients ask for workspace
/// diagnostics again every few seconds, and walking is far cheaper than analysing.
#[derive(Default)]
pub struct DiskCache {
    last: std::sync::Mutex<Option<(DiskKey, Vec<DiskReport>)>>,
}

impl DiskCache {
    /// As [`scan_workspace`], from the cache when no file changed. Blocking.
    pub fn scan(
        &self,
        root: &Path,
        config: &Arc<Config>,
        generation: u64,
        encoding: WideEncoding,
        open: &HashSet<PathBuf>,
    ) -> Vec<DiskReport> {
        let key = walk::collect(&[root.to_path_buf()], root, root)
            .ok()
            .map(|(targets, _)| {
                let mut open: Vec<PathBuf> = open.iter().cloned().collect();
                open.sort();
                let files = targets
                    .iter()
                    .map(|t| {
                        let meta = std::fs::metadata(root.join(&t.path)).ok();
                        (
                            t.path.clone(),
                            meta.as_ref().map_or(0, std::fs::Metadata::len),
                            meta.and_then(|m| m.modified().ok()),
                        )
                    })
                    .collect();
                DiskKey {
                    generation,
                    open,
                    files,
                }
            });
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let (Some(key), Some((cached_key, reports))) = (&key, last.as_ref())
            && key == cached_key
        {
            return reports.clone();
        }
        let reports = scan_workspace(root, config, generation, encoding, open);
        if let Some(key) = key {
            *last = Some((key, reports.clone()));
        }
        reports
    }
}

/// The markdown files under `root` that are not open in the editor, analysed from disk
/// as `check` analyses them (a threat model kept in a linked file with its design doc);
/// open ones are reported from the editor's text. Files that are not design docs get an
/// empty report, so a file that stopped being one is cleared. Blocking: run it with
/// `spawn_blocking`.
fn scan_workspace(
    root: &Path,
    config: &Arc<Config>,
    generation: u64,
    encoding: WideEncoding,
    open: &HashSet<PathBuf>,
) -> Vec<DiskReport> {
    let Ok((targets, _errors)) = walk::collect(&[root.to_path_buf()], root, root) else {
        return Vec::new();
    };
    let read = |path: &Path| -> Option<String> {
        let bytes = std::fs::read(path).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
    };
    let input = |uri: Uri, text: String, design: Option<(String, String)>| Input {
        uri,
        version: 0,
        epoch: 0,
        generation,
        text,
        root: Some(root.to_path_buf()),
        config: config.clone(),
        encoding,
        design,
    };
    let mut analyzed: Vec<(PathBuf, Analyzed)> = targets
        .par_iter()
        .filter_map(|t| {
            let path = walk::normalize(&root.join(&t.path));
            if open.contains(&path) {
                return None;
            }
            let uri = Uri::from_file_path(&path)?;
            let text = read(&path)?;
            Some((path, compute(input(uri, text, None), 0, |_| None)))
        })
        .collect();
    // A threat-model file linked by a design doc is that pair's, as in `check`.
    let pairs: HashMap<PathBuf, (String, String)> = analyzed
        .iter()
        .filter_map(|(_, a)| match &a.partner {
            Partner::ThreatModel { path, .. } => {
                Some((path.clone(), (a.engine_path.clone(), a.text.clone())))
            }
            _ => None,
        })
        .collect();
    for (path, a) in &mut analyzed {
        if let Some(design) = pairs.get(path) {
            let text = std::mem::take(&mut a.text);
            *a = compute(input(a.uri.clone(), text, Some(design.clone())), 0, |_| {
                None
            });
        }
    }
    analyzed
        .into_iter()
        .map(|(_, a)| DiskReport {
            result_id: format!("disk-{generation}-{:016x}", fingerprint(&a)),
            uri: a.uri,
            diagnostics: a.diagnostics,
        })
        .collect()
}

/// Changes when the file's text or its linked partner's text changes.
fn fingerprint(a: &Analyzed) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.text.hash(&mut h);
    match &a.partner {
        Partner::Standalone => {}
        Partner::ThreatModel { text, .. } | Partner::Design { text, .. } => text.hash(&mut h),
    }
    h.finish()
}
