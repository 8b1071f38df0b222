//! The client's byte stream, checked frame by frame before tower-lsp-server reads it.
//!
//! tower-lsp-server 0.23 reads stdin with a tokio-util `FramedRead`, which ends the stream
//! at the first decoding error: a body that is not JSON, a header without
//! `Content-Length`, a `Content-Type` without `charset=utf-8` or a body that is not UTF-8
//! made the server stop reading and exit. A `Content-Length` of 10^12 made it wait for
//! (and buffer) a terabyte, deaf to every later message. So `forward` reads the client's
//! frames itself and passes on, re-framed with a bare `Content-Length`, only those the
//! library will decode; a bad one is logged and skipped, and reading resumes at the next
//! `Content-Length` header. Memory stays bounded by `MAX_BODY` and `MAX_HEADER`.

use super::log;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest body accepted: a design doc of tens of megabytes is already far beyond
/// what anyone writes; a larger claim is a broken client.
pub const MAX_BODY: usize = 64 << 20;
/// The largest header block accepted (real ones are under 100 bytes).
const MAX_HEADER: usize = 8 << 10;
const NEEDLE: &[u8] = b"Content-Length";

/// What tower-lsp-server decodes a body as (its `Message` is private).
#[derive(Deserialize)]
#[serde(untagged)]
enum Message {
    #[allow(dead_code)] // Only whether it deserializes matters.
    Response(Response),
    Request(Request),
}

enum Next {
    /// A body, and whether it is the `exit` notification.
    Frame(Vec<u8>, bool),
    Bad(String),
    End,
}

struct Frames<R> {
    input: R,
    buf: Vec<u8>,
    /// After a bad header: bytes are skipped up to the next `Content-Length`.
    resync: bool,
}

impl<R: AsyncRead + Unpin> Frames<R> {
    /// Reads more input into the buffer; `false` at the end of the stream (or an error
    /// reading it, which ends the session the same way).
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 64 * 1024];
        match self.input.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    async fn next(&mut self) -> Next {
        loop {
            if self.resync {
                match find(&self.buf, NEEDLE) {
                    Some(at) => {
                        self.buf.drain(..at);
                        self.resync = false;
                    }
                    None => {
                        // Keep a possible partial needle at the end.
                        let keep = self.buf.len().min(NEEDLE.len() - 1);
                        self.buf.drain(..self.buf.len() - keep);
                        if !self.fill().await {
                            return Next::End;
                        }
                    }
                }
                continue;
            }
            let end = match find(&self.buf, b"\r\n\r\n") {
                Some(end) if end <= MAX_HEADER => end,
                _ if self.buf.len() > MAX_HEADER => {
                    self.buf.drain(..1);
                    self.resync = true;
                    return Next::Bad(format!("a header longer than {MAX_HEADER} bytes"));
                }
                _ => {
                    if !self.fill().await {
                        return self.truncated();
                    }
                    continue;
                }
            };
            let length = content_length(&self.buf[..end]);
            self.buf.drain(..end + 4);
            let length = match length {
                Ok(n) => n,
                Err(e) => {
                    self.resync = true;
                    return Next::Bad(e);
                }
            };
            while self.buf.len() < length {
                if !self.fill().await {
                    return self.truncated();
                }
            }
            let body: Vec<u8> = self.buf.drain(..length).collect();
            return match serde_json::from_slice::<Message>(&body) {
                Ok(Message::Request(r)) => {
                    let exit = r.method() == "exit";
                    Next::Frame(body, exit)
                }
                Ok(Message::Response(_)) => Next::Frame(body, false),
                Err(e) => Next::Bad(format!("a body that is no JSON-RPC message ({e})")),
            };
        }
    }

    fn truncated(&mut self) -> Next {
        if !self.buf.is_empty() {
            log::error(&format!(
                "the input ended inside a message ({} bytes dropped)",
                self.buf.len()
            ));
        }
        Next::End
    }
}

/// The `Content-Length` of a header block, if it has a usable one.
fn content_length(header: &[u8]) -> Result<usize, String> {
    let header = std::str::from_utf8(header).map_err(|_| "a header that is not UTF-8")?;
    let mut length = None;
    for line in header.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("a header line without a colon: {line:?}"));
        };
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            let n: u64 = value
                .trim()
                .parse()
                .map_err(|_| format!("a Content-Length that is no number: {value:?}"))?;
            length = Some(n);
        }
    }
    match length {
        None => Err("a header without Content-Length".into()),
        Some(0) => Err("an empty body".into()),
        Some(n) if n > MAX_BODY as u64 => Err(format!(
            "a Content-Length of {n} bytes, over the limit of {MAX_BODY}"
        )),
        Some(n) => Ok(n as usize),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Copies the well-formed frames of `input` to `output` until `input` ends or `output`
/// is closed; then closes `output`, which ends the session as the end of stdin does.
/// `exit` is set when the `exit` notification passes (the session then ends by it, not
/// by the end of input, which matters for the exit status).
pub async fn forward(
    input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    exit: Arc<AtomicBool>,
) {
    let mut frames = Frames {
        input,
        buf: Vec::new(),
        resync: false,
    };
    loop {
        match frames.next().await {
            Next::Frame(body, is_exit) => {
                if is_exit {
                    exit.store(true, Ordering::SeqCst);
                }
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if output.write_all(header.as_bytes()).await.is_err()
                    || output.write_all(&body).await.is_err()
                {
                    return;
                }
            }
            Next::Bad(reason) => log::error(&format!("skipped a malformed message: {reason}")),
            Next::End => break,
        }
    }
    let _ = output.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames_of(input: &[u8]) -> Vec<String> {
        let mut frames = Frames {
            input,
            buf: Vec::new(),
            resync: false,
        };
        let mut out = Vec::new();
        loop {
            match frames.next().await {
                Next::Frame(b, _) => out.push(String::from_utf8_lossy(&b).into_owned()),
                Next::Bad(_) => out.push("BAD".into()),
                Next::End => return out,
            }
        }
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    const OK: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn good_frames_pass_and_bad_ones_are_skipped_up_to_the_next_header() {
        let input = [
            frame(OK),
            frame("{not json"),
            format!("Content-Type: application/vscode-jsonrpc\r\n\r\n{OK}"),
            format!("Content-Length: 1000000000000\r\n\r\n{OK}"),
            format!("Content-Length: x\r\n\r\n{OK}"),
            frame(r#"{"id":1}"#),
            format!("Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{OK}", OK.len()),
        ]
        .concat();
        let got = run(frames_of(input.as_bytes()));
        assert_eq!(got, [OK, "BAD", "BAD", "BAD", "BAD", "BAD", OK]);
    }

    #[test]
    fn a_message_cut_short_by_the_end_of_input_is_dropped() {
        let input = format!("{}Content-Length: 100\r\n\r\n{{\"jsonrpc\"", frame(OK));
        assert_eq!(run(frames_of(input.as_bytes())), [OK]);
    }

    #[test]
    fn a_header_that_never_ends_is_bounded() {
        let mut input = "X".repeat(3 * MAX_HEADER).into_bytes();
        input.extend_from_slice(frame(OK).as_bytes());
        assert_eq!(run(frames_of(&input)), ["BAD", OK]);
    }

    /// The server's output for `input`, through `serve` or through tower-lsp-server alone.
    fn output_of(input: &'static [u8], checked: bool) -> String {
        run(async move {
            let (server_out, mut client_in) = tokio::io::duplex(1 << 16);
            let reader = tokio::spawn(async move {
                let mut out = Vec::new();
                let _ = client_in.read_to_end(&mut out).await;
                out
            });
            if checked {
                super::super::serve(input, server_out).await;
            } else {
                let (service, socket) = super::super::server::service();
                tower_lsp_server::Server::new(input, server_out, socket)
                    .serve(service)
                    .await;
            }
            String::from_utf8_lossy(&reader.await.unwrap_or_default()).into_owned()
        })
    }

    #[test]
    fn tower_lsp_server_alone_stops_reading_at_a_malformed_message() {
        // Why this module exists: the same input, without and with the check.
        const INPUT: &[u8] = b"Content-Length: 75\r\n\r\n\
{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}\
Content-Length: 9\r\n\r\n{not json\
Content-Length: 44\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}";
        let alone = output_of(INPUT, false);
        assert!(alone.contains(r#""id":1"#), "{alone}");
        assert!(alone.contains(r#""code":-32700"#), "{alone}");
        assert!(!alone.contains(r#""id":2"#), "{alone}");
        let checked = output_of(INPUT, true);
        assert!(checked.contains(r#""id":2"#), "{checked}");
    }
}
