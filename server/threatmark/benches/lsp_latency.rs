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
//! and completion right after typing into that cell. Then, beside them: one
//! pulldown-cmark parse of the same doc (the floor the pull round trip is compared with),
//! when pushed diagnostics arrive after the last of a burst of edits (a client that does
//! not pull; the server debounces), and the server's resident memory with 1,000 design
//! docs open and analysed. The results go to stdout as markdown for BENCHMARKS.md
//! (bench/run_all.sh reads them).

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
    // analysis stale, so this includes parsing the new text (the server analyses it in
    // the background meanwhile). Type `S` into the cell, ask, delete it, ask.
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

    let parse = parse_time(&text, if measuring { 200 } else { 3 });
    let (arrival, bursts) = pushed_arrival(dir.path(), &text, if measuring { 30 } else { 2 });
    let open_docs = if measuring { 1_000 } else { 20 };
    let (rss_empty, rss) = rss_with_docs_open(dir.path(), open_docs);

    println!(
        "Design doc: {lines} lines, {} bytes, {findings} findings; {samples} samples each.\n",
        text.len()
    );
    println!(
        "one parse of the doc (pulldown-cmark, the engine's options, median of runs): {:.3} ms\n",
        parse.as_secs_f64() * 1000.0
    );
    println!(
        "pushed diagnostics: debounce {} ms, arrival after the last edit p95 {:.1} ms (p50 {:.1} ms, {bursts} bursts of 3 edits)\n",
        DEBOUNCE.as_millis(),
        arrival[1].as_secs_f64() * 1000.0,
        arrival[0].as_secs_f64() * 1000.0,
    );
    println!(
        "RSS with {open_docs} design docs open: {rss:.1} MiB (with none open: {rss_empty:.1} MiB)\n"
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

/// The server's push debounce (`DEBOUNCE` in src/lsp/server.rs).
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The median time of one pulldown-cmark pass over `text` with the engine's options.
fn parse_time(text: &str, runs: usize) -> Duration {
    use pulldown_cmark::{Options as Md, Parser};
    let options = Md::ENABLE_TABLES
        | Md::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Md::ENABLE_STRIKETHROUGH
        | Md::ENABLE_TASKLISTS;
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(Parser::new_ext(text, options).into_offset_iter().count());
            start.elapsed()
        })
        .collect();
    times.sort();
    percentile(&times, 0.5)
}

/// A client that does not pull: bursts of three edits 20 ms apart (typing), then the
/// time from the last edit until the diagnostics of that version arrive. p50 and p95.
fn pushed_arrival(root: &std::path::Path, text: &str, bursts: usize) -> ([Duration; 2], usize) {
    let uri = file_uri(&root.join("docs/design/pushed.md"));
    let mut client = Client::start(Options {
        root: Some(root),
        ..Options::default()
    });
    client.open(&uri, text);
    client.published(&uri, Some(1));
    let at = find(text, "tampers with the records of store", 0, 0);
    let mut version = 1;
    let mut times = Vec::with_capacity(bursts);
    for _ in 0..bursts {
        let mut last = Instant::now();
        for k in 0..3 {
            version += 1;
            // Type a character, then delete it, alternately: the text keeps its size.
            if version % 2 == 0 {
                client.change(&uri, version, at, at, "x");
            } else {
                client.change(&uri, version, at, [at[0], at[1] + 1], "");
            }
            last = Instant::now();
            if k < 2 {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        client.published(&uri, Some(version));
        times.push(last.elapsed());
        client.notifications.clear();
    }
    assert!(client.shutdown().success());
    times.sort();
    ([percentile(&times, 0.5), percentile(&times, 0.95)], bursts)
}

/// The server's resident set (VmRSS) once initialized, and after opening `count` design
/// docs of 40–400 lines (about the sizes of the benchmark corpus) and pulling each one's
/// diagnostics, so that each is parsed and analysed. MiB.
fn rss_with_docs_open(root: &std::path::Path, count: usize) -> (f64, f64) {
    let mut client = Client::start(Options {
        root: Some(root),
        pull: true,
        ..Options::default()
    });
    let rss = |client: &Client| {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", client.pid())).unwrap_or_default();
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(f64::NAN);
        kib / 1024.0
    };
    let empty = rss(&client);
    for i in 0..count {
        let uri = file_uri(&root.join(format!("docs/design/open-{i}.md")));
        client.open(&uri, &design_doc(40 + (i * 37) % 360));
        client.pull(&uri);
    }
    let open = rss(&client);
    assert!(client.shutdown().success());
    (empty, open)
}
