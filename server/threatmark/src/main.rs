//! `threatmark`: the command line of the threatmark engine — `check`, `report`, `init`,
//! `explain` — and `lsp`, the language server.
//!
//! Architecture invariant: this crate is an adapter. It does the I/O the engine never
//! does (files, the clock, the terminal) and converts the engine's byte ranges to
//! 1-based lines and columns at the edge; every rule lives in `threatmark-engine`.
//! Stdout carries only the requested output; messages go to stderr as one line each
//! (`error: …`, `warning: …`). Exit status: 0 clean, 1 findings, 2 usage, config or I/O
//! error.

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

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run().into()
}
