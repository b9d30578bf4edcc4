#!/usr/bin/env bash
# Runs every test of Vitrine: sets up what the tests need, builds, then runs
# the Rust suites and the real-client Python suite.
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

scripts/setup.sh --dev

echo "== build"
cargo build --workspace --all-targets --quiet
cargo build -p vitrine --quiet

run_isolated() {
    if [ "${VITRINE_TEST_NETWORK:-isolated}" = isolated ] && unshare -n true 2>/dev/null; then
        unshare -n bash -c 'ip link set lo up && exec "$@"' _ "$@"
    else
        echo "note: running without a network namespace (unshare -n is not available here)"
        "$@"
    fi
}

echo "== rust tests"
run_isolated cargo test --workspace --offline --no-fail-fast

echo "== python client tests"
export VITRINE_BIN="$CARGO_TARGET_DIR/debug/vitrine"
export PATH="$VENV/bin:$PATH"
run_isolated "$VENV/bin/python" -m pytest -q tests/python
