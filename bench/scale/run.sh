#!/usr/bin/env bash
# Scaled-out throughput on this machine, under wrk on loopback:
#   1. artifact GET (a 200 KB JPEG) and a simple image tool (grayscale of a 256x256 PNG sent
#      as a data URL: ingest, plan, run, store, answer) on the embedded store, one replica;
#   2. the same on S3 (SeaweedFS) + PostgreSQL with one replica, then with two replicas
#      driven at once (one wrk per replica, requests/s added; no balancer in the way).
# The topology is the one `scripts/cluster.sh up` starts.
#
# usage: bash bench/scale/run.sh [seconds=10] [connections=32]
# Installs wrk (Debian) when missing; needs scripts/setup.sh --dev (PostgreSQL, SeaweedFS, venv).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
KEY=bench-key-123456
if ! command -v wrk >/dev/null; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
cargo build --release -p vitrine 2>&1 | tail -n 1
WORK=$(mktemp -d)
EMBEDDED_PID=""
cleanup() {
    [ -n "$EMBEDDED_PID" ] && kill "$EMBEDDED_PID" 2>/dev/null
    scripts/cluster.sh down "$WORK/cluster" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# The bodies: a 200 KB JPEG to store once and GET, and a grayscale request.
"$VENV/bin/python" - "$WORK" "$KEY" <<'PY'
import base64, io, json, sys
import numpy as np
from PIL import Image
work, key = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
side = 330
while True:
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(buf, "JPEG", quality=80)
    if buf.tell() >= 200_000:
        break
    side += 10
open(f"{work}/photo.jpg", "wb").write(buf.getvalue())
small = io.BytesIO()
y, x = np.mgrid[0:256, 0:256]
Image.fromarray(np.stack([x, y, (x + y) // 2], -1).astype(np.uint8)).save(small, "PNG")
body = json.dumps({"model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": [
    {"type": "text", "text": "Make it black and white"},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(small.getvalue()).decode()}}]}]})
open(f"{work}/tool.lua", "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    f'wrk.headers["Authorization"] = "Bearer {key}"\nwrk.body = ' + json.dumps(body) + "\n")
open(f"{work}/auth.lua", "w").write(f'wrk.headers["Authorization"] = "Bearer {key}"\n')
PY

store_photo() { # base url -> "session object"
    "$VENV/bin/python" - "$1" "$WORK/photo.jpg" "$KEY" <<'PY'
import base64, json, sys, urllib.request
data = open(sys.argv[2], "rb").read()
body = json.dumps({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(data).decode()}}]}]}).encode()
request = urllib.request.Request(sys.argv[1] + "/chat/completions", body,
    {"Content-Type": "application/json", "Authorization": "Bearer " + sys.argv[3]})
reply = json.load(urllib.request.urlopen(request))
print(reply["session_id"], reply["vitrine"]["inputs"][0]["ref"])
PY
}

wrk_rps() { # connections, url, lua -> "rps p99 failed"
    local out
    out=$(wrk -t1 -c"$1" -d"${SECONDS_PER_RUN}s" --latency -s "$3" "$2")
    # Answers that are not 2xx and socket errors are counted apart: they are not throughput.
    local failed
    failed=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
    echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") $failed"
}

measure() { # label, base urls...
    local label=$1
    shift
    local session object
    read -r session object < <(store_photo "$1")
    local get_urls=() tool_urls=()
    for base in "$@"; do
        get_urls+=("$base/artifacts?session_id=$session&object_id=$object")
        tool_urls+=("$base/chat/completions")
    done
    for kind in get tool; do
        local connections=$CONNECTIONS lua=$WORK/auth.lua urls=("${get_urls[@]}")
        if [ "$kind" = tool ]; then connections=4; lua=$WORK/tool.lua; urls=("${tool_urls[@]}"); fi
        local per=$((connections / ${#urls[@]}))
        local files=() runs=()
        for index in "${!urls[@]}"; do
            wrk_rps "$per" "${urls[$index]}" "$lua" >"$WORK/$kind.$index" &
            runs+=($!)
            files+=("$WORK/$kind.$index")
        done
        # Only the wrk runs: a bare `wait` would also wait for the servers started here.
        wait "${runs[@]}"
        local total p99s failed
        total=$(cat "${files[@]}" | awk '{s += $1} END {printf "%.0f", s}')
        p99s=$(cat "${files[@]}" | awk '{printf "%s%s", sep, $2; sep="/"}')
        failed=$(cat "${files[@]}" | awk '{s += $3} END {print s + 0}')
        printf '%-34s %-10s %8s req/s  p99 %s  failed %s\n' "$label" "$kind" "$total" "$p99s" "$failed"
    done
}

echo "== ${SECONDS_PER_RUN}s per run; GET with $CONNECTIONS connections, the tool with 4 (split between replicas)"
"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$WORK/embedded" --api-keys "bench:$KEY" \
    >"$WORK/embedded.log" 2>&1 &
EMBEDDED_PID=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/embedded.log" && break; sleep 0.1; done
EMBEDDED=$(grep -o 'http://127.0.0.1:[0-9]*/v1' "$WORK/embedded.log" | head -n 1)
measure "embedded, 1 replica" "$EMBEDDED"
kill "$EMBEDDED_PID"
EMBEDDED_PID=""

VITRINE_CLUSTER_ARGS="--api-keys bench:$KEY" VITRINE_BIN="$CARGO_TARGET_DIR/release/vitrine" \
    scripts/cluster.sh up "$WORK/cluster" >"$WORK/cluster.env"
# shellcheck disable=SC1091
. "$WORK/cluster.env"
measure "S3 + PostgreSQL, 1 replica" "$REPLICA_A"
measure "S3 + PostgreSQL, 2 replicas" "$REPLICA_A" "$REPLICA_B"
