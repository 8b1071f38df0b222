//! `threatmark`: the command line of the threatmark engine — `check`, `report`, `init`,
//! `explain` — and `lsp`, the language server.
//!
//! Architecture invariant: this crate is an adapter. It does the I/O the engine never
//! does (files, the clock, the terminal) and converts the engine's byte ranges to
//! 1-based lines and columns at the edge; every rule lives in `threatmark-engine`.
//! Stdout carries only the requested output; messages go to stderr as one line each
//! (`error: …`, `warning: …`). Exit status: 0 clean, 1 findings, 2 usage, config or I/O
//! error.
//!
//! The library target exists so that the fuzz targets (`fuzz/`) can drive the language
//! server in-process; with the `fuzzing` feature off, its only public item is [`run`].

mod atomic;
mod cli;
mod link;
mod lsp;
mod message;
mod output;
mod record;
mod report;
mod today;
mod walk;
mod workspace;

#[cfg(feature = "fuzzing")]
pub use lsp::fuzzing;

/// Runs the command line on the process's arguments; the process's exit status.
pub fn run() -> std::process::ExitCode {
    cli::run().into()
}
