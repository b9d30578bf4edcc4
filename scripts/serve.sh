#!/usr/bin/env bash
# Sets up and runs the Vitrine server on the embedded default (local disk
# store under ./data, built-in models), listening on 127.0.0.1:8080.
#
# usage: scripts/serve.sh [vitrine serve flags...]    e.g. --port 9000 --api-keys me:secret-key
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
scripts/setup.sh
cargo build --release -p vitrine
exec "$CARGO_TARGET_DIR/release/vitrine" serve "$@"
