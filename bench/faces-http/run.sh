#!/usr/bin/env bash
# End to end "blur all faces" on a 1080p photo: Vitrine through its HTTP API
# (upload as a data URL, plan, detect, blur, encode, store, answer) against
# the same task scripted with OpenCV's Python face detector + Gaussian blur,
# in one run on the same frame.
#
# usage: bash bench/faces-http/run.sh [iterations=5]
# Needs: the models (scripts/fetch-models.sh), the venv from scripts/setup.sh
# --dev, and a venv with opencv-python-headless 4.12 (OpenCV 5 dropped the Haar
# detector) at VITRINE_BENCH_VENV (default ~/.cache/vitrine-bench-opencv; made
# by bench/vision/run.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ITERATIONS=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
CV_PYTHON=${VITRINE_BENCH_VENV:-$HOME/.cache/vitrine-bench-opencv}/bin/python
PHOTO=$ROOT/crates/vitrine-vision/testdata/solvay-1927.png

cargo build --release -p vitrine --quiet
DATA=$(mktemp -d)
LOG=$(mktemp)
"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$DATA" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA" "$LOG"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -n 1)

FRAME="$DATA/frame.jpg"
"$CV_PYTHON" - "$PHOTO" "$FRAME" <<'PY'
import sys, cv2
image = cv2.imread(sys.argv[1])
h, w = image.shape[:2]
scale = max(1920 / w, 1080 / h)
resized = cv2.resize(image, (int(-(-w * scale // 1)), int(-(-h * scale // 1))), interpolation=cv2.INTER_LINEAR)
top, left = (resized.shape[0] - 1080) // 2, (resized.shape[1] - 1920) // 2
cv2.imwrite(sys.argv[2], resized[top:top + 1080, left:left + 1920], [cv2.IMWRITE_JPEG_QUALITY, 92])
PY

echo "## Vitrine: POST /v1/chat/completions \"Blur all faces in this photo.\" (1920×1080 JPEG)"
"$VENV/bin/python" - "$BASE" "$FRAME" "$ITERATIONS" <<'PY'
import base64, json, statistics, sys, time, urllib.request
base, frame, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = "data:image/jpeg;base64," + base64.b64encode(open(frame, "rb").read()).decode()
body = json.dumps({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
    {"type": "text", "text": "Blur all faces in this photo."},
    {"type": "image_url", "image_url": {"url": url}}]}]}).encode()
def once():
    request = urllib.request.Request(base + "/v1/chat/completions", body, {"Content-Type": "application/json"})
    start = time.perf_counter()
    reply = json.load(urllib.request.urlopen(request, timeout=300))
    return (time.perf_counter() - start) * 1000, reply
_, reply = once()  # first call loads the models
faces = [s["facts"].get("count") for s in reply["vitrine"]["plan"]["steps"] if s["tool"] == "blur_faces"]
times = [once()[0] for _ in range(iterations)]
print(f"median {statistics.median(times):.0f} ms, best {min(times):.0f} ms, faces blurred: {faces}")
open("/tmp/vitrine-faces-http.txt", "w").write(str(statistics.median(times)))
PY

echo "## OpenCV $("$CV_PYTHON" -c 'import cv2; print(cv2.__version__)'): read JPEG, Haar detectMultiScale, Gaussian blur each face, write JPEG"
"$CV_PYTHON" - "$FRAME" "$ITERATIONS" <<'PY'
import statistics, sys, time, cv2
frame, iterations = sys.argv[1], int(sys.argv[2])
cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
def once():
    start = time.perf_counter()
    image = cv2.imread(frame)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)
    for (x, y, w, h) in faces:
        k = max(3, (min(w, h) // 3) | 1)
        image[y:y + h, x:x + w] = cv2.GaussianBlur(image[y:y + h, x:x + w], (k, k), 0)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return (time.perf_counter() - start) * 1000, len(faces)
once()
runs = [once() for _ in range(iterations)]
times = [t for t, _ in runs]
median = statistics.median(times)
print(f"median {median:.0f} ms, best {min(times):.0f} ms, faces blurred: {runs[0][1]}")
vitrine = float(open("/tmp/vitrine-faces-http.txt").read())
print(f"ratio OpenCV/Vitrine: {median / vitrine:.2f}x (above 1 means Vitrine is faster)")
PY
