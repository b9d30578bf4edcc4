#!/usr/bin/env bash
# Benchmark: the same image pipeline in vitrine-media, Pillow and OpenCV, on one thread.
#
#   decode a 1920x1080 JPEG -> gaussian blur (sigma 8) a 300x300 region -> resize to 512 px wide
#   -> encode JPEG q85
#
# Each implementation runs the pipeline ITERATIONS times (default 30) and reports the best
# per-thread CPU time of each stage; this script prints them side by side with the ratios.
# Needs: cargo, the Python venv with Pillow + numpy + opencv-python-headless
# (VENV, default /root/.cache/vitrine-venv), apt-get (to fetch the photo's Debian package),
# and cmake + nasm for the vendored libjpeg-turbo.
set -euo pipefail

ITERATIONS="${ITERATIONS:-30}"
VENV="${VENV:-/root/.cache/vitrine-venv}"
PYTHON="$VENV/bin/python"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/media"
WORK="${BENCH_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/vitrine-bench-media}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vt-media}"
mkdir -p "$WORK"

# 1. The photo: a real camera picture from a Debian package, cropped to 1920x1080.
PHOTO="$WORK/kleiber_1080p.jpg"
if [[ ! -f "$PHOTO" ]]; then
    (cd "$WORK" && ls lomiri-wallpapers-20.04_*.deb >/dev/null 2>&1 || apt-get download lomiri-wallpapers-20.04)
    dpkg-deb -x "$(ls "$WORK"/lomiri-wallpapers-20.04_*.deb | head -n1)" "$WORK/deb"
    "$PYTHON" "$HERE/make_photo.py" "$WORK/deb/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg" "$PHOTO"
fi

# 2. The Rust side, release build.
(cd "$ROOT" && cargo build --release -q -p vitrine-media --example bench_pipeline)
BIN="$CARGO_TARGET_DIR/release/examples/bench_pipeline"

# 3. Run all three on the same photo, one after the other.
RESULTS="$WORK/results.jsonl"
# BENCH_EXTRA also times annotation, redaction and PNG encoding (Rust only, to stderr).
BENCH_EXTRA=1 "$BIN" "$PHOTO" "$ITERATIONS" "$WORK/out_vitrine.jpg" > "$RESULTS"
"$PYTHON" "$HERE/pipeline.py" pillow "$PHOTO" "$ITERATIONS" "$WORK/out_pillow.jpg" >> "$RESULTS"
"$PYTHON" "$HERE/pipeline.py" opencv "$PHOTO" "$ITERATIONS" "$WORK/out_opencv.jpg" >> "$RESULTS"

"$PYTHON" - "$RESULTS" "$ITERATIONS" "$WORK" <<'PY'
import json, sys
import numpy as np
from PIL import Image
rows = {r["impl"]: r for r in map(json.loads, open(sys.argv[1]))}
v, p, o = rows["vitrine-media"], rows["pillow"], rows["opencv"]
print(f"best of {sys.argv[2]}, per-thread CPU ms, 1920x1080 -> 512 px")
print(f"{'stage':<8} {'vitrine':>9} {'Pillow':>9} {'OpenCV':>9} {'Pillow/v':>9} {'OpenCV/v':>9}")
for key in ["decode", "blur", "resize", "encode", "total"]:
    print(f"{key:<8} {v[key]:>9.2f} {p[key]:>9.2f} {o[key]:>9.2f} {p[key]/v[key]:>8.2f}x {o[key]/v[key]:>8.2f}x")
print(f"output bytes: vitrine {v['bytes']}, Pillow {p['bytes']}, OpenCV {o['bytes']}")
# Same work? Compare the outputs: whole picture, and the blurred region (scaled by 512/1920).
out = {n: np.asarray(Image.open(f"{sys.argv[3]}/out_{n}.jpg").convert("RGB"), dtype=np.float32) for n in ["vitrine", "pillow", "opencv"]}
region = (slice(106, 182), slice(216, 290))
for other in ["pillow", "opencv"]:
    whole = np.abs(out["vitrine"] - out[other]).mean()
    blurred = np.abs(out["vitrine"][region] - out[other][region]).mean()
    print(f"mean |vitrine - {other}| per channel: whole image {whole:.2f}, blurred region {blurred:.2f}")
speedup_pillow, speedup_opencv = p["total"] / v["total"], o["total"] / v["total"]
print(f"vitrine-media is {speedup_pillow:.2f}x faster than Pillow (target >= 1.5) "
      f"and {speedup_opencv:.2f}x the speed of OpenCV (target >= 1.0)")
PY
