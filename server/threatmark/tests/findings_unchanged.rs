//! The speed work (BENCHMARKS.md) must change no finding: every finding, message, range,
//! data and fix of `threatmark check --format json` on the shared example docs and on the
//! first 60 docs of the benchmark corpus (bench/gen_corpus.py, seed 20261123) is pinned
//! here as one FNV-1a digest per file. A change to any byte of a file's report changes
//! its line in the snapshot; review it with `cargo insta review` when a rule is meant to
//! change.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn findings_on_examples_and_generated_docs_are_pinned() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let corpus = dir.path().join("gen");
    let status = Command::new("python3")
        .arg(repo.join("bench/gen_corpus.py"))
        .args([
            "--count",
            "60",
            "--seed",
            "20261123",
            "--anchor",
            "2026-11-23",
        ])
        .args(["--quiet", "--out"])
        .arg(&corpus)
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3 bench/gen_corpus.py: {e}"));
    assert!(status.success());
    // The manifest is not markdown; drop it so that only the docs are in the report.
    let _ = std::fs::remove_file(corpus.join("manifest.json"));
    let examples = repo.join("../shared/examples");
    let target = dir.path().join("examples/design");
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let mut copied = 0;
    for entry in std::fs::read_dir(&examples)
        .unwrap_or_else(|e| panic!("{}: {e}", examples.display()))
        .filter_map(Result::ok)
    {
        std::fs::copy(entry.path(), target.join(entry.file_name()))
            .unwrap_or_else(|e| panic!("copy: {e}"));
        copied += 1;
    }
    assert!(copied >= 3, "shared examples: {copied}");

    let out = Command::new(env!("CARGO_BIN_EXE_threatmark"))
        .args(["check", "gen", "examples", "--format", "json"])
        .current_dir(dir.path())
        .env("THREATMARK_TODAY", "2026-11-23")
        .output()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}"));
    let files = report["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 69, "60 design docs, 6 READMEs, 3 examples");

    let mut lines = BTreeMap::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let path = file["path"].as_str().unwrap_or("?").to_string();
        let findings = file["findings"].as_array().cloned().unwrap_or_default();
        for f in &findings {
            *codes
                .entry(f["code"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        let bytes = serde_json::to_vec(file).unwrap_or_default();
        lines.insert(
            path,
            format!("{:3} findings  {:016x}", findings.len(), fnv1a(&bytes)),
        );
    }
    let mut snapshot = format!("summary: {}\n", report["summary"]);
    for (code, n) in &codes {
        snapshot.push_str(&format!("{code}: {n}\n"));
    }
    for (path, line) in &lines {
        snapshot.push_str(&format!("{path}  {line}\n"));
    }
    insta::assert_snapshot!(snapshot);
}
