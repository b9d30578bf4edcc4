//! How long offline planning takes: every request of the paraphrase corpus
//! (`tests/corpus/*.jsonl`) through [`understand`], timed one by one, several rounds.
//!
//! `cargo run --release -p vitrine-agent --example plan_latency [rounds]` prints p50, p95 and
//! the slowest request (target: p50 ≤ 20 ms on 2 cores, embedding included). `bench/planner/run.sh`
//! runs it and records the result.

use std::time::{Duration, Instant};

mod common;

use serde_json::Value;
use vitrine_agent::planner::{Semantic, understand_with};
use vitrine_store::ArtifactMeta;
use vitrine_tools::ToolCatalog;

/// The corpus requests: text, inputs, and the schema when it is written inline.
fn requests() -> Vec<(String, Vec<ArtifactMeta>, Option<Value>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut out = Vec::new();
    for file in ["train.jsonl", "heldout.jsonl"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}"))
            .unwrap_or_else(|error| panic!("{dir}/{file}: {error}"));
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let Ok(entry) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let inputs = entry["inputs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().and_then(common::kind))
                .map(common::input)
                .collect();
            let schema = entry["schema"].is_object().then(|| entry["schema"].clone());
            out.push((
                entry["text"].as_str().unwrap_or_default().to_owned(),
                inputs,
                schema,
            ));
        }
    }
    out
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(5);
    let catalog = ToolCatalog::standard();
    let models = std::env::var_os("VITRINE_MODELS_DIR")
        .map_or_else(vitrine_vision::store::default_dir, std::path::PathBuf::from);
    let loading = Instant::now();
    let semantic = Semantic::load(&models, &catalog).unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1)
    });
    println!(
        "semantic fallback loaded in {:.0} ms (model and every example phrasing)\n",
        loading.elapsed().as_secs_f64() * 1e3
    );
    let requests = requests();
    // The first call pays for lazily built tables; time it apart.
    let started = Instant::now();
    let _ = understand_with(
        &requests[0].0,
        None,
        &requests[0].1,
        &catalog,
        Some(&semantic),
    );
    let first = started.elapsed();
    let mut times: Vec<(Duration, usize)> = Vec::with_capacity(rounds * requests.len());
    for _ in 0..rounds {
        for (index, (text, inputs, schema)) in requests.iter().enumerate() {
            let started = Instant::now();
            let _ = std::hint::black_box(understand_with(
                text,
                schema.as_ref(),
                inputs,
                &catalog,
                Some(&semantic),
            ));
            times.push((started.elapsed(), index));
        }
    }
    times.sort();
    let at = |quantile: f64| times[((times.len() - 1) as f64 * quantile) as usize].0;
    let (slowest, index) = times[times.len() - 1];
    println!("| requests | rounds | first call | p50 | p95 | slowest |");
    println!("|---:|---:|---:|---:|---:|---|");
    println!(
        "| {} | {rounds} | {:.2} ms | {:.3} ms | {:.3} ms | {:.2} ms ({:?}) |",
        requests.len(),
        first.as_secs_f64() * 1e3,
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        slowest.as_secs_f64() * 1e3,
        requests[index].0.chars().take(60).collect::<String>(),
    );
}
