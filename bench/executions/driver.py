"""Drives bench/executions/run.sh against a running server.

1. Holds the workers: the first executions (tenant `held`) read an image URL from
   a local media host that does not answer until released, so everything after
   them waits in the queue.
2. Fills the queue to QUEUED executions, then times MEASURED more
   `POST /v1/agent/execute` calls (tenant `measured`, each with an inline PNG
   that is validated and stored before the reply), one at a time.
3. Releases the media host and times the drain: from release to the last
   completion, against the executions' own run time (`vitrine.duration_ms`).
"""

import base64
import io
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from PIL import Image

BASE, QUEUED, MEASURED, WORKERS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
HELD = {"Authorization": "Bearer bench-key-held-1"}
MEASURED_KEY = {"Authorization": "Bearer bench-key-measured-1"}


def png(size, rgb):
    buffer = io.BytesIO()
    Image.new("RGB", size, rgb).save(buffer, format="PNG")
    return buffer.getvalue()


PHOTO = png((64, 48), (200, 40, 40))
release = threading.Event()


class Media(BaseHTTPRequestHandler):
    def do_GET(self):
        release.wait()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PHOTO)))
        self.end_headers()
        self.wfile.write(PHOTO)

    def log_message(self, *args):
        pass


media = ThreadingHTTPServer(("127.0.0.1", 0), Media)
threading.Thread(target=media.serve_forever, daemon=True).start()
URL = f"http://127.0.0.1:{media.server_address[1]}/photo.png"


def job(url):
    return {"batch": True, "model": "vlmrun-orion-1:fast",
            "inputs": {"photo": {"type": "image_url", "image_url": {"url": url}}},
            "config": {"prompt": "Make it black and white"}}


session = requests.Session()


def execute(body, headers, http=session):
    started = time.perf_counter()
    response = http.post(f"{BASE}/agent/execute", json=body, headers=headers, timeout=60)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return response.json(), elapsed


# 1-2: the queue fills with held work (URL inputs: nothing stored at enqueue).
ids = []
def fill(_):
    http = requests.Session()
    return execute(job(URL), HELD, http)[0]["id"]
started = time.perf_counter()
with ThreadPoolExecutor(8) as pool:
    ids.extend(pool.map(fill, range(QUEUED)))
print(f"enqueued {QUEUED} held executions in {time.perf_counter() - started:.1f} s")

inline = job("data:image/png;base64," + base64.b64encode(PHOTO).decode())
latencies = []
for _ in range(MEASURED):
    execution, elapsed = execute(inline, MEASURED_KEY)
    latencies.append(elapsed * 1000)
    ids.append(execution["id"])
latencies.sort()
p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
print(f"POST /v1/agent/execute with {QUEUED}+ queued (inline 64x48 PNG stored per call), "
      f"{MEASURED} calls one at a time: p50 {statistics.median(latencies):.1f} ms, "
      f"p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")

# 3: drain.
released = time.perf_counter()
release.set()
last = ids[-1]
while True:
    status = session.get(f"{BASE}/agent/executions/{last}", headers=MEASURED_KEY, timeout=60).json()["status"]
    if status in ("completed", "failed"):
        break
    time.sleep(0.05)
# The measured tenant's work was enqueued last; wait for every held one too.
for execution_id in ids[:QUEUED]:
    while session.get(f"{BASE}/agent/executions/{execution_id}", headers=HELD,
                      timeout=60).json()["status"] not in ("completed", "failed"):
        time.sleep(0.05)
window = time.perf_counter() - released
records = []
for headers in (HELD, MEASURED_KEY):
    skip = 0
    while True:
        page = session.get(f"{BASE}/agent/executions", params={"skip": skip, "limit": 1000},
                           headers=headers, timeout=60).json()
        records.extend(page)
        if len(page) < 1000:
            break
        skip += 1000
failed = [r for r in records if r["status"] != "completed"]
busy_ms = sum(r["vitrine"]["duration_ms"] or 0 for r in records)
total = len(records)
print(f"drained {total} executions in {window:.1f} s: {total / window:.1f} executions/s "
      f"({len(failed)} failed)")
print(f"run time inside the workers: mean {busy_ms / total:.1f} ms per execution; "
      f"{WORKERS} workers busy {busy_ms / 1000 / (WORKERS * window) * 100:.0f}% of the drain window "
      f"(the rest is claiming, recording and the first held fetches)")
media.shutdown()
