#!/usr/bin/env bash
# Executions under a deep queue: `POST /v1/agent/execute` latency (p50/p99)
# while 1,000 executions wait, then how fast the queue drains compared with
# the tools' own time.
#
# usage: bash bench/executions/run.sh [queued=1000] [measured=300] [workers=2]
# Needs: the Python venv from scripts/setup.sh --dev (requests, Pillow).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
QUEUED=${1:-1000}
MEASURED=${2:-300}
WORKERS=${3:-2}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}

cargo build --release -p vitrine 2>&1 | tail -n 1
DATA=$(mktemp -d)
LOG=$(mktemp)
# The driver's media host is on 127.0.0.1; its fetches must not time out while it holds them.
"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$DATA" \
  --api-keys "held:bench-key-held-1,measured:bench-key-measured-1" \
  --fetch-allow-hosts 127.0.0.1 --fetch-timeout 30m \
  --execution-workers "$WORKERS" --max-executions-per-tenant "$WORKERS" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA" "$LOG"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*/v1' "$LOG" | head -n 1)
"$VENV/bin/python" "$ROOT/bench/executions/driver.py" "$BASE" "$QUEUED" "$MEASURED" "$WORKERS"
