#!/usr/bin/env bash
# p50 latency of embedding one 10-word sentence with vitrine-text
# (all-MiniLM-L6-v2, pure Rust, one thread) against a Python reference of the
# same model in the same run, and their ratio.
#
# usage: bench/text/run.sh [MODELS_DIR] [ITERATIONS]
#
# Needs the models (scripts/fetch-models.sh) and, for the reference, PyPI
# access: a venv with numpy, tokenizers and safetensors is created at
# VITRINE_BENCH_VENV (default ~/.cache/vitrine-bench-text). The reference is
# Hugging Face's tokenizers + a NumPy forward pass (bench/text/reference.py)
# because PyTorch, and so sentence-transformers, was not installable here.
# Numbers depend on the machine and its load: compare rows of one run only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODELS=${1:-${VITRINE_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/vitrine/models}}
ITERATIONS=${2:-200}
VENV=${VITRINE_BENCH_VENV:-$HOME/.cache/vitrine-bench-text}
PYTHON=$VENV/bin/python
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}

cd "$ROOT"
"$ROOT/scripts/fetch-models.sh" "$MODELS" >/dev/null
echo "## all-MiniLM-L6-v2, one 10-word sentence ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
RUST=$(cargo run --quiet --release -p vitrine-text --example bench -- "$MODELS" "$ITERATIONS")
echo "$RUST"

if [ ! -x "$PYTHON" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet \
        "numpy==2.2.6" "tokenizers==0.22.1" "safetensors==0.6.2" || true
fi
if [ -x "$PYTHON" ] && "$PYTHON" -c "import numpy, tokenizers, safetensors" 2>/dev/null; then
    REFERENCE=$("$PYTHON" "$ROOT/bench/text/reference.py" "$MODELS" "$ITERATIONS")
    echo "$REFERENCE"
    p50() { sed -n 's/.*embed p50 \([0-9.]*\) ms.*/\1/p' | head -1; }
    awk -v r="$(echo "$RUST" | p50)" -v p="$(echo "$REFERENCE" | p50)" \
        'BEGIN { printf "p50 ratio vitrine-text / reference: %.2f (%.1fx faster)\n", r / p, p / r }'
else
    echo "(Python reference skipped: no $PYTHON with numpy, tokenizers, safetensors)"
fi
