#!/usr/bin/env bash
# Web page screenshots: Vitrine's warm browser through its HTTP API against what
# people script by hand (`chromium --headless --screenshot`, one process per
# page), in one run on the same local page; then the browser's memory over 20
# consecutive pages.
#
# usage: bash bench/web/run.sh [iterations=10]
# Needs: Chromium and the vitrine-browser user (scripts/setup.sh), the models
# (scripts/fetch-models.sh). All traffic stays on 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ITERATIONS=${1:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/vitrine-target}

cargo build --release -p vitrine --quiet
DATA=$(mktemp -d)
SITE=$(mktemp -d)
LOG=$(mktemp)
chmod 755 "$SITE"
# A page of text, blocks and an image, about 2 screens long.
python3 - "$SITE" <<'PY'
import sys, zlib, struct
site = sys.argv[1]
def png(w, h, rgb):
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(f"{site}/photo.png", "wb").write(png(640, 360, (200, 80, 40)))
paragraphs = "".join(f"<p>Paragraph {i}: the quick brown fox jumps over the lazy dog. " * 3 + "</p>" for i in range(30))
open(f"{site}/index.html", "w").write(f"""<!doctype html><html><head><title>Bench page</title>
<style>body{{font-family:sans-serif;margin:24px}} .hero{{height:200px;background:#2a6}}</style></head>
<body><div class="hero"></div><h1>Bench page</h1><img src="photo.png">{paragraphs}</body></html>""")
PY
python3 -m http.server 0 --bind 127.0.0.1 --directory "$SITE" >"$SITE.log" 2>&1 &
PAGES=$!
"$CARGO_TARGET_DIR/release/vitrine" serve --port 0 --data-dir "$DATA" --fetch-allow-hosts 127.0.0.1 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER $PAGES 2>/dev/null; rm -rf "$DATA" "$SITE" "$SITE.log" "$LOG"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$LOG" && grep -q "Serving HTTP" "$SITE.log" && break; sleep 0.1; done
BASE=$(grep -o 'http://127.0.0.1:[0-9]*' "$LOG" | head -n 1)
PAGE="http://127.0.0.1:$(grep -o 'port [0-9]*' "$SITE.log" | head -n 1 | cut -d' ' -f2)/index.html"

echo "## load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "## Vitrine: \"take a screenshot of $PAGE\" (toolsets: web), warm browser, 1280 px desktop, full page"
python3 - "$BASE" "$PAGE" "$ITERATIONS" <<'PY'
import json, statistics, sys, time, urllib.request
base, page, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = json.dumps({"model": "vlmrun-orion-1:auto", "toolsets": ["web"],
    "messages": [{"role": "user", "content": f"take a screenshot of {page}"}]}).encode()
def once():
    request = urllib.request.Request(base + "/v1/chat/completions", body, {"Content-Type": "application/json"})
    start = time.perf_counter()
    reply = json.load(urllib.request.urlopen(request, timeout=120))
    return (time.perf_counter() - start) * 1000, reply
cold, reply = once()  # starts the browser
facts = reply["vitrine"]["plan"]["steps"][0]["facts"]
times = [once()[0] for _ in range(iterations)]
print(f"cold (browser start) {cold:.0f} ms; warm median {statistics.median(times):.0f} ms, best {min(times):.0f} ms; {facts['width']}x{facts['height']} PNG")
open("/tmp/vitrine-web-bench.txt", "w").write(str(statistics.median(times)))
PY

echo "## chromium --headless --screenshot (a new process per page, as scripts do), same page"
SHOTS=$(mktemp -d)
chown vitrine-browser "$SHOTS" 2>/dev/null || true
python3 - "$PAGE" "$ITERATIONS" "$SHOTS" <<'PY'
import os, statistics, subprocess, sys, time
page, iterations, shots = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prefix = ["setpriv", "--reuid=vitrine-browser", "--regid=vitrine-browser", "--clear-groups"] if os.geteuid() == 0 else []
def once(i):
    command = prefix + ["env", f"HOME={shots}", "chromium", "--headless", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={shots}/profile{i}", f"--screenshot={shots}/shot{i}.png", "--window-size=1280,800", page]
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
    return (time.perf_counter() - start) * 1000
once(-1)
times = [once(i) for i in range(iterations)]
median = statistics.median(times)
vitrine = float(open("/tmp/vitrine-web-bench.txt").read())
print(f"median {median:.0f} ms, best {min(times):.0f} ms (viewport only)")
print(f"ratio (chromium CLI / Vitrine warm): {median / vitrine:.2f}x")
PY
rm -rf "$SHOTS"

echo "## browser memory over 20 consecutive pages (RSS of every browser process, MB)"
python3 - "$BASE" "$PAGE" <<'PY'
import json, os, subprocess, sys, urllib.request
base, page = sys.argv[1], sys.argv[2]
user = "vitrine-browser" if os.geteuid() == 0 else str(os.getuid())
def rss():
    out = subprocess.run(["ps", "-u", user, "-o", "rss=,comm="], capture_output=True, text=True).stdout
    return sum(int(line.split()[0]) for line in out.splitlines() if "chrom" in line) / 1024
samples = []
for i in range(20):
    body = json.dumps({"model": "vlmrun-orion-1:auto", "toolsets": ["web"],
        "messages": [{"role": "user", "content": f"take a screenshot of {page}?n={i}"}]}).encode()
    request = urllib.request.Request(base + "/v1/chat/completions", body, {"Content-Type": "application/json"})
    json.load(urllib.request.urlopen(request, timeout=120))
    samples.append(rss())
print(" ".join(f"{s:.0f}" for s in samples))
print(f"first {samples[0]:.0f} MB, max {max(samples):.0f} MB, last {samples[-1]:.0f} MB")
PY
