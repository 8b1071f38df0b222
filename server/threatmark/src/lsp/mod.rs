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
/// exit status follows LSP 3.17: after `exit`, 0 if `shutdown` came first, else 1; at the
/// end of stdin (the client is gone) 0.
pub fn run() -> Result<ExitStatus, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the language server: {e}")))?;
    let ended = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // An analysis still running for a cancelled request, or the blocked read of stdin
    // after `exit`, must not keep the process alive.
    runtime.shutdown_background();
    Ok(match ended {
        Ended::ExitWithoutShutdown => ExitStatus::Failure,
        Ended::Exit | Ended::EndOfInput => ExitStatus::Success,
    })
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// `shutdown`, then `exit`.
    Exit,
    ExitWithoutShutdown,
    EndOfInput,
}

/// Serves one client on `input`/`output` until `exit` or the end of `input`.
async fn serve(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl tokio::io::AsyncWrite,
) -> Ended {
    let (service, socket) = server::service();
    let backend = service.inner().clone();
    // tower-lsp-server reads only the frames `framing` let through (see there why).
    let (checked, server_input) = tokio::io::duplex(64 * 1024);
    let exit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let forwarding = tokio::spawn(framing::forward(input, checked, exit.clone()));
    tower_lsp_server::Server::new(server_input, output, socket)
        .serve(service)
        .await;
    forwarding.abort();
    match (
        exit.load(std::sync::atomic::Ordering::SeqCst),
        backend.was_shut_down(),
    ) {
        (true, true) => Ended::Exit,
        (true, false) => Ended::ExitWithoutShutdown,
        (false, _) => Ended::EndOfInput,
    }
}
