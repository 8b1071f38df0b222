//! Hostile and broken design docs (SPEC: a panic on any input is a bug): each family of
//! `bench/pathological.py` at its base size, checked by the real binary in its own
//! process. The run must end (a cap far above its normal time catches a hang or runaway
//! recursion), exit 0 or 1, and print a JSON report that lists the file. How the time
//! grows with size is for `bench/pathological.sh`, not for a test.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Far above what any family takes (well under a second each); only a hang reaches it.
const CAP: Duration = Duration::from_secs(120);

fn generate(out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/pathological.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(["--scale", "1", "--out"])
        .arg(out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", script.display()));
    assert!(status.success(), "{} failed", script.display());
}

#[test]
fn every_pathological_family_is_checked_without_panic_or_hang() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let design = dir.path().join("design");
    generate(&design);
    let mut families: Vec<_> = std::fs::read_dir(&design)
        .unwrap_or_else(|e| panic!("{}: {e}", design.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    families.sort();
    assert!(families.len() >= 15, "{families:?}");
    let mut failures = Vec::new();
    for path in &families {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let mut child = Command::new(env!("CARGO_BIN_EXE_threatmark"))
            .args(["check", "--format", "json"])
            .arg(path)
            .env("THREATMARK_TODAY", "2026-11-23")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        // Read the output on other threads so a large report cannot fill the pipe.
        let mut stdout = child.stdout.take().map(std::io::BufReader::new);
        let mut stderr = child.stderr.take().map(std::io::BufReader::new);
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(r) = stdout.as_mut() {
                let _ = std::io::Read::read_to_string(r, &mut s);
            }
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(r) = stderr.as_mut() {
                let _ = std::io::Read::read_to_string(r, &mut s);
            }
            s
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() > CAP => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("wait: {e}"),
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let Some(status) = status else {
            failures.push(format!("{name}: still running after {CAP:?}"));
            continue;
        };
        if !matches!(status.code(), Some(0 | 1)) {
            failures.push(format!("{name}: exit {status:?}\n{stderr}"));
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&stdout) {
            Ok(v)
                if v["files"][0]["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(&name)) => {}
            Ok(v) => failures.push(format!(
                "{name}: report does not list the file: {}",
                v["files"]
            )),
            Err(e) => failures.push(format!("{name}: stdout is no JSON ({e})")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
