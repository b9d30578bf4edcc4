"""The web playground in headless Chromium against a live `vitrine serve`.

Chromium is driven over the DevTools protocol (tests/python/cdp.py) with
SwiftShader for WebGL; screenshots of each state go to
$CARGO_TARGET_DIR/playground-screenshots (or VITRINE_SCREENSHOTS).
"""

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cdp import Browser
from conftest import API_KEY, ASTRONAUT

DOG = ASTRONAUT.parent / "dog.jpg"


@pytest.fixture(scope="module")
def shots():
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache" / "vitrine-target"))
    directory = Path(os.environ.get("VITRINE_SCREENSHOTS", Path(target) / "playground-screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture()
def browser():
    browser = Browser()
    yield browser
    browser.close()


def answer_of(browser, index):
    """The parsed JSON answer of the index-th assistant message, once it is done."""
    browser.wait_for(
        f"document.querySelectorAll('.message.assistant')[{index}]?.dataset.done", timeout=300,
        what=f"answer {index}")
    done = browser.evaluate(f"document.querySelectorAll('.message.assistant')[{index}].dataset.done")
    error = browser.evaluate(f"document.querySelectorAll('.message.assistant')[{index}].querySelector('.error')?.textContent")
    assert done == "true", error
    return json.loads(browser.evaluate(
        f"document.querySelectorAll('.message.assistant')[{index}].querySelector('pre.answer').textContent"))


def timeline_of(browser, index):
    return browser.evaluate(
        f"[...document.querySelectorAll('.message.assistant')[{index}].querySelectorAll('.timeline li')]"
        ".map(li => ({cls: li.className, tool: li.dataset.tool || null, event: li.dataset.event || null, text: li.textContent}))")


def choose_example(browser, example_id):
    browser.evaluate(
        f"(() => {{ const s = document.getElementById('example'); s.value = {json.dumps(example_id)};"
        " s.dispatchEvent(new Event('change')); s.focus(); })()")


def sign_in(browser, server, shots=None):
    origin = server["base_url"].removesuffix("/v1")
    browser.navigate(f"{origin}/")
    browser.wait_for("document.getElementById('key-dialog').open", what="the key prompt")
    if shots:
        browser.screenshot(shots / "01-key-prompt.png")
    browser.type_text(API_KEY)
    browser.press("Enter", text="\r")
    browser.wait_for("document.body.dataset.ready === 'true'", what="the page to accept the key")


def open_artifact(browser, artifact_id):
    browser.click(f"#gallery .card[data-id=\"{artifact_id}\"] button.open")
    browser.wait_for(f"document.getElementById('viewer').open && document.getElementById('viewer-title').textContent === '{artifact_id}'"
                     " && document.getElementById('viewer-media').dataset.ready", what=f"the viewer on {artifact_id}")


def close_viewer(browser):
    browser.press("Escape")
    browser.wait_for("!document.getElementById('viewer').open", what="the viewer to close")


def test_redaction_and_3d_in_the_browser(server, browser, shots):
    sign_in(browser, server, shots)
    assert browser.evaluate("sessionStorage.getItem('vitrine.apiKey')") == API_KEY
    assert browser.evaluate("localStorage.length") == 0, "the key is kept in session storage only"

    # Redaction: the announcement's example, on an uploaded photo.
    choose_example(browser, "redaction")
    assert "RedactionResult" in browser.evaluate("document.getElementById('schema').value")
    browser.set_files("#file-input", [ASTRONAUT])
    browser.wait_for("document.querySelectorAll('#attachments li').length === 1", what="the attachment chip")
    browser.click("#send")
    answer = answer_of(browser, 0)
    redacted = answer["redacted_image"]["id"]
    assert redacted.startswith("img_") and answer["notes"]
    timeline = timeline_of(browser, 0)
    stored = [line for line in timeline if line["event"] == "input_stored"]
    steps = [line for line in timeline if line["tool"]]
    assert len(stored) == 1, timeline
    source = stored[0]["text"].split()[2]
    assert source.startswith("img_") and source != redacted
    assert steps and all(line["cls"] == "done" and " ms" in line["text"] for line in steps), timeline
    assert any(redacted in line["text"] for line in steps), "the step that made the redacted image lists it"
    session = browser.evaluate("document.getElementById('session-id').textContent")
    assert len(session) == 32, session
    browser.screenshot(shots / "02-redaction-answer.png")

    # Open the redacted image from the answer's thumbnail: before/after and provenance.
    browser.wait_for(f"document.querySelector('[data-ref=\"{redacted}\"] img')?.complete", what="the thumbnail")
    browser.click(f"[data-ref=\"{redacted}\"]")
    browser.wait_for("document.getElementById('viewer').open && document.getElementById('viewer-media').dataset.ready",
                     what="the viewer")
    browser.wait_for("[...document.querySelectorAll('#viewer-media img')].every(i => i.complete && i.naturalWidth > 0)"
                     " && document.querySelectorAll('#viewer-media img').length === 2", what="before and after images")
    params = json.loads(browser.evaluate("document.getElementById('viewer-params').textContent"))
    assert params["operation"] and params["parents"], params
    parent = params["parents"][0]
    sources = browser.evaluate("[...document.querySelectorAll('#viewer-media img')].map(i => i.getAttribute('src'))")
    assert all("/v1/artifacts/signed/" in src and "signature=" in src and API_KEY not in src for src in sources)
    assert parent in sources[0] and redacted in sources[1], sources
    # The graph links the redacted image back to the uploaded photo, step by step.
    graph_nodes = browser.evaluate("[...document.querySelectorAll('#viewer-graph .node')].map(n => n.dataset.id)")
    assert source in graph_nodes and redacted in graph_nodes and parent in graph_nodes, graph_nodes
    edges = browser.evaluate("[...document.querySelectorAll('#viewer-graph li')].map(li => li.textContent)")
    made_by = {line.split(" → ")[2]: line.split(" → ")[0].split(", ") for line in edges}
    walk, seen = redacted, [redacted]
    while walk in made_by and made_by[walk] != ["input"]:
        walk = made_by[walk][0]
        seen.append(walk)
    assert walk == source, (seen, edges)
    assert browser.evaluate("document.querySelector('#viewer-graph .node.current')?.dataset.id") == redacted
    # Compare against the original photo: the faces really are blurred.
    browser.evaluate(f"(() => {{ const s = document.getElementById('compare-with'); s.value = {json.dumps(source)};"
                     " s.dispatchEvent(new Event('change')); })()")
    browser.wait_for(f"(() => {{ const i = document.querySelector('#viewer-media img.before');"
                     f" return i.getAttribute('src').includes({json.dumps(source)}) && i.complete && i.naturalWidth > 0; }})()",
                     what="the original as the before image")
    differ = browser.evaluate("""(() => {
        const [a, b] = document.querySelectorAll('#viewer-media img');
        const pixels = (img) => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, c.width, c.height).data; };
        const p = pixels(a), q = pixels(b); let n = 0;
        for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i] - q[i]) + Math.abs(p[i+1] - q[i+1]) + Math.abs(p[i+2] - q[i+2]) > 60) n++;
        return [n, p.length / 4];
    })()""")
    assert 0.005 < differ[0] / differ[1] < 0.5, differ
    browser.evaluate("(() => { const s = document.getElementById('compare'); s.value = 30; s.dispatchEvent(new Event('input')); })()")
    assert "30%" in browser.evaluate("document.querySelector('#viewer-media img.after').style.clipPath")
    browser.screenshot(shots / "03-redacted-image-and-provenance.png")
    browser.press("Escape")
    browser.wait_for("!document.getElementById('viewer').open", what="the viewer to close")

    # 3D: the announcement's example, dropped onto the chat, continuing the session.
    choose_example(browser, "recon")
    browser.drop_files("#drop-zone", [DOG])
    browser.wait_for("document.querySelectorAll('#attachments li').length === 1", what="the dropped file")
    browser.click("#send")
    answer = answer_of(browser, 1)
    recon = answer["recon_path"]["id"]
    assert recon.startswith("recon_")
    assert browser.evaluate("document.getElementById('session-id').textContent") == session, "the session continues"
    assert any(line["tool"] == "reconstruct_3d" for line in timeline_of(browser, 1))
    browser.click(f"[data-ref=\"{recon}\"]")
    browser.wait_for("document.getElementById('splat-view')?.dataset.state === 'rendered'", timeout=180,
                     what="the splat to render")
    box = browser.evaluate("(() => { const r = document.querySelector('#splat-view canvas').getBoundingClientRect();"
                           " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()")
    canvas_png = browser.screenshot(shots / "04-splat-canvas.png", clip=box)
    pixels = np.asarray(Image.open(io.BytesIO(canvas_png)).convert("RGB"), dtype=np.int16)
    background = np.array([0x0c, 0x10, 0x14])
    drawn = np.abs(pixels - background).sum(axis=2) > 40
    colours = len(np.unique(pixels.reshape(-1, 3), axis=0))
    assert 0.01 < drawn.mean() < 0.98, f"splats cover {drawn.mean():.3f} of the canvas"
    assert colours > 200, f"only {colours} colours: blank or flat"
    browser.screenshot(shots / "05-splat-viewer.png")
    browser.press("Escape")
    browser.wait_for("!document.getElementById('viewer').open", what="the viewer to close")

    # The gallery lists all four artifacts; the provenance tab draws them.
    cards = browser.evaluate("[...document.querySelectorAll('#gallery .card')].map(c => c.dataset.id)")
    assert {source, redacted, recon} <= set(cards), cards
    assert browser.evaluate("[...document.querySelectorAll('#gallery .expiry')].every(e => e.textContent.startsWith('expires in'))")
    browser.screenshot(shots / "06-gallery.png")
    browser.click("#tab-graph")
    assert browser.evaluate("document.querySelectorAll('#session-graph .node').length") == len(cards)
    browser.screenshot(shots / "07-session-provenance.png")
    # An execution started through the SDK shows up with its status.
    import base64
    from vlmrun.client import VLMRun
    from vlmrun.client.types import AgentExecutionConfig
    client = VLMRun(base_url=server["base_url"], api_key=API_KEY)
    photo = "data:image/png;base64," + base64.b64encode(ASTRONAUT.read_bytes()).decode()
    execution = client.agent.execute(
        name="playground-grayscale",
        inputs={"image": {"type": "image_url", "image_url": {"url": photo}}},
        config=AgentExecutionConfig(prompt="Convert this photo to grayscale."),
        model="vlmrun-orion-1:auto",
    )
    assert client.executions.wait(execution.id, timeout=300, sleep=1).status == "completed"
    browser.click("#tab-executions")
    browser.wait_for(f"[...document.querySelectorAll('#executions tr')].some(r => r.cells[0].textContent === '{execution.id}'"
                     " && r.cells[1].textContent === 'completed')", what="the completed execution")
    browser.screenshot(shots / "08-executions.png")

    errors = browser.errors()
    assert not errors, errors


def test_video_pdf_and_mask_in_the_gallery(server, browser, shots, media, tmp_path):
    mask = np.zeros((240, 320), dtype=np.uint8)
    mask[60:180, 100:220] = 1  # the face in photo.jpg
    np.save(tmp_path / "face-mask.npy", mask)
    sign_in(browser, server)
    browser.set_files("#file-input", [media / "photo.jpg", media / "clip.mp4", media / "scan.pdf", tmp_path / "face-mask.npy"])
    browser.click("#composer-text")
    browser.type_text("store these")
    browser.click("#send")
    browser.wait_for("document.querySelector('.message.assistant')?.dataset.done", timeout=180, what="the answer")
    assert browser.evaluate("document.querySelector('.message.assistant').dataset.done") == "true"
    cards = browser.evaluate("[...document.querySelectorAll('#gallery .card')].map(c => c.dataset.id)")
    by_kind = {card.split("_")[0]: card for card in cards}
    assert set(by_kind) == {"img", "vid", "doc", "arr"}, cards

    # Video: the player reads the clip's length through the signed URL, and seeks.
    open_artifact(browser, by_kind["vid"])
    browser.wait_for("document.querySelector('#viewer-media video')?.readyState >= 1", what="video metadata")
    duration = browser.evaluate("document.querySelector('#viewer-media video').duration")
    assert abs(duration - 2.0) < 0.3, duration
    browser.evaluate("new Promise(r => { const v = document.querySelector('#viewer-media video');"
                     " v.addEventListener('seeked', r, {once: true}); v.currentTime = 1.5; })")
    browser.wait_for("document.querySelector('#viewer-media video').readyState >= 2", what="the frame at 1.5 s")
    browser.screenshot(shots / "09-video.png")
    close_viewer(browser)

    # Mask: drawn over the photo of the same size, exactly the pixels that are set.
    open_artifact(browser, by_kind["arr"])
    browser.wait_for("!!document.querySelector('#viewer-media canvas.overlay')", what="the mask overlay")
    summary = browser.evaluate("document.querySelector('#viewer-media .controls span').textContent")
    assert f"240×320 u1, {int(mask.sum())} pixels set, over {by_kind['img']}" == summary, summary
    browser.screenshot(shots / "10-mask-overlay.png")
    close_viewer(browser)

    # PDF: embedded from its signed URL, and a page rendered by the server's render_pdf_page.
    open_artifact(browser, by_kind["doc"])
    src = browser.evaluate("document.querySelector('#viewer-media iframe').getAttribute('src')")
    assert "/v1/artifacts/signed/" in src and by_kind["doc"] in src and API_KEY not in src
    browser.click("#render-page")
    browser.wait_for("(() => { const i = document.querySelector('.pdf-page img'); return i && i.complete && i.naturalWidth > 0; })()",
                     timeout=120, what="the rendered page")
    page = browser.evaluate("""(() => { const i = document.querySelector('.pdf-page img'); const c = document.createElement('canvas');
        c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);
        const at = (x, y) => [...g.getImageData(Math.floor(x * c.width), Math.floor(y * c.height), 1, 1).data.slice(0, 3)];
        return {id: i.dataset.id, corner: at(0.02, 0.02), centre: at(0.5, 0.5)}; })()""")
    # scan.pdf is the blue photo with a skin-coloured ellipse in the middle.
    assert max(abs(a - b) for a, b in zip(page["corner"], (30, 90, 160))) < 40, page
    assert max(abs(a - b) for a, b in zip(page["centre"], (240, 200, 170))) < 40, page
    assert browser.evaluate("document.querySelector('#viewer-media [role=status]').textContent").startswith("Page 1 of 1")
    browser.wait_for(f"!!document.querySelector('#gallery .card[data-id=\"{page['id']}\"]')", what="the page in the gallery")
    browser.screenshot(shots / "11-pdf.png")
    close_viewer(browser)

    errors = browser.errors()
    assert not errors, errors
