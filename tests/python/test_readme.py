"""README.md's usage examples, run as written against a live `vitrine serve`.

Each example is read from the README itself, so the docs cannot drift from the
code. Only its placeholders are swapped for local fixtures: the base URL and
API key for the test server's, `data:image/jpeg;base64,...` for a real JPEG,
`https://example.com/` for a loopback file server the test server may fetch
from, and `photo.jpg` for a real photo in the working directory.
"""

import base64
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from conftest import API_KEY, ASTRONAUT, REPO, start_vitrine, stop

README = (REPO / "README.md").read_text()
README_BASE_URL = "http://127.0.0.1:8080/v1"
README_KEY = "my-secret-key"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def photo_jpeg() -> bytes:
    out = io.BytesIO()
    Image.open(ASTRONAUT).convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory):
    """A `vitrine serve` that may fetch from a loopback file server standing in for example.com."""
    root = tmp_path_factory.mktemp("example.com")
    (root / "photo.jpg").write_bytes(photo_jpeg())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    process, base_url, _ = start_vitrine("--fetch-allow-hosts", "127.0.0.1")
    yield {"base_url": base_url, "example_com": f"http://127.0.0.1:{files.server_address[1]}/"}
    stop(process)
    files.shutdown()


def localised(code: str, server) -> str:
    data_url = "data:image/jpeg;base64," + base64.b64encode(photo_jpeg()).decode()
    return (code.replace(README_BASE_URL, server["base_url"])
                .replace(README_KEY, API_KEY)
                .replace("data:image/jpeg;base64,...", data_url)
                .replace("https://example.com/", server["example_com"]))


def run_python_block(marker: str, server) -> dict:
    """Runs the README's Python block that contains `marker`; returns its variables."""
    matching = [code for code in blocks("python") if marker in code]
    assert len(matching) == 1, f"one README Python block with {marker!r}"
    namespace: dict = {"__name__": "readme_example"}
    exec(compile(localised(matching[0], server), "README.md", "exec"), namespace)
    return namespace


def test_every_python_block_is_covered():
    """A new Python example in the README needs a test here."""
    markers = ["What did you receive?", "from openai import OpenAI"]
    for code in blocks("python"):
        assert any(marker in code for marker in markers), code
    # Shell blocks: the two commands (not run here: they are what runs the tests), two examples,
    # and the scaled-out deployment, which scripts/cluster.sh starts the same way (same flags and
    # AWS_* variables) for tests/python/test_cluster.py.
    sh_markers = ["scripts/serve.sh", "curl -s http", "vitrine chat", "--store s3://"]
    for code in blocks("sh"):
        assert any(marker in code for marker in sh_markers), code


def test_the_first_vlmrun_example_returns_its_input_as_a_downloadable_image(readme_server):
    variables = run_python_block("What did you receive?", readme_server)
    image, result = variables["image"], variables["result"]
    assert isinstance(image, Image.Image)
    assert image.size == Image.open(ASTRONAUT).size
    assert result.notes.strip()


def test_the_openai_example_lists_models_and_converts_an_image_fetched_by_url(readme_server):
    variables = run_python_block("from openai import OpenAI", readme_server)
    assert "vlmrun-orion-1:auto" in variables["models"]
    session, made = variables["session_id"], variables["made"]
    assert made.startswith("img_") and made in variables["completion"].choices[0].message.content
    from vlmrun.client import VLMRun
    client = VLMRun(base_url=readme_server["base_url"], api_key=API_KEY)
    gray = client.artifacts.get(session_id=session, object_id=made)
    import numpy as np
    pixels = np.asarray(gray.convert("RGB"), dtype=np.int16)
    assert gray.size == Image.open(ASTRONAUT).size
    assert np.abs(pixels[..., 0] - pixels[..., 1]).max() <= 2, "the fetched photo was made grayscale"


def test_the_vlmrun_models_list_works(readme_server):
    """vlmrun's `client.models.list()` reads a bare list of {model, domain}."""
    from vlmrun.client import VLMRun
    models = VLMRun(base_url=readme_server["base_url"], api_key=API_KEY).models.list()
    assert "vlmrun-orion-1:auto" in [model.model for model in models]


def run_sh_block(marker: str, server, directory: Path) -> subprocess.CompletedProcess:
    """Runs the README's shell block that contains `marker` with bash in `directory`,
    with `vitrine` and `vlmrun` on the PATH."""
    matching = [code for code in blocks("sh") if marker in code]
    assert len(matching) == 1, f"one README shell block with {marker!r}"
    binary = Path(os.environ.get("VITRINE_BIN", Path.home() / ".cache" / "vitrine-target" / "release" / "vitrine"))
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{binary.parent}:{venv_bin}:{os.environ['PATH']}", HOME=str(directory),
               NO_COLOR="1")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", localised(matching[0], server)],
                            cwd=directory, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_curl_and_vlmrun_chat_example(readme_server, tmp_path):
    result = run_sh_block("curl -s http", readme_server, tmp_path)
    import numpy as np
    gray = Image.open(tmp_path / "gray.jpg")
    assert gray.size == Image.open(ASTRONAUT).size
    pixels = np.asarray(gray.convert("RGB"), dtype=np.int16)
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() <= 3, "curl downloaded the grayscale image"
    assert "photo" in result.stdout.lower(), result.stdout  # vlmrun chat printed the description


def test_the_vitrine_cli_example(readme_server, tmp_path):
    Image.open(ASTRONAUT).convert("RGB").save(tmp_path / "photo.jpg", quality=92)
    result = run_sh_block("vitrine chat", readme_server, tmp_path)
    (session,) = [path.name for path in (tmp_path / "vitrine-artifacts").iterdir()]
    saved = list((tmp_path / "vitrine-artifacts" / session).glob("img_*"))
    assert saved, result.stdout + result.stderr
    assert all(path.stem in result.stdout for path in saved), result.stdout  # `artifacts list` names them
    assert "face" in result.stdout, result.stdout


def rust_example_project(code: str, directory: Path) -> Path:
    """A cargo project whose `main` runs the README's Rust block as written, then
    prints what the test checks."""
    top, body = [], []
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("use ") or line.startswith("#[derive"):
            top.append(line)
        elif line.startswith("struct "):
            # A struct runs to its closing brace, which may be on the same line.
            while True:
                top.append(lines[index])
                if lines[index].rstrip().endswith("}"):
                    break
                index += 1
        else:
            body.append(line)
        index += 1
    main = "\n".join([
        *top,
        "",
        "#[tokio::main]",
        "async fn main() -> Result<(), Box<dyn std::error::Error>> {",
        *("    " + line for line in body),
        '    let image = redacted.into_image().ok_or("the ref is not an image")?;',
        '    let plan = completion.vitrine.as_ref().map(|extension| extension["plan"].to_string());',
        '    println!("RESULT {} {}", image.width(), image.height());',
        '    println!("NOTES {}", result.notes.replace(\'\\n\', " "));',
        '    println!("PLAN {}", plan.unwrap_or_default());',
        "    Ok(())",
        "}",
    ])
    (directory / "src").mkdir(parents=True)
    (directory / "src" / "main.rs").write_text(main + "\n")
    client = REPO / "crates" / "vitrine-client"
    (directory / "Cargo.toml").write_text(f"""[package]
name = "readme-rust-example"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
vitrine-client = {{ path = "{client}" }}
schemars = {{ version = "1.2.3", default-features = false, features = ["std", "derive"] }}
serde = {{ version = "1", features = ["derive"] }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

# The workspace's release profile, so shared dependencies are reused from the target dir.
[profile.release]
debug = "line-tables-only"

[workspace]
""")
    # The workspace's pinned versions, so nothing new is resolved (the tests run offline).
    shutil.copy(REPO / "Cargo.lock", directory / "Cargo.lock")
    return directory


def test_the_rust_example_runs_with_the_sdk(readme_server, tmp_path):
    (rust,) = blocks("rust")
    project = rust_example_project(localised(rust, readme_server), tmp_path / "example")
    photo = Image.open(ASTRONAUT).convert("RGB")
    photo.save(project / "photo.jpg", quality=92)
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(Path.home() / ".cache" / "vitrine-target"))
    result = subprocess.run(
        ["cargo", "run", "--release", "--offline", "--quiet"],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["RESULT"] == f"{photo.width} {photo.height}", result.stdout
    assert "face" in lines["NOTES"], result.stdout
    assert "blur_faces" in lines["PLAN"], result.stdout
