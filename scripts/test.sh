#!/usr/bin/env bash
# Runs every test of Vitrine: sets up what the tests need, builds the release
# binary through scripts/build.sh (the path scripts/serve.sh takes), then runs
# the Rust suites and the real-client Python suite against that binary. Every
# test builds in release, so CI compiles each crate once.
#
# usage: scripts/test.sh
#
# The tests themselves run in a network namespace that has only a loopback
# interface (when the machine allows `unshare -n`), so no test can send a
# packet off this machine, even if a guard under test were broken.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
# CI builds each change once: incremental caches would only fill the disk.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}

echo "== setup and build (scripts/build.sh, as scripts/serve.sh does)"
scripts/build.sh --dev
cargo test --release --workspace --no-run --quiet

run_isolated() {
    if [ "${VITRINE_TEST_NETWORK:-isolated}" = isolated ] && unshare -n true 2>/dev/null; then
        unshare -n bash -c 'ip link set lo up && exec "$@"' _ "$@"
    else
        echo "note: running without a network namespace (unshare -n is not available here)"
        "$@"
    fi
}

echo "== rust tests"
run_isolated cargo test --release --workspace --offline --no-fail-fast

echo "== python client tests"
export VITRINE_BIN="$CARGO_TARGET_DIR/release/vitrine"
export PATH="$VENV/bin:$PATH"
run_isolated "$VENV/bin/python" -m pytest -q tests/python
