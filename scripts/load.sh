#!/usr/bin/env bash
# The load and fault suite (issue #17): sustained mixed load with RSS watched, kill -9 under
# load, the disk filling up, slowloris, and clients that hang up mid-plan, each against the
# release `vitrine` binary run as `vitrine serve` on 127.0.0.1 with its own data directory.
# Traffic stays on loopback. Prints a table (the README's figures); exits non-zero if a check
# did not hold. Not part of scripts/test.sh: it takes minutes and wants a quiet machine.
#
# usage: scripts/load.sh [--minutes N (default 10)] [--concurrency C] [--only load,kill,disk,slowloris,disconnect]
#                        [--json results.json] [--keep]
#        scripts/load.sh --smoke     (the same checks, short: --minutes 0.2)
# Needs: the Python venv from scripts/setup.sh --dev (Pillow, NumPy); root for the tmpfs of the
# disk check (without it the check falls back to a floor above the free space and says so).
# Set VITRINE_BIN to test a binary already built instead of building one.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}

args=()
for arg in "$@"; do
    if [[ $arg == --smoke ]]; then args+=(--minutes 0.2); else args+=("$arg"); fi
done

if [[ -z ${VITRINE_BIN:-} ]]; then
    cargo build --release -p vitrine 2>&1 | tail -n 1
    VITRINE_BIN=$CARGO_TARGET_DIR/release/vitrine
fi
exec "$VENV/bin/python" "$ROOT/bench/load/load.py" --bin "$VITRINE_BIN" "${args[@]}"
