#!/usr/bin/env bash
# The artifact read path against what people would serve a file with, in the same run, on
# loopback under wrk: nginx serving the 200 KB JPEG from disk, a bare hyper server reading
# the file per request (crates/vitrine-server/examples/bare_file_server.rs), and
# `GET /v1/artifacts` of the same bytes from the embedded store (auth, store lookup, body).
#
# usage: bash bench/artifacts-get/run.sh [seconds=10] [connections=32] [rounds=3]
# Each round times every server once, in turn, so that a machine whose load changes during
# the run (other builds) weighs on all of them alike; the table gives each server's median
# round.
# Installs wrk and nginx (Debian) when missing; needs the venv from scripts/setup.sh --dev.
# VITRINE_BEFORE=/path/to/an/older/vitrine adds that build as one more server in the same
# run (before/after comparisons on a shared machine).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
ROUNDS=${3:-3}
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
# nginx's workers run as an unprivileged user (when started as root): they must read the file.
chmod 755 "$WORK" "$WORK/www"
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
NGINX_PID=$!

BARE_PORT=$(free_port)
"$CARGO_TARGET_DIR/release/examples/bare_file_server" "$WORK/www/photo.jpg" "$BARE_PORT" &
PIDS+=($!)
BARE_PID=$!

# start_vitrine NAME BINARY: serves an empty store under $WORK/NAME, sets BASE.
start_vitrine() {
    "$2" serve --port 0 --data-dir "$WORK/$1" \
        --api-keys "bench:bench-key-123456" >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    SERVER_PID=$!
    for _ in $(seq 100); do grep -q "listening on" "$WORK/$1.log" && break; sleep 0.1; done
    BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$1.log" | head -n 1)
}
# upload BASE: sends the photo in a chat request, prints `session object` of the stored input.
upload() {
    "$VENV/bin/python" - "$1" "$WORK/www/photo.jpg" <<'PY'
import base64, json, sys, urllib.request
data = open(sys.argv[2], "rb").read()
body = json.dumps({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(data).decode()}}]}]}).encode()
request = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", body,
    {"Content-Type": "application/json", "Authorization": "Bearer bench-key-123456"})
reply = json.load(urllib.request.urlopen(request))
print(reply["session_id"], reply["vitrine"]["inputs"][0]["ref"])
PY
}
start_vitrine vitrine "$CARGO_TARGET_DIR/release/vitrine"
VITRINE_PID=$SERVER_PID
read -r SESSION OBJECT < <(upload "$BASE")
ARTIFACT="$BASE/v1/artifacts?session_id=$SESSION&object_id=$OBJECT"
BEFORE_ARTIFACT=""
if [ -n "${VITRINE_BEFORE:-}" ]; then
    start_vitrine before "$VITRINE_BEFORE"
    BEFORE_PID=$SERVER_PID
    read -r SESSION OBJECT < <(upload "$BASE")
    BEFORE_ARTIFACT="$BASE/v1/artifacts?session_id=$SESSION&object_id=$OBJECT"
fi
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/photo.jpg" && break; sleep 0.1; done

cat >"$WORK/auth.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer bench-key-123456"
LUA
# Each server must answer the same bytes before it is timed.
for url in "http://127.0.0.1:$NGINX_PORT/photo.jpg" "http://127.0.0.1:$BARE_PORT/photo.jpg"; do
    cmp -s <(curl -fsS "$url") "$WORK/www/photo.jpg" || { echo "wrong bytes from $url" >&2; exit 1; }
done
for url in "$ARTIFACT" $BEFORE_ARTIFACT; do
    cmp -s <(curl -fsS -H "Authorization: Bearer bench-key-123456" "$url") "$WORK/www/photo.jpg" \
        || { echo "wrong bytes from $url" >&2; exit 1; }
done

# CPU ticks (user + system, all threads) of the processes given and of their children
# (nginx's workers).
cpu_ticks() {
    local total=0 pid
    for pid in "$@" $(pgrep -P "$(IFS=,; echo "$*")" || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
run() { # name, pid, url, [lua]
    local name=$1 pid=$2 url=$3 script=${4:-}
    local out before after
    before=$(cpu_ticks "$pid")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency ${script:+-s "$script"} "$url")
    after=$(cpu_ticks "$pid")
    local rps p50 p99 requests
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    # CPU per request does not depend on how much of the machine other work leaves free.
    local cpu
    cpu=$(awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { printf "%.0f", ticks * 1e6 / hz / n }')
    echo "$name $rps $p50 $p99 $cpu"
}
echo "== GET of a $SIZE-byte JPEG, $CONNECTIONS connections, $ROUNDS rounds of ${SECONDS_PER_RUN}s per server (wrk -t2)"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
RESULTS=$(
    for _ in $(seq "$ROUNDS"); do
        run nginx "$NGINX_PID" "http://127.0.0.1:$NGINX_PORT/photo.jpg"
        run bare-hyper "$BARE_PID" "http://127.0.0.1:$BARE_PORT/photo.jpg"
        run vitrine "$VITRINE_PID" "$ARTIFACT" "$WORK/auth.lua"
        if [ -n "$BEFORE_ARTIFACT" ]; then
            run vitrine-before "$BEFORE_PID" "$BEFORE_ARTIFACT" "$WORK/auth.lua"
        fi
    done
)
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The median round of each server, by requests/s.
MEDIANS=$(for name in nginx bare-hyper vitrine vitrine-before; do
    awk -v name="$name" '$1 == name' <<<"$RESULTS" | sort -k2 -g | awk '{ rows[NR] = $0 } END { if (NR) print rows[int((NR + 1) / 2)] }'
done)
NGINX_RPS=$(awk '$1 == "nginx" {print $2}' <<<"$MEDIANS")
printf '%-15s %12s %10s %10s %10s %14s\n' server requests/s p50 p99 "CPU µs/req" "vs nginx"
while read -r name rps p50 p99 cpu; do
    printf '%-15s %12s %10s %10s %10s %13sx\n' "$name" "$rps" "$p50" "$p99" "$cpu" \
        "$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f", a / b }')"
done <<<"$MEDIANS"
echo "   every round:"
sed 's/^/   /' <<<"$RESULTS"
