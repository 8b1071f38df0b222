//! Criterion micro-benchmarks of the engine's stages on a generated 3,000-line design doc
//! (`support/docs.rs`):
//!
//! - `markdown`: pulldown-cmark's events alone, the floor every stage stands on;
//! - `document`: `Document::parse`, the markdown plus the model (sections, assets,
//!   threats, mitigations) and the diagrams;
//! - `analyze`: the whole analysis (document, rules, risk, summary); the rules cost
//!   `analyze` minus `document`;
//! - `diagram`: reading one 500-node flowchart into the data-flow model (tree-sitter).
//!
//! ```sh
//! cargo bench -p threatmark-engine --bench stages
//! ```
//!
//! `cargo test --all-targets` runs each once, as a smoke test, without measuring.

#[path = "support/docs.rs"]
mod docs;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pulldown_cmark::{Options, Parser};
use std::hint::black_box;
use threatmark_engine::config::Config;
use threatmark_engine::document::Document;
use threatmark_engine::{Source, analyze};

fn stages(c: &mut Criterion) {
    let text = docs::large_design_doc();
    let config = Config::default();
    let today = jiff::civil::date(2026, 11, 23);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;

    let mut g = c.benchmark_group("stages_3000_lines");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("markdown", |b| {
        b.iter(|| {
            Parser::new_ext(black_box(&text), options)
                .into_offset_iter()
                .count()
        })
    });
    g.bench_function("document", |b| {
        b.iter(|| Document::parse(black_box(&text), &config))
    });
    g.bench_function("analyze", |b| {
        b.iter(|| {
            analyze(
                Source {
                    path: "design/ledger.md",
                    text: black_box(&text),
                },
                &config,
                today,
            )
        })
    });
    g.finish();

    let flowchart = docs::design_doc(0, 500, 0);
    let doc = Document::parse(&flowchart, &config);
    let content = doc
        .mermaid
        .first()
        .map(|m| m.content.clone())
        .unwrap_or_default();
    let mut g = c.benchmark_group("diagram");
    g.bench_function("read_500_nodes", |b| {
        b.iter(|| threatmark_engine::diagram::read(black_box(&flowchart), 0, &content, &config))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
