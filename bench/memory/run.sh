#!/usr/bin/env bash
# Peak memory of the server for big images: 4 concurrent chat requests, each asking to resize a
# 36 MP JPEG (sent as a data URL) to 1024 px wide. Prints the server's RSS when idle (after one
# small warm-up request, so one-off model loads are not counted), its peak while the four run
# (VmHWM, reset after the warm-up, and a 5 ms poll of VmRSS), and afterwards.
#
# usage: bash bench/memory/run.sh [concurrency=4] [rounds=1]
#        VITRINE_BIN=/path/to/vitrine bash bench/memory/run.sh   (another build, e.g. an older one)
# Needs: the Python venv from scripts/setup.sh --dev (numpy, Pillow). Traffic stays on loopback.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
CONCURRENCY=${1:-4}
ROUNDS=${2:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}

if [ -z "${VITRINE_BIN:-}" ]; then
    cargo build --release -p vitrine 2>&1 | tail -n 1
    VITRINE_BIN=$CARGO_TARGET_DIR/release/vitrine
fi
DATA=$(mktemp -d)
LOG=$(mktemp)
"$VITRINE_BIN" serve --port 0 --data-dir "$DATA" --api-keys "bench:bench-key-123456" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA" "$LOG"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -n 1)

"$VENV/bin/python" "$ROOT/bench/memory/load.py" "$BASE" "$SERVER" "$CONCURRENCY" "$ROUNDS"
