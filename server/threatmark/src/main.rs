//! The `threatmark` binary: the command line and the language server (see the library's
//! docs, `lib.rs`).

/// The analysis allocates many small strings and vectors per document and frees them
/// together; mimalloc's per-thread free lists make that markedly cheaper than glibc's
/// allocator (BENCHMARKS.md, "Allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    threatmark::run()
}
