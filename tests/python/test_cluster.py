"""The scaled-out topology: two real `vitrine serve` replicas sharing SeaweedFS (S3) and
PostgreSQL, all started by `scripts/cluster.sh up` on 127.0.0.1 (the way users start it)."""

import hashlib
import io
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from PIL import Image

from conftest import REPO

KEY = "cluster-key-1"
AUTH = {"Authorization": f"Bearer {KEY}"}
LEASE_SECS = 3


def png(width, height, seed):
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 7 + seed) % 256, (y * 5) % 256, (x * y + seed) % 256)
                   for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class Cluster:
    def __init__(self, retention="300s"):
        self.dir = tempfile.mkdtemp(prefix="vitrine-cluster-")
        env = dict(os.environ)
        env["VITRINE_CLUSTER_ARGS"] = (
            f"--api-keys cluster:{KEY} --execution-lease {LEASE_SECS}s "
            f"--fetch-allow-hosts 127.0.0.1 --retention {retention} --sweep-interval 1s"
        )
        env["VITRINE_SERVICES_PARENT"] = str(os.getpid())
        done = subprocess.run([str(REPO / "scripts" / "cluster.sh"), "up", self.dir], env=env,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr
        self.env = dict(line.split("=", 1) for line in done.stdout.split() if "=" in line)
        self.a = self.env["REPLICA_A"]
        self.b = self.env["REPLICA_B"]
        with open(os.path.join(self.dir, "services.env")) as services:
            self.bucket = dict(line.strip().split("=", 1) for line in services
                               if "=" in line)["S3_BUCKET"]

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log")) as log:
            return log.read()

    def down(self):
        subprocess.run([str(REPO / "scripts" / "cluster.sh"), "down", self.dir], timeout=120)

    def services(self, command):
        subprocess.run([str(REPO / "scripts" / "services.sh"), command, self.dir],
                       check=True, timeout=120, capture_output=True)


@pytest.fixture(scope="module")
def cluster():
    cluster = Cluster()
    yield cluster
    cluster.down()


def upload(base, data, name="photo.png"):
    response = requests.post(f"{base}/files", headers=AUTH, timeout=60,
                             files={"file": (name, data, "image/png")}, data={"purpose": "assistants"})
    return response


def chat(base, text, image_url=None, session_id=None):
    content = [{"type": "text", "text": text}]
    if image_url:
        content.append({"type": "image_url", "image_url": {"url": image_url}})
    body = {"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": content}]}
    if session_id:
        body["session_id"] = session_id
    return requests.post(f"{base}/chat/completions", headers=AUTH, json=body, timeout=300)


def data_url(data):
    import base64
    return "data:image/png;base64," + base64.b64encode(data).decode()


def made(response_json):
    return response_json["vitrine"]["made"] if "vitrine" in response_json else response_json["made"]


def test_ready_checks_postgres_and_object_storage(cluster):
    for base in (cluster.a, cluster.b):
        ready = requests.get(f"{base}/ready", timeout=30).json()
        assert ready["status"] == "ready"
        assert "PostgreSQL" in ready["checks"]["store"]["backend"]


def test_an_artifact_made_on_a_reads_from_b_with_the_same_sha256_and_ranges(cluster):
    image = png(200, 150, 1)
    first = chat(cluster.a, "Make it black and white", data_url(image))
    assert first.status_code == 200, first.text
    body = first.json()
    session = body["session_id"]
    listed_a = requests.get(f"{cluster.a}/artifacts/list", params={"session_id": session},
                            headers=AUTH, timeout=30).json()["items"]
    listed_b = requests.get(f"{cluster.b}/artifacts/list", params={"session_id": session},
                            headers=AUTH, timeout=30).json()["items"]
    assert listed_a == listed_b and len(listed_b) >= 2, listed_b
    for item in listed_b:
        got = requests.get(f"{cluster.b}/artifacts", headers=AUTH, timeout=30,
                           params={"session_id": session, "object_id": item["object_id"]})
        assert got.status_code == 200
        assert hashlib.sha256(got.content).hexdigest() == item["sha256"]
        assert len(got.content) == item["bytes"]
        # A range through the other replica: exactly those bytes.
        part = requests.get(f"{cluster.a}/artifacts", timeout=30,
                            headers={**AUTH, "Range": "bytes=10-99"},
                            params={"session_id": session, "object_id": item["object_id"]})
        assert part.status_code == 206
        assert part.content == got.content[10:100]
        assert part.headers["Content-Range"] == f"bytes 10-99/{item['bytes']}"
    # The grayscale output is really gray: every pixel has r == g == b.
    output = [item for item in listed_b if item["provenance"]["operation"] != "ingest.data_url"]
    assert output, listed_b
    pixels = Image.open(io.BytesIO(requests.get(
        f"{cluster.b}/artifacts", headers=AUTH, timeout=30,
        params={"session_id": session, "object_id": output[-1]["object_id"]}).content)).convert("RGB")
    assert all(r == g == b for r, g, b in pixels.getdata())


def test_a_session_started_on_a_continues_on_b(cluster):
    first = chat(cluster.a, "Make it black and white", data_url(png(120, 90, 2)))
    assert first.status_code == 200, first.text
    session = first.json()["session_id"]
    before = requests.get(f"{cluster.a}/artifacts/list", params={"session_id": session},
                          headers=AUTH, timeout=30).json()["items"]
    gray = [i for i in before if i["provenance"]["operation"] != "ingest.data_url"][-1]
    # B continues A's session, working on the artifact A made.
    second = chat(cluster.b, f"Flip {gray['object_id']} horizontally", session_id=session)
    assert second.status_code == 200, second.text
    assert second.json()["session_id"] == session
    after = requests.get(f"{cluster.a}/artifacts/list", params={"session_id": session},
                         headers=AUTH, timeout=30).json()["items"]
    new = [i for i in after if i["object_id"] not in {b["object_id"] for b in before}]
    assert new, (before, after)
    assert any(gray["object_id"] in i["provenance"].get("parents", []) for i in new), new
    fetch = lambda item: Image.open(io.BytesIO(requests.get(
        f"{cluster.a}/artifacts", headers=AUTH, timeout=30,
        params={"session_id": session, "object_id": item["object_id"]}).content)).convert("RGB")
    flipped = [i for i in new if gray["object_id"] in i["provenance"].get("parents", [])][-1]
    import numpy as np
    mirrored = np.asarray(fetch(flipped).transpose(Image.FLIP_LEFT_RIGHT), dtype=np.float32)
    source = np.asarray(fetch(gray), dtype=np.float32)
    # Mirror images of each other (up to the output encoder's rounding), and not the same.
    assert np.abs(mirrored - source).mean() < 1.0
    assert np.abs(np.asarray(fetch(flipped), dtype=np.float32) - source).mean() > 10


def listing(base, session):
    response = requests.get(f"{base}/artifacts/list", params={"session_id": session},
                            headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_object_storage_away_gives_503_with_retry_after_then_recovers_without_restart(cluster):
    first = chat(cluster.a, "Make it black and white", data_url(png(100, 80, 4)))
    assert first.status_code == 200, first.text
    session = first.json()["session_id"]
    before = listing(cluster.b, session)
    cluster.services("stop-s3")
    try:
        refused = chat(cluster.a, "Make it black and white", data_url(png(90, 70, 5)),
                       session_id=session)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"]["code"] == "storage_unavailable"
        uploaded = upload(cluster.b, png(50, 40, 6))
        assert uploaded.status_code == 503 and "Retry-After" in uploaded.headers, uploaded.text
        ready = requests.get(f"{cluster.b}/ready", timeout=30)
        assert ready.status_code == 503
        assert not ready.json()["checks"]["store"]["ok"]
        # Metadata still answers, and no artifact of the refused request is listed.
        assert listing(cluster.a, session) == before
    finally:
        cluster.services("start-s3")
    # Back without restarting either replica.
    deadline = time.time() + 60
    while requests.get(f"{cluster.a}/ready", timeout=30).status_code != 200:
        assert time.time() < deadline, "replica A did not recover"
        time.sleep(0.5)
    again = chat(cluster.a, "Make it black and white", data_url(png(90, 70, 5)), session_id=session)
    assert again.status_code == 200, again.text
    after = listing(cluster.b, session)
    assert len(after) == len(before) + 2, (before, after)
    for item in after:
        got = requests.get(f"{cluster.b}/artifacts", headers=AUTH, timeout=30,
                           params={"session_id": session, "object_id": item["object_id"]})
        assert hashlib.sha256(got.content).hexdigest() == item["sha256"]


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST and answers 500 to the first
    `failures` of them (so the delivery is still owed while both replicas poll)."""

    def __init__(self, failures):
        self.posts = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.posts.append((self.headers.get("X-Vitrine-Delivery"), json.loads(body)))
                self.send_response(500 if len(outer.posts) <= failures else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


# Before the test that kills a replica: both must be alive here.
def test_a_webhook_is_sent_by_one_replica_while_both_look_for_owed_ones(cluster):
    receiver = Receiver(failures=2)
    try:
        created = requests.post(f"{cluster.b}/agent/execute", headers=AUTH, timeout=60, json={
            "model": "vlmrun-orion-1:auto", "batch": True, "callback_url": receiver.url,
            "inputs": {"image": {"type": "image_url", "image_url": {"url": data_url(png(48, 32, 8))}}},
            "config": {"prompt": "Make it black and white"},
        })
        assert created.status_code in (200, 201), created.text
        execution = created.json()["id"]
        deadline = time.time() + 120
        while time.time() < deadline and len(receiver.posts) < 3:
            time.sleep(0.2)
        # Both replicas poll for owed webhooks every second: give them several rounds.
        time.sleep(4)
        assert len(receiver.posts) == 3, receiver.posts
        assert {delivery for delivery, _ in receiver.posts} == {receiver.posts[0][0]}
        assert all(body["id"] == execution for _, body in receiver.posts)
        state = requests.get(f"{cluster.a}/agent/executions/{execution}", headers=AUTH,
                             timeout=30).json()
        deliveries = state["vitrine"]["webhook"]["deliveries"]
        assert [entry["attempt"] for entry in deliveries] == [1, 2, 3], deliveries
        assert [entry["delivered"] for entry in deliveries] == [False, False, True]
    finally:
        receiver.close()


class SlowHost:
    """Serves one PNG at /photo.png; the first request hangs (the replica that makes it is
    about to be killed), later ones answer at once. Counts requests."""

    def __init__(self, data):
        self.requests = 0
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if outer.requests == 1:
                    outer.first_arrived.set()
                    outer.release.wait(60)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/photo.png"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


def test_an_execution_from_a_killed_replica_completes_once_on_the_other(cluster):
    host = SlowHost(png(64, 48, 3))
    try:
        created = requests.post(f"{cluster.a}/agent/execute", headers=AUTH, timeout=60, json={
            "model": "vlmrun-orion-1:auto", "batch": True,
            "inputs": {"image": {"type": "image_url", "image_url": {"url": host.url}}},
            "config": {"prompt": "Make it black and white"},
        })
        assert created.status_code in (200, 201), created.text
        execution = created.json()["id"]
        # Whichever replica claimed it is now fetching the input: kill that one with -9.
        assert host.first_arrived.wait(60), "a worker started the execution"
        owner = requests.get(f"{cluster.a}/agent/executions/{execution}", headers=AUTH, timeout=30).json()
        assert owner["status"] == "running", owner
        victim, survivor = _which_runs(cluster, execution)
        # Under load: uploads to both replicas while the victim dies. Every upload that was
        # acknowledged must read back, with its bytes, from the survivor.
        acknowledged, stop_load = [], threading.Event()

        def load(base, seed):
            index = 0
            while not stop_load.is_set():
                data = png(40, 30, seed * 1000 + index)
                index += 1
                try:
                    response = upload(base, data)
                except requests.RequestException:
                    continue
                if response.status_code == 201:
                    acknowledged.append((response.json()["id"], hashlib.sha256(data).hexdigest()))

        loaders = [threading.Thread(target=load, args=(base, seed))
                   for seed, base in enumerate((cluster.a, cluster.b, cluster.a, cluster.b))]
        for thread in loaders:
            thread.start()
        time.sleep(1.0)
        os.kill(int(cluster.env[f"REPLICA_{victim}_PID"]), signal.SIGKILL)
        time.sleep(1.0)
        stop_load.set()
        for thread in loaders:
            thread.join(60)
        survivor_base = cluster.a if survivor == "A" else cluster.b
        assert len(acknowledged) > 10, len(acknowledged)
        for file_id, digest in acknowledged:
            content = requests.get(f"{survivor_base}/files/{file_id}/content", headers=AUTH,
                                   timeout=30)
            assert content.status_code == 200, (file_id, content.text)
            assert hashlib.sha256(content.content).hexdigest() == digest
        survivor_url = cluster.a if survivor == "A" else cluster.b
        deadline = time.time() + 120
        while time.time() < deadline:
            state = requests.get(f"{survivor_url}/agent/executions/{execution}", headers=AUTH,
                                 timeout=30).json()
            if state["status"] in ("completed", "failed"):
                break
            time.sleep(0.5)
        assert state["status"] == "completed", state
        assert host.requests == 2, "fetched once by the dead replica, once by the survivor"
        listed = requests.get(f"{survivor_url}/agent/executions", headers=AUTH, timeout=30,
                              params={"limit": 100}).json()
        items = listed["data"] if isinstance(listed, dict) and "data" in listed else listed
        assert [item["id"] for item in items].count(execution) == 1
        # It completed once: one session, whose artifacts are the input and one output.
        artifacts = requests.get(f"{survivor_url}/artifacts/list", headers=AUTH, timeout=30,
                                 params={"execution_id": execution}).json()["items"]
        ops = [item["provenance"]["operation"] for item in artifacts]
        assert len([op for op in ops if op.startswith("ingest")]) == 1, ops
    finally:
        host.close()


def _which_runs(cluster, execution):
    """The replica whose log shows it claimed `execution` (workers log the claim)."""
    for _ in range(50):
        for name, other in (("A", "B"), ("B", "A")):
            if execution in cluster.log(f"replica-{name.lower()}"):
                return name, other
        time.sleep(0.1)
    pytest.fail("no replica logged the execution")


@pytest.fixture(scope="module")
def short_lived():
    """A second topology whose artifacts live 20 s: long enough to make and list them on a
    loaded machine, short enough to watch them expire."""
    cluster = Cluster(retention="20s")
    yield cluster
    cluster.down()


def metric(base, name, labels=""):
    """The value of one sample in a replica's /metrics (0 when it is not there yet)."""
    text = requests.get(base.removesuffix("/v1") + "/metrics", timeout=30).text
    for line in text.splitlines():
        if line.startswith(name + labels + " "):
            return float(line.split()[-1])
    return 0.0


def test_expired_artifacts_are_swept_once_by_one_of_the_replicas(short_lived):
    cluster = short_lived
    replicas = (cluster.a, cluster.b)
    swept_before = sum(metric(base, "vitrine_swept_bytes_total") for base in replicas)
    runs_before = [metric(base, "vitrine_sweeps_total", '{result="ok"}') for base in replicas]
    made = chat(cluster.a, "Make it black and white", data_url(png(96, 64, 9)))
    assert made.status_code == 200, made.text
    session = made.json()["session_id"]
    items = listing(cluster.b, session)
    assert len(items) >= 2, items
    total = sum(item["bytes"] for item in items)
    objects = [f"{cluster.env['S3']}/{cluster.bucket}/cluster/artifacts/{session}/{item['object_id']}"
               for item in items]
    for item, url in zip(items, objects):
        stored = requests.get(url, timeout=30)
        assert stored.status_code == 200, url
        assert hashlib.sha256(stored.content).hexdigest() == item["sha256"]

    # Both replicas sweep every second; once the artifacts expire one of them deletes each.
    deadline = time.time() + 90
    swept = 0.0
    while time.time() < deadline:
        swept = sum(metric(base, "vitrine_swept_bytes_total") for base in replicas) - swept_before
        if swept >= total:
            break
        time.sleep(0.5)
    assert swept >= total, f"swept {swept} of {total} bytes"
    # Several more sweeps on each replica: nothing is swept a second time.
    time.sleep(4)
    swept = sum(metric(base, "vitrine_swept_bytes_total") for base in replicas) - swept_before
    assert swept == total, f"swept {swept} bytes for {total} bytes of artifacts"
    runs_after = [metric(base, "vitrine_sweeps_total", '{result="ok"}') for base in replicas]
    assert all(after > before for before, after in zip(runs_before, runs_after)), \
        "both replicas ran the sweeper"

    # The records are tombstones, the bytes are gone from S3, both replicas answer "expired".
    states = subprocess.run(
        ["psql", cluster.env["POSTGRES"], "-At", "-c",
         f"SELECT state FROM artifacts WHERE session_id = '{session}'"],
        capture_output=True, text=True, timeout=30, check=True).stdout.split()
    assert states == ["expired"] * len(items), states
    for url in objects:
        assert requests.get(url, timeout=30).status_code == 404, url
    for base in replicas:
        gone = requests.get(f"{base}/artifacts", headers=AUTH, timeout=30,
                            params={"session_id": session, "object_id": items[0]["object_id"]})
        assert gone.status_code in (404, 410), gone.text
        assert "expired" in gone.json()["error"]["message"], gone.text
