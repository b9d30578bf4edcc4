#!/usr/bin/env bash
# Sets up and runs the Vitrine server on the embedded default (local disk
# store and models under ~/.local/share/vitrine), listening on 127.0.0.1:8080.
#
# usage: scripts/serve.sh [vitrine serve flags...]    e.g. --port 9000 --api-keys me:secret-key
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
"$ROOT/scripts/build.sh"
# glibc otherwise raises its mmap threshold after the first large free and keeps later image
# and body buffers in per-thread arenas: 4 concurrent 36 MP resizes peak 127 MB over idle with
# this, 174-199 MB without, and give back all but 16 MB (bench/memory).
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-1048576}
exec "$CARGO_TARGET_DIR/release/vitrine" serve "$@"
