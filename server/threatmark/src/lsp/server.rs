//! The language server: capabilities, the text-sync notifications, diagnostics (pushed
//! and pulled), code actions and configuration. Each handler is thin; the work is in the
//! modules beside this one and in the engine.
//!
//! Ordering invariant (SPEC §2): tower-lsp-server polls handlers concurrently, so
//! `did_open`, `did_change` and `did_close` apply their edit to the state before their
//! first `.await`; edits therefore land in arrival order. The `text_sync_burst` test in
//! `tests/lsp_sync.rs` keeps this honest.

use super::actions;
use super::analysis::{self, Analyzed, Input};
use super::completion;
use super::config::{self, Loaded};
use super::diagnostics;
use super::documents::OpenDocument;
use super::encoding;
use super::guard;
use super::hover;
use super::lens;
use super::log;
use super::navigation;
use super::state::{ClientSupport, Diagnosed, Doc, State};
use super::symbols;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

/// How long typing must pause before pushed diagnostics are published, so that they do
/// not flicker while the writer types. The analysis itself starts at the edit (one at a
/// time per document, always of the newest text: `analyse_soon`), so the diagnostics
/// arrive about when the pause ends.
const DEBOUNCE: Duration = Duration::from_millis(150);

#[derive(Clone)]
pub struct Backend {
    client: Client,
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    serial: AtomicU64,
    /// Held while checking that diagnostics are current and sending them, so that an
    /// older result can never be published after a newer one.
    publish: tokio::sync::Mutex<()>,
    /// The configuration file's outcome at `initialize`, reported at `initialized`
    /// (the client accepts notifications only then).
    initial_config: Mutex<Option<Loaded>>,
    disk: Arc<diagnostics::DiskCache>,
    /// `shutdown` was received: the process then exits with 0, else with 1 (LSP 3.17).
    shut_down: AtomicBool,
}

pub fn service() -> (LspService<Backend>, ClientSocket) {
    let builder = LspService::build(|client| {
        log::init(client.clone());
        Backend {
            client,
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                serial: AtomicU64::new(1),
                publish: tokio::sync::Mutex::new(()),
                initial_config: Mutex::new(None),
                disk: Arc::default(),
                shut_down: AtomicBool::new(false),
            }),
        }
    });
    #[cfg(debug_assertions)]
    let builder = builder.custom_method(
        "threatmark/debug/documentText",
        Backend::debug_document_text,
    );
    builder.finish()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind, still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Backend {
    /// Whether the client sent `shutdown`.
    pub fn was_shut_down(&self) -> bool {
        self.inner.shut_down.load(Ordering::SeqCst)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    fn support(&self) -> ClientSupport {
        self.state().client
    }

    /// What an analysis of `uri` as it is now reads, copied out of the state.
    fn input(st: &State, uri: &Uri) -> Option<Input> {
        let doc = st.docs.get(uri)?;
        let design = uri
            .to_file_path()
            .and_then(|p| st.linked_by.get(&crate::walk::normalize(&p)).cloned())
            .and_then(|design_uri| {
                let d = st.docs.get(&design_uri)?;
                let (_, engine_path) = analysis::engine_path(&design_uri, st.root.as_deref());
                Some((engine_path, d.doc.text()))
            });
        Some(Input {
            uri: uri.clone(),
            version: doc.doc.version,
            epoch: doc.epoch,
            generation: st.generation,
            text: doc.doc.text(),
            root: st.root.clone(),
            config: st.config.clone(),
            encoding: st.encoding,
            design,
        })
    }

    /// The analysis of the document as it is now, computed off the runtime if needed.
    async fn analyzed(&self, uri: &Uri) -> Result<Option<Arc<Analyzed>>> {
        // Requests that arrive together after an edit (code actions, the lens, pull
        // diagnostics, the analysis started by the edit itself…) wait for one analysis
        // instead of each running their own on the same two cores: one at a time per
        // document, and the cache is checked again once it is this request's turn.
        let gate = {
            let mut st = self.state();
            if let Some(a) = st.current_analysis(uri) {
                return Ok(Some(a));
            }
            let Some(doc) = st.docs.get(uri) else {
                return Ok(None);
            };
            doc.gate.clone()
        };
        let _turn = gate.lock().await;
        let (input, serial) = {
            let mut st = self.state();
            if let Some(a) = st.current_analysis(uri) {
                return Ok(Some(a));
            }
            let Some(input) = Self::input(&st, uri) else {
                return Ok(None);
            };
            // Analysed again after its analysis was dropped (see `state::RECENT`): the
            // same text gets the same `resultId`.
            (input, st.current_diagnosed(uri).map(|d| d.serial))
        };
        let serial = serial.unwrap_or_else(|| self.inner.serial.fetch_add(1, Ordering::Relaxed));
        let inner = self.inner.clone();
        let computed = tokio::task::spawn_blocking(move || {
            let a = analysis::compute(input, serial, |path| {
                let st = lock(&inner.state);
                let uri = st.open_uri(path)?;
                st.docs.get(&uri).map(|d| d.doc.text())
            });
            let diagnosed = Diagnosed::of(&a);
            (a, diagnosed)
        })
        .await;
        let (a, diagnosed) = computed.map_err(|e| guard::join_error("analysis", e))?;
        let a = Arc::new(a);
        let newly_linked = {
            let mut st = self.state();
            let mut newly_linked = None;
            if st.is_current(&a) {
                if let analysis::Partner::ThreatModel { path, .. } = &a.partner {
                    let before = st.linked_by.insert(path.clone(), a.uri.clone());
                    if before.as_ref() != Some(&a.uri) {
                        newly_linked = st.open_uri(path);
                    }
                } else {
                    st.linked_by.retain(|_, design| design != &a.uri);
                }
                if a.link_reads.is_empty() {
                    st.link_reads.remove(&a.uri);
                } else {
                    st.link_reads.insert(a.uri.clone(), a.link_reads.clone());
                }
                st.keep(&a, diagnosed);
            }
            // A threat-model file analysed before its design doc was analysed on its
            // own; now that the link is known, it is analysed with the design doc.
            newly_linked.and_then(|tm| st.invalidate(&tm).map(|v| (tm, v)))
        };
        if let Some((tm, version)) = newly_linked {
            self.schedule(tm, version, Duration::ZERO);
        }
        Ok(Some(a))
    }

    /// The diagnostics of the document as it is now, with the serial and version of
    /// their analysis: those of its last analysis when the text has not changed since,
    /// else of a new analysis.
    async fn diagnosed(&self, uri: &Uri) -> Result<Option<(u64, i32, Vec<Diagnostic>)>> {
        let kept = {
            let mut st = self.state();
            if let Some(a) = st.current_analysis(uri) {
                return Ok(Some((a.serial, a.version, a.diagnostics.clone())));
            }
            st.current_diagnosed(uri)
        };
        if let Some(d) = kept {
            return Ok(Some((d.serial, d.version, d.diagnostics())));
        }
        Ok(self
            .analyzed(uri)
            .await?
            .map(|a| (a.serial, a.version, a.diagnostics.clone())))
    }

    /// Answers a request about one document: `answer` runs on the analysis of its current
    /// text, off the async runtime; `None` when the document is not open.
    async fn on_document<T: Send + 'static>(
        &self,
        method: &'static str,
        uri: &Uri,
        answer: impl FnOnce(&Analyzed) -> T + Send + 'static,
    ) -> Result<Option<T>> {
        let Some(a) = self.analyzed(uri).await? else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || answer(&a))
            .await
            .map(Some)
            .map_err(|e| guard::join_error(method, e))
    }

    /// As [`Self::on_document`], for the features that read only the parsed document
    /// (hover, completion, navigation, symbols, folding): when there is no current full
    /// analysis to reuse (the text just changed, or the document's analysis was dropped),
    /// `answer` gets the current text parsed without the rules (`analysis::parse_only`)
    /// rather than waiting for a full analysis.
    async fn on_parsed<T: Send + 'static>(
        &self,
        method: &'static str,
        uri: &Uri,
        answer: impl FnOnce(&Analyzed) -> T + Send + 'static,
    ) -> Result<Option<T>> {
        let source = {
            let mut st = self.state();
            match st.current_analysis(uri) {
                Some(a) => Ok(a),
                None => match Self::input(&st, uri) {
                    Some(input) => Err(input),
                    None => return Ok(None),
                },
            }
        };
        tokio::task::spawn_blocking(move || match source {
            Ok(a) => answer(&a),
            Err(input) => answer(&analysis::parse_only(input)),
        })
        .await
        .map(Some)
        .map_err(|e| guard::join_error(method, e))
    }

    async fn do_workspace_symbol(&self, query: String) -> Result<Option<WorkspaceSymbolResponse>> {
        let (open, root, config, encoding) = {
            let st = self.state();
            let open: Vec<Uri> = st.docs.keys().cloned().collect();
            (open, st.root.clone(), st.config.clone(), st.encoding)
        };
        let mut found = Vec::new();
        let mut open_paths = HashSet::new();
        for uri in open {
            if let Some(path) = uri.to_file_path() {
                open_paths.insert(crate::walk::normalize(&path));
            }
            let q = query.clone();
            let symbols = self
                .on_parsed("workspace/symbol", &uri, move |a| {
                    let mut out = Vec::new();
                    let symbols = threatmark_engine::ide::document_symbols(&a.analysis, &a.text);
                    symbols::workspace_symbols(&a.uri, &a.positions(), symbols, &q, &mut out);
                    out
                })
                .await?;
            found.extend(symbols.unwrap_or_default());
        }
        if let Some(root) = root {
            let disk = tokio::task::spawn_blocking(move || {
                symbols::disk_symbols(&root, &config, encoding, &open_paths, &query)
            })
            .await
            .map_err(|e| guard::join_error("workspace/symbol", e))?;
            found.extend(disk);
        }
        Ok(Some(WorkspaceSymbolResponse::Nested(found)))
    }

    /// Publishes the diagnostics of `uri` at `version` once `delay` has passed, unless a
    /// newer version arrives first. Only for clients that do not pull.
    fn schedule(&self, uri: Uri, version: i32, delay: Duration) {
        if !self.support().pull_diagnostics {
            self.analyse_soon(uri, version, delay, true);
        }
    }

    /// After an edit: analyses the new text now, in the background, so that pushed
    /// diagnostics are ready when the debounce ends and a pull (or code action, lens…)
    /// that follows finds the analysis done or under way; pushes only for clients that
    /// do not pull.
    fn edited(&self, uri: Uri, version: i32, delay: Duration) {
        let publish = !self.support().pull_diagnostics;
        self.analyse_soon(uri, version, delay, publish);
    }

    /// Analyses `uri` now, unless `version` is already superseded; when `publish`, sends
    /// the diagnostics once `delay` has passed since the call, if no newer version (or
    /// configuration) arrived meanwhile. The debounce thus delays only what the editor
    /// shows, not the work: while typing, one analysis per document runs at a time (the
    /// gate in `analyzed`), each of the newest text, and only the last version of a burst
    /// is published.
    fn analyse_soon(&self, uri: Uri, version: i32, delay: Duration, publish: bool) {
        let deadline = tokio::time::Instant::now() + delay;
        let this = self.clone();
        tokio::spawn(async move {
            let current = |this: &Backend| {
                this.state()
                    .docs
                    .get(&uri)
                    .is_some_and(|d| d.doc.version == version)
            };
            if !current(&this) {
                return;
            }
            let a = match this.analyzed(&uri).await {
                Ok(Some(a)) => a,
                Ok(None) => return,
                Err(e) => {
                    log::error(&e.message);
                    return;
                }
            };
            if !publish || a.version != version {
                return;
            }
            tokio::time::sleep_until(deadline).await;
            let _publishing = this.inner.publish.lock().await;
            if !this.state().is_current(&a) {
                return;
            }
            this.client
                .publish_diagnostics(a.uri.clone(), a.diagnostics.clone(), Some(a.version))
                .await;
        });
    }

    /// After a change to `uri`: the open documents whose analysis read it are stale too.
    fn invalidate_partners(&self, uri: &Uri) {
        let stale: Vec<(Uri, i32)> = {
            let mut st = self.state();
            let partners = st.partners(uri);
            partners
                .into_iter()
                .filter_map(|p| st.invalidate(&p).map(|v| (p, v)))
                .collect()
        };
        for (partner, version) in stale {
            self.schedule(partner, version, DEBOUNCE);
        }
    }

    /// Puts a newly loaded configuration in force (when it is valid) and reports on it.
    async fn apply_config(&self, loaded: Loaded) {
        // In force first, reported after: once the client sees the file's diagnostics
        // cleared, its next request already gets the new configuration.
        let stale: Option<Vec<(Uri, i32)>> = loaded.config.map(|config| {
            let mut st = self.state();
            st.config = Arc::new(config);
            st.generation += 1;
            let uris: Vec<Uri> = st.docs.keys().cloned().collect();
            uris.into_iter()
                .filter_map(|u| st.invalidate(&u).map(|v| (u, v)))
                .collect()
        });
        if let Some((uri, diagnostics)) = loaded.file {
            self.client
                .publish_diagnostics(uri, diagnostics, None)
                .await;
        }
        for (kind, message) in loaded.messages {
            log::warning(&message);
            self.client.show_message(kind, message).await;
        }
        let Some(stale) = stale else {
            return;
        };
        let support = self.support();
        if support.pull_diagnostics {
            if support.diagnostic_refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
        } else {
            for (uri, version) in stale {
                self.schedule(uri, version, Duration::ZERO);
            }
        }
    }

    async fn reload_config(&self) {
        let (root, settings, encoding) = {
            let st = self.state();
            (st.root.clone(), st.settings.clone(), st.encoding)
        };
        let loaded = tokio::task::spawn_blocking(move || {
            config::load(root.as_deref(), settings.as_ref(), encoding)
        })
        .await;
        match loaded {
            Ok(loaded) => self.apply_config(loaded).await,
            Err(e) => log::error(&format!("reading the configuration failed: {e}")),
        }
    }

    /// The editor's `threatmark` settings, when the client serves them.
    async fn fetch_settings(&self) {
        if !self.support().configuration {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("threatmark".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(mut values) => {
                let value = values.pop().filter(|v| !v.is_null());
                self.state().settings = value;
            }
            Err(e) => log::warning(&format!("workspace/configuration failed: {}", e.message)),
        }
    }

    async fn do_diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let report = match self.diagnosed(&params.text_document.uri).await? {
            Some((serial, _, diagnostics)) => {
                let result_id = serial.to_string();
                if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id,
                        },
                    })
                } else {
                    full(Some(result_id), diagnostics)
                }
            }
            None => full(None, Vec::new()),
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }

    async fn do_workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let previous: std::collections::HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (p.uri, p.value))
            .collect();
        let (open, root, config, generation, encoding) = {
            let st = self.state();
            let open: Vec<Uri> = st.docs.keys().cloned().collect();
            (
                open,
                st.root.clone(),
                st.config.clone(),
                st.generation,
                st.encoding,
            )
        };
        let mut items = Vec::new();
        let mut open_paths = HashSet::new();
        for uri in open {
            if let Some(path) = uri.to_file_path() {
                open_paths.insert(crate::walk::normalize(&path));
            }
            let Some((serial, version, diagnostics)) = self.diagnosed(&uri).await? else {
                continue;
            };
            items.push(report(
                uri,
                Some(i64::from(version)),
                serial.to_string(),
                &diagnostics,
                &previous,
            ));
        }
        if let Some(root) = root {
            let disk = self.inner.disk.clone();
            let scanned = tokio::task::spawn_blocking(move || {
                disk.scan(&root, &config, generation, encoding, &open_paths)
            })
            .await
            .map_err(|e| guard::join_error("workspace/diagnostic", e))?;
            for r in scanned {
                items.push(report(r.uri, None, r.result_id, &r.diagnostics, &previous));
            }
        }
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn do_code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(a) = self.analyzed(&params.text_document.uri).await? else {
            return Ok(None);
        };
        let document_changes = self.support().document_changes;
        let only = params.context.only.as_ref();
        let a2 = a.clone();
        let range = params.range;
        let mut context = params.context.diagnostics;
        let want_quick = actions::wanted(only, CodeActionKind::QUICKFIX.as_str());
        let want_fix_all = actions::wanted(only, actions::FIX_ALL);
        let want_rows = actions::wanted(only, actions::GENERATE_ROWS);
        let computed = tokio::task::spawn_blocking(move || {
            let a = a2;
            let mut out: Vec<CodeActionOrCommand> = Vec::new();
            if want_quick {
                if context.is_empty() {
                    // Some clients send no diagnostics: offer the fixes of those here.
                    context = a
                        .diagnostics
                        .iter()
                        .filter(|d| actions::touches(d.range, range))
                        .cloned()
                        .collect();
                }
                out.extend(
                    actions::quick_fixes(&a, &context, document_changes)
                        .into_iter()
                        .map(CodeActionOrCommand::CodeAction),
                );
            }
            if want_fix_all && let Some(action) = actions::fix_all(&a, document_changes) {
                out.push(CodeActionOrCommand::CodeAction(action));
            }
            if want_rows && let Some(action) = actions::generate_threat_rows(&a, document_changes) {
                out.push(CodeActionOrCommand::CodeAction(action));
            }
            out
        })
        .await
        .map_err(|e| guard::join_error("textDocument/codeAction", e))?;
        Ok(Some(computed))
    }

    /// Test builds only: the server's text of an open document, so tests can check that
    /// edits landed in order.
    #[cfg(debug_assertions)]
    async fn debug_document_text(&self, params: TextDocumentIdentifier) -> Result<Option<String>> {
        Ok(self.state().docs.get(&params.uri).map(|d| d.doc.text()))
    }
}

fn full(result_id: Option<String>, items: Vec<Diagnostic>) -> DocumentDiagnosticReport {
    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
    })
}

fn report(
    uri: Uri,
    version: Option<i64>,
    result_id: String,
    diagnostics: &[Diagnostic],
    previous: &std::collections::HashMap<Uri, String>,
) -> WorkspaceDocumentDiagnosticReport {
    if previous.get(&uri) == Some(&result_id) {
        WorkspaceDocumentDiagnosticReport::Unchanged(WorkspaceUnchangedDocumentDiagnosticReport {
            uri,
            version,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
        })
    } else {
        WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
            uri,
            version,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items: diagnostics.to_vec(),
            },
        })
    }
}

/// The workspace root: the first workspace folder, else the deprecated `rootUri`.
#[allow(deprecated)]
fn root_of(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri);
    folder
        .or(params.root_uri.as_ref())
        .and_then(|u| u.to_file_path())
        .map(|p| p.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard::request("initialize", async {
            let encoding = encoding::negotiate(&params);
            let root = root_of(&params);
            let loaded = config::load(root.as_deref(), None, encoding);
            {
                let mut st = self.state();
                st.encoding = encoding;
                st.client = ClientSupport::of(&params.capabilities);
                st.root = root;
                if let Some(config) = &loaded.config {
                    st.config = Arc::new(config.clone());
                }
            }
            *lock(&self.inner.initial_config) = Some(Loaded {
                config: None,
                ..loaded
            });
            Ok(InitializeResult {
                capabilities: capabilities(encoding),
                server_info: Some(ServerInfo {
                    name: "threatmark".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                }),
                ..InitializeResult::default()
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        guard::notification("initialized", async {
            log::info(&format!(
                "threatmark {} language server ready",
                env!("CARGO_PKG_VERSION")
            ));
            if let Err(e) = crate::today::today() {
                log::warning(&format!("{e}; using the clock's date"));
            }
            let initial = lock(&self.inner.initial_config).take();
            if let Some(loaded) = initial {
                self.apply_config(loaded).await;
            }
            if self.support().watch_files_dynamically {
                let options = DidChangeWatchedFilesRegistrationOptions {
                    watchers: vec![
                        FileSystemWatcher {
                            glob_pattern: GlobPattern::String(format!(
                                "**/{}",
                                crate::workspace::CONFIG_FILE
                            )),
                            kind: None,
                        },
                        // A threat model kept in a linked file may change on disk while
                        // only its design doc is open.
                        FileSystemWatcher {
                            glob_pattern: GlobPattern::String("**/*.{md,markdown}".into()),
                            kind: None,
                        },
                    ],
                };
                let registration = Registration {
                    id: "threatmark-config-watcher".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(e) = self.client.register_capability(vec![registration]).await {
                    log::warning(&format!(
                        "cannot watch {}: {}",
                        crate::workspace::CONFIG_FILE,
                        e.message
                    ));
                }
            }
            if self.support().configuration {
                self.fetch_settings().await;
                if self.state().settings.is_some() {
                    self.reload_config().await;
                }
            }
        })
        .await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shut_down.store(true, Ordering::SeqCst);
        guard::request("shutdown", async { Ok(()) }).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        // Applied before the first `.await` (module docs).
        let doc = params.text_document;
        let uri = doc.uri.clone();
        {
            let mut st = self.state();
            let epoch = st.docs.get(&uri).map_or(0, |d| d.epoch + 1);
            st.docs.insert(
                uri.clone(),
                Doc {
                    doc: OpenDocument::new(&doc.text, doc.version),
                    epoch,
                    analyzed: None,
                    diagnosed: None,
                    gate: Arc::default(),
                },
            );
        }
        self.edited(uri.clone(), doc.version, Duration::ZERO);
        self.invalidate_partners(&uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before the first `.await` (module docs).
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let applied = {
            let mut st = self.state();
            let encoding = st.encoding;
            match st.docs.get_mut(&uri) {
                Some(doc) => {
                    // A panic here must not take the server down (no response carries it).
                    let edit = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        for change in &params.content_changes {
                            doc.doc.apply(change, encoding);
                        }
                    }));
                    doc.doc.version = version;
                    doc.epoch += 1;
                    doc.analyzed = None;
                    doc.diagnosed = None;
                    edit.is_ok()
                }
                None => false,
            }
        };
        if !applied {
            log::error(&format!(
                "didChange for {} could not be applied (not open, or a bad edit)",
                uri.as_str()
            ));
            return;
        }
        self.edited(uri.clone(), version, DEBOUNCE);
        self.invalidate_partners(&uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let partners = {
            let mut st = self.state();
            let partners = st.partners(&uri);
            st.close(&uri);
            partners
        };
        for p in partners {
            let version = self.state().invalidate(&p);
            if let Some(v) = version {
                self.schedule(p, v, DEBOUNCE);
            }
        }
        if !self.support().pull_diagnostics {
            let _publishing = self.inner.publish.lock().await;
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        guard::notification("workspace/didChangeConfiguration", async {
            if self.support().configuration {
                self.fetch_settings().await;
            } else {
                let settings = params.settings;
                let section = settings.get("threatmark").cloned().unwrap_or(settings);
                self.state().settings = Some(section).filter(|v| !v.is_null());
            }
            self.reload_config().await;
        })
        .await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        guard::notification("workspace/didChangeWatchedFiles", async {
            let root = self.state().root.clone();
            let config_file = root.as_deref().map(config::config_path);
            let touches_config = params.changes.iter().any(|c| {
                c.uri
                    .to_file_path()
                    .is_some_and(|p| Some(p.as_ref()) == config_file.as_deref())
            });
            if touches_config {
                self.reload_config().await;
            }
            // A linked threat-model file that is not open changed on disk: the design
            // doc that links it is analysed again. (An open one is the editor's text.)
            let stale: Vec<(Uri, i32)> = {
                let mut st = self.state();
                let designs: Vec<Uri> = params
                    .changes
                    .iter()
                    .filter_map(|c| c.uri.to_file_path())
                    .map(|p| crate::walk::normalize(&p))
                    .filter(|p| st.open_uri(p).is_none())
                    .flat_map(|p| st.readers_of(&p))
                    .collect();
                designs
                    .into_iter()
                    .filter_map(|d| st.invalidate(&d).map(|v| (d, v)))
                    .collect()
            };
            let support = self.support();
            if support.pull_diagnostics && support.diagnostic_refresh && !stale.is_empty() {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            for (uri, version) in stale {
                self.schedule(uri, version, Duration::ZERO);
            }
        })
        .await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guard::request("textDocument/diagnostic", self.do_diagnostic(params)).await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        guard::request("workspace/diagnostic", self.do_workspace_diagnostic(params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard::request("textDocument/codeAction", self.do_code_action(params)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        guard::request("textDocument/hover", async {
            let position = p.position;
            let answer = self
                .on_parsed("textDocument/hover", &p.text_document.uri, move |a| {
                    hover::hover(a, position)
                })
                .await?;
            Ok(answer.flatten())
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        guard::request("textDocument/completion", async {
            let position = p.position;
            let snippets = self.support().snippets;
            let items = self
                .on_parsed("textDocument/completion", &p.text_document.uri, move |a| {
                    completion::completions(a, position, snippets)
                })
                .await?;
            Ok(items.map(CompletionResponse::Array))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guard::request("textDocument/documentSymbol", async {
            let symbols = self
                .on_parsed(
                    "textDocument/documentSymbol",
                    &params.text_document.uri,
                    symbols::document_symbols,
                )
                .await?;
            Ok(symbols.map(DocumentSymbolResponse::Nested))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        guard::request("workspace/symbol", self.do_workspace_symbol(params.query)).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guard::request("textDocument/codeLens", async {
            self.on_document(
                "textDocument/codeLens",
                &params.text_document.uri,
                lens::code_lens,
            )
            .await
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        guard::request("textDocument/foldingRange", async {
            self.on_parsed(
                "textDocument/foldingRange",
                &params.text_document.uri,
                lens::folding_ranges,
            )
            .await
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        guard::request("textDocument/definition", async {
            let position = p.position;
            let found = self
                .on_parsed("textDocument/definition", &p.text_document.uri, move |a| {
                    navigation::definition(a, position)
                })
                .await?;
            Ok(found.flatten().map(GotoDefinitionResponse::Scalar))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        guard::request("textDocument/references", async {
            let position = p.position;
            self.on_parsed("textDocument/references", &p.text_document.uri, move |a| {
                navigation::references(a, position, include)
            })
            .await
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        guard::request("textDocument/prepareRename", async {
            let position = params.position;
            let found = self
                .on_parsed(
                    "textDocument/prepareRename",
                    &params.text_document.uri,
                    move |a| navigation::prepare_rename(a, position),
                )
                .await?;
            Ok(found.flatten())
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        guard::request("textDocument/rename", async {
            let position = p.position;
            let document_changes = self.support().document_changes;
            let new_name = params.new_name;
            let edit = self
                .on_parsed("textDocument/rename", &p.text_document.uri, move |a| {
                    navigation::rename(a, position, &new_name, document_changes)
                })
                .await?;
            edit.transpose()
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        guard::request("workspace/executeCommand", async {
            if params.command != actions::SELECT_RANGE {
                return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                    "unknown command `{}`",
                    params.command
                )));
            }
            let mut args = params.arguments.into_iter();
            let uri = args
                .next()
                .and_then(|v| serde_json::from_value::<Uri>(v).ok());
            let range = args
                .next()
                .and_then(|v| serde_json::from_value::<Range>(v).ok());
            let (Some(uri), Some(range)) = (uri, range) else {
                return Err(tower_lsp_server::jsonrpc::Error::invalid_params(
                    "threatmark.selectRange takes a URI and a range",
                ));
            };
            let shown = ShowDocumentParams {
                uri,
                external: None,
                take_focus: Some(true),
                selection: Some(range),
            };
            if let Err(e) = self.client.show_document(shown).await {
                log::warning(&format!("window/showDocument failed: {}", e.message));
            }
            Ok(None)
        })
        .await
    }
}

fn capabilities(encoding: threatmark_engine::line_index::WideEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding::kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some(diagnostics::SOURCE.into()),
            inter_file_dependencies: true,
            workspace_diagnostics: true,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(completion::TRIGGERS.iter().map(|t| t.to_string()).collect()),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::SELECT_RANGE.into()],
            ..ExecuteCommandOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL),
                CodeActionKind::new(actions::GENERATE_ROWS),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}
