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
mod guard;
mod hover;
mod lens;
mod log;
mod navigation;
mod server;
mod state;
mod symbols;

use crate::cli::{CliError, ExitStatus};

/// Serves one client on stdin/stdout until it sends `exit` or closes the stream.
pub fn run() -> Result<ExitStatus, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the language server: {e}")))?;
    runtime.block_on(async {
        let (service, socket) = server::service();
        tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    Ok(ExitStatus::Success)
}
