#!/usr/bin/env bash
# Times vitrine-splat's single-image reconstruction of a synthetic 1080p scene (release build).
# Usage: bench/splat/run.sh [runs]   (default 5; the median is reported)
# Writes the markdown table to stdout and to bench/splat/results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}"
nice -n 10 cargo build --release -p vitrine-splat --example bench_reconstruct >&2
"$CARGO_TARGET_DIR/release/examples/bench_reconstruct" "$runs" | tee bench/splat/results.md
{
  echo
  echo "Single-threaded. \`write_spz\` is dominated by gzip: level 6 (the default, as in Niantic's"
  echo "reference) against level 1 (\`SpzWriteOptions::compression_level\`). Other builds sharing the"
  echo "machine inflate the numbers; treat them as upper bounds."
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
} | tee -a bench/splat/results.md
