#!/usr/bin/env bash
# Request overhead of the Vitrine server under load, measured with wrk on
# loopback: a text-only chat completion, GET of a 200 KB image artifact, and
# throughput of "resize to 512 px" on a 2K JPEG sent as a data URL (decode,
# resize, encode, store: the whole path through the API).
#
# usage: bash bench/http/run.sh [seconds=10] [connections=32]
# Needs: wrk (apt-get install wrk), the Python venv from scripts/setup.sh --dev.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release -p vitrine 2>&1 | tail -n 1
DATA=$(mktemp -d)
LOG=$(mktemp)
"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$DATA" --api-keys "bench:bench-key-123456" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA" "$LOG"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -n 1)

# A 200 KB JPEG of noise, stored as an artifact through the API.
# A 2048x1365 photo-like JPEG for the resize scenario (a real photo from the
# scikit-image wheel would do too; noise over gradients keeps the encoder honest).
"$VENV/bin/python" - "$DATA/resize.lua" <<'PY'
import base64, io, json, sys
import numpy as np
from PIL import Image
rng = np.random.default_rng(3)
y, x = np.mgrid[0:1365, 0:2048]
base = np.stack([(x / 8) % 256, (y / 6) % 256, ((x + y) / 10) % 256], axis=-1)
pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
buf = io.BytesIO()
Image.fromarray(pixels).save(buf, "JPEG", quality=85)
body = json.dumps({"model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": [
    {"type": "text", "text": "Resize this image to 512 px wide."},
    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()}}]}]})
lua = ('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
       'wrk.headers["Authorization"] = "Bearer bench-key-123456"\nwrk.body = ' + json.dumps(body) + "\n")
open(sys.argv[1], "w").write(lua)
print(f"2K JPEG: {buf.tell()} bytes", file=sys.stderr)
PY

read -r SESSION OBJECT < <("$VENV/bin/python" - "$BASE" <<'PY'
import base64, io, json, sys, urllib.request
import numpy as np
from PIL import Image
rng = np.random.default_rng(7)
side = 330
while True:
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(buf, "JPEG", quality=80)
    if buf.tell() >= 200_000:
        break
    side += 10
body = json.dumps({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()}}]}]}).encode()
request = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", body,
    {"Content-Type": "application/json", "Authorization": "Bearer bench-key-123456"})
reply = json.load(urllib.request.urlopen(request))
print(reply["session_id"], reply["vitrine"]["inputs"][0]["ref"], file=sys.stdout)
print(f"artifact bytes: {reply['vitrine']['inputs'][0]['bytes']}", file=sys.stderr)
PY
)

cat > "$DATA/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-key-123456"
wrk.body = '{"model":"vlmrun-orion-1:fast","messages":[{"role":"user","content":"Say hello."}]}'
LUA
echo "== text-only chat completion (POST, new session each)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$DATA/chat.lua" "$BASE/v1/chat/completions"
echo "== resize a 2K JPEG to 512 px through the API (decode, resize, encode, store)"
wrk -t2 -c4 -d"${SECONDS_PER_RUN}s" --latency -s "$DATA/resize.lua" "$BASE/v1/chat/completions"
echo "== GET of a 200 KB image artifact"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer bench-key-123456" \
    "$BASE/v1/artifacts?session_id=$SESSION&object_id=$OBJECT"
