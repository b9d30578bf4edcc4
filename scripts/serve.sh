#!/usr/bin/env bash
# Sets up and runs the Vitrine server on the embedded default (local disk
# store and models under ~/.local/share/vitrine), listening on 127.0.0.1:8080.
#
# usage: scripts/serve.sh [vitrine serve flags...]    e.g. --port 9000 --api-keys me:secret-key
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
"$ROOT/scripts/build.sh"
exec "$CARGO_TARGET_DIR/release/vitrine" serve "$@"
