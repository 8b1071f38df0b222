//! `threatmark lsp`: the language server over stdio (SPEC §7), an adapter around the
//! engine as the CLI is.
//!
//! Architecture invariants:
//! - **Stdout is the protocol.** Nothing else is written to it (`print_stdout` is denied
//!   here); logs go to `window/logMessage` and stderr (`log.rs`).
//! - **Edits land in arrival order.** tower-lsp-server runs handlers concurrently, so a
//!   text-sync notification applies its change before its first `.await` (`server.rs`).
//! - **Diagnostics are never stale.** Each is computed for a `(uri, version)`, dropped
//!   when a newer version (or configuration) exists, and published with its version.
//! - **A panic is an error response.** Every request runs under `catch_unwind`
//!   (`guard.rs`); the server keeps serving.
//! - **Positions convert at this edge only**, through the engine's `LineIndex`
//!   (`encoding.rs`), in the encoding negotiated at `initialize`.
#![deny(clippy::print_stdout)]

mod actions;
mod analysis;
mod completion;
mod config;
mod diagnostics;
mod documents;
mod encoding;
mod framing;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod guard;
mod hover;
mod lens;
mod log;
mod navigation;
mod server;
mod state;
mod symbols;

use crate::cli::{CliError, ExitStatus};

/// Serves one client on stdin/stdout until it sends `exit` or closes the stream. The
/// exit status follows LSP 3.17: 0 if `shutdown` came first, else 1.
pub fn run() -> Result<ExitStatus, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the language server: {e}")))?;
    let shut_down = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // An analysis still running for a cancelled request, or the blocked read of stdin
    // after `exit`, must not keep the process alive.
    runtime.shutdown_background();
    Ok(if shut_down {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Serves one client on `input`/`output`; whether it sent `shutdown`.
async fn serve(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl tokio::io::AsyncWrite,
) -> bool {
    let (service, socket) = server::service();
    let backend = service.inner().clone();
    // tower-lsp-server reads only the frames `framing` let through (see there why).
    let (checked, server_input) = tokio::io::duplex(64 * 1024);
    let forwarding = tokio::spawn(framing::forward(input, checked));
    tower_lsp_server::Server::new(server_input, output, socket)
        .serve(service)
        .await;
    forwarding.abort();
    backend.was_shut_down()
}
