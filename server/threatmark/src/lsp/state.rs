//! The server's state: open documents, the configuration in force, and what the client
//! can do. Behind one `std::sync::Mutex`, never held across an `.await`.
//!
//! Memory: a full analysis (the text again, its `Document`, findings with their fixes,
//! the summary) is kept for the [`RECENT`] most recently used documents only; every
//! other open document keeps its text (the rope) and its last diagnostics
//! ([`Diagnosed`]), enough to answer a pull without analysing again. Anything else about
//! it is computed again on demand.

use super::analysis::Analyzed;
use super::documents::OpenDocument;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use threatmark_engine::config::Config;
use threatmark_engine::line_index::WideEncoding;
use tower_lsp_server::ls_types::{ClientCapabilities, Diagnostic, Uri};

/// How many documents keep their full analysis. An editor shows a few documents at once;
/// with 1,000 open, keeping every analysis cost about 400 MB.
pub const RECENT: usize = 12;

/// What stays of an analysis after it leaves the recent set: its diagnostics and what
/// they were computed for.
#[derive(Debug)]
pub struct Diagnosed {
    /// The analysis's serial: the `resultId` of pull diagnostics.
    pub serial: u64,
    pub version: i32,
    pub epoch: u64,
    pub generation: u64,
    /// The diagnostics as JSON: held as `Diagnostic` values (each `data` a map of
    /// `Value`s) they took about four times the memory, 18 MB of the 1,000 documents'.
    json: Box<str>,
}

impl Diagnosed {
    pub fn of(a: &Analyzed) -> Diagnosed {
        Diagnosed {
            serial: a.serial,
            version: a.version,
            epoch: a.epoch,
            generation: a.generation,
            json: serde_json::to_string(&a.diagnostics)
                .unwrap_or_default()
                .into_boxed_str(),
        }
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        serde_json::from_str(&self.json).unwrap_or_default()
    }
}

pub struct Doc {
    pub doc: OpenDocument,
    /// Counts every change to the document or to what its analysis reads (its linked
    /// partner); an analysis made at an older epoch is stale even if the version is the
    /// same.
    pub epoch: u64,
    /// The full analysis, while the document is among the [`RECENT`] ones.
    pub analyzed: Option<Arc<Analyzed>>,
    /// The diagnostics of the last analysis, kept after the analysis is dropped.
    pub diagnosed: Option<Arc<Diagnosed>>,
    /// Held while this document is being analysed (see `Backend::analyzed`).
    pub gate: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct ClientSupport {
    /// The client pulls diagnostics (`textDocument/diagnostic`); then the server does
    /// not also push them, which would show each finding twice.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub configuration: bool,
    pub watch_files_dynamically: bool,
    pub document_changes: bool,
    pub snippets: bool,
}

impl ClientSupport {
    pub fn of(caps: &ClientCapabilities) -> ClientSupport {
        let ws = caps.workspace.as_ref();
        ClientSupport {
            pull_diagnostics: caps
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            watch_files_dynamically: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            snippets: caps
                .text_document
                .as_ref()
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
        }
    }
}

pub struct State {
    pub encoding: WideEncoding,
    pub client: ClientSupport,
    /// The workspace root: the first workspace folder, else `rootUri`.
    pub root: Option<PathBuf>,
    pub docs: HashMap<Uri, Doc>,
    pub config: Arc<Config>,
    /// Counts configuration changes; an analysis of an older generation is stale.
    pub generation: u64,
    /// The editor's `threatmark` settings, as last received.
    pub settings: Option<serde_json::Value>,
    /// Linked threat-model file → the open design doc that links it.
    pub linked_by: HashMap<PathBuf, Uri>,
    /// Open design doc → the files its last analysis read looking for a linked threat
    /// model (those that turned out not to be one included).
    pub link_reads: HashMap<Uri, Vec<PathBuf>>,
    /// The documents that hold a full analysis, most recently used first.
    pub recent: VecDeque<Uri>,
}

impl Default for State {
    fn default() -> Self {
        State {
            encoding: WideEncoding::Utf16,
            client: ClientSupport::default(),
            root: None,
            docs: HashMap::new(),
            config: Arc::new(Config::default()),
            generation: 0,
            settings: None,
            linked_by: HashMap::new(),
            link_reads: HashMap::new(),
            recent: VecDeque::new(),
        }
    }
}

impl State {
    /// Whether an analysis still describes the document as it is now.
    pub fn is_current(&self, a: &Analyzed) -> bool {
        self.is_current_at(&a.uri, a.version, a.epoch, a.generation)
    }

    fn is_current_at(&self, uri: &Uri, version: i32, epoch: u64, generation: u64) -> bool {
        self.generation == generation
            && self
                .docs
                .get(uri)
                .is_some_and(|d| d.epoch == epoch && d.doc.version == version)
    }

    /// The document's full analysis if it describes the text as it is now; it becomes
    /// the most recently used.
    pub fn current_analysis(&mut self, uri: &Uri) -> Option<Arc<Analyzed>> {
        let a = self.docs.get(uri)?.analyzed.clone()?;
        if !self.is_current(&a) {
            return None;
        }
        self.touch(uri);
        Some(a)
    }

    /// The document's diagnostics if they describe the text as it is now.
    pub fn current_diagnosed(&self, uri: &Uri) -> Option<Arc<Diagnosed>> {
        let d = self.docs.get(uri)?.diagnosed.clone()?;
        self.is_current_at(uri, d.version, d.epoch, d.generation)
            .then_some(d)
    }

    /// Keeps a current analysis (and its diagnostics, `Diagnosed::of` it) for its
    /// document, and drops the full analysis of the least recently used document beyond
    /// [`RECENT`] (its diagnostics stay).
    pub fn keep(&mut self, a: &Arc<Analyzed>, diagnosed: Diagnosed) {
        let Some(doc) = self.docs.get_mut(&a.uri) else {
            return;
        };
        doc.analyzed = Some(a.clone());
        doc.diagnosed = Some(Arc::new(diagnosed));
        self.touch(&a.uri);
        while self.recent.len() > RECENT {
            if let Some(old) = self.recent.pop_back()
                && let Some(doc) = self.docs.get_mut(&old)
            {
                doc.analyzed = None;
            }
        }
    }

    fn touch(&mut self, uri: &Uri) {
        if self.recent.front() == Some(uri) {
            return;
        }
        self.recent.retain(|u| u != uri);
        self.recent.push_front(uri.clone());
    }

    /// Forgets a closed document.
    pub fn close(&mut self, uri: &Uri) {
        self.docs.remove(uri);
        self.recent.retain(|u| u != uri);
        self.linked_by.retain(|_, design| design != uri);
        self.link_reads.remove(uri);
    }

    /// Marks a document's analysis stale (its partner or the configuration changed).
    pub fn invalidate(&mut self, uri: &Uri) -> Option<i32> {
        let doc = self.docs.get_mut(uri)?;
        doc.epoch += 1;
        doc.analyzed = None;
        doc.diagnosed = None;
        Some(doc.doc.version)
    }

    /// The open design docs whose analysis read the file at `path` (normalized).
    pub fn readers_of(&self, path: &std::path::Path) -> Vec<Uri> {
        let mut out: Vec<Uri> = self
            .link_reads
            .iter()
            .filter(|(_, paths)| paths.iter().any(|p| p == path))
            .map(|(design, _)| design.clone())
            .collect();
        if let Some(design) = self.linked_by.get(path)
            && !out.contains(design)
        {
            out.push(design.clone());
        }
        out
    }

    /// The open document at `path`, whichever way the client spelt its URI (clients
    /// differ in what they percent-encode).
    pub fn open_uri(&self, path: &std::path::Path) -> Option<Uri> {
        self.docs
            .keys()
            .find(|uri| {
                uri.to_file_path()
                    .is_some_and(|p| crate::walk::normalize(&p) == crate::walk::normalize(path))
            })
            .cloned()
    }

    /// The open documents whose analysis reads `uri`'s text: the design docs that link
    /// it or looked at it as a possible threat model, or the threat-model file it links.
    pub fn partners(&self, uri: &Uri) -> Vec<Uri> {
        let mut out = Vec::new();
        if let Some(path) = uri.to_file_path() {
            out.extend(self.readers_of(&crate::walk::normalize(&path)));
        }
        for (tm, design) in &self.linked_by {
            if design == uri
                && let Some(tm_uri) = self.open_uri(tm)
            {
                out.push(tm_uri);
            }
        }
        out
    }
}
