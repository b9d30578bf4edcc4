#!/usr/bin/env bash
# The artifact read path against what people would serve a file with, in the same run, on
# loopback under wrk: nginx serving the 200 KB JPEG from disk, a bare hyper server reading
# the file per request (crates/vitrine-server/examples/bare_file_server.rs), and
# `GET /v1/artifacts` of the same bytes from the embedded store (auth, store lookup, body).
#
# usage: bash bench/artifacts-get/run.sh [seconds=10] [connections=32]
# Installs wrk and nginx (Debian) when missing; needs the venv from scripts/setup.sh --dev.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}
VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cargo build --release -p vitrine -p vitrine-server --example bare_file_server 2>&1 | tail -n 1
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A JPEG of noise of just over 200 KB.
mkdir -p "$WORK/www"
"$VENV/bin/python" - "$WORK/www/photo.jpg" <<'PY'
import io, sys
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
open(sys.argv[1], "wb").write(buf.getvalue())
PY
SIZE=$(stat -c %s "$WORK/www/photo.jpg")

# nginx: two workers (one per core), sendfile, no access log.
NGINX_PORT=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types { image/jpeg jpg; }
    client_body_temp_path $WORK/nginx-body;
    proxy_temp_path $WORK/nginx-proxy;
    fastcgi_temp_path $WORK/nginx-fastcgi;
    uwsgi_temp_path $WORK/nginx-uwsgi;
    scgi_temp_path $WORK/nginx-scgi;
    server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
}
CONF
/usr/sbin/nginx -c "$WORK/nginx.conf" -p "$WORK" &
PIDS+=($!)

BARE_PORT=$(free_port)
"$CARGO_TARGET_DIR/release/examples/bare_file_server" "$WORK/www/photo.jpg" "$BARE_PORT" &
PIDS+=($!)

"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$WORK/data" \
    --api-keys "bench:bench-key-123456" >"$WORK/vitrine.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on" "$WORK/vitrine.log" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/vitrine.log" | head -n 1)
read -r SESSION OBJECT < <("$VENV/bin/python" - "$BASE" "$WORK/www/photo.jpg" <<'PY'
import base64, json, sys, urllib.request
data = open(sys.argv[2], "rb").read()
body = json.dumps({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(data).decode()}}]}]}).encode()
request = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", body,
    {"Content-Type": "application/json", "Authorization": "Bearer bench-key-123456"})
reply = json.load(urllib.request.urlopen(request))
print(reply["session_id"], reply["vitrine"]["inputs"][0]["ref"])
PY
)
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/photo.jpg" && break; sleep 0.1; done

cat >"$WORK/auth.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer bench-key-123456"
LUA
# Each server must answer the same bytes before it is timed.
ARTIFACT="$BASE/v1/artifacts?session_id=$SESSION&object_id=$OBJECT"
for url in "http://127.0.0.1:$NGINX_PORT/photo.jpg" "http://127.0.0.1:$BARE_PORT/photo.jpg"; do
    cmp -s <(curl -fsS "$url") "$WORK/www/photo.jpg" || { echo "wrong bytes from $url" >&2; exit 1; }
done
cmp -s <(curl -fsS -H "Authorization: Bearer bench-key-123456" "$ARTIFACT") "$WORK/www/photo.jpg" \
    || { echo "wrong bytes from $ARTIFACT" >&2; exit 1; }

run() { # name, url, [lua]
    local name=$1 url=$2 script=${3:-}
    local out
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency ${script:+-s "$script"} "$url")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "$name $rps $p50 $p99"
}
echo "== GET of a $SIZE-byte JPEG, $CONNECTIONS connections, ${SECONDS_PER_RUN}s each (wrk -t2)"
RESULTS=$(
    run nginx "http://127.0.0.1:$NGINX_PORT/photo.jpg"
    run bare-hyper "http://127.0.0.1:$BARE_PORT/photo.jpg"
    run vitrine "$ARTIFACT" "$WORK/auth.lua"
)
NGINX_RPS=$(awk '$1 == "nginx" {print $2}' <<<"$RESULTS")
printf '%-12s %12s %10s %10s %14s\n' server requests/s p50 p99 "vs nginx"
while read -r name rps p50 p99; do
    printf '%-12s %12s %10s %10s %13sx\n' "$name" "$rps" "$p50" "$p99" \
        "$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')"
done <<<"$RESULTS"
