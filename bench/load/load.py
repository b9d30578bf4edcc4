"""The load and fault suite: the release `vitrine` binary, run as `vitrine serve` runs, driven
on loopback only, then a table of what held.

Phases (each on its own server and data directory):
  load        sustained mixed load (chat with tools, uploads, artifact GETs): errors, req/s,
              p50/p99 per operation, RSS sampled all along (start after warm-up vs end)
  kill        kill -9 under load, restart on the same data directory, every acknowledged
              upload and artifact read back and compared by sha256
  disk        the data directory on a small tmpfs: writes below the free-disk floor and a
              write that fills the disk get clean 507s, nothing half-written stays, reads keep
              working, writes work again once space is freed
  slowloris   hundreds of connections sending headers a byte at a time while normal requests
              are timed against a baseline
  disconnect  clients that send a long plan and hang up: the server's CPU time after they
              left, against what the plans cost when run to the end

Usage: scripts/load.sh [--minutes N] [--only load,kill,...] [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import io
import json
import os
import random
import resource
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
KEY = "load-key-123456"
TESTDATA = ROOT / "crates" / "vitrine-vision" / "testdata"
MB = 1_000_000


# ---------------------------------------------------------------------------------------------
# The server under test


class Server:
    """`vitrine serve` on 127.0.0.1 with a port it picks, its own data directory and log."""

    def __init__(self, binary: Path, data_dir: Path, *extra: str):
        self.binary = binary
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = data_dir.parent / f"{data_dir.name}.log"

    def start(self, timeout: float = 60.0) -> float:
        """Starts the server; returns the seconds until it answered `/v1/ready`."""
        began = time.monotonic()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--port", "0", "--data-dir", str(self.data_dir),
             "--api-keys", f"load:{KEY}", *self.extra],
            stdout=subprocess.PIPE, stderr=log, env={**os.environ, "NO_COLOR": "1"},
        )
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline().decode(errors="replace")
            if not line:
                raise RuntimeError(f"vitrine serve exited; see {self.log_path}")
            log.write(line.encode())
            if "listening on http://" in line:
                self.port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
                break
            if time.monotonic() - began > timeout:
                raise RuntimeError("vitrine serve did not start")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=_drain, args=(self.proc.stdout, log), daemon=True).start()
        while time.monotonic() - began < timeout:
            try:
                status, _, _ = Client(self.port).request("GET", "/v1/ready")
                if status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("vitrine serve never became ready")

    def rss_mb(self, field: str = "VmRSS") -> float:
        """Resident memory in MB: `VmRSS` in all, or its `RssAnon` (heap) / `RssFile` (mapped
        files such as models) part."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1000
        return 0.0

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process (all its threads)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _drain(pipe, log) -> None:
    for line in pipe:
        log.write(line)


class Client:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, port: int, timeout: float = 120.0):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Authorization": f"Bearer {KEY}"}
        if content_type:
            headers["Content-Type"] = content_type
        began = time.monotonic()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data, time.monotonic() - began
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between requests: one retry on a
                # new connection (what every HTTP client does); a second failure is an error.
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, payload=None) -> tuple[int, dict, float]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data, elapsed = self.request(method, path, body, "application/json" if body else None)
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {"raw": data[:200].decode(errors="replace")}
        return status, parsed, elapsed

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def multipart(name: str, data: bytes, purpose: str = "vision") -> tuple[bytes, str]:
    boundary = "vitrine-load-" + os.urandom(8).hex()
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def early_answer_request(port: int, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    """POSTs `body` while watching for an answer, as curl does: a server may refuse a large
    body before it has all of it (507, 413) and close the connection; the answer still counts."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    data = memoryview(head + body)
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.setblocking(False)
    received = b""
    sent = 0
    try:
        while True:
            readable, writable, _ = select.select([sock], [sock] if sent < len(data) else [], [], 60)
            if not readable and not writable:
                raise TimeoutError("no answer")
            if readable:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    break
                received += chunk
                if _complete(received):
                    break
            if writable:
                try:
                    sent += sock.send(data[sent:sent + 262144])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(data)
    finally:
        sock.close()
    head_end = received.find(b"\r\n\r\n")
    if head_end < 0:
        raise ConnectionResetError(f"no HTTP answer ({len(received)} bytes)")
    status = int(received.split(b" ", 2)[1])
    return status, received[head_end + 4:]


def _complete(received: bytes) -> bool:
    head_end = received.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    for line in received[:head_end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(received) - head_end - 4 >= int(value)
    return False


def data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def noise_jpeg(width: int, height: int, seed: int, quality: int = 85) -> bytes:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([(x / 8) % 256, (y / 6) % 256, ((x + y) / 10) % 256], axis=-1)
    pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=quality)
    return out.getvalue()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------------------------
# The mixed workload


@dataclass
class Acknowledged:
    """What the server said it stored, and the sha256 it must read back as."""

    files: dict[str, str] = field(default_factory=dict)          # file id -> sha256
    artifacts: dict[tuple[str, str], str | None] = field(default_factory=dict)
    # (session, ref) -> sha256, or None for a made artifact acknowledged but not yet read
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(op, []).append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class Workload:
    """Chat with tools (resize + grayscale, face blurring), uploads and artifact GETs, mixed."""

    def __init__(self, faces: bool):
        self.photo = (TESTDATA / "dog.jpg").read_bytes()
        self.portrait = (TESTDATA / "astronaut.png").read_bytes()
        # Distinct upload bodies (the server may deduplicate by hash; uploads must be writes).
        self.uploads = [noise_jpeg(256, 192, seed) for seed in range(16)]
        self.faces = faces
        ops = ["chat_resize", "upload", "get_artifact", "get_artifact", "chat_text"]
        if faces:
            ops.append("chat_faces")
        self.ops = ops

    def run(self, port: int, until: float, tally: Tally, acked: Acknowledged,
            stop: threading.Event, seed: int) -> None:
        client = Client(port)
        rng = random.Random(seed)
        made: list[tuple[str, str, str]] = []   # (session, ref, sha256) this worker read back
        while time.monotonic() < until and not stop.is_set():
            op = rng.choice(self.ops)
            try:
                self.one(op, client, rng, tally, acked, made)
            except (OSError, http.client.HTTPException, AssertionError) as error:
                if not stop.is_set():
                    tally.error(f"{op}: {type(error).__name__}: {error}")
                client.close()
                if stop.is_set():
                    return
        client.close()

    def one(self, op, client, rng, tally, acked, made) -> None:
        if op == "chat_resize" or op == "chat_faces":
            image, media, text = (
                (self.photo, "image/jpeg", "Resize this image to 320 px wide and make it grayscale.")
                if op == "chat_resize" else (self.portrait, "image/png", "Blur the faces.")
            )
            status, reply, elapsed = client.json("POST", "/v1/chat/completions", {
                "model": "vlmrun-orion-1:fast",
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": text},
                    {"type": "image_url", "image_url": {"url": data_url(image, media)}}]}]})
            if status != 200:
                raise AssertionError(f"status {status}: {str(reply)[:300]}")
            tally.record(op, elapsed)
            session = reply["session_id"]
            extension = reply.get("vitrine") or {}
            outputs = [ref for ref in extension.get("made", []) if ref.startswith("img_")]
            if not outputs:
                raise AssertionError(f"no image made: {str(reply)[:300]}")
            with acked.lock:
                for item in extension.get("inputs", []):
                    acked.artifacts[(session, item["ref"])] = sha256(image)
                for ref in outputs:
                    acked.artifacts[(session, ref)] = None
            # Read the result back now, as a client would.
            ref = outputs[-1]
            status, data, elapsed = client.request(
                "GET", f"/v1/artifacts?session_id={session}&object_id={ref}")
            if status != 200:
                raise AssertionError(f"GET made artifact: {status}")
            tally.record("get_artifact", elapsed)
            digest = sha256(data)
            with acked.lock:
                acked.artifacts[(session, ref)] = digest
            made.append((session, ref, digest))
        elif op == "upload":
            data = rng.choice(self.uploads)
            body, content_type = multipart("photo.jpg", data)
            status, raw, elapsed = client.request("POST", "/v1/files?purpose=vision", body, content_type)
            if status not in (200, 201):
                raise AssertionError(f"upload status {status}: {raw[:300]!r}")
            tally.record(op, elapsed)
            file_id = json.loads(raw)["id"]
            with acked.lock:
                acked.files[file_id] = sha256(data)
        elif op == "get_artifact":
            if not made:
                return
            session, ref, digest = rng.choice(made)
            status, data, elapsed = client.request(
                "GET", f"/v1/artifacts?session_id={session}&object_id={ref}")
            if status != 200 or sha256(data) != digest:
                raise AssertionError(f"GET {ref}: status {status}, sha256 changed: {sha256(data) != digest}")
            tally.record(op, elapsed)
        elif op == "chat_text":
            status, reply, elapsed = client.json("POST", "/v1/chat/completions", {
                "model": "vlmrun-orion-1:fast",
                "messages": [{"role": "user", "content": "Say hello."}]})
            if status != 200:
                raise AssertionError(f"status {status}: {str(reply)[:300]}")
            tally.record(op, elapsed)


def warm(port: int, workload: "Workload") -> None:
    """One request of each kind first: models and the planner's matcher load on first use, and
    that one-off cost is not what a loaded server's latency is."""
    client = Client(port, timeout=300)
    for op in sorted(set(workload.ops) - {"get_artifact"}):
        workload.one(op, client, random.Random(0), Tally(), Acknowledged(), [])
    client.close()


def run_workers(workload: Workload, port: int, seconds: float, concurrency: int, tally: Tally,
                acked: Acknowledged, stop: threading.Event):
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=workload.run,
                                args=(port, until, tally, acked, stop, seed), daemon=True)
               for seed in range(concurrency)]
    for thread in threads:
        thread.start()
    return threads


def faces_available() -> bool:
    models = Path(os.environ.get("VITRINE_MODELS_DIR",
                                 Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share"))
                                 / "vitrine/models"))
    return any(models.glob("*face*")) or any(models.glob("**/*face*"))


# ---------------------------------------------------------------------------------------------
# Phases


def phase_load(binary: Path, work: Path, minutes: float, concurrency: int, faces: bool) -> dict:
    server = Server(binary, work / "load")
    server.start()
    try:
        idle_rss = server.rss_mb()
        workload = Workload(faces)
        warm(server.port, workload)
        tally, acked, stop = Tally(), Acknowledged(), threading.Event()
        seconds = minutes * 60
        # The first part of the run fills the server's bounded caches (64 MiB of recent artifacts,
        # 32 MiB of index pages) and malloc's arenas: RSS climbs for about two minutes, then
        # stays level (see the 30-s samples in the JSON). A fifth of the run, at most two
        # minutes, is left out of the comparison.
        warmup = min(120.0, max(3.0, seconds * 0.2))
        began = time.monotonic()
        threads = run_workers(workload, server.port, seconds, concurrency, tally, acked, stop)
        samples: list[tuple[float, float]] = []
        # (seconds, heap MB, mapped-file MB) every ~30 s, to tell growth in the heap from pages
        # of mapped model files being touched.
        breakdown: list[tuple[float, float, float]] = []
        while any(thread.is_alive() for thread in threads):
            now = time.monotonic() - began
            samples.append((now, server.rss_mb()))
            if not breakdown or now - breakdown[-1][0] >= 30:
                breakdown.append((round(now), server.rss_mb("RssAnon"), server.rss_mb("RssFile")))
            time.sleep(min(5.0, max(0.5, seconds / 60)))
        elapsed = time.monotonic() - began
        # Every sample is taken while the load runs: once it stops, the server hands freed
        # memory back within seconds, which would flatter the end figure.
        after_warmup = [rss for t, rss in samples if t >= warmup] or [samples[-1][1]]
        start_rss, end_rss = after_warmup[0], samples[-1][1]
        halfway = [rss for t, rss in samples if t >= seconds / 2] or [end_rss]
        settled_growth = (end_rss - halfway[0]) / halfway[0] * 100 if halfway[0] else float("nan")
        time.sleep(10)
        rss_after_load = server.rss_mb()
        all_latencies = [v for values in tally.latencies.values() for v in values]
        growth = (end_rss - start_rss) / start_rss * 100 if start_rss else float("nan")
        result = {
            "seconds": round(elapsed, 1),
            "concurrency": concurrency,
            "requests": tally.count(),
            "req_per_s": round(tally.count() / elapsed, 1),
            "p50_ms": round(percentile(all_latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(all_latencies, 99) * 1000, 1),
            "errors": len(tally.errors),
            "error_samples": tally.errors[:5],
            "ops": {op: {"n": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
                         "p99_ms": round(percentile(v, 99) * 1000, 1)}
                    for op, v in sorted(tally.latencies.items())},
            "rss_idle_mb": round(idle_rss, 1),
            "rss_start_mb": round(start_rss, 1),
            "rss_end_mb": round(end_rss, 1),
            "rss_peak_mb": round(max(rss for _, rss in samples), 1),
            "rss_growth_pct": round(growth, 1),
            "rss_second_half_growth_pct": round(settled_growth, 1),
            "rss_10s_after_load_mb": round(rss_after_load, 1),
            "rss_anon_file_mb": breakdown,
            "warmup_s": round(warmup, 1),
            "faces": faces,
            "alive": server.alive(),
        }
        result["ok"] = (result["errors"] == 0 and abs(growth) <= 10 and result["alive"]
                        and result["requests"] > 0)
        return result
    finally:
        server.stop()


def phase_kill(binary: Path, work: Path, seconds: float, concurrency: int, faces: bool) -> dict:
    server = Server(binary, work / "kill")
    server.start()
    workload = Workload(faces)
    warm(server.port, workload)
    tally, acked, stop = Tally(), Acknowledged(), threading.Event()
    threads = run_workers(workload, server.port, seconds + 30, concurrency, tally, acked, stop)
    time.sleep(seconds)
    # Requests still in flight fail with the kill: those are not errors, and not acknowledged.
    stop.set()
    server.kill9()
    in_flight_errors_before = len(tally.errors)
    for thread in threads:
        thread.join(timeout=30)
    restart_s = server.start()
    try:
        client = Client(server.port)
        lost, changed, checked_files, checked_artifacts = [], [], 0, 0
        with acked.lock:
            files = dict(acked.files)
            artifacts = dict(acked.artifacts)
        for file_id, digest in files.items():
            status, data, _ = client.request("GET", f"/v1/files/{file_id}/content")
            checked_files += 1
            if status != 200:
                lost.append(f"{file_id}: {status}")
            elif sha256(data) != digest:
                changed.append(file_id)
        for (session, ref), digest in artifacts.items():
            status, data, _ = client.request("GET", f"/v1/artifacts?session_id={session}&object_id={ref}")
            checked_artifacts += 1
            if status != 200:
                lost.append(f"{ref}: {status}")
            elif digest is not None and sha256(data) != digest:
                changed.append(ref)
            elif digest is None:
                # Acknowledged but never read before the kill: it must still be a whole image.
                try:
                    Image.open(io.BytesIO(data)).load()
                except Exception:  # noqa: BLE001 - any decode failure is a broken artifact
                    changed.append(ref)
        # The restarted server takes writes again.
        status, _, _ = client.json("POST", "/v1/chat/completions", {
            "model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": "Say hello."}]})
        result = {
            "load_seconds": seconds,
            "acknowledged_files": checked_files,
            "acknowledged_artifacts": checked_artifacts,
            "lost": len(lost),
            "changed": len(changed),
            "lost_samples": lost[:5] + changed[:5],
            "restart_s": round(restart_s, 2),
            "writes_after_restart": status,
            "errors_before_kill": in_flight_errors_before,
        }
        result["ok"] = (not lost and not changed and checked_files + checked_artifacts > 0
                        and status == 200 and in_flight_errors_before == 0)
        return result
    finally:
        server.stop()


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill_to(path: Path, ballast: Path, free_target: int) -> None:
    """Grows `ballast` until the file system has about `free_target` bytes free."""
    chunk = b"\0" * (1 << 20)
    with open(ballast, "ab") as out:
        while free_bytes(path) - len(chunk) > free_target:
            out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        rest = free_bytes(path) - free_target
        if rest > 0:
            out.write(b"\0" * rest)
            out.flush()
            os.fsync(out.fileno())


def phase_disk(binary: Path, work: Path) -> dict:
    mount = work / "tmpfs"
    mount.mkdir()
    size_mb, floor_mb = 96, 16
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs",
                              str(mount)], capture_output=True, text=True)
    if mounted.returncode != 0:
        return phase_disk_fallback(binary, work, mounted.stderr.strip())
    server = Server(binary, mount / "data", "--min-free-disk-mb", str(floor_mb))
    ballast = mount / "ballast"
    statuses: dict[str, dict[int, int]] = {}

    def seen(step: str, status: int) -> None:
        statuses.setdefault(step, {}).setdefault(status, 0)
        statuses[step][status] += 1

    try:
        server.start()
        client = Client(server.port)
        photo = (TESTDATA / "dog.jpg").read_bytes()
        kept: dict[str, str] = {}
        for seed in range(3):
            data = noise_jpeg(256, 192, 100 + seed)
            status, raw, _ = client.request("POST", "/v1/files?purpose=vision", *multipart("a.jpg", data))
            seen("before", status)
            if status in (200, 201):
                kept[json.loads(raw)["id"]] = sha256(data)
        # 1. Below the floor: every write is refused before anything is written.
        fill_to(mount, ballast, (floor_mb - 6) * MB)
        used_before = sum(f.stat().st_size for f in (mount / "data").rglob("*") if f.is_file())
        refusals = []
        for seed in range(5):
            data = noise_jpeg(256, 192, 200 + seed)
            status, raw, _ = client.request("POST", "/v1/files?purpose=vision", *multipart("b.jpg", data))
            seen("below_floor_upload", status)
            refusals.append(raw)
            status, reply, _ = client.json("POST", "/v1/chat/completions", {
                "model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Resize this image to 320 px wide."},
                    {"type": "image_url", "image_url": {"url": data_url(photo, "image/jpeg")}}]}]})
            seen("below_floor_chat", status)
            refusals.append(json.dumps(reply).encode())
        used_after = sum(f.stat().st_size for f in (mount / "data").rglob("*") if f.is_file())
        reads_ok = all(
            (r := client.request("GET", f"/v1/files/{file_id}/content"))[0] == 200 and sha256(r[1]) == digest
            for file_id, digest in kept.items())
        # 2. Above the floor, one upload larger than what is left: the disk fills mid-write.
        os.truncate(ballast, 0)
        fill_to(mount, ballast, (floor_mb + 8) * MB)
        free_before = free_bytes(mount)
        big = os.urandom(40 * MB)
        status, raw = early_answer_request(server.port, "/v1/files?purpose=vision", *multipart("big.bin", big))
        seen("fills_disk_upload", status)
        refusals.append(raw)
        time.sleep(0.5)
        free_after = free_bytes(mount)
        # 3. Space freed: writes work again and read back whole.
        ballast.unlink()
        recovered = 0
        for seed in range(3):
            data = noise_jpeg(256, 192, 300 + seed)
            status, raw, _ = client.request("POST", "/v1/files?purpose=vision", *multipart("c.jpg", data))
            seen("after_freeing", status)
            if status in (200, 201):
                file_id = json.loads(raw)["id"]
                got = client.request("GET", f"/v1/files/{file_id}/content")
                recovered += got[0] == 200 and sha256(got[1]) == sha256(data)
        status, reply, _ = client.json("POST", "/v1/chat/completions", {
            "model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Resize this image to 320 px wide."},
                {"type": "image_url", "image_url": {"url": data_url(photo, "image/jpeg")}}]}]})
        seen("after_freeing_chat", status)
        clean = all(is_error_json(body) for body in refusals)
        refused = [s for step in ("below_floor_upload", "below_floor_chat", "fills_disk_upload")
                   for s in statuses.get(step, {})]
        result = {
            "mode": f"tmpfs {size_mb} MB, --min-free-disk-mb {floor_mb}",
            "statuses": {step: dict(counts) for step, counts in statuses.items()},
            "refusals_are_json_errors": clean,
            "bytes_written_below_floor": used_after - used_before,
            "space_left_by_failed_write_mb": round((free_before - free_after) / MB, 2),
            "reads_while_full": reads_ok,
            "recovered_uploads": recovered,
            "alive": server.alive(),
        }
        result["ok"] = (set(refused) == {507} and clean and used_after == used_before
                        and abs(free_before - free_after) < 1 * MB and reads_ok and recovered == 3
                        and statuses.get("after_freeing_chat") == {200: 1} and server.alive())
        return result
    finally:
        server.stop()
        subprocess.run(["umount", str(mount)], capture_output=True)


def is_error_json(raw: bytes) -> bool:
    try:
        body = json.loads(raw)
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict) and bool(body["error"].get("message"))


def phase_disk_fallback(binary: Path, work: Path, why: str) -> dict:
    """No permission to mount: the floor is set above the disk's free space instead, which
    tests the 507s and recovery (by a restart with a lower floor) but not a disk filling mid-write."""
    data = work / "disk-fallback"
    free_mb = free_bytes(work) // MB
    server = Server(binary, data, "--min-free-disk-mb", str(free_mb + 1000))
    try:
        server.start()
        client = Client(server.port)
        body = multipart("a.jpg", noise_jpeg(64, 64, 1))
        refused = client.request("POST", "/v1/files?purpose=vision", *body)
        server.stop()
        server.extra = ["--min-free-disk-mb", "16"]
        server.start()
        client = Client(server.port)
        accepted = client.request("POST", "/v1/files?purpose=vision", *body)
        result = {"mode": f"FALLBACK (mount refused: {why}); floor above free space, no ENOSPC test",
                  "statuses": {"below_floor_upload": {refused[0]: 1}, "after_restart": {accepted[0]: 1}},
                  "refusals_are_json_errors": is_error_json(refused[1])}
        result["ok"] = refused[0] == 507 and accepted[0] in (200, 201) and result["refusals_are_json_errors"]
        return result
    finally:
        server.stop()


def phase_slowloris(binary: Path, work: Path, seconds: float, connections: int) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, connections * 2 + 256)), hard))
    server = Server(binary, work / "slowloris")
    server.start()
    try:
        warm(server.port, Workload(faces=False))
        photo = (TESTDATA / "dog.jpg").read_bytes()

        def timed(duration: float) -> tuple[list[float], list[str]]:
            """Normal requests, one after another: a light chat and a resize on a new connection
            each (a new client must get in, not only one already connected)."""
            latencies, errors = [], []
            until = time.monotonic() + duration
            i = 0
            while time.monotonic() < until:
                client = Client(server.port, timeout=30)
                payload = ({"model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": "Say hello."}]}
                           if i % 2 == 0 else
                           {"model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": [
                               {"type": "text", "text": "Resize this image to 320 px wide."},
                               {"type": "image_url", "image_url": {"url": data_url(photo, "image/jpeg")}}]}]})
                try:
                    status, _, elapsed = client.json("POST", "/v1/chat/completions", payload)
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(str(status))
                except (OSError, http.client.HTTPException) as error:
                    errors.append(type(error).__name__)
                client.close()
                i += 1
            return latencies, errors

        baseline, baseline_errors = timed(seconds / 2)
        # The slow clients: each sends a request line, then one header byte at a time.
        socks: list[socket.socket] = []
        refused_connects = 0
        for _ in range(connections):
            try:
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                sock.setblocking(False)
                sock.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                socks.append(sock)
            except OSError:
                refused_connects += 1
        stop = threading.Event()
        closed_by_server = [0]
        trickle = b"X-Slow: " + b"a" * 4096

        def drip() -> None:
            position = 0
            while not stop.is_set():
                byte = trickle[position % len(trickle):position % len(trickle) + 1]
                position += 1
                for sock in list(socks):
                    try:
                        readable, _, _ = select.select([sock], [], [], 0)
                        if readable and not sock.recv(4096, socket.MSG_PEEK):
                            raise ConnectionResetError
                        sock.send(byte)
                    except OSError:
                        closed_by_server[0] += 1
                        socks.remove(sock)
                        sock.close()
                stop.wait(0.5)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(1)
        attacked, attacked_errors = timed(seconds)
        still_open = len(socks)
        stop.set()
        dripper.join()
        for sock in socks:
            sock.close()
        limit = max(3 * percentile(baseline, 99), percentile(baseline, 99) + 0.25)
        result = {
            "slow_connections": connections - refused_connects,
            "seconds": seconds,
            "baseline_n": len(baseline),
            "baseline_p50_ms": round(percentile(baseline, 50) * 1000, 1),
            "baseline_p99_ms": round(percentile(baseline, 99) * 1000, 1),
            "under_attack_n": len(attacked),
            "under_attack_p50_ms": round(percentile(attacked, 50) * 1000, 1),
            "under_attack_p99_ms": round(percentile(attacked, 99) * 1000, 1),
            "errors": len(baseline_errors) + len(attacked_errors),
            "slow_closed_by_server": closed_by_server[0],
            "slow_still_open": still_open,
            "alive": server.alive(),
        }
        result["ok"] = (result["errors"] == 0 and len(attacked) > 0
                        and percentile(attacked, 99) <= limit and server.alive())
        return result
    finally:
        server.stop()


def phase_disconnect(binary: Path, work: Path, clients: int) -> dict:
    server = Server(binary, work / "disconnect")
    server.start()
    try:
        big = noise_jpeg(4000, 3000, 9, quality=80)
        ask = ("Rotate it 90 degrees, then flip it horizontally, then make it grayscale, "
               "then rotate it 180 degrees, then flip it vertically, then blur it.")

        def body(stream: bool) -> bytes:
            return json.dumps({"model": "vlmrun-orion-1:fast", "stream": stream, "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": ask},
                    {"type": "image_url", "image_url": {"url": data_url(big, "image/jpeg")}}]}]}).encode()

        def settle(quiet: float = 0.3, limit: float = 30) -> None:
            """Waits until the server uses (almost) no CPU."""
            until = time.monotonic() + limit
            while time.monotonic() < until:
                before = server.cpu_seconds()
                time.sleep(1)
                if server.cpu_seconds() - before < quiet:
                    return

        # What one plan costs when its client waits for it.
        client = Client(server.port, timeout=300)
        settle()
        cpu0, began = server.cpu_seconds(), time.monotonic()
        status, reply, _ = client.json("POST", "/v1/chat/completions", json.loads(body(False)))
        full_wall, full_cpu = time.monotonic() - began, server.cpu_seconds() - cpu0
        steps = len(((reply.get("vitrine") or {}).get("plan") or {}).get("steps") or [])
        if status != 200:
            raise RuntimeError(f"the heavy plan failed: {status} {str(reply)[:300]}")
        client.close()
        results = {"plan_steps": steps, "full_wall_s": round(full_wall, 2),
                   "full_cpu_s": round(full_cpu, 2), "clients": clients}
        ok = True
        for stream in (False, True):
            settle()
            payload = body(stream)
            head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Bearer {KEY}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n").encode()
            socks = []
            cpu_start = server.cpu_seconds()
            for _ in range(clients):
                sock = socket.create_connection(("127.0.0.1", server.port))
                sock.sendall(head + payload)
                socks.append(sock)
            # Hang up once the plans are running (a quarter of a plan's time in).
            time.sleep(max(0.5, full_wall / 4))
            for sock in socks:
                sock.close()
            cpu_at_hangup = server.cpu_seconds()
            time.sleep(full_wall + 2)
            cpu_after = server.cpu_seconds() - cpu_at_hangup
            # Without cancelling, the rest of every plan would still run.
            expected_rest = max(0.0, clients * full_cpu - (cpu_at_hangup - cpu_start))
            key = "stream" if stream else "plain"
            results[f"{key}_cpu_before_hangup_s"] = round(cpu_at_hangup - cpu_start, 2)
            results[f"{key}_cpu_after_hangup_s"] = round(cpu_after, 2)
            results[f"{key}_cpu_rest_if_not_cancelled_s"] = round(expected_rest, 2)
            ok &= cpu_after <= 0.35 * expected_rest
        # The tenant's work slots came back: a new request is served.
        status, _, _ = Client(server.port).json("POST", "/v1/chat/completions", {
            "model": "vlmrun-orion-1:fast", "messages": [{"role": "user", "content": "Say hello."}]})
        results["served_after"] = status
        results["ok"] = ok and status == 200 and steps >= 5 and server.alive()
        return results
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# Report


def table(results: dict, minutes: float) -> str:
    rows = ["| check | held | figures |", "|---|---|---|"]

    def mark(result: dict) -> str:
        return "yes" if result.get("ok") else "**NO**"

    if "load" in results:
        r = results["load"]
        rows.append(f"| sustained mixed load, {minutes:g} min, {r['concurrency']} connections | {mark(r)} | "
                    f"{r['requests']} requests, {r['req_per_s']} req/s, p50 {r['p50_ms']} ms, "
                    f"p99 {r['p99_ms']} ms, errors {r['errors']} |")
        rows.append(f"| RSS flat (after {r['warmup_s']} s warm-up vs end, ≤ 10 %) | "
                    f"{'yes' if abs(r['rss_growth_pct']) <= 10 else '**NO**'} | "
                    f"idle {r['rss_idle_mb']} MB, start {r['rss_start_mb']} MB, end {r['rss_end_mb']} MB "
                    f"({r['rss_growth_pct']:+} %; second half {r['rss_second_half_growth_pct']:+} %), "
                    f"peak {r['rss_peak_mb']} MB, 10 s after the load {r['rss_10s_after_load_mb']} MB |")
    if "kill" in results:
        r = results["kill"]
        rows.append(f"| kill -9 under load, restart | {mark(r)} | {r['acknowledged_files']} uploads + "
                    f"{r['acknowledged_artifacts']} artifacts acknowledged, lost {r['lost']}, "
                    f"changed {r['changed']} (sha256); ready again in {r['restart_s']} s |")
    if "disk" in results:
        r = results["disk"]
        statuses = "; ".join(f"{step}: " + ", ".join(f"{n}×{s}" for s, n in sorted(counts.items()))
                             for step, counts in r["statuses"].items())
        extra = ""
        if "bytes_written_below_floor" in r:
            extra = (f"; written while refused: {r['bytes_written_below_floor']} B, left by the failed "
                     f"write: {r['space_left_by_failed_write_mb']} MB; reads while full: "
                     f"{'ok' if r['reads_while_full'] else 'FAILED'}")
        rows.append(f"| disk full ({r['mode']}) | {mark(r)} | {statuses}{extra} |")
    if "slowloris" in results:
        r = results["slowloris"]
        rows.append(f"| slowloris, {r['slow_connections']} slow connections | {mark(r)} | normal requests "
                    f"p50/p99 {r['baseline_p50_ms']}/{r['baseline_p99_ms']} ms alone, "
                    f"{r['under_attack_p50_ms']}/{r['under_attack_p99_ms']} ms under attack "
                    f"({r['under_attack_n']} requests), errors {r['errors']}; slow connections the server "
                    f"closed meanwhile: {r['slow_closed_by_server']} |")
    if "disconnect" in results:
        r = results["disconnect"]
        rows.append(f"| client disconnects cancel the plan ({r['clients']} clients, {r['plan_steps']}-step plan "
                    f"on 12 MP: {r['full_cpu_s']} s CPU) | {mark(r)} | server CPU after hang-up: "
                    f"{r['plain_cpu_after_hangup_s']} s (plain), {r['stream_cpu_after_hangup_s']} s (stream) "
                    f"vs {r['plain_cpu_rest_if_not_cancelled_s']} / {r['stream_cpu_rest_if_not_cancelled_s']} s "
                    f"if the plans ran on |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="sustained load time (default 10)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--only", default="load,kill,disk,slowloris,disconnect")
    parser.add_argument("--bin", type=Path, required=True, help="the release `vitrine` binary")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    smoke = args.minutes < 1
    work = Path(tempfile.mkdtemp(prefix="vitrine-load-"))
    faces = faces_available()
    results: dict = {}
    began = time.monotonic()
    try:
        for phase in phases:
            print(f"== {phase}", file=sys.stderr, flush=True)
            t0 = time.monotonic()
            if phase == "load":
                results[phase] = phase_load(args.bin, work, args.minutes, args.concurrency, faces)
            elif phase == "kill":
                results[phase] = phase_kill(args.bin, work, 10 if smoke else 20, args.concurrency, faces)
            elif phase == "disk":
                results[phase] = phase_disk(args.bin, work)
            elif phase == "slowloris":
                results[phase] = phase_slowloris(args.bin, work, 6 if smoke else 36, 200 if smoke else 500)
            elif phase == "disconnect":
                results[phase] = phase_disconnect(args.bin, work, 2)
            else:
                parser.error(f"unknown phase {phase}")
            print(f"   {time.monotonic() - t0:.0f} s: {json.dumps(results[phase])}", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"work directory: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    load_avg = os.getloadavg()
    print(f"\nvitrine load and fault suite: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores, load average {load_avg[0]:.1f} at the end, "
          f"{time.monotonic() - began:.0f} s in all\n")
    print(table(results, args.minutes))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r.get("ok") for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
