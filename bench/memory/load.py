"""Drives bench/memory/run.sh: makes the 36 MP JPEG, sends the requests, samples the server's RSS.

usage: python load.py BASE_URL SERVER_PID CONCURRENCY ROUNDS
"""

import base64
import io
import json
import sys
import threading
import time
import urllib.request

import numpy as np
from PIL import Image

BASE, PID, CONCURRENCY, ROUNDS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
KEY = "bench-key-123456"
WIDTH, HEIGHT = 7360, 4912  # 36.2 MP, a full-frame 36 MP sensor


def status(field):
    with open(f"/proc/{PID}/status") as lines:
        for line in lines:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def mb(value):
    return f"{value / 1e6:,.0f} MB"


def photo_like(width, height):
    """Gradients, soft shapes and sensor-like noise, built in strips to keep this script lean."""
    rng = np.random.default_rng(36)
    out = np.empty((height, width, 3), np.uint8)
    x = np.arange(width, dtype=np.float32)
    for top in range(0, height, 256):
        y = np.arange(top, min(top + 256, height), dtype=np.float32)[:, None]
        base = np.stack(
            [
                128 + 90 * np.sin(x / 700 + y / 900),
                128 + 80 * np.cos(x / 1100 - y / 500),
                128 + 70 * np.sin((x + y) / 1500),
            ],
            axis=-1,
        )
        noise = rng.normal(0, 10, base.shape).astype(np.float32)
        out[top : top + len(y)] = np.clip(base + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(out).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def chat(text, jpeg):
    body = json.dumps(
        {
            "model": "vlmrun-orion-1:fast",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": text},
                        {
                            "type": "image_url",
                            "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()},
                        },
                    ],
                }
            ],
        }
    ).encode()
    request = urllib.request.Request(
        BASE + "/v1/chat/completions",
        body,
        {"Content-Type": "application/json", "Authorization": "Bearer " + KEY},
    )
    del body
    with urllib.request.urlopen(request, timeout=600) as reply:
        return json.load(reply)


def made_width(reply):
    made = reply["vitrine"].get("artifacts") or reply["vitrine"].get("made") or []
    return [item.get("width") for item in made if isinstance(item, dict)]


small = io.BytesIO()
Image.fromarray(np.full((600, 900, 3), 128, np.uint8)).save(small, "JPEG")
big = photo_like(WIDTH, HEIGHT)
print(f"input: {WIDTH}x{HEIGHT} JPEG, {len(big):,} bytes ({len(big) * 4 // 3:,} as base64)")

cold = status("VmRSS")
warm = chat("Resize this image to 300 px wide.", small.getvalue())
time.sleep(1)
idle = status("VmRSS")
# Writing 5 to clear_refs resets VmHWM, so the peak below belongs to the big requests alone.
with open(f"/proc/{PID}/clear_refs", "w") as clear:
    clear.write("5")

samples = []
stop = threading.Event()


def sample():
    while not stop.is_set():
        samples.append(status("VmRSS"))
        time.sleep(0.005)


sampler = threading.Thread(target=sample)
sampler.start()
replies, errors = [], []


def worker():
    try:
        replies.append(chat("Resize this image to 1024 px wide.", big))
    except Exception as error:  # noqa: BLE001 - reported below
        errors.append(error)


started = time.monotonic()
for _ in range(ROUNDS):
    workers = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
elapsed = time.monotonic() - started
time.sleep(2)
stop.set()
sampler.join()
after = status("VmRSS")
peak = max(status("VmHWM"), max(samples))

for reply in replies:
    text = reply["choices"][0]["message"]["content"]
    if "1024" not in text:
        errors.append(f"unexpected answer: {text[:200]}")
print(f"requests: {len(replies)} ok, {len(errors)} failed, {elapsed:.1f} s")
for error in errors[:3]:
    print(f"  error: {error}")
print(f"RSS cold start          {mb(cold)}")
print(f"RSS idle (warmed up)    {mb(idle)}")
print(f"RSS peak                {mb(peak)}")
print(f"RSS 2 s after           {mb(after)}")
print(f"peak growth over idle   {mb(peak - idle)}")
print(f"held after              {mb(after - idle)}")
sys.exit(1 if errors else 0)
