//! Prints what the offline planner makes of a request, without running anything:
//!
//! ```text
//! cargo run --release -p vitrine-agent --example plan -- image "blur the faces and crop to 1:1"
//! ```
//!
//! The first argument names the inputs, comma-separated (`image`, `image,image`, `video`,
//! `document`, `audio`, `mask`); the rest is the request. Useful when teaching a tool new words.
//! Plans as the agent does, with the semantic fallback, when the sentence-embedding model is in
//! `VITRINE_MODELS_DIR` (or the default models directory); from words alone otherwise. With
//! `RUST_LOG=vitrine_agent=debug` it also prints each clause's verdict (background, matched
//! tools, refinement, not done), as `vitrine serve` does with the same setting.

mod common;

use serde_json::json;
use vitrine_agent::planner::{Semantic, understand_with};
use vitrine_tools::ToolCatalog;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let mut args = std::env::args().skip(1);
    let (Some(kinds), request) = (args.next(), args.collect::<Vec<_>>().join(" ")) else {
        eprintln!("usage: plan <image|video|document|audio|mask[,…]> <request>");
        std::process::exit(2);
    };
    let mut inputs = Vec::new();
    for name in kinds
        .split(',')
        .filter(|name| !name.is_empty() && *name != "none")
    {
        let Some(kind) = common::kind(name) else {
            eprintln!("unknown input kind `{name}`");
            std::process::exit(2);
        };
        inputs.push(common::input(kind));
    }
    let catalog = ToolCatalog::standard();
    let models = std::env::var_os("VITRINE_MODELS_DIR")
        .map_or_else(vitrine_vision::store::default_dir, std::path::PathBuf::from);
    let semantic = Semantic::load(&models, &catalog)
        .inspect_err(|error| eprintln!("planning from words alone: {error}"))
        .ok();
    match understand_with(&request, None, &inputs, &catalog, semantic.as_ref()) {
        Ok(understanding) => {
            let steps: Vec<_> = understanding
                .plan
                .steps
                .iter()
                .map(|step| json!({"tool": step.tool, "args": step.args}))
                .collect();
            let shown = json!({
                "steps": steps,
                "not_done": understanding.not_done.iter().map(|part| json!({"part": part.part, "capability": part.capability})).collect::<Vec<_>>(),
                "returns_input": understanding.returns_input,
            });
            println!("{shown:#}");
        }
        Err(error) => println!("error ({}): {error}", error.code()),
    }
}
