"""Starts a real `vitrine serve` on 127.0.0.1 for the client tests.

The binary is the release build scripts/test.sh made through scripts/build.sh
(VITRINE_BIN), started with default model settings: it finds the models where
setup installed them (or VITRINE_MODELS_DIR, which the binary reads itself).
Each server gets its own data directory and API keys.
"""

import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ASTRONAUT = REPO / "crates" / "vitrine-vision" / "testdata" / "astronaut.png"
API_KEY = "python-client-key-1"
OTHER_KEY = "python-other-key-2"


def start_vitrine(*extra_args):
    """Starts `vitrine serve` on a free loopback port; returns (process, base_url, data_dir)."""
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache" / "vitrine-target"))
    binary = os.environ.get("VITRINE_BIN", str(Path(target) / "release" / "vitrine"))
    data_dir = tempfile.mkdtemp(prefix="vitrine-py-")
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--data-dir", data_dir,
         "--api-keys", f"py:{API_KEY},other:{OTHER_KEY}", *extra_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base_url = None
    deadline = time.time() + 30
    lines = []
    while time.time() < deadline and base_url is None:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+/v1)", line)
        if match:
            base_url = match.group(1)
    if base_url is None:
        process.kill()
        raise RuntimeError("vitrine did not start:\n" + "".join(lines))
    # Keep draining the log so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, base_url, data_dir


def stop(process):
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def server():
    process, base_url, data_dir = start_vitrine()
    yield {"base_url": base_url, "api_key": API_KEY, "other_key": OTHER_KEY, "data_dir": data_dir}
    stop(process)


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    """Real files of every kind, made with Pillow and ffmpeg."""
    from PIL import Image, ImageDraw

    root = tmp_path_factory.mktemp("media")
    photo = Image.new("RGB", (320, 240), (30, 90, 160))
    ImageDraw.Draw(photo).ellipse((100, 60, 220, 180), fill=(240, 200, 170))
    photo.save(root / "photo.jpg", quality=90)
    photo.save(root / "scan.pdf")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(root / "clip.mp4")],
        check=True,
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "1",
         "-c:a", "libmp3lame", str(root / "tone.mp3")],
        check=True,
    )
    import gzip
    import struct
    # An SPZ v3 file with no points: 16-byte header inside gzip.
    (root / "empty.spz").write_bytes(gzip.compress(struct.pack("<IIIBBBB", 0x5053474E, 3, 0, 0, 12, 0, 0)))
    import numpy as np
    np.save(root / "mask.npy", np.zeros((4, 5), dtype=np.uint8))
    return root


@pytest.fixture(scope="session")
def try_on_server():
    """A server whose image-gen tools use a local Images API stand-in, and which may fetch the
    stand-in's input images by URL (loopback is refused unless allowed)."""
    from images_stand_in import ImagesStandIn

    stand_in = ImagesStandIn(ASTRONAUT.read_bytes())
    process, base_url, data_dir = start_vitrine(
        "--fetch-allow-hosts", "127.0.0.1",
        "--images-base-url", f"{stand_in.url}/v1",
        "--images-model", "stand-in-image-model",
        "--images-api-key", "stand-in-key",
    )
    yield {"base_url": base_url, "api_key": API_KEY, "stand_in": stand_in}
    stop(process)
    stand_in.close()
