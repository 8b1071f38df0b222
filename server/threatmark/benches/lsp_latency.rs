//! Latency of `threatmark lsp` on a generated 3,000-line design doc, measured as an
//! editor sees it: the real binary over stdio, one request at a time.
//!
//! ```sh
//! cargo bench -p threatmark --bench lsp_latency            # 200 samples each
//! cargo bench -p threatmark --bench lsp_latency -- 500     # more samples
//! ```
//!
//! Measures, with p50 and p95 over the samples: pull diagnostics right after an
//! incremental edit (the edit is sent, then `textDocument/diagnostic`; the time runs from
//! sending the edit to the report), hover on a threat id, completion in a category cell,
//! and completion right after typing into that cell. The results go to stdout as a
//! markdown table for BENCHMARKS.md.

#[path = "../tests/lsp_support/mod.rs"]
mod lsp_support;

use lsp_support::{Client, Options, file_uri, find, position};
use serde_json::json;
use std::fmt::Write;
use std::time::{Duration, Instant};

const CATEGORIES: [&str; 6] = ["S", "T", "R", "I", "D", "E"];
const SEVERITIES: [&str; 4] = ["Critical", "High", "Medium", "Low"];

/// A design doc of about `lines` lines: front matter, an overview, a diagram, and the
/// assets, threats and mitigations in the proportions real threat models have.
fn design_doc(lines: usize) -> String {
    let assets = lines / 20;
    let threats = lines / 2;
    let mitigations = lines / 3;
    let mut d = String::new();
    d.push_str("---\ntitle: Generated ledger platform\nowner: team-ledger\nstatus: in-review\nlast_reviewed: 2026-10-01\nsecurity_reviewer: dana\n---\n\n# Generated ledger platform\n\n## Overview\n\n");
    for i in 0..lines / 30 {
        let _ = writeln!(
            d,
            "Paragraph {i}: the service keeps ledgers for tenants and exports them nightly to a bucket.\n"
        );
    }
    d.push_str(
        "```mermaid\nflowchart LR\n  user[/Tenant user/]\n  subgraph platform [Ledger platform]\n",
    );
    for i in 1..=20 {
        let _ = writeln!(d, "    A{i}[(Store {i})]");
    }
    d.push_str("    api((API))\n  end\n  user -->|request| api\n");
    for i in 1..=20 {
        let _ = writeln!(d, "  api -->|read and write| A{i}");
    }
    d.push_str("```\n\n## Threat model\n\n### Scope\n\nThe ledger platform and its stores.\n\n### Assets\n\n| ID | Asset | Type | Classification |\n|----|-------|------|----------------|\n");
    for i in 1..=assets {
        let _ = writeln!(d, "| A{i} | Store {i} | data store | confidential |");
    }
    d.push_str("\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |\n|----|--------|-------|--------|----------|------------|--------|\n");
    for i in 1..=threats {
        let _ = writeln!(
            d,
            "| T{i} | {} | A{} | An attacker with network access tampers with the records of store {} and hides it from the tenant | {} | M{} | Mitigated |",
            CATEGORIES[i % 6],
            i % assets + 1,
            i % assets + 1,
            SEVERITIES[i % 4],
            i % mitigations + 1,
        );
    }
    d.push_str("\n### Mitigations\n\n");
    for i in 1..=mitigations {
        let _ = writeln!(
            d,
            "- M{i}: Records are signed and every change is logged with the caller's identity."
        );
    }
    d.push_str("\n### Review\n\nWalked through with the ledger team.\n");
    d
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this too, without
    // it, and then gets a quick smoke run on a small doc instead of a measurement.
    let measuring = args.iter().any(|a| a == "--bench");
    let samples: usize = match args.iter().find_map(|a| a.parse().ok()) {
        Some(n) => n,
        None if measuring => 200,
        None => 4,
    };
    let size = if measuring { 3070 } else { 300 };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("docs/design")).expect("mkdir");
    let text = design_doc(size);
    let lines = text.lines().count();
    let uri = file_uri(&dir.path().join("docs/design/ledger.md"));
    let mut client = Client::start(Options {
        root: Some(dir.path()),
        pull: true,
        ..Options::default()
    });
    client.open(&uri, &text);
    let findings = client.pull(&uri).len();

    // Pull diagnostics after an incremental edit: type into T1's description, then
    // delete it again, alternately, so the text stays the same size.
    let mut edit_pull = Vec::with_capacity(samples);
    let typing_at = find(&text, "tampers with the records of store", 0, 0);
    let mut version = 1;
    for i in 0..samples {
        version += 1;
        let start = Instant::now();
        if i % 2 == 0 {
            client.change(&uri, version, typing_at, typing_at, "x");
        } else {
            let end = [typing_at[0], typing_at[1] + 1];
            client.change(&uri, version, typing_at, end, "");
        }
        let diagnostics = client.pull(&uri);
        edit_pull.push(start.elapsed());
        assert!(diagnostics.len() >= findings.saturating_sub(1));
    }

    // Hover on threat ids spread over the table.
    let mut hover = Vec::with_capacity(samples);
    for i in 0..samples {
        let id = format!("| T{} |", (i * 7) % (size * 45 / 100) + 1);
        let at = find(&text, &id, 0, 2);
        let start = Instant::now();
        let answer = client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": position(at)}),
            )
            .expect("hover");
        hover.push(start.elapsed());
        assert!(answer["contents"]["value"].is_string(), "{answer}");
    }

    // Completion in a category cell of a row being typed at the end of the table.
    let typed = text.replacen("\n\n### Mitigations", "\n| T9999 | \n\n### Mitigations", 1);
    let typed_uri = file_uri(&dir.path().join("docs/design/typing.md"));
    client.open(&typed_uri, &typed);
    let at = find(&typed, "| T9999 | ", 0, 10);
    let mut completion = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        let items = client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": typed_uri}, "position": position(at)}),
            )
            .expect("completion");
        completion.push(start.elapsed());
        assert_eq!(items.as_array().map_or(0, Vec::len), 6, "{items}");
    }
    // Completion right after typing, as an editor asks for it: the edit makes the cached
    // analysis stale, so this includes a re-analysis. Type `S` into the cell, ask,
    // delete it, ask.
    let mut typed_completion = Vec::with_capacity(samples);
    let mut typed_version = 1;
    for i in 0..samples {
        typed_version += 1;
        let start = Instant::now();
        let cursor = if i % 2 == 0 {
            client.change(&typed_uri, typed_version, at, at, "S");
            [at[0], at[1] + 1]
        } else {
            client.change(&typed_uri, typed_version, at, [at[0], at[1] + 1], "");
            at
        };
        let items = client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": typed_uri}, "position": position(cursor)}),
            )
            .expect("completion");
        typed_completion.push(start.elapsed());
        assert!(items.as_array().is_some_and(|a| !a.is_empty()), "{items}");
    }
    let status = client.shutdown();
    assert!(status.success());

    println!(
        "Design doc: {lines} lines, {} bytes, {findings} findings; {samples} samples each.\n",
        text.len()
    );
    println!("| request | p50 | p95 | max |");
    println!("|---|---|---|---|");
    for (name, mut times) in [
        ("pull diagnostics after an incremental edit", edit_pull),
        ("hover on a threat id", hover),
        ("completion in a category cell", completion),
        (
            "completion right after typing a character",
            typed_completion,
        ),
    ] {
        times.sort();
        println!(
            "| {name} | {} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO))
        );
    }
}
