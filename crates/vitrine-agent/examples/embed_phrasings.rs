//! Embeds the planner's phrasing bank (`src/planner/phrasings.tsv`, written by
//! `scripts/phrasings.py`, read in at build time) into `src/planner/phrasings.vec`, which the
//! planner loads instead of embedding about a thousand sentences at start-up (about 10 s on one
//! core).
//!
//! usage: cargo run --release -p vitrine-agent --example embed_phrasings -- <models dir>

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let models: PathBuf = std::env::args_os()
        .nth(1)
        .ok_or("usage: embed_phrasings <models dir>")?
        .into();
    let planner = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/planner");
    let embedder = vitrine_text::Embedder::load(&models)?;
    let mut vectors = Vec::new();
    for (_, text) in vitrine_agent::planner::bank_phrasings() {
        vectors.push(embedder.embed(text)?);
    }
    let bytes = vitrine_agent::planner::encode_vectors(&vectors);
    std::fs::write(planner.join("phrasings.vec"), &bytes)?;
    println!("{} phrasings, {} bytes", vectors.len(), bytes.len());
    Ok(())
}
