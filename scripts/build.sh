#!/usr/bin/env bash
# Sets up the machine and builds the release `vitrine` binary: the one build
# path that both scripts/serve.sh and scripts/test.sh take, so a build
# dependency that setup forgets fails CI, not a new user's first command.
#
# usage: scripts/build.sh [--dev]     (--dev is passed on to setup.sh)
# The binary ends up in $CARGO_TARGET_DIR/release/vitrine
# (default CARGO_TARGET_DIR: ~/.cache/vitrine-target).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}

scripts/setup.sh "$@"
export PATH="$HOME/.cargo/bin:$PATH"   # where setup's rustup puts cargo
cargo build --release -p vitrine
