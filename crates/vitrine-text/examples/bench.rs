//! Latency of embedding one 10-word sentence (run by `bench/text/run.sh`).
//!
//! usage: bench MODELS_DIR [ITERATIONS]

use std::time::{Duration, Instant};

use vitrine_text::Embedder;

/// Ten words, the length of a typical request clause.
const SENTENCE: &str = "please blur every face in this photo before sharing it";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let models = args.next().ok_or("usage: bench MODELS_DIR [ITERATIONS]")?;
    let iterations: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);

    let started = Instant::now();
    let embedder = Embedder::load(&models)?;
    let load = started.elapsed();
    for _ in 0..10 {
        embedder.embed(SENTENCE)?;
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let started = Instant::now();
            embedder.embed(SENTENCE).map(|_| started.elapsed())
        })
        .collect::<Result<_, _>>()?;
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "vitrine-text  load {:.0} ms  embed p50 {:.2} ms  p90 {:.2} ms  min {:.2} ms  ({iterations} runs)",
        ms(load),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[0]),
    );
    Ok(())
}
