// The artifact viewer: one dialog that shows any artifact by kind, with its
// provenance next to it.

import { api, signedUrl, signedUrls } from "./api.js";
import { renderGraph } from "./graph.js";
import { parseNpy, maskToCanvas } from "./npy.js";
import { describe, kindOf, remaining } from "./format.js";

const dialog = () => document.getElementById("viewer");
let cleanup = [];

function node(name, attrs = {}, text) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A pan-and-zoom stage holding stacked layers (image, parent, overlay). */
function zoomStage(layers, label) {
  const stage = node("div", { class: "stage", tabindex: 0, role: "group", "aria-label": `${label}: + and - zoom, arrow keys pan, 0 resets` });
  const layer = node("div", { class: "layer" });
  layer.append(...layers);
  stage.appendChild(layer);
  let scale = 1, x = 0, y = 0;
  const apply = () => { layer.style.transform = `translate(${x}px, ${y}px) scale(${scale})`; };
  const zoom = (factor, cx = stage.clientWidth / 2, cy = stage.clientHeight / 2) => {
    const next = Math.min(16, Math.max(1, scale * factor));
    x = cx - (cx - x) * (next / scale);
    y = cy - (cy - y) * (next / scale);
    scale = next;
    if (scale === 1) { x = 0; y = 0; }
    apply();
  };
  stage.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = stage.getBoundingClientRect();
    zoom(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  let drag = null;
  stage.addEventListener("pointerdown", (event) => { drag = { px: event.clientX - x, py: event.clientY - y }; });
  stage.addEventListener("pointermove", (event) => {
    if (drag && scale > 1) { x = event.clientX - drag.px; y = event.clientY - drag.py; apply(); }
  });
  stage.addEventListener("pointerup", () => { drag = null; });
  stage.addEventListener("keydown", (event) => {
    const step = 40;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "+" || event.key === "=") zoom(1.25);
    else if (event.key === "-") zoom(0.8);
    else if (event.key === "0") { scale = 1; x = 0; y = 0; apply(); }
    else if (moves[event.key] && scale > 1) { x += moves[event.key][0]; y += moves[event.key][1]; apply(); }
    else return;
    event.preventDefault();
  });
  const controls = node("div", { class: "controls" });
  const button = (text, action) => {
    const b = node("button", { type: "button" }, text);
    b.addEventListener("click", action);
    return b;
  };
  controls.append(
    button("Zoom in", () => zoom(1.25)),
    button("Zoom out", () => zoom(0.8)),
    button("Reset zoom", () => { scale = 1; x = 0; y = 0; apply(); }),
  );
  return { stage, controls };
}

function image(src, alt) {
  const img = node("img", { src, alt, decoding: "async" });
  return img;
}

/** The first parent of `item` that is an image, if any. */
function imageParent(item, byId) {
  return (item.provenance?.parents ?? []).map((id) => byId.get(id)).find((parent) => parent && kindOf(parent.object_id) === "img");
}

/** Image ancestors of `item`, nearest first (the parent, then its parents…). */
function imageAncestors(item, byId) {
  const found = [];
  const queue = [...(item.provenance?.parents ?? [])];
  while (queue.length) {
    const id = queue.shift();
    const ancestor = byId.get(id);
    if (!ancestor || found.includes(ancestor)) continue;
    if (kindOf(id) === "img") found.push(ancestor);
    queue.push(...(ancestor.provenance?.parents ?? []));
  }
  return found;
}

async function showImage(media, item, session, byId) {
  const ancestors = imageAncestors(item, byId);
  const urls = await signedUrls(session, [item.object_id, ...ancestors.map((ancestor) => ancestor.object_id)]);
  const after = image(urls.get(item.object_id), `${item.object_id}`);
  if (!ancestors.length) {
    const { stage, controls } = zoomStage([after], "Image");
    media.append(controls, stage);
    return;
  }
  // Before (the parent, or an earlier ancestor) left of the divider, after (this image) right.
  const before = image(urls.get(ancestors[0].object_id), `${ancestors[0].object_id} (before)`);
  before.className = "before";
  after.className = "after";
  const { stage, controls } = zoomStage([before, after], "Before and after");
  const slider = node("input", { type: "range", min: 0, max: 100, value: 50, id: "compare", "aria-label": `Divider: before on the left, ${item.object_id} on the right` });
  const label = node("label", { for: "compare" }, "Before / after");
  const apply = () => { after.style.clipPath = `inset(0 0 0 ${slider.value}%)`; };
  slider.addEventListener("input", apply);
  apply();
  const choice = node("select", { id: "compare-with" });
  ancestors.forEach((ancestor, index) => {
    const role = index === 0 ? "parent" : index === ancestors.length - 1 ? "original" : "ancestor";
    choice.appendChild(node("option", { value: ancestor.object_id }, `${ancestor.object_id} (${role}, ${ancestor.provenance?.operation ?? "?"})`));
  });
  choice.addEventListener("change", () => {
    before.src = urls.get(choice.value);
    before.alt = `${choice.value} (before)`;
  });
  controls.append(label, slider, node("label", { for: "compare-with" }, "Before is"), choice);
  media.append(controls, stage);
}

async function showMask(media, item, session, byId) {
  const url = await signedUrl(session, item.object_id);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the mask could not be loaded (${response.status})`);
  const array = parseNpy(await response.arrayBuffer());
  const canvas = node("canvas", { class: "overlay", role: "img", "aria-label": `Mask ${item.object_id}` });
  const set = maskToCanvas(array, canvas);
  const layers = [];
  const parent = imageParent(item, byId) ?? [...byId.values()].find((other) => kindOf(other.object_id) === "img"
    && other.width === array.dims[1] && other.height === array.dims[0]);
  if (parent) layers.push(image(await signedUrl(session, parent.object_id), `${parent.object_id} under the mask`));
  layers.push(canvas);
  const { stage, controls } = zoomStage(layers, "Mask overlay");
  const opacity = node("input", { type: "range", min: 0, max: 100, value: 60, id: "mask-opacity" });
  opacity.addEventListener("input", () => { canvas.style.opacity = opacity.value / 100; });
  canvas.style.opacity = 0.6;
  controls.append(node("label", { for: "mask-opacity" }, "Mask opacity"), opacity,
    node("span", {}, `${array.dims.join("×")} ${array.dtype}, ${set} pixels set${parent ? `, over ${parent.object_id}` : ""}`));
  media.append(controls, stage);
}

async function showSplatArtifact(media, item, session) {
  const holder = node("div", { class: "splat", id: "splat-view" });
  const note = node("p", { role: "status" }, "Loading the 3D reconstruction…");
  media.append(note, holder);
  const { showSplat } = await import("./splat.js");
  const view = await showSplat(holder, await signedUrl(session, item.object_id));
  cleanup.push(() => view.dispose());
  note.textContent = `${view.count || "All"} Gaussians rendered with Spark. Drag or use the arrow keys to orbit, scroll to zoom.`;
}

const PAGE_SCHEMA = {
  properties: { page: { properties: { id: { pattern: "^img_\\w{6}$", type: "string" } }, required: ["id"], type: "object" } },
  required: ["page"], title: "RenderedPage", type: "object",
};

/**
 * A PDF: the browser's own viewer where it has one, and pages rendered to
 * images by the server's `render_pdf_page` tool (a request in this session, so
 * each page becomes an artifact with the PDF as its parent).
 */
function showPdf(media, item, session, url, { model, onChanged }) {
  media.appendChild(node("iframe", { src: url, title: `PDF ${item.object_id}` }));
  const controls = node("div", { class: "controls" });
  const page = node("input", { type: "number", min: 1, value: 1, id: "pdf-page", size: 4 });
  const render = node("button", { type: "button", id: "render-page" }, "Render page as image");
  const status = node("span", { role: "status" });
  const result = node("div", { class: "pdf-page" });
  controls.append(node("label", { for: "pdf-page" }, "Page"), page, render, status);
  media.append(controls, result);
  render.addEventListener("click", async () => {
    render.disabled = true;
    status.textContent = `Rendering page ${page.value}…`;
    try {
      const completion = await api("/v1/chat/completions", {
        method: "POST",
        json: {
          model, session_id: session,
          messages: [{ role: "user", content: `Render page ${Number(page.value)} of ${item.object_id} as an image.` }],
          response_format: { type: "json_schema", schema: PAGE_SCHEMA },
        },
      });
      const made = JSON.parse(completion.choices[0].message.content).page.id;
      const facts = completion.vitrine?.plan?.steps?.find((step) => step.tool === "render_pdf_page")?.facts ?? {};
      result.replaceChildren(node("img", { src: await signedUrl(session, made), alt: `Page ${facts.page ?? page.value} of ${item.object_id} (${made})`, "data-id": made }));
      status.textContent = `Page ${facts.page ?? page.value}${facts.page_count ? ` of ${facts.page_count}` : ""}: ${made}`;
      if (facts.page_count) page.max = facts.page_count;
      await onChanged?.();
    } catch (error) {
      status.textContent = `Could not render: ${error.message}`;
    } finally {
      render.disabled = false;
    }
  });
}

/** Opens the viewer on `id` of `session`; `items` is the session's listing. */
export async function openViewer(id, { session, items, onOpen, model, onChanged }) {
  for (const done of cleanup.splice(0)) done();
  const byId = new Map(items.map((item) => [item.object_id, item]));
  const item = byId.get(id);
  if (!item) return;
  const box = dialog();
  const media = document.getElementById("viewer-media");
  media.replaceChildren();
  media.dataset.kind = kindOf(id);
  document.getElementById("viewer-title").textContent = id;
  const meta = document.getElementById("viewer-meta");
  meta.textContent = describe(item);
  const expiry = node("span", { "data-expires": item.expires_at }, ` · ${remaining(item.expires_at)}`);
  meta.appendChild(expiry);
  const url = await signedUrl(session, id);
  const download = document.getElementById("viewer-download");
  download.href = `${url}&download=1`;
  download.setAttribute("download", item.filename ?? id);
  document.getElementById("viewer-params").textContent = JSON.stringify(item.provenance ?? {}, null, 2);
  renderGraph(document.getElementById("viewer-graph"), items, { focus: id, onOpen });
  if (!box.open) box.showModal();
  try {
    switch (kindOf(id)) {
      case "img": await showImage(media, item, session, byId); break;
      case "arr": await showMask(media, item, session, byId); break;
      case "recon": await showSplatArtifact(media, item, session); break;
      case "vid": {
        const video = node("video", { controls: "", preload: "metadata", src: url, "aria-label": `Video ${id}` });
        media.appendChild(video);
        break;
      }
      case "aud": media.appendChild(node("audio", { controls: "", src: url, "aria-label": `Audio ${id}` })); break;
      case "doc": showPdf(media, item, session, url, { model, onChanged }); break;
      default: media.appendChild(node("p", {}, "No preview for this kind; use Download."));
    }
    media.dataset.ready = "true";
  } catch (error) {
    media.appendChild(node("p", { class: "error", role: "alert" }, `Could not show ${id}: ${error.message}`));
  }
}

export function closeViewer() {
  for (const done of cleanup.splice(0)) done();
  const media = document.getElementById("viewer-media");
  media.replaceChildren();
  delete media.dataset.ready;
  if (dialog().open) dialog().close();
}

export function initViewer() {
  document.getElementById("viewer-close").addEventListener("click", closeViewer);
  dialog().addEventListener("close", () => {
    for (const done of cleanup.splice(0)) done();
    document.getElementById("viewer-media").replaceChildren();
  });
}
