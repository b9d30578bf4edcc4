#!/usr/bin/env bash
# Per-model latency of vitrine-vision on a 1080p input, plus OpenCV's Haar
# face detector on the same frame for reference.
#
# usage: bench/vision/run.sh [MODELS_DIR] [ITERATIONS]
#
# Needs the models (scripts/fetch-models.sh), fonts-dejavu-core, and for the
# OpenCV row a Python with opencv-python-headless (VITRINE_BENCH_PYTHON,
# default /root/.cache/vitrine-venv/bin/python; skipped when absent).
# Numbers depend on the machine and its load: compare rows of one run only.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODELS=${1:-$ROOT/models/fetched}
ITERATIONS=${2:-10}
PHOTO=$ROOT/crates/vitrine-vision/testdata/solvay-1927.png
PYTHON=${VITRINE_BENCH_PYTHON:-/root/.cache/vitrine-venv/bin/python}

cd "$ROOT"
"$ROOT/scripts/fetch-models.sh" "$MODELS" >/dev/null
echo "## vitrine-vision ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
cargo run --quiet --release -p vitrine-vision --example bench -- "$MODELS" "$PHOTO" "$ITERATIONS"

if [ -x "$PYTHON" ] && "$PYTHON" -c "import cv2" 2>/dev/null; then
    echo
    echo "## reference: OpenCV $("$PYTHON" -c 'import cv2; print(cv2.__version__)') Haar frontal face, same 1080p frame"
    "$PYTHON" "$ROOT/bench/vision/opencv_faces.py" "$PHOTO" "$ITERATIONS"
else
    echo "(OpenCV reference skipped: no $PYTHON with cv2)"
fi
