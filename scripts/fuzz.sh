#!/usr/bin/env bash
# Runs every fuzz target (crates/vitrine-server/tests/fuzz) for a time budget each, on stable
# Rust: a mutational fuzzer over the committed corpora, inside `cargo test`. The test suite
# runs the same targets for 3 s each; this is the longer run for CI schedules or by hand.
#
# usage: scripts/fuzz.sh [SECONDS per target, default 60] [TARGET...]
#   e.g. scripts/fuzz.sh 600 spz npy
# A panic fails the run and leaves the input in $CARGO_TARGET_DIR/fuzz-crashes/<target>/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
export VITRINE_FUZZ_SECONDS=${1:-60}
shift || true
FILTERS=()
for target in "$@"; do FILTERS+=("fuzz_$target"); done
# One target at a time: each gets the whole machine for its budget.
cargo test --release -p vitrine-server --test fuzz -- --test-threads=1 --nocapture "${FILTERS[@]}" 2>&1 \
    | grep -E 'fuzz [a-z_]+: |panicked|test result|FAILED|crash-'
