"""A sample of the paraphrase corpus (crates/vitrine-agent/tests/corpus) through HTTP with the
real `vlmrun` SDK, checked on the downloaded outputs by readers independent of Vitrine's own
models: OpenCV's Haar cascade for faces, the Tesseract CLI for text, a separate SPZ reader for
splats, Pillow for the 9:16 views."""

import base64
import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel
from vlmrun.client import VLMRun
from vlmrun.types import ImageRef, ReconRef

from conftest import ASTRONAUT, REPO

CORPUS = REPO / "crates" / "vitrine-agent" / "tests" / "corpus" / "train.jsonl"
FONT = REPO / "assets" / "fonts"
PHI_LINES = ["Patient: John Smith", "DOB 03/14/1962", "MRN 4482913"]


def corpus_text(entry_id: str) -> str:
    for line in CORPUS.read_text().splitlines():
        entry = json.loads(line)
        if entry["id"] == entry_id:
            return entry["text"]
    raise KeyError(entry_id)


def data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def haar_faces(image: Image.Image):
    import cv2

    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    gray = np.array(image.convert("L"))
    return cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))


def tesseract(image: Image.Image, tmp_path: Path) -> str:
    path = tmp_path / "ocr.png"
    image.save(path)
    return subprocess.run(["tesseract", str(path), "-", "--psm", "6"], capture_output=True,
                          text=True, check=True).stdout


def photo_with_phi() -> Image.Image:
    """The astronaut photo (one face) above a white band with a patient's details."""
    photo = Image.open(ASTRONAUT).convert("RGB")
    band = 150
    sheet = Image.new("RGB", (photo.width, photo.height + band), "white")
    sheet.paste(photo, (0, 0))
    fonts = sorted(FONT.glob("*.ttf"))
    font = ImageFont.truetype(str(fonts[0]), 32) if fonts else ImageFont.load_default(32)
    draw = ImageDraw.Draw(sheet)
    for row, line in enumerate(PHI_LINES):
        draw.text((20, photo.height + 10 + row * 44), line, fill="black", font=font)
    return sheet


def ask(client, text, images, schema):
    content = [{"type": "text", "text": text}]
    content += [{"type": "image_url", "image_url": {"url": url}} for url in images]
    return client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": content}],
        response_format={"type": "json_schema", "schema": schema.model_json_schema()},
    )


@pytest.fixture()
def client(server):
    return VLMRun(base_url=server["base_url"], api_key=server["api_key"])


@pytest.mark.parametrize("entry_id", ["t012", "t262", "t264"])
def test_redaction_wordings_leave_no_face_and_no_readable_phi(client, tmp_path, entry_id):
    class Redacted(BaseModel):
        redacted_image: ImageRef
        notes: str

    original = photo_with_phi()
    # The independent readers see the face and the PHI before redaction.
    assert len(haar_faces(original)) >= 1
    before = tesseract(original, tmp_path)
    assert "Smith" in before and "4482913" in before, before

    response = ask(client, corpus_text(entry_id), [data_url(original)], Redacted)
    result = Redacted.model_validate_json(response.choices[0].message.content)
    redacted = client.artifacts.get(session_id=response.session_id, object_id=result.redacted_image.id)
    tools = [step["tool"] for step in response.model_extra["vitrine"]["plan"]["steps"]]
    assert "blur_faces" in tools and "redact_phi" in tools, tools

    assert redacted.size == original.size
    assert len(haar_faces(redacted)) == 0, "a face is still found by OpenCV"
    after = tesseract(redacted, tmp_path)
    for secret in ["Smith", "4482913", "1962"]:
        assert secret not in after, f"{secret!r} is still readable: {after!r}"


def test_a_3d_wording_for_one_object_returns_only_that_object(client):
    class Recon(BaseModel):
        reconstruction: ReconRef

    import gzip
    import struct

    dog = Image.open(ASTRONAUT.parent / "dog.jpg").convert("RGB")
    response = ask(client, corpus_text("t276"), [data_url(dog)], Recon)
    result = Recon.model_validate_json(response.choices[0].message.content)
    path = client.artifacts.get(session_id=response.session_id, object_id=result.reconstruction.id)
    step = response.model_extra["vitrine"]["plan"]["steps"][0]
    assert step["tool"] == "reconstruct_3d" and "dog" in step["args"]["object"]
    raw = gzip.decompress(Path(path).read_bytes())
    magic, version, count, _sh, bits, _flags, _reserved = struct.unpack_from("<IIIBBBB", raw)
    assert magic == 0x5053474E and version in (2, 3) and count > 1000
    packed = np.frombuffer(raw, dtype=np.uint8, count=count * 9, offset=16).reshape(count, 3, 3)
    values = packed.astype(np.int32)
    values = values[..., 0] | (values[..., 1] << 8) | (values[..., 2] << 16)
    values = np.where(values & 0x800000, values - (1 << 24), values) / (1 << bits)
    extent = values.max(axis=0) - values.min(axis=0)
    # One dog, not the whole scene: well under the room the photo shows.
    assert (extent > 0.05).all() and (extent < 5).all(), extent


def test_a_try_on_wording_makes_three_9_16_views(try_on_server):
    class Views(BaseModel):
        images: list[ImageRef]

    stand_in = try_on_server["stand_in"]
    client = VLMRun(base_url=try_on_server["base_url"], api_key=try_on_server["api_key"])
    response = ask(client, corpus_text("t071"),
                   [f"{stand_in.url}/dress.png", f"{stand_in.url}/person.png"], Views)
    result = Views.model_validate_json(response.choices[0].message.content)
    assert len(result.images) == 3
    for ref in result.images:
        image = client.artifacts.get(session_id=response.session_id, object_id=ref.id)
        assert abs(image.width / image.height - 9 / 16) < 0.01, image.size
