//! Fuzz targets for every parser of user bytes, on stable Rust (see `driver.rs` for how).
//!
//! In the test suite each target runs for a few seconds (`VITRINE_FUZZ_SECONDS`, default 3);
//! `scripts/fuzz.sh [SECONDS]` runs them all for longer. Seeds live in `corpus/<target>/`
//! (written by the ignored `write_seed_corpora` test), earlier findings in
//! `regressions/<target>/`, replayed on every run.

mod driver;
mod multipart;
mod seeds;
mod targets;

use std::path::{Path, PathBuf};
use std::time::Duration;

use vitrine_server::{ApiKeys, App, BuildError, Providers, ServerConfig, Settings};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

fn budget() -> Duration {
    let seconds = std::env::var("VITRINE_FUZZ_SECONDS")
        .ok()
        .and_then(|value| value.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(seconds)
}

/// The server `vitrine serve` builds, open (no keys), on a fresh data dir.
pub(crate) fn build_server(data_dir: &Path) -> Result<App, BuildError> {
    vitrine_server::build(Settings {
        data_dir: data_dir.to_owned(),
        backend: vitrine_server::Backend::default(),
        models_dir: std::env::var_os("VITRINE_MODELS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(vitrine_server::default_models_dir),
        retention: Duration::from_secs(3600),
        keys: ApiKeys::open(),
        config: ServerConfig::default(),
        providers: Providers::default(),
    })
}

fn run(name: &str) {
    let target = targets::TARGETS
        .iter()
        .find(|target| target.name == name)
        .expect("a known target");
    let report = driver::fuzz(target, &root(), budget());
    println!(
        "fuzz {name}: {} executions, {} outcomes, corpus {}, slowest {:?}, {} crashes",
        report.executions,
        report.outcomes,
        report.corpus,
        report.slowest,
        report.crashes.len()
    );
    let crashes: Vec<String> = report
        .crashes
        .iter()
        .map(|(path, message)| format!("{}: {message}", path.display()))
        .collect();
    assert!(
        crashes.is_empty(),
        "`{name}` panicked; move each input into tests/fuzz/regressions/{name}/ with its fix:\n{}",
        crashes.join("\n")
    );
}

#[test]
fn fuzz_data_url() {
    run("data_url");
}

#[test]
fn fuzz_multipart() {
    run("multipart");
}

#[test]
fn fuzz_response_format() {
    run("response_format");
}

#[test]
fn fuzz_spz() {
    run("spz");
}

#[test]
fn fuzz_npy() {
    run("npy");
}

#[test]
fn fuzz_image() {
    run("image");
}

#[test]
fn fuzz_skill_bundle() {
    run("skill_bundle");
}

#[test]
fn every_target_has_a_test_and_a_corpus() {
    let source = include_str!("main.rs");
    for target in targets::TARGETS {
        assert!(
            source.contains(&format!("run(\"{}\")", target.name)),
            "{} has no test",
            target.name
        );
        let seeds = std::fs::read_dir(root().join("corpus").join(target.name))
            .map(Iterator::count)
            .unwrap_or(0);
        assert!(seeds >= 2, "{} has {seeds} seeds", target.name);
    }
}

/// Writes the seed corpora from the crates' own writers: `cargo test --release -p
/// vitrine-server --test fuzz -- --ignored write_seed_corpora`.
#[test]
#[ignore = "rewrites the committed corpora"]
fn write_seed_corpora() {
    for (target, files) in seeds::all() {
        let dir = root().join("corpus").join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write seed");
        }
    }
}
