//! The parse floor for the benchmarks (bench/run_all.sh): read every `.md` file under
//! the given folders and run pulldown-cmark over it, one thread, with the options the
//! engine uses, and nothing else. `threatmark check` cannot be faster than reading and
//! parsing the same files, so its wall time is compared with this program's.
//!
//! ```sh
//! cargo run --release -p threatmark-engine --example floor -- bench/.corpus ../shared/corpus/keps
//! ```

use pulldown_cmark::{Options, Parser};
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn main() {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            collect(&path, &mut files);
        } else {
            files.push(path);
        }
    }
    let (mut bytes, mut events) = (0usize, 0usize);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        bytes += text.len();
        // The offset iterator is what the engine consumes; counting keeps the work live.
        events += Parser::new_ext(&text, options).into_offset_iter().count();
    }
    println!("{} files, {bytes} bytes, {events} events", files.len());
}
