//! How the analysis time of one design doc grows with its threat rows, diagram nodes and
//! paragraphs: each knob at three sizes (1×, 10×, 100×) with the others held, the median
//! of repeated `analyze` calls, and the ratio of each step (the goal: 10× the input costs
//! at most 12× the time). Prints a markdown table (bench/run_all.sh keeps it).
//!
//! ```sh
//! cargo run --release -p threatmark-engine --example scaling
//! ```

#[path = "../support/docs.rs"]
mod docs;

use std::time::{Duration, Instant};
use threatmark_engine::config::Config;
use threatmark_engine::{Source, analyze};

fn median_time(text: &str, config: &Config) -> Duration {
    let today = jiff::civil::date(2026, 11, 23);
    // Enough repetitions for about half a second per size, at least 5.
    let once = {
        let t = Instant::now();
        std::hint::black_box(analyze(
            Source {
                path: "design/x.md",
                text,
            },
            config,
            today,
        ));
        t.elapsed()
    };
    let reps = (Duration::from_millis(500).as_nanos() / once.as_nanos().max(1)).clamp(5, 2_000);
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(analyze(
                Source {
                    path: "design/x.md",
                    text,
                },
                config,
                today,
            ));
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let config = Config::default();
    // (knob, base size, doc at size n); the other knobs stay at the base doc's values.
    type Make = fn(usize) -> String;
    let knobs: [(&str, usize, Make); 3] = [
        ("threat rows", 20, |n| docs::design_doc(n, 20, 20)),
        ("diagram nodes", 20, |n| docs::design_doc(20, n, 20)),
        ("paragraphs", 20, |n| docs::design_doc(20, 20, n)),
    ];
    println!("| knob | 1× | 10× | 100× | time 1×→10× | time 10×→100× |");
    println!("|---|---|---|---|---|---|");
    for (name, base, make) in knobs {
        let sizes = [base, base * 10, base * 100];
        let times: Vec<Duration> = sizes
            .iter()
            .map(|&n| median_time(&make(n), &config))
            .collect();
        let cell = |i: usize| format!("{} → {:.3} ms", sizes[i], times[i].as_secs_f64() * 1e3);
        println!(
            "| {name} | {} | {} | {} | {:.1}× | {:.1}× |",
            cell(0),
            cell(1),
            cell(2),
            times[1].as_secs_f64() / times[0].as_secs_f64(),
            times[2].as_secs_f64() / times[1].as_secs_f64(),
        );
    }
}
