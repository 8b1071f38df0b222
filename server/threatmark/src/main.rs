//! The `threatmark` binary: the command line and the language server (see the library's
//! docs, `lib.rs`).

fn main() -> std::process::ExitCode {
    threatmark::run()
}
