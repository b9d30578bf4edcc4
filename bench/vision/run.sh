#!/usr/bin/env bash
# Per-model latency of vitrine-vision on a 1080p input, plus OpenCV's Haar
# face detector on the same frame for reference.
#
# usage: bench/vision/run.sh [MODELS_DIR] [ITERATIONS] [INTRA_THREADS]
#
# Needs the models (scripts/fetch-models.sh), fonts-dejavu-core, and for the
# OpenCV row PyPI access: a venv with opencv-python-headless 4.12 (OpenCV 5
# dropped the Haar CascadeClassifier) is created at VITRINE_BENCH_VENV
# (default ~/.cache/vitrine-bench-opencv).
# Numbers depend on the machine and its load: compare rows of one run only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODELS=${1:-${VITRINE_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/vitrine/models}}
ITERATIONS=${2:-10}
THREADS=${3:-$(nproc)}
PHOTO=$ROOT/crates/vitrine-vision/testdata/solvay-1927.png
VENV=${VITRINE_BENCH_VENV:-$HOME/.cache/vitrine-bench-opencv}
PYTHON=$VENV/bin/python

cd "$ROOT"
"$ROOT/scripts/fetch-models.sh" "$MODELS" >/dev/null
echo "## vitrine-vision ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
cargo run --quiet --release -p vitrine-vision --example bench -- "$MODELS" "$PHOTO" "$ITERATIONS" "$THREADS"

if [ ! -x "$PYTHON" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet "opencv-python-headless==4.12.0.88" || true
fi
if [ -x "$PYTHON" ] && "$PYTHON" -c "import cv2" 2>/dev/null; then
    echo
    echo "## reference: OpenCV $("$PYTHON" -c 'import cv2; print(cv2.__version__)') Haar frontal face, same 1080p frame"
    "$PYTHON" "$ROOT/bench/vision/opencv_faces.py" "$PHOTO" "$ITERATIONS"
else
    echo "(OpenCV reference skipped: no $PYTHON with cv2)"
fi
