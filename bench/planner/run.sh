#!/usr/bin/env bash
# Times offline planning of every paraphrase-corpus request (release build, one thread).
# Usage: bench/planner/run.sh [rounds]   (default 5)
# Writes the markdown table to stdout and to bench/planner/results.md. Target: p50 ≤ 20 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}"
nice -n 10 cargo build --release -p vitrine-agent --example plan_latency >&2
"$CARGO_TARGET_DIR/release/examples/plan_latency" "$rounds" | tee bench/planner/results.md
{
  echo
  echo "What people would use instead is an LLM round trip per request (hundreds of ms to seconds);"
  echo "there is no local peer to run beside it. Other builds sharing the machine inflate the numbers."
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
} | tee -a bench/planner/results.md
