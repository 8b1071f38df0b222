//! A small LSP client for the integration tests: spawns the real `threatmark lsp` binary,
//! speaks Content-Length framed JSON-RPC over its stdio, matches responses to requests,
//! keeps the notifications it receives, answers the server's own requests
//! (`workspace/configuration`, `client/registerCapability`…), and fails a test with the
//! server's stderr when an answer does not come within the timeout, so a hang fails
//! rather than blocks.

#![allow(dead_code)] // Each test file uses part of the harness.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TODAY: &str = "2026-11-23";
pub const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Options<'a> {
    pub root: Option<&'a Path>,
    /// Offer UTF-8 as a position encoding (else the client speaks UTF-16 only).
    pub utf8: bool,
    /// Declare pull diagnostics (then the server does not push).
    pub pull: bool,
    /// The `threatmark` section served to `workspace/configuration`; `None` declares no
    /// `workspace/configuration` support.
    pub settings: Option<Value>,
    /// Extra environment for the server (e.g. the panic injection).
    pub env: Vec<(&'a str, &'a str)>,
}

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    settings: Value,
    /// Notifications received and not yet taken, in order.
    pub notifications: Vec<Value>,
    /// Requests the server sent us, in order.
    pub server_requests: Vec<Value>,
    pub initialize_result: Value,
}

pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    pub fn start(options: Options<'_>) -> Client {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatmark"));
        cmd.arg("lsp")
            .env("THREATMARK_TODAY", TODAY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(root) = options.root {
            cmd.current_dir(root);
        }
        for (k, v) in &options.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn threatmark lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            stderr,
            next_id: 1,
            settings: options.settings.clone().unwrap_or(Value::Null),
            notifications: Vec::new(),
            server_requests: Vec::new(),
            initialize_result: Value::Null,
        };
        let mut general = json!({});
        if options.utf8 {
            general = json!({"positionEncodings": ["utf-8", "utf-16"]});
        }
        let mut text_document = json!({
            "synchronization": {"dynamicRegistration": false},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll", "refactor"]}}},
            "publishDiagnostics": {"versionSupport": true},
            "completion": {"completionItem": {"snippetSupport": true}},
        });
        if options.pull {
            text_document["diagnostic"] = json!({"dynamicRegistration": false});
        }
        let workspace = json!({
            "configuration": options.settings.is_some(),
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "workspaceEdit": {"documentChanges": true},
            "diagnostics": {"refreshSupport": true},
            "workspaceFolders": true,
        });
        let root_uri = options.root.map(file_uri);
        let folders = root_uri
            .as_ref()
            .map(|u| json!([{"uri": u, "name": "root"}]))
            .unwrap_or(Value::Null);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": folders,
                "capabilities": {"general": general, "textDocument": text_document, "workspace": workspace},
            }),
        );
        client.initialize_result = result.expect("initialize succeeds");
        client.notify("initialized", json!({}));
        client
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether the server's stderr comes to hold `needle` within the timeout (the pipe
    /// is read by another thread, so a line may land a moment after the message that
    /// followed it on stdout).
    pub fn stderr_shows(&self, needle: &str) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Bytes as they are, framed or not (for malformed input).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result, or its error object.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Sends a request without waiting for its response; its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The response to request `id`: its result, or its error object.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let response = self.wait(&format!("the response to request {id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        });
        match response.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(response.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Receives messages until one matches; notifications and server requests seen on
    /// the way are kept (and the requests answered).
    fn wait(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "timed out waiting for {what}\n--- stderr\n{}",
                        self.stderr()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(100));
                    panic!(
                        "the server closed stdout while waiting for {what}\n--- stderr\n{}",
                        self.stderr()
                    )
                }
            };
            if matches(&message) {
                return message;
            }
            let is_request = message.get("id").is_some() && message.get("method").is_some();
            if is_request {
                self.answer(&message);
                self.server_requests.push(message);
            } else if message.get("method").is_some() {
                self.notifications.push(message);
            }
        }
    }

    fn answer(&mut self, request: &Value) {
        let result = match request["method"].as_str() {
            Some("workspace/configuration") => {
                let n = request["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![self.settings.clone(); n])
            }
            _ => Value::Null,
        };
        let id = request["id"].clone();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
    }

    /// The first request the server sent (or sends) with this method; it is answered.
    pub fn server_request(&mut self, method: &str) -> Value {
        if let Some(r) = self.server_requests.iter().find(|r| r["method"] == method) {
            return r.clone();
        }
        let request = self.wait(&format!("a {method} request"), |m| {
            m.get("id").is_some() && m["method"] == method
        });
        self.answer(&request);
        self.server_requests.push(request.clone());
        request
    }

    /// The first notification (kept or still to come) that matches; it is taken.
    pub fn notification(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.notifications.iter().position(&matches) {
            return self.notifications.remove(i);
        }
        self.wait(what, |m| m.get("id").is_none() && matches(m))
    }

    /// The next `publishDiagnostics` for `uri` at `version` (for `None`, any version).
    pub fn published(&mut self, uri: &str, version: Option<i64>) -> Value {
        self.notification(&format!("diagnostics for {uri} v{version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        })["params"]
            .clone()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.open_version(uri, text, 1);
    }

    pub fn open_version(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}),
        );
    }

    /// One incremental change: `[line, character]` to `[line, character]`.
    pub fn change(&mut self, uri: &str, version: i64, start: [u32; 2], end: [u32; 2], text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(start, end), "text": text}],
            }),
        );
    }

    /// A change that replaces the whole text.
    pub fn replace_all(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    pub fn close(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// Pull diagnostics (`textDocument/diagnostic`): the full report's items.
    pub fn pull(&mut self, uri: &str) -> Vec<Value> {
        let report = self
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .expect("textDocument/diagnostic succeeds");
        assert_eq!(report["kind"], "full", "{report}");
        report["items"].as_array().cloned().unwrap_or_default()
    }

    /// The server's text of an open document (a request of test builds only).
    pub fn server_text(&mut self, uri: &str) -> String {
        self.request("threatmark/debug/documentText", json!({"uri": uri}))
            .expect("threatmark/debug/documentText succeeds")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn code_actions(
        &mut self,
        uri: &str,
        range_: Value,
        diagnostics: Vec<Value>,
        only: Option<Vec<&str>>,
    ) -> Vec<Value> {
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range_, "context": context}),
        )
        .expect("textDocument/codeAction succeeds")
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// `shutdown` then `exit`; the server's exit status.
    pub fn shutdown(mut self) -> std::process::ExitStatus {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit\n--- stderr\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn range(start: [u32; 2], end: [u32; 2]) -> Value {
    json!({"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}})
}

/// One framed message; `None` at the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        // Anything but LSP headers on stdout is a bug: it would corrupt the protocol.
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        } else if !line.starts_with("Content-Type:") {
            panic!("the server wrote something other than LSP to stdout: {line:?}");
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

/// Applies LSP text edits (`[{range, newText}]`, UTF-16 or UTF-8 columns) to a text, as
/// an editor does.
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let a = offset(text, &e["range"]["start"], utf8);
            let b = offset(text, &e["range"]["end"], utf8);
            (
                a.min(b),
                a.max(b),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut at = 0;
    for (a, b, t) in spans {
        assert!(a >= at, "overlapping edits");
        out.push_str(&text[at..a]);
        out.push_str(&t);
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

/// The byte offset of an LSP position: lines end at `\n`, `\r\n` or `\r`.
pub fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    let Some(&start) = starts.get(line) else {
        return text.len();
    };
    let rest = &text[start..];
    let content = &rest[..rest.find(['\r', '\n']).unwrap_or(rest.len())];
    let mut units = 0;
    for (i, c) in content.char_indices() {
        let width = if utf8 { c.len_utf8() } else { c.len_utf16() };
        // At a character, or inside one (half a surrogate pair): its start.
        if units + width > character {
            return start + i;
        }
        units += width;
    }
    start + content.len()
}

/// The codes of a diagnostics list, in order.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Diagnostics without the document version in their `data`, for comparing the
/// diagnostics of two documents or versions.
pub fn without_version(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if let Some(o) = d["data"].as_object_mut() {
                o.remove("version");
            }
            d
        })
        .collect()
}

/// The UTF-16 position `delta` bytes after the `nth` (0-based) occurrence of `needle`.
pub fn find(text: &str, needle: &str, nth: usize, delta: usize) -> [u32; 2] {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i + delta)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} is not in the text"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    [line, text[line_start..at].encode_utf16().count() as u32]
}

pub fn position(at: [u32; 2]) -> Value {
    json!({"line": at[0], "character": at[1]})
}
