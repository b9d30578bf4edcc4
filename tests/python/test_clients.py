"""The real `vlmrun` and `openai` packages against a live Vitrine server."""

import os
import subprocess
from pathlib import Path

import openai
import pytest
from PIL import Image
from pydantic import BaseModel, Field
from vlmrun.client import VLMRun
from vlmrun.types import ImageRef

from conftest import ASTRONAUT


class RedactionResult(BaseModel):
    redacted_image: ImageRef = Field(..., description="Image with sensitive regions removed")
    notes: str


def data_url(path: Path, mime: str) -> str:
    import base64
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


@pytest.fixture()
def client(server):
    return VLMRun(base_url=server["base_url"], api_key=server["api_key"])


def test_constructor_checks_health(server):
    client = VLMRun(base_url=server["base_url"], api_key=server["api_key"])
    assert client.healthcheck()


REDACT = "Blur all faces and remove any PHI from this image."


def detail(image: Image.Image, box) -> float:
    """Mean absolute difference between neighbouring pixels inside `box`."""
    import numpy as np
    x0, y0, x1, y1 = (int(v) for v in box)
    a = np.asarray(image.convert("L"), dtype=np.float32)[y0:y1, x0:x1]
    return float(np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean())


def test_the_seed_redaction_example_runs_offline(client):
    """The announcement's compliance example, with only base_url changed."""
    response = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [
            {"type": "text", "text": REDACT},
            {"type": "image_url", "image_url": {"url": data_url(ASTRONAUT, "image/png")}},
        ]}],
        response_format={"type": "json_schema", "schema": RedactionResult.model_json_schema()},
    )
    result = RedactionResult.model_validate_json(response.choices[0].message.content)
    assert "face" in result.notes
    redacted = client.artifacts.get(session_id=response.session_id, object_id=result.redacted_image.id)
    assert isinstance(redacted, Image.Image)
    original = Image.open(ASTRONAUT).convert("RGB")
    assert redacted.size == original.size
    steps = response.model_extra["vitrine"]["plan"]["steps"]
    boxes = [face["box"] for step in steps for face in step["facts"].get("faces", [])]
    assert boxes, steps
    for box in boxes:
        assert detail(redacted, box) < detail(original, box) / 4, "the face is unrecognizable, not just soft"


def test_streaming_chunks_carry_the_session(client, media):
    stream = client.agent.completions.create(
        model="vlmrun-orion-1:fast",
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "hi"},
            {"type": "image_url", "image_url": {"url": data_url(media / "photo.jpg", "image/jpeg")}},
        ]}],
        stream=True,
    )
    chunks = list(stream)
    sessions = {chunk.session_id for chunk in chunks}
    assert len(sessions) == 1
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "img_" in text


def test_files_upload_uses_the_md5_cache_and_the_presigned_path(client, media):
    first = client.files.upload(media / "clip.mp4")
    assert first.bytes == (media / "clip.mp4").stat().st_size
    again = client.files.upload(media / "clip.mp4")
    assert again.id == first.id, "the hash lookup finds the earlier upload"
    presigned = client.files.upload(media / "tone.mp3", method="presigned-url")
    assert presigned.bytes == (media / "tone.mp3").stat().st_size
    assert client.files.get(presigned.id).id == presigned.id
    assert any(f.id == first.id for f in client.files.list(limit=50))


def test_artifacts_get_returns_what_the_sdk_promises_for_every_kind(client, media):
    parts = []
    for name in ["photo.jpg", "clip.mp4", "tone.mp3", "scan.pdf", "empty.spz", "mask.npy"]:
        uploaded = client.files.upload(media / name)
        parts.append({"type": "input_file", "file_id": uploaded.id})
    response = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [{"type": "text", "text": "store these"}, *parts]}],
    )
    session = response.session_id
    listing = client.artifacts.list(session_id=session)
    ids = {item.object_id.split("_")[0]: item.object_id for item in listing.items}
    assert set(ids) == {"img", "vid", "aud", "doc", "recon", "arr"}, ids

    image = client.artifacts.get(session_id=session, object_id=ids["img"])
    assert isinstance(image, Image.Image) and image.size == (320, 240)
    for kind, suffix, source in [("vid", ".mp4", "clip.mp4"), ("aud", ".mp3", "tone.mp3"),
                                 ("doc", ".pdf", "scan.pdf"), ("recon", ".spz", "empty.spz")]:
        path = client.artifacts.get(session_id=session, object_id=ids[kind])
        assert isinstance(path, Path) and path.suffix == suffix, (kind, path)
        assert path.read_bytes() == (media / source).read_bytes()
    raw = client.artifacts.get(session_id=session, object_id=ids["arr"])
    import io
    import numpy as np
    assert np.load(io.BytesIO(raw)).shape == (4, 5)


def test_a_second_request_continues_the_session_with_a_ref(client, media):
    first = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": data_url(media / "photo.jpg", "image/jpeg")}}]}],
    )
    ref = first.model_extra["vitrine"]["inputs"][0]["ref"]
    second = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [{"type": "text", "text": f"make {ref} grayscale"}]}],
        extra_body={"session_id": first.session_id},
    )
    assert second.session_id == first.session_id
    made = second.model_extra["vitrine"]["made"]
    assert made and made[0] in second.choices[0].message.content
    gray = client.artifacts.get(session_id=first.session_id, object_id=made[0])
    import numpy as np
    pixels = np.asarray(gray, dtype=np.int16)
    assert np.abs(pixels[..., 0] - pixels[..., 1]).max() <= 2, "the ref from the first request was made grayscale"


def test_other_tenants_cannot_read_the_session(server, client, media):
    response = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": data_url(media / "photo.jpg", "image/jpeg")}}]}],
    )
    other = VLMRun(base_url=server["base_url"], api_key=server["other_key"])
    with pytest.raises(Exception):
        other.artifacts.list(session_id=response.session_id)


def test_the_plain_openai_client_works(server, media):
    client = openai.OpenAI(base_url=server["base_url"] + "/openai", api_key=server["api_key"])
    completion = client.chat.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [
            {"type": "text", "text": REDACT},
            {"type": "image_url", "image_url": {"url": data_url(media / "photo.jpg", "image/jpeg")}}]}],
        response_format={"type": "json_schema", "json_schema": {
            "name": "RedactionResult", "schema": RedactionResult.model_json_schema()}},
    )
    assert RedactionResult.model_validate_json(completion.choices[0].message.content)
    stream = client.chat.completions.create(
        model="vlmrun-orion-1:auto", messages=[{"role": "user", "content": "hello"}], stream=True)
    assert any(chunk.choices and chunk.choices[0].delta.content for chunk in stream)
    with pytest.raises(openai.NotFoundError) as error:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    assert "vlmrun-orion-1" in str(error.value)
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server["base_url"] + "/openai", api_key="wrong-key-123").models.list()


@pytest.mark.parametrize("stream_flag", [[], ["--no-stream"]])
def test_the_vlmrun_chat_cli_prints_and_downloads(server, media, tmp_path, stream_flag):
    out = tmp_path / "artifacts"
    env = dict(os.environ, VLMRUN_BASE_URL=server["base_url"], VLMRUN_API_KEY=server["api_key"],
               HOME=str(tmp_path), NO_COLOR="1")
    result = subprocess.run(
        ["vlmrun", "chat", "Convert this photo to grayscale", "-i", str(media / "photo.jpg"), "--output", str(out),
         *stream_flag],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "img_" in result.stdout
    downloaded = list(out.glob("img_*"))
    assert downloaded, result.stdout
    import numpy as np
    for path in downloaded:
        image = Image.open(path)
        assert image.size == (320, 240)
        pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
        assert np.abs(pixels[..., 0] - pixels[..., 2]).max() <= 2, f"{path.name} is the grayscale result"


def read_spz_positions(path: Path):
    """A small SPZ v2/v3 reader written from the format description, separate
    from the Rust implementation: header, then 24-bit fixed-point positions."""
    import gzip
    import struct
    import numpy as np
    raw = gzip.decompress(path.read_bytes())
    magic, version, count, sh_degree, fractional_bits, _flags, _reserved = struct.unpack_from("<IIIBBBB", raw)
    assert magic == 0x5053474E and version in (2, 3), (hex(magic), version)
    packed = np.frombuffer(raw, dtype=np.uint8, count=count * 9, offset=16).reshape(count, 3, 3).astype(np.int32)
    values = packed[..., 0] | (packed[..., 1] << 8) | (packed[..., 2] << 16)
    values = np.where(values & 0x800000, values - (1 << 24), values)
    return count, sh_degree, values.astype(np.float64) / (1 << fractional_bits)


def test_the_seed_3d_example_returns_an_spz_file(client):
    """The announcement's 3D example (a dog stands in for the table: the shipped
    test photos have no table), through the SDK to an .spz Path."""
    from vlmrun.types import ReconRef

    class Recon3DResponse(BaseModel):
        recon_path: ReconRef = Field(..., description="3D reconstruction artifact (SPZ format)")

    dog = ASTRONAUT.parent / "dog.jpg"
    response = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "Generate a 3D reconstruction of the dog in the image."},
            {"type": "image_url", "image_url": {"url": data_url(dog, "image/jpeg")}},
        ]}],
        response_format={"type": "json_schema", "schema": Recon3DResponse.model_json_schema()},
    )
    result = Recon3DResponse.model_validate_json(response.choices[0].message.content)
    path = client.artifacts.get(session_id=response.session_id, object_id=result.recon_path.id)
    assert isinstance(path, Path) and path.suffix == ".spz"
    count, sh_degree, positions = read_spz_positions(path)
    step = response.model_extra["vitrine"]["plan"]["steps"][0]
    assert step["tool"] == "reconstruct_3d"
    assert count == step["facts"]["gaussians"] and count > 1000
    assert 0 <= sh_degree <= 3
    extent = positions.max(axis=0) - positions.min(axis=0)
    # A masked dog a few metres away: about a metre across, not a whole scene.
    assert (extent > 0.05).all() and (extent < 10).all(), extent
    assert (positions[:, 2] < 0).all(), "in front of the camera (SPZ looks down -z)"


def test_the_seed_try_on_example_runs_against_an_images_provider(try_on_server):
    """The announcement's virtual try-on example, with only base_url changed (and the two
    input URLs pointing at the local stand-in instead of Google Cloud Storage)."""
    from images_stand_in import DRESS_RED

    stand_in = try_on_server["stand_in"]
    client = VLMRun(base_url=try_on_server["base_url"], api_key=try_on_server["api_key"])
    DRESS_URL = f"{stand_in.url}/dress.png"
    PERSON_URL = f"{stand_in.url}/person.png"

    class GeneratedImagesResponse(BaseModel):
        front: ImageRef = Field(..., description="Front view (9:16)")
        back: ImageRef = Field(..., description="Back view (9:16)")
        side: ImageRef = Field(..., description="Side view (9:16)")

    prompt = (
        "You are provided with two images: one of a dress (the first image) and one of a person (the second image). "
        "Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person, ensuring natural fit "
        "and alignment, and that the person appears fully and appropriately dressed. Provide exactly 3 images (9:16 aspect ratio) "
        "as output: one from the front, one from the back, and one from the side."
    )
    response = client.agent.completions.create(
        model="vlmrun-orion-1:auto",
        messages=[{
            "role": "user",
            "content": [
                {"type": "text", "text": prompt},
                {"type": "image_url", "image_url": {"url": DRESS_URL}},
                {"type": "image_url", "image_url": {"url": PERSON_URL}},
            ],
        }],
        response_format={"type": "json_schema", "schema": GeneratedImagesResponse.model_json_schema()},
    )
    result = GeneratedImagesResponse.model_validate_json(response.choices[0].message.content)
    images: list[Image.Image] = [
        client.artifacts.get(session_id=response.session_id, object_id=ref.id)
        for ref in [result.front, result.back, result.side]
    ]

    assert sorted(stand_in.fetched) == ["/dress.png", "/person.png"], "inputs came by URL"
    assert len({result.front.id, result.back.id, result.side.id}) == 3
    # Three edit calls, one per view, each with both images in order, the model and the key.
    assert len(stand_in.edits) == 3
    prompts = [fields["prompt"].lower() for fields, _ in stand_in.edits]
    for view in ["front", "back", "side"]:
        assert sum(f"{view} view" in p for p in prompts) == 1, prompts
    for fields, sent in stand_in.edits:
        assert fields["model"] == "stand-in-image-model"
        assert [im.size for im in sent] == [(300, 400), Image.open(ASTRONAUT).size]
        assert sent[0].getpixel((150, 200)) == DRESS_RED
    assert stand_in.authorization == ["Bearer stand-in-key"] * 3
    for image in images:
        assert isinstance(image, Image.Image)
        width, height = image.size
        assert abs(width / height - 9 / 16) < 0.01, image.size
        # The provider's composite came through: the dress is in the middle.
        red = image.convert("RGB").getpixel((width // 2, height // 2))
        assert all(abs(a - b) < 24 for a, b in zip(red, DRESS_RED)), red
