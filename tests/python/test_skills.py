"""Skills through the real `vlmrun` SDK and CLI: a skill folder with a saved plan changes
what runs (`vlmrun chat --skill DIR`), and the SDK's skills client creates, finds and
downloads it (`--skill-id name:latest` then runs the stored one)."""

import io
import json
import os
import subprocess
import zipfile

import numpy as np
import pytest
import requests
from PIL import Image

PLAN = {
    "inputs": [{"name": "photo", "kind": "image"}],
    "steps": [
        {"id": "s1", "tool": "grayscale", "args": {"image": {"$ref": "input:photo"}}},
        {"id": "s2", "tool": "flip", "args": {"image": {"$ref": "step:s1.image"}, "direction": "horizontal"}},
    ],
}
PROMPT = "Give it the zorblax treatment"


@pytest.fixture()
def skill_dir(tmp_path):
    folder = tmp_path / "archive-look"
    folder.mkdir()
    (folder / "SKILL.md").write_text(
        "---\nname: archive-look\ndescription: Gray and mirrored\n---\nMake it gray, then mirror it.\n")
    (folder / "plan.json").write_text(json.dumps(PLAN))
    return folder


@pytest.fixture()
def halves(tmp_path):
    """Bright on the left, dark on the right: a mirror swaps them."""
    image = Image.new("RGB", (64, 32), (20, 20, 200))
    image.paste((250, 240, 30), (0, 0, 32, 32))
    path = tmp_path / "halves.png"
    image.save(path)
    return path


def run_chat(server, tmp_path, *args):
    env = dict(os.environ, VLMRUN_BASE_URL=server["base_url"], VLMRUN_API_KEY=server["api_key"],
               HOME=str(tmp_path), NO_COLOR="1")
    return subprocess.run(["vlmrun", "chat", PROMPT, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def assert_gray_and_mirrored(folder):
    images = list(folder.glob("img_*"))
    assert images, list(folder.iterdir()) if folder.exists() else "no output"
    pixels = np.asarray(Image.open(images[0]).convert("RGB"), dtype=np.int16)
    assert np.abs(pixels[..., 0] - pixels[..., 1]).max() <= 1
    # The dark half is now on the left.
    assert pixels[:, :32, 0].mean() < pixels[:, 32:, 0].mean() - 50


def test_vlmrun_chat_with_a_skill_folder_runs_its_saved_plan(server, tmp_path, skill_dir, halves):
    without = run_chat(server, tmp_path, "-i", str(halves), "--output", str(tmp_path / "none"))
    # Without the skill the words mean nothing here: the answer only names the stored input.
    for path in (tmp_path / "none").glob("img_*"):
        pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
        assert np.abs(pixels[..., 0] - pixels[..., 2]).max() > 100, "not made gray without the skill"

    out = tmp_path / "with-skill"
    result = run_chat(server, tmp_path, "-i", str(halves), "--skill", str(skill_dir), "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert_gray_and_mirrored(out)
    assert without.stdout != result.stdout


def test_the_sdk_skills_client_and_skill_id(server, tmp_path, skill_dir, halves):
    from vlmrun.client import VLMRun

    os.environ["HOME"] = str(tmp_path)  # create_from_directory keeps its zip under ~/.vlmrun
    client = VLMRun(base_url=server["base_url"], api_key=server["api_key"])
    reference = client.skills.create_from_directory(skill_dir)
    assert reference.type == "skill_reference"
    info = client.skills.get(name="archive-look")
    assert (info.id, info.skill_version, info.description) == (reference.skill_id, "1", "Gray and mirrored")
    assert client.skills.get(id=info.id).name == "archive-look"
    assert [skill.name for skill in client.skills.list()] == ["archive-look"]
    updated = client.skills.update(info.id, description="Gray and mirrored, v2")
    assert updated.skill_version == "2"
    assert client.skills.get(name="archive-look", skill_version="1").description == "Gray and mirrored"

    link = client.skills.download(info.id)
    assert link.expires_in and link.expires_in > 0
    bundle = zipfile.ZipFile(io.BytesIO(requests.get(link.download_url, timeout=30).content))
    assert json.loads(bundle.read("plan.json")) == PLAN

    other = VLMRun(base_url=server["base_url"], api_key=server["other_key"])
    assert other.skills.list() == []

    out = tmp_path / "by-id"
    result = run_chat(server, tmp_path, "-i", str(halves), "--skill-id", "archive-look:latest", "--no-stream",
                      "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert_gray_and_mirrored(out)
