//! `threatmark lsp` against the protocol itself (LSP 3.17, JSON-RPC 2.0): lifecycle
//! errors and exit statuses, cancellation, malformed input, out-of-range positions,
//! edits the server cannot apply as sent, and a client that writes without reading.
//! Each test runs the real binary and asserts the response observed; RELIABILITY.md
//! ("Language server protocol") lists them.

mod lsp_support;

use lsp_support::{Client, Options, TIMEOUT, file_uri, position, range, read_message};
use serde_json::{Value, json};
use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server process with raw access to its stdio: what it is sent is exactly what the
/// test writes, and its stdout is read only from `read_from_now` on.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Stdout, until a thread starts reading it (`read_from_now`).
    stdout: Option<BufReader<ChildStdout>>,
    incoming: Option<Receiver<Value>>,
    stderr: Arc<Mutex<String>>,
}

impl Raw {
    fn spawn() -> Raw {
        let mut child = Command::new(env!("CARGO_BIN_EXE_threatmark"))
            .arg("lsp")
            .env("THREATMARK_TODAY", lsp_support::TODAY)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn threatmark lsp");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr_pipe.read_to_string(&mut s);
            sink.lock().unwrap().push_str(&s);
        });
        Raw {
            child,
            stdin,
            stdout: Some(BufReader::new(stdout)),
            incoming: None,
            stderr,
        }
    }

    /// Starts reading the server's stdout on a thread (until now nothing read it but
    /// `read_one_now`).
    fn read_from_now(&mut self) {
        if let Some(mut reader) = self.stdout.take() {
            let (tx, incoming) = channel();
            std::thread::spawn(move || {
                while let Some(message) = read_message(&mut reader) {
                    if tx.send(message).is_err() {
                        break;
                    }
                }
            });
            self.incoming = Some(incoming);
        }
    }

    /// The next message, read on this thread (before `read_from_now` only).
    fn read_one_now(&mut self) -> Value {
        let reader = self
            .stdout
            .as_mut()
            .expect("stdout not yet handed to a thread");
        read_message(reader).expect("a message from the server")
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.write(&frame(&message));
    }

    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The response with this id (messages before it are dropped).
    fn response(&mut self, id: i64) -> Value {
        self.read_from_now();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let incoming = self.incoming.as_ref().expect("reading");
            match incoming.recv_timeout(left) {
                Ok(m) if m["id"] == json!(id) && m.get("method").is_none() => return m,
                Ok(_) => {}
                Err(e) => panic!(
                    "no response to request {id} ({e})\n--- stderr\n{}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// The exit status, once the process ends (a hang fails the test).
    fn exit_status(&mut self) -> ExitStatus {
        self.read_from_now();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit\n--- stderr\n{}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

fn initialize(id: i64) -> Value {
    request(
        id,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    )
}

/// A raw server that has been initialized (response read).
fn initialized() -> Raw {
    let mut raw = Raw::spawn();
    raw.send(initialize(1));
    assert!(raw.response(1).get("result").is_some());
    raw.send(notification("initialized", json!({})));
    raw
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error response: {response}"))
}

const URI: &str = "file:///protocol/docs/design/doc.md";

fn hover(id: i64, line: u32, character: u32) -> Value {
    request(
        id,
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
    )
}

/// A small design doc with a threat model (hover has something to say on `T1`).
const DOC: &str = "# Export\n\n## Threat model\n\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |\n|----|--------|-------|--------|----------|------------|--------|\n| T1 | S | A1 | A caller spoofs the scheduler | High | M1 | Mitigated |\n";

#[test]
fn a_request_before_initialize_is_server_not_initialized() {
    let mut raw = Raw::spawn();
    raw.send(hover(7, 0, 0));
    assert_eq!(error_code(&raw.response(7)), -32002);
    // `shutdown` is refused the same way; `initialize` still works afterwards.
    raw.send(request(8, "shutdown", Value::Null));
    assert_eq!(error_code(&raw.response(8)), -32002);
    raw.send(initialize(9));
    assert!(raw.response(9)["result"]["capabilities"].is_object());
    raw.send(request(10, "shutdown", Value::Null));
    assert_eq!(raw.response(10)["result"], Value::Null);
}

#[test]
fn an_unknown_method_is_method_not_found_and_an_unknown_notification_is_ignored() {
    let mut raw = initialized();
    raw.send(notification("threatmark/noSuchNotification", json!({})));
    raw.send(notification("$/noSuchNotification", json!({})));
    raw.send(request(2, "threatmark/noSuchMethod", json!({})));
    assert_eq!(error_code(&raw.response(2)), -32601);
    raw.send(request(3, "textDocument/noSuchMethod", json!({})));
    assert_eq!(error_code(&raw.response(3)), -32601);
    // Still serving.
    raw.send(request(4, "shutdown", Value::Null));
    assert_eq!(raw.response(4)["result"], Value::Null);
}

#[test]
fn a_second_initialize_is_invalid_request() {
    let mut raw = initialized();
    raw.send(initialize(2));
    assert_eq!(error_code(&raw.response(2)), -32600);
}

#[test]
fn after_shutdown_requests_are_invalid_request_and_exit_is_status_0() {
    let mut raw = initialized();
    raw.send(request(2, "shutdown", Value::Null));
    assert_eq!(raw.response(2)["result"], Value::Null);
    raw.send(hover(3, 0, 0));
    assert_eq!(error_code(&raw.response(3)), -32600);
    raw.send(request(4, "shutdown", Value::Null));
    assert_eq!(error_code(&raw.response(4)), -32600);
    // `exit` ends the process without the client closing stdin.
    raw.send(notification("exit", Value::Null));
    assert_eq!(raw.exit_status().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut raw = initialized();
    raw.send(notification("exit", Value::Null));
    assert_eq!(raw.exit_status().code(), Some(1));
    // Also when the client closes stdin right behind it.
    let mut raw = initialized();
    raw.send(notification("exit", Value::Null));
    raw.close_stdin();
    assert_eq!(raw.exit_status().code(), Some(1));
}

#[test]
fn exit_before_initialize_is_status_1() {
    let mut raw = Raw::spawn();
    raw.send(notification("exit", Value::Null));
    assert_eq!(raw.exit_status().code(), Some(1));
}

#[test]
fn the_end_of_stdin_ends_the_server() {
    // The client is gone: the server ends cleanly (status 0), with or without
    // `shutdown` (status 1 is for an `exit` notification without it).
    let mut raw = initialized();
    raw.send(notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 1, "text": DOC}}),
    ));
    raw.close_stdin();
    assert_eq!(raw.exit_status().code(), Some(0));
    let mut raw = initialized();
    raw.send(request(2, "shutdown", Value::Null));
    raw.response(2);
    raw.close_stdin();
    assert_eq!(raw.exit_status().code(), Some(0));
}

/// A design doc big enough that analysing it takes far longer than the cancellation
/// needs to arrive (seconds in a debug build, against microseconds).
fn large_doc() -> String {
    let mut doc = String::from(DOC);
    doc.push_str("\n### Notes\n\n");
    for i in 0..20_000 {
        doc.push_str(&format!(
            "| T{} | S, T | A1 | A caller spoofs the scheduler {i} | High | M1 | Mitigated |\n",
            i + 2
        ));
    }
    doc
}

#[test]
fn a_cancelled_request_is_answered_request_cancelled() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut client = Client::start(Options {
        root: Some(root.path()),
        pull: true,
        ..Options::default()
    });
    let uri = file_uri(&root.path().join("docs/design/big.md"));
    client.open(&uri, &large_doc());
    // The hover has to wait for the analysis of the whole document (pull mode: nothing
    // analysed it yet); the cancel is written right behind it.
    let id = client.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position([8, 3])}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let error = client.response(id).expect_err("the hover was cancelled");
    assert_eq!(error["code"], -32800, "{error}");
    // Cancelling an id that is not pending is ignored; the server keeps serving, and
    // the document's analysis still completes for the next request.
    client.notify("$/cancelRequest", json!({"id": 999}));
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("documentSymbol succeeds");
    assert!(
        symbols.as_array().is_some_and(|s| !s.is_empty()),
        "{symbols}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

/// Sends `garbage` after initialization, then checks the server still answers a hover
/// on an open document (and so did not stop reading, die, or wait for more bytes).
fn survives(garbage: &[u8]) -> Client {
    let mut client = Client::start(Options::default());
    client.open(URI, DOC);
    client.send_raw(garbage);
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": position([8, 3])}),
        )
        .expect("hover succeeds after the malformed input");
    assert!(hover["contents"].is_object(), "{hover}");
    client
}

#[test]
fn a_body_that_is_not_json_is_skipped() {
    let client = survives(b"Content-Length: 9\r\n\r\n{not json");
    assert!(client.stderr_shows("skipped a malformed message: a body that is no JSON-RPC"));
    // JSON, but no JSON-RPC message: skipped the same way.
    let client = survives(b"Content-Length: 8\r\n\r\n{\"id\":1}");
    assert!(client.stderr_shows("skipped a malformed message"));
}

#[test]
fn a_header_without_content_length_is_skipped() {
    let client = survives(
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\"}",
    );
    assert!(client.stderr_shows("a header without Content-Length"));
    let client = survives(b"Content-Length: twelve\r\n\r\n{}");
    assert!(client.stderr_shows("a Content-Length that is no number"));
}

#[test]
fn a_content_type_without_charset_is_accepted() {
    // LSP's default charset is UTF-8; tower-lsp-server alone rejected this header.
    let mut client = Client::start(Options::default());
    let body = json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
                      "params": {"textDocument": {"uri": URI}, "position": position([0, 0])}})
    .to_string();
    client.send_raw(
        format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(client.response(99), Ok(Value::Null));
}

#[test]
fn a_content_length_of_a_terabyte_is_refused_without_allocating_it() {
    // The claimed body would swallow the next message; the server refuses the header,
    // skips to the next one, and keeps serving.
    let client = survives(b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\":\"2.0\"}");
    assert!(client.stderr_shows("a Content-Length of 1000000000000 bytes, over the limit"));
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string(format!("/proc/{}/status", client.pid()))
            .expect("the server's /proc status");
        let peak_kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        assert!(peak_kib < 512 * 1024, "peak resident memory {peak_kib} kB");
    }
}

#[test]
fn a_message_cut_short_at_the_end_of_input_ends_the_session_cleanly() {
    let mut raw = initialized();
    raw.send(request(2, "shutdown", Value::Null));
    raw.response(2);
    raw.write(b"Content-Length: 100\r\n\r\n{\"jsonrpc\":\"2.0\",");
    raw.close_stdin();
    assert_eq!(raw.exit_status().code(), Some(0));
    assert!(
        raw.stderr
            .lock()
            .unwrap()
            .contains("the input ended inside a message")
            || {
                // The stderr reader may lag the exit by a moment.
                std::thread::sleep(Duration::from_millis(500));
                raw.stderr
                    .lock()
                    .unwrap()
                    .contains("the input ended inside a message")
            }
    );
}

#[test]
fn out_of_range_positions_are_clamped() {
    let mut client = Client::start(Options::default());
    client.open(URI, "# Title\nline two\n");
    // Past the end of a line: the line's end. Past the last line: the end of the text.
    client.change(URI, 2, [0, 500], [0, 900], "!");
    client.change(URI, 3, [1_000_000, 5], [2_000_000, 0], "tail");
    // A range given end first is taken in order.
    client.change(URI, 4, [1, 4], [1, 0], "LINE");
    assert_eq!(client.server_text(URI), "# Title!\nLINE two\ntail");
    // Requests at positions far outside the text answer, without an error.
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/prepareRename",
    ] {
        let mut params =
            json!({"textDocument": {"uri": URI}, "position": position([u32::MAX, u32::MAX])});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        let answer = client.request(method, params);
        assert!(answer.is_ok(), "{method}: {answer:?}");
    }
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range([u32::MAX, 0], [0, u32::MAX]),
               "context": {"diagnostics": []}}),
    );
    assert!(actions.is_ok(), "{actions:?}");
}

#[test]
fn an_edit_to_a_never_opened_document_is_ignored() {
    let mut client = Client::start(Options::default());
    let other = "file:///protocol/docs/design/never-opened.md";
    client.change(other, 2, [0, 0], [0, 0], "text");
    client.replace_all(other, 3, "whole text");
    assert!(client.stderr_shows("could not be applied (not open, or a bad edit)"));
    // The document did not spring into existence; requests about it answer null.
    assert_eq!(
        client.request("threatmark/debug/documentText", json!({"uri": other})),
        Ok(Value::Null)
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": other}, "position": position([0, 0])}),
    );
    assert_eq!(hover, Ok(Value::Null));
    // Closing it is harmless too, and the server keeps serving.
    client.close(other);
    client.open(URI, DOC);
    assert_eq!(client.server_text(URI), DOC);
}

#[test]
fn a_version_going_backwards_is_applied_and_published_with_that_version() {
    // The client's text is the truth: an edit it sent is applied even if its version
    // number went down, and the diagnostics carry the version it gave.
    let mut client = Client::start(Options::default());
    client.open_version(URI, DOC, 10);
    client.published(URI, Some(10));
    client.change(URI, 4, [0, 2], [0, 8], "Ledger export");
    assert_eq!(
        client.server_text(URI),
        DOC.replacen("Export", "Ledger export", 1)
    );
    let published = client.published(URI, Some(4));
    assert_eq!(published["version"], 4);
    // Going forward again from there works as usual.
    client.change(URI, 5, [0, 0], [0, 0], "");
    client.published(URI, Some(5));
}

#[test]
fn ten_thousand_changes_written_without_reading_do_not_deadlock() {
    const CHANGES: usize = 10_000;
    let mut raw = Raw::spawn();
    // The client waits for the initialize result before anything else (LSP 3.17).
    raw.send(initialize(1));
    assert_eq!(raw.read_one_now()["id"], 1);
    let stdin = raw.stdin.take().expect("stdin");
    // One thread writes everything while nothing reads the server's stdout; if the
    // server stopped reading stdin because its stdout is full, this thread would block.
    let (done, finished) = channel();
    let writer = std::thread::spawn(move || {
        let mut stdin = stdin;
        let mut out = Vec::new();
        out.extend(frame(&notification("initialized", json!({}))));
        out.extend(frame(&notification(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "markdown", "version": 0, "text": DOC}}),
        )));
        for v in 1..=CHANGES {
            out.extend(frame(&notification(
                "textDocument/didChange",
                json!({"textDocument": {"uri": URI, "version": v},
                       "contentChanges": [{"range": range([0, 2], [0, 2]), "text": "x"}]}),
            )));
        }
        out.extend(frame(&request(
            2,
            "threatmark/debug/documentText",
            json!({"uri": URI}),
        )));
        for chunk in out.chunks(64 * 1024) {
            stdin.write_all(chunk).unwrap();
        }
        stdin.flush().unwrap();
        let _ = done.send(());
        stdin
    });
    // Generous: the cap only turns a hang into a failure.
    if finished.recv_timeout(Duration::from_secs(300)).is_err() {
        panic!(
            "writing {CHANGES} changes blocked: the server stopped reading\n--- stderr\n{}",
            raw.stderr.lock().unwrap()
        );
    }
    raw.stdin = Some(writer.join().expect("writer"));
    let text = raw.response(2);
    let expected = DOC.replacen("# ", &format!("# {}", "x".repeat(CHANGES)), 1);
    // Compared as a bool: a failure should not print 10,000 x's twice.
    assert!(
        text["result"] == json!(expected),
        "the server's text after {CHANGES} changes differs: {} bytes, starting {:?}",
        text["result"].as_str().map_or(0, str::len),
        text["result"]
            .as_str()
            .map(|t| t.chars().take(40).collect::<String>())
    );
    raw.send(request(3, "shutdown", Value::Null));
    raw.response(3);
    raw.send(notification("exit", Value::Null));
    assert_eq!(raw.exit_status().code(), Some(0));
}
