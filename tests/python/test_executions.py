"""Executions and webhooks through the real `vlmrun` SDK and CLI."""

import base64
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image
from pydantic import BaseModel, Field
from vlmrun.client import VLMRun
from vlmrun.client.types import AgentExecutionConfig
from vlmrun.common.webhook import verify_webhook
from vlmrun.types import ImageRef

from conftest import API_KEY, ASTRONAUT, start_vitrine, stop

WEBHOOK_SECRET = "python-webhook-secret"
REDACT = "Blur all faces and remove any PHI from this image."


class RedactionResult(BaseModel):
    redacted_image: ImageRef = Field(..., description="Image with sensitive regions removed")
    notes: str


class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every POST's raw body and headers."""

    def __init__(self):
        self.posts = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.posts.append((self.headers, body))
                self.send_response(204)
                self.end_headers()
                outer.arrived.set()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def webhook_server():
    receiver = Receiver()
    process, base_url, data_dir = start_vitrine(
        "--webhook-secret", WEBHOOK_SECRET, "--fetch-allow-hosts", "127.0.0.1",
    )
    yield {"base_url": base_url, "receiver": receiver}
    stop(process)
    receiver.close()


def data_url(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def detail(image: Image.Image, box) -> float:
    """Mean absolute difference between neighbouring pixels inside `box`."""
    x0, y0, x1, y1 = (int(v) for v in box)
    a = np.asarray(image.convert("L"), dtype=np.float32)[y0:y1, x0:x1]
    return float(np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean())


def test_execute_wait_download_and_a_verified_webhook(webhook_server):
    client = VLMRun(base_url=webhook_server["base_url"], api_key=API_KEY)
    receiver = webhook_server["receiver"]
    execution = client.agent.execute(
        name="redact-astronaut",
        inputs={"image": {"type": "image_url", "image_url": {"url": data_url(ASTRONAUT, "image/png")}}},
        config=AgentExecutionConfig(prompt=REDACT, json_schema=RedactionResult.model_json_schema()),
        callback_url=receiver.url,
        model="vlmrun-orion-2:auto",
    )
    assert execution.status == "enqueued"
    assert execution.name == "redact-astronaut"
    done = client.executions.wait(execution.id, timeout=300, sleep=1)
    assert done.status == "completed"
    assert done.completed_at is not None
    result = RedactionResult.model_validate(done.response)
    redacted = client.artifacts.get(execution_id=execution.id, object_id=result.redacted_image.id)
    assert isinstance(redacted, Image.Image)
    original = Image.open(ASTRONAUT).convert("RGB")
    assert redacted.size == original.size
    # The faces the plan found are unrecognisable in the download.
    raw = requests.get(f"{webhook_server['base_url']}/agent/executions/{execution.id}",
                       headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30).json()
    boxes = [face["box"] for step in raw["vitrine"]["plan"]["steps"]
             for face in step["facts"].get("faces", [])]
    assert boxes, raw["vitrine"]["plan"]
    for box in boxes:
        assert detail(redacted, box) < detail(original, box) / 4
    assert any(item.id == execution.id for item in client.executions.list(limit=50))

    assert receiver.arrived.wait(60), "the webhook arrived"
    headers, body = receiver.posts[-1]
    signature = headers.get("X-VLMRun-Signature")  # an email.message.Message: any case
    assert verify_webhook(body, signature, WEBHOOK_SECRET)
    assert not verify_webhook(body, signature, "another-secret")
    assert not verify_webhook(body + b" ", signature, WEBHOOK_SECRET)
    payload = json.loads(body)
    assert payload["id"] == execution.id and payload["status"] == "completed"
    assert payload["response"]["redacted_image"]["id"] == result.redacted_image.id
    assert headers.get("X-Vitrine-Delivery", "").startswith("dlv_")


def test_the_execute_and_executions_cli(webhook_server, tmp_path):
    from PIL import ImageDraw

    photo = tmp_path / "photo.jpg"
    image = Image.new("RGB", (160, 120), (30, 90, 160))
    ImageDraw.Draw(image).ellipse((40, 20, 120, 100), fill=(240, 200, 170))
    image.save(photo, quality=90)
    env = dict(os.environ, VLMRUN_BASE_URL=webhook_server["base_url"], VLMRUN_API_KEY=API_KEY,
               HOME=str(tmp_path), NO_COLOR="1")
    run = lambda *args: subprocess.run(["vlmrun", *args], env=env, capture_output=True, text=True, timeout=300)

    submitted = run("execute", "-p", "Convert this photo to grayscale", "-i", str(photo),
                    "--no-wait", "--format", "json")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    execution_id = json.loads(submitted.stdout)["id"]
    waited = run("executions", "get", execution_id, "--wait", "--poll-interval", "1", "--format", "json")
    assert waited.returncode == 0, waited.stdout + waited.stderr
    done = json.loads(waited.stdout)
    assert done["status"] == "completed", done
    made = done["response"]["artifacts"][0]
    client = VLMRun(base_url=webhook_server["base_url"], api_key=API_KEY)
    gray = np.asarray(client.artifacts.get(execution_id=execution_id, object_id=made), dtype=np.int16)
    assert gray.shape[:2] == (120, 160)
    assert np.abs(gray[..., 0] - gray[..., 2]).max() <= 2, "the grayscale result"

    waited_inline = run("execute", "-p", "Convert this photo to grayscale", "-i", str(photo),
                        "--poll-interval", "1", "--format", "json")
    assert waited_inline.returncode == 0, waited_inline.stdout + waited_inline.stderr
    assert json.loads(waited_inline.stdout)["status"] == "completed"
