//! The language server driven in-process, for the `lsp_messages` fuzz target (cargo
//! feature `fuzzing`, off in every other build): the same `serve` as `threatmark lsp`,
//! over in-memory pipes instead of stdio, so the fuzzer sees every handler's coverage
//! and every panic (libFuzzer's panic hook aborts even on a panic `guard` catches).

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// One client message about one of a few documents (`doc` picks its URI).
#[derive(Debug, Clone)]
pub enum Message {
    Open {
        doc: u8,
        version: i32,
        text: String,
    },
    /// A range replaced, or without a range the whole text.
    Change {
        doc: u8,
        version: i32,
        range: Option<(Position, Position)>,
        text: String,
    },
    Close {
        doc: u8,
    },
    Hover {
        doc: u8,
        at: Position,
    },
    Completion {
        doc: u8,
        at: Position,
    },
    CodeAction {
        doc: u8,
        start: Position,
        end: Position,
    },
    Definition {
        doc: u8,
        at: Position,
    },
    Rename {
        doc: u8,
        at: Position,
        new_name: String,
    },
}

/// How the client set the session up.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Offer UTF-8 positions (else UTF-16).
    pub utf8: bool,
    /// Pull diagnostics (else the server pushes them, debounced).
    pub pull: bool,
}

/// Runs `initialize`, the messages and `shutdown` through the server; panics if
/// a request (`shutdown` included) got no response or more than one, or if one was an
/// internal error.
pub fn session(setup: Session, messages: &[Message]) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let mut requests = 0;
        let mut input = Vec::new();
        let mut push = |message: Value| {
            let body = message.to_string();
            input.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            input.extend_from_slice(body.as_bytes());
        };
        let mut general = json!({});
        if setup.utf8 {
            general = json!({"positionEncodings": ["utf-8", "utf-16"]});
        }
        let mut text_document = json!({"publishDiagnostics": {"versionSupport": true}});
        if setup.pull {
            text_document["diagnostic"] = json!({"dynamicRegistration": false});
        }
        requests += 1;
        push(request(
            requests,
            "initialize",
            json!({"processId": null, "rootUri": null,
                   "capabilities": {"general": general, "textDocument": text_document}}),
        ));
        push(notification("initialized", json!({})));
        for m in messages {
            match to_json(m) {
                (method, params, true) => {
                    requests += 1;
                    push(request(requests, method, params));
                }
                (method, params, false) => push(notification(method, params)),
            }
        }
        requests += 1;
        push(request(requests, "shutdown", Value::Null));
        // Then the end of input rather than `exit`: `exit` cancels the requests still
        // running, the end of input lets each finish and answer.

        let (mut client_out, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, mut client_in) = tokio::io::duplex(1 << 16);
        let writer = tokio::spawn(async move {
            let _ = client_out.write_all(&input).await;
        });
        let reader = tokio::spawn(async move {
            let mut output = Vec::new();
            let _ = client_in.read_to_end(&mut output).await;
            output
        });
        let ended = super::serve(server_in, server_out).await;
        writer.abort();
        let output = reader.await.unwrap_or_default();
        assert_eq!(ended, super::Ended::EndOfInput);
        check_responses(&output, requests);
    });
    // Debounced diagnostics and analyses still running belong to this session only.
    runtime.shutdown_background();
}

fn request(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

fn uri(doc: u8) -> String {
    format!("file:///fuzz/docs/design/doc{}.md", doc % 4)
}

fn position(p: Position) -> Value {
    json!({"line": p.line, "character": p.character})
}

/// The method, the params, and whether it is a request.
fn to_json(m: &Message) -> (&'static str, Value, bool) {
    let at =
        |doc: u8, p: Position| json!({"textDocument": {"uri": uri(doc)}, "position": position(p)});
    match m {
        Message::Open { doc, version, text } => (
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(*doc), "languageId": "markdown",
                                    "version": version, "text": text}}),
            false,
        ),
        Message::Change {
            doc,
            version,
            range,
            text,
        } => {
            let mut change = json!({"text": text});
            if let Some((a, b)) = range {
                change["range"] = json!({"start": position(*a), "end": position(*b)});
            }
            (
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri(*doc), "version": version},
                       "contentChanges": [change]}),
                false,
            )
        }
        Message::Close { doc } => (
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(*doc)}}),
            false,
        ),
        Message::Hover { doc, at: p } => ("textDocument/hover", at(*doc, *p), true),
        Message::Completion { doc, at: p } => ("textDocument/completion", at(*doc, *p), true),
        Message::Definition { doc, at: p } => ("textDocument/definition", at(*doc, *p), true),
        Message::CodeAction { doc, start, end } => (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(*doc)},
                   "range": {"start": position(*start), "end": position(*end)},
                   "context": {"diagnostics": []}}),
            true,
        ),
        Message::Rename {
            doc,
            at: p,
            new_name,
        } => {
            let mut params = at(*doc, *p);
            params["newName"] = json!(new_name);
            ("textDocument/rename", params, true)
        }
    }
}

/// Every request 1..=`requests` answered exactly once, none with an internal error.
fn check_responses(output: &[u8], requests: i64) {
    let mut answered = vec![0u32; usize::try_from(requests).unwrap_or(0) + 1];
    let mut rest = output;
    while let Some(at) = rest.windows(4).position(|w| w == b"\r\n\r\n") {
        let header = String::from_utf8_lossy(&rest[..at]);
        let length: usize = header
            .trim()
            .strip_prefix("Content-Length:")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("a bad header from the server: {header:?}"));
        let body = &rest[at + 4..at + 4 + length];
        rest = &rest[at + 4 + length..];
        let message: Value = serde_json::from_slice(body).expect("the server sends JSON");
        if message.get("method").is_some() {
            continue;
        }
        if let Some(id) = message["id"].as_u64() {
            answered[id as usize] += 1;
        }
        assert_ne!(
            message["error"]["code"],
            json!(-32603),
            "an internal error: {message}"
        );
    }
    for (id, n) in answered.iter().enumerate().skip(1) {
        assert_eq!(*n, 1, "request {id} was answered {n} times");
    }
}
