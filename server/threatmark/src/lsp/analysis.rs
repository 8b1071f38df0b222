//! One document's analysis for one `(uri, version)`: the text, its line index, the
//! engine's `Analysis` and the diagnostics made from it. Computed off the async runtime
//! (`spawn_blocking`), cached until the document, its linked partner or the
//! configuration changes, and shared by every request about that version.
//!
//! A design doc that keeps its threat model in a linked file (SPEC §3) is analysed
//! together with that file, as `check` does (`link.rs`); the file's text is the editor's
//! when it is open, else the disk's. A threat-model file is analysed with its design doc
//! when that design doc is open (the server learns the link from the design doc's
//! analysis), else on its own.

use super::diagnostics;
use super::encoding::Positions;
use crate::link;
use crate::walk::{self, Target};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use threatmark_engine::config::Config;
use threatmark_engine::document::Document;
use threatmark_engine::line_index::{LineIndex, WideEncoding};
use threatmark_engine::{Analysis, Source, analyze, analyze_linked};
use tower_lsp_server::ls_types::{Diagnostic, Uri};

/// The other file of a linked pair.
#[derive(Debug, Clone)]
pub enum Partner {
    Standalone,
    /// This design doc's threat model, kept in a linked file.
    ThreatModel {
        path: PathBuf,
        engine_path: String,
        text: String,
    },
    /// This threat-model file's design doc, open in the editor.
    Design {
        engine_path: String,
        text: String,
    },
}

/// What an analysis needs, copied out of the server state so the lock is not held.
pub struct Input {
    pub uri: Uri,
    pub version: i32,
    /// The document's edit counter when the input was taken (see `state::Doc::epoch`).
    pub epoch: u64,
    pub generation: u64,
    pub text: String,
    pub root: Option<PathBuf>,
    pub config: Arc<Config>,
    pub encoding: WideEncoding,
    /// The open design doc that links this file as its threat model: engine path, text.
    pub design: Option<(String, String)>,
}

#[derive(Debug)]
pub struct Analyzed {
    /// Unique per computation: the `resultId` of pull diagnostics.
    pub serial: u64,
    pub uri: Uri,
    pub version: i32,
    pub epoch: u64,
    pub generation: u64,
    pub text: String,
    pub index: LineIndex,
    pub encoding: WideEncoding,
    pub engine_path: String,
    pub config: Arc<Config>,
    pub today: jiff::civil::Date,
    pub partner: Partner,
    /// The files read while looking for a linked threat model (each link that could be
    /// one): a change to any of them may change this analysis.
    pub link_reads: Vec<PathBuf>,
    pub analysis: Analysis,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analyzed {
    pub fn positions(&self) -> Positions<'_> {
        Positions {
            text: &self.text,
            index: &self.index,
            encoding: self.encoding,
        }
    }

    /// Analyses another text of this document the way this one was analysed (same
    /// configuration, day and linked partner): for the rounds of `fixAll`.
    pub fn reanalyze(&self, text: &str) -> Analysis {
        analyze_with(
            &self.partner,
            &self.engine_path,
            text,
            &self.config,
            self.today,
        )
    }
}

pub fn today() -> jiff::civil::Date {
    // A malformed THREATMARK_TODAY is reported once at `initialized`; the clock then.
    crate::today::today().unwrap_or_else(|_| jiff::ZonedDateTime::now().date())
}

/// The path the engine matches the include globs against: relative to the root when the
/// file lies inside it, else as it is.
pub fn engine_path(uri: &Uri, root: Option<&Path>) -> (Option<PathBuf>, String) {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return (None, uri.path().as_str().to_string());
    };
    let shown = walk::display_path(&path);
    let relative = root.and_then(|root| walk::engine_path(&path, root, root));
    (Some(path), relative.unwrap_or(shown))
}

fn analyze_with(
    partner: &Partner,
    engine_path: &str,
    text: &str,
    config: &Config,
    today: jiff::civil::Date,
) -> Analysis {
    let this = Source {
        path: engine_path,
        text,
    };
    match partner {
        Partner::Standalone => analyze(this, config, today),
        Partner::ThreatModel {
            engine_path, text, ..
        } => {
            let tm = Source {
                path: engine_path,
                text,
            };
            analyze_linked(this, tm, config, today).0
        }
        Partner::Design { engine_path, text } => {
            let design = Source {
                path: engine_path,
                text,
            };
            analyze_linked(design, this, config, today).1
        }
    }
}

/// Analyses one input. `open_text` gives the editor's text of an open file.
pub fn compute(input: Input, serial: u64, open_text: impl Fn(&Path) -> Option<String>) -> Analyzed {
    let today = today();
    let (path, engine_path) = engine_path(&input.uri, input.root.as_deref());
    let config = input.config;
    let mut partner = match input.design {
        Some((engine_path, text)) => Partner::Design { engine_path, text },
        None => Partner::Standalone,
    };
    let mut analysis = analyze_with(&partner, &engine_path, &input.text, &config, today);
    // An unsaved (`untitled:`) buffer has no folder to resolve links against.
    let mut link_reads = Vec::new();
    if let Partner::Standalone = partner
        && let Some(path) = &path
        && let Some(tm) = linked_threat_model(
            path,
            &engine_path,
            &analysis,
            input.root.as_deref(),
            &config,
            &open_text,
            &mut link_reads,
        )
    {
        partner = tm;
        analysis = analyze_with(&partner, &engine_path, &input.text, &config, today);
    }
    let index = LineIndex::new(&input.text);
    let positions = Positions {
        text: &input.text,
        index: &index,
        encoding: input.encoding,
    };
    let diagnostics = diagnostics::of(&positions, &analysis, input.version);
    Analyzed {
        serial,
        uri: input.uri,
        version: input.version,
        epoch: input.epoch,
        generation: input.generation,
        index,
        encoding: input.encoding,
        engine_path,
        config,
        today,
        partner,
        link_reads,
        analysis,
        diagnostics,
        text: input.text,
    }
}

/// The document parsed, without rules: its `analysis` holds the `Document` and nothing
/// else (no findings, facts, summary or risk; `diagnostics` is empty), as the engine
/// parses it inside `analyze`. For the features that read only the document (hover,
/// completion, navigation, symbols, folding) when the text changed since its last
/// analysis: parsing is about half of an analysis. Never cached as an analysis.
pub fn parse_only(input: Input) -> Analyzed {
    let too_large =
        input.text.len() > threatmark_engine::rules::tm092_document_too_large::MAX_DOCUMENT_BYTES;
    let document = if too_large {
        Document::default()
    } else {
        Document::parse(&input.text, &input.config)
    };
    let (_, engine_path) = engine_path(&input.uri, input.root.as_deref());
    Analyzed {
        serial: 0,
        uri: input.uri,
        version: input.version,
        epoch: input.epoch,
        generation: input.generation,
        index: LineIndex::new(&input.text),
        encoding: input.encoding,
        engine_path,
        config: input.config,
        today: today(),
        partner: Partner::Standalone,
        link_reads: Vec::new(),
        analysis: Analysis {
            design_doc: false,
            title: None,
            risk: None,
            findings: Vec::new(),
            suppressed: 0,
            summary: None,
            document,
            facts: None,
        },
        diagnostics: Vec::new(),
        text: input.text,
    }
}

/// The threat-model file a design doc links to, read from the editor or the disk.
fn linked_threat_model(
    path: &Path,
    engine_path: &str,
    analysis: &Analysis,
    root: Option<&Path>,
    config: &Config,
    open_text: &impl Fn(&Path) -> Option<String>,
    reads: &mut Vec<PathBuf>,
) -> Option<Partner> {
    let folder = path.parent()?;
    let root = root.unwrap_or(folder);
    let design = Target {
        path: path.to_path_buf(),
        display: walk::display_path(path),
        engine_path: engine_path.to_string(),
    };
    let read_paths = std::cell::RefCell::new(Vec::new());
    let read = |path: &Path| {
        let path = walk::normalize(path);
        read_paths.borrow_mut().push(path.clone());
        open_text(&path).or_else(|| {
            let bytes = std::fs::read(&path).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
        })
    };
    let found = link::find_with(&design, analysis, root, root, config, read);
    reads.extend(read_paths.borrow_mut().drain(..));
    let found = found?;
    let tm_path = walk::normalize(&root.join(&found.path));
    let text = read(&tm_path)?;
    Some(Partner::ThreatModel {
        path: tm_path,
        engine_path: found.engine_path,
        text,
    })
}
