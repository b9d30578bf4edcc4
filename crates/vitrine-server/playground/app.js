// src/api.js
var KEY = "vitrine.apiKey";
var getKey = () => sessionStorage.getItem(KEY);
var setKey = (key) => sessionStorage.setItem(KEY, key);
var forgetKey = () => sessionStorage.removeItem(KEY);
function headers(extra = {}) {
  const key = getKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}
async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error?.message) message = body.error.message;
  } catch {
  }
  const error = new Error(message);
  error.status = response.status;
  return error;
}
async function api(path, { method = "GET", json, body } = {}) {
  const init = { method, headers: headers(json ? { "Content-Type": "application/json" } : {}) };
  if (json !== void 0) init.body = JSON.stringify(json);
  if (body !== void 0) init.body = body;
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}
function upload(file) {
  const form = new FormData();
  form.append("purpose", "assistants");
  form.append("file", file, file.name);
  return api("/v1/files", { method: "POST", body: form });
}
async function* streamChat(request, signal) {
  const response = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ ...request, stream: true }),
    signal
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (; ; ) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
      if (!data) continue;
      if (data === "[DONE]") return;
      yield JSON.parse(data);
    }
  }
}
var signed = /* @__PURE__ */ new Map();
async function signedUrls(session, ids) {
  const now = Date.now() / 1e3;
  const stale = ids.filter((id) => !(signed.get(id)?.expires_at > now + 60));
  if (stale.length) {
    const answer = await api("/v1/artifacts/signed-urls", {
      method: "POST",
      json: { session_id: session, object_ids: stale }
    });
    for (const [id, entry] of Object.entries(answer.urls)) signed.set(id, entry);
  }
  return new Map(ids.map((id) => [id, signed.get(id)?.url]));
}
async function signedUrl(session, id) {
  return (await signedUrls(session, [id])).get(id);
}

// src/examples.js
var ref = (name, kind) => ({
  properties: { id: { pattern: `^${kind}_\\w{6}$`, title: "Id", type: "string" } },
  required: ["id"],
  title: name,
  type: "object"
});
var EXAMPLES = [
  {
    id: "redaction",
    label: "Redaction (announcement)",
    prompt: "Blur all faces and remove any PHI from this image.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: {
        redacted_image: { $ref: "#/$defs/ImageRef", description: "Image with sensitive regions removed" },
        notes: { title: "Notes", type: "string" }
      },
      required: ["redacted_image", "notes"],
      title: "RedactionResult",
      type: "object"
    }
  },
  {
    id: "recon",
    label: "3D reconstruction (announcement)",
    prompt: "Generate a 3D reconstruction of the dog in the image.",
    schema: {
      $defs: { ReconRef: ref("ReconRef", "recon") },
      properties: { recon_path: { $ref: "#/$defs/ReconRef", description: "3D reconstruction artifact (SPZ format)" } },
      required: ["recon_path"],
      title: "Recon3DResponse",
      type: "object"
    }
  },
  {
    id: "try-on",
    label: "Virtual try-on (announcement; needs an images provider)",
    prompt: "You are provided with two images: one of a dress (the first image) and one of a person (the second image). Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person, ensuring natural fit and alignment, and that the person appears fully and appropriately dressed. Provide exactly 3 images (9:16 aspect ratio) as output: one from the front, one from the back, and one from the side.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: {
        front: { $ref: "#/$defs/ImageRef", description: "Front view (9:16)" },
        back: { $ref: "#/$defs/ImageRef", description: "Back view (9:16)" },
        side: { $ref: "#/$defs/ImageRef", description: "Side view (9:16)" }
      },
      required: ["front", "back", "side"],
      title: "GeneratedImagesResponse",
      type: "object"
    }
  },
  {
    id: "grayscale",
    label: "Grayscale copy",
    prompt: "Convert this photo to grayscale.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { image: { $ref: "#/$defs/ImageRef", description: "The grayscale image" } },
      required: ["image"],
      title: "GrayscaleResult",
      type: "object"
    }
  },
  {
    id: "faces",
    label: "Count faces",
    prompt: "How many faces are in this image?",
    schema: {
      properties: { face_count: { type: "integer", description: "Number of faces" } },
      required: ["face_count"],
      title: "FaceCount",
      type: "object"
    }
  },
  {
    id: "text",
    label: "Read the text (OCR)",
    prompt: "What text is in this image?",
    schema: null
  },
  {
    id: "video-thumbnail",
    label: "Video thumbnail",
    prompt: "Give me a thumbnail of this video.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { thumbnail: { $ref: "#/$defs/ImageRef", description: "A representative frame" } },
      required: ["thumbnail"],
      title: "VideoThumbnail",
      type: "object"
    }
  },
  {
    id: "pdf-page",
    label: "Render a PDF page",
    prompt: "Render page 1 of this PDF as an image.",
    schema: {
      $defs: { ImageRef: ref("ImageRef", "img") },
      properties: { page: { $ref: "#/$defs/ImageRef", description: "Page 1 as an image" } },
      required: ["page"],
      title: "RenderedPage",
      type: "object"
    }
  }
];

// src/format.js
var REF = /\b(?:img|vid|aud|doc|recon|arr|url)_[0-9a-f]{6}\b/g;
var kindOf = (id) => id.split("_")[0];
var KIND_NAMES = { img: "image", vid: "video", aud: "audio", doc: "PDF", recon: "3D splat", arr: "array", url: "URL" };
var kindName = (id) => KIND_NAMES[kindOf(id)] ?? "artifact";
function bytes(size) {
  if (size < 1e3) return `${size} B`;
  if (size < 1e6) return `${(size / 1e3).toFixed(1)} KB`;
  return `${(size / 1e6).toFixed(1)} MB`;
}
function describe(item) {
  const facts = [kindName(item.object_id), item.content_type];
  if (item.width && item.height) facts.push(`${item.width}\xD7${item.height}`);
  facts.push(bytes(item.bytes));
  return facts.join(" \xB7 ");
}
function remaining(expiresAt) {
  const left = Math.max(0, Math.round(expiresAt - Date.now() / 1e3));
  if (!left) return "expired";
  const h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
  return `expires in ${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}
function refsIn(value, found = /* @__PURE__ */ new Set()) {
  if (typeof value === "string") for (const match of value.matchAll(REF)) found.add(match[0]);
  else if (Array.isArray(value)) value.forEach((entry) => refsIn(entry, found));
  else if (value && typeof value === "object") Object.values(value).forEach((entry) => refsIn(entry, found));
  return found;
}

// src/graph.js
var SVG = "http://www.w3.org/2000/svg";
var NODE_W = 118;
var OP_W = 112;
var H = 26;
var COL = 250;
var ROW = 44;
var PAD = 8;
function el(name, attrs = {}, parent) {
  const node3 = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node3.setAttribute(key, value);
  if (parent) parent.appendChild(node3);
  return node3;
}
function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;
}
function selection(items, focus) {
  const byId = new Map(items.map((item) => [item.object_id, item]));
  if (!focus) return items;
  const keep = /* @__PURE__ */ new Set([focus]);
  const stack = [focus];
  while (stack.length) {
    const item = byId.get(stack.pop());
    for (const parent of item?.provenance?.parents ?? []) {
      if (!keep.has(parent) && byId.has(parent)) {
        keep.add(parent);
        stack.push(parent);
      }
    }
  }
  for (const item of items) {
    if ((item.provenance?.parents ?? []).includes(focus)) keep.add(item.object_id);
  }
  return items.filter((item) => keep.has(item.object_id));
}
function renderGraph(container, items, { focus = null, onOpen = () => {
} } = {}) {
  container.replaceChildren();
  const shown = selection(items, focus);
  if (!shown.length) {
    const empty = document.createElement("p");
    empty.textContent = "No artifacts yet.";
    container.appendChild(empty);
    return;
  }
  const ids = new Set(shown.map((item) => item.object_id));
  const depth = /* @__PURE__ */ new Map();
  const depthOf = (item, seen = /* @__PURE__ */ new Set()) => {
    if (depth.has(item.object_id)) return depth.get(item.object_id);
    seen.add(item.object_id);
    const parents = (item.provenance?.parents ?? []).filter((id) => ids.has(id) && !seen.has(id));
    const value = parents.length ? 1 + Math.max(...parents.map((id) => depthOf(shown.find((other) => other.object_id === id), seen))) : 0;
    depth.set(item.object_id, value);
    return value;
  };
  shown.forEach((item) => depthOf(item));
  const rows = /* @__PURE__ */ new Map();
  const position = /* @__PURE__ */ new Map();
  for (const item of shown) {
    const column = depth.get(item.object_id);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(item.object_id, { x: PAD + OP_W + 24 + column * COL, y: PAD + row * ROW });
  }
  const width = PAD * 2 + OP_W + 24 + (Math.max(...depth.values()) + 1) * COL - (COL - NODE_W);
  const height = PAD * 2 + Math.max(...rows.values()) * ROW - (ROW - H);
  const label = focus ? `Provenance of ${focus}` : "Provenance of the session's artifacts";
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "group", "aria-label": label });
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const title = el("title", {}, svg);
  title.textContent = label;
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#b8c2cc" }, marker);
  const description = [];
  for (const item of shown) {
    const { x, y } = position.get(item.object_id);
    const provenance = item.provenance ?? {};
    const operation = provenance.operation ?? "unknown";
    const ox = x - OP_W - 24;
    const op = el("g", { class: "op" }, svg);
    el("rect", { x: ox, y, width: OP_W, height: H, rx: 12 }, op);
    const opText = el("text", { x: ox + 8, y: y + 17 }, op);
    opText.textContent = clip(operation, 16);
    el("title", {}, op).textContent = operation;
    el("path", { class: "edge", d: `M${ox + OP_W},${y + H / 2} L${x},${y + H / 2}` }, svg);
    const parents = (provenance.parents ?? []).filter((id) => ids.has(id));
    for (const parent of parents) {
      const from = position.get(parent);
      const startX = from.x + NODE_W, startY = from.y + H / 2;
      el("path", { class: "edge", d: `M${startX},${startY} C${startX + 20},${startY} ${ox - 20},${y + H / 2} ${ox},${y + H / 2}` }, svg);
    }
    description.push(`${parents.length ? parents.join(", ") : "input"} \u2192 ${operation} \u2192 ${item.object_id}`);
    const node3 = el("g", {
      class: `node${item.object_id === focus ? " current" : ""}`,
      tabindex: 0,
      role: "button",
      "aria-label": `Open ${item.object_id}, made by ${operation}`,
      "data-id": item.object_id
    }, svg);
    el("rect", { x, y, width: NODE_W, height: H, rx: 4 }, node3);
    const text = el("text", { x: x + 8, y: y + 17 }, node3);
    text.textContent = clip(item.object_id, 16);
    el("title", {}, node3).textContent = item.object_id;
    node3.addEventListener("click", () => onOpen(item.object_id));
    node3.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onOpen(item.object_id);
      }
    });
  }
  container.appendChild(svg);
  const list = document.createElement("ul");
  list.className = "visually-hidden";
  list.setAttribute("aria-label", "Provenance edges");
  for (const line of description) {
    const entry = document.createElement("li");
    entry.textContent = line;
    list.appendChild(entry);
  }
  container.appendChild(list);
}

// src/npy.js
var TYPES = {
  b1: Uint8Array,
  u1: Uint8Array,
  i1: Int8Array,
  u2: Uint16Array,
  i2: Int16Array,
  u4: Uint32Array,
  i4: Int32Array,
  f4: Float32Array,
  f8: Float64Array
};
function parseNpy(buffer) {
  const bytes2 = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes2.slice(1, 6));
  if (bytes2[0] !== 147 || magic !== "NUMPY") throw new Error("not a .npy file");
  const view = new DataView(buffer);
  const major = bytes2[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start2 = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes2.slice(start2, start2 + headerLength));
  const descr = /'descr':\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shape) throw new Error("unreadable .npy header");
  if (/'fortran_order':\s*True/.test(header)) throw new Error("Fortran-order arrays are not shown");
  if (descr[1] === ">") throw new Error("big-endian arrays are not shown");
  const Type = TYPES[descr[2]];
  if (!Type) throw new Error(`arrays of ${descr[2]} are not shown`);
  const dims = shape[1].split(",").map((part) => part.trim()).filter(Boolean).map(Number);
  const offset = start2 + headerLength;
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Type(buffer.slice(offset, offset + count * Type.BYTES_PER_ELEMENT));
  return { dims, data, dtype: descr[2] };
}
function maskToCanvas({ dims, data }, canvas, rgba = [255, 64, 64, 150]) {
  if (dims.length < 2 || dims.length === 3 && dims[2] !== 1 || dims.length > 3) {
    throw new Error(`a mask must be 2-D, not ${dims.join("\xD7")}`);
  }
  const [height, width] = dims;
  let max = 0;
  for (const value of data) if (value > max) max = value;
  const threshold = max > 1 ? max / 2 : 0.5;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image2 = context.createImageData(width, height);
  let set = 0;
  for (let i = 0; i < width * height; i++) {
    if (data[i] >= threshold && data[i] > 0) {
      image2.data.set(rgba, i * 4);
      set++;
    }
  }
  context.putImageData(image2, 0, 0);
  return set;
}

// src/viewer.js
var dialog = () => document.getElementById("viewer");
var cleanup = [];
function node(name, attrs = {}, text) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== void 0) element.textContent = text;
  return element;
}
function zoomStage(layers, label) {
  const stage = node("div", { class: "stage", tabindex: 0, role: "group", "aria-label": `${label}: + and - zoom, arrow keys pan, 0 resets` });
  const layer = node("div", { class: "layer" });
  layer.append(...layers);
  stage.appendChild(layer);
  let scale = 1, x = 0, y = 0;
  const apply = () => {
    layer.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
  };
  const zoom = (factor, cx = stage.clientWidth / 2, cy = stage.clientHeight / 2) => {
    const next = Math.min(16, Math.max(1, scale * factor));
    x = cx - (cx - x) * (next / scale);
    y = cy - (cy - y) * (next / scale);
    scale = next;
    if (scale === 1) {
      x = 0;
      y = 0;
    }
    apply();
  };
  stage.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = stage.getBoundingClientRect();
    zoom(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  let drag = null;
  stage.addEventListener("pointerdown", (event) => {
    drag = { px: event.clientX - x, py: event.clientY - y };
  });
  stage.addEventListener("pointermove", (event) => {
    if (drag && scale > 1) {
      x = event.clientX - drag.px;
      y = event.clientY - drag.py;
      apply();
    }
  });
  stage.addEventListener("pointerup", () => {
    drag = null;
  });
  stage.addEventListener("keydown", (event) => {
    const step = 40;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "+" || event.key === "=") zoom(1.25);
    else if (event.key === "-") zoom(0.8);
    else if (event.key === "0") {
      scale = 1;
      x = 0;
      y = 0;
      apply();
    } else if (moves[event.key] && scale > 1) {
      x += moves[event.key][0];
      y += moves[event.key][1];
      apply();
    } else return;
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
    button("Reset zoom", () => {
      scale = 1;
      x = 0;
      y = 0;
      apply();
    })
  );
  return { stage, controls };
}
function image(src, alt) {
  const img = node("img", { src, alt, decoding: "async" });
  return img;
}
function imageParent(item, byId) {
  return (item.provenance?.parents ?? []).map((id) => byId.get(id)).find((parent) => parent && kindOf(parent.object_id) === "img");
}
function imageAncestors(item, byId) {
  const found = [];
  const queue = [...item.provenance?.parents ?? []];
  while (queue.length) {
    const id = queue.shift();
    const ancestor = byId.get(id);
    if (!ancestor || found.includes(ancestor)) continue;
    if (kindOf(id) === "img") found.push(ancestor);
    queue.push(...ancestor.provenance?.parents ?? []);
  }
  return found;
}
async function showImage(media, item, session, byId) {
  const ancestors = imageAncestors(item, byId);
  const urls = await signedUrls(session, [item.object_id, ...ancestors.map((ancestor) => ancestor.object_id)]);
  const after = image(urls.get(item.object_id), `${item.object_id}`);
  if (!ancestors.length) {
    const { stage: stage2, controls: controls2 } = zoomStage([after], "Image");
    media.append(controls2, stage2);
    return;
  }
  const before = image(urls.get(ancestors[0].object_id), `${ancestors[0].object_id} (before)`);
  before.className = "before";
  after.className = "after";
  const { stage, controls } = zoomStage([before, after], "Before and after");
  const slider = node("input", { type: "range", min: 0, max: 100, value: 50, id: "compare", "aria-label": `Divider: before on the left, ${item.object_id} on the right` });
  const label = node("label", { for: "compare" }, "Before / after");
  const apply = () => {
    after.style.clipPath = `inset(0 0 0 ${slider.value}%)`;
  };
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
  const parent = imageParent(item, byId) ?? [...byId.values()].find((other) => kindOf(other.object_id) === "img" && other.width === array.dims[1] && other.height === array.dims[0]);
  if (parent) layers.push(image(await signedUrl(session, parent.object_id), `${parent.object_id} under the mask`));
  layers.push(canvas);
  const { stage, controls } = zoomStage(layers, "Mask overlay");
  const opacity = node("input", { type: "range", min: 0, max: 100, value: 60, id: "mask-opacity" });
  opacity.addEventListener("input", () => {
    canvas.style.opacity = opacity.value / 100;
  });
  canvas.style.opacity = 0.6;
  controls.append(
    node("label", { for: "mask-opacity" }, "Mask opacity"),
    opacity,
    node("span", {}, `${array.dims.join("\xD7")} ${array.dtype}, ${set} pixels set${parent ? `, over ${parent.object_id}` : ""}`)
  );
  media.append(controls, stage);
}
async function showSplatArtifact(media, item, session) {
  const holder = node("div", { class: "splat", id: "splat-view" });
  const note = node("p", { role: "status" }, "Loading the 3D reconstruction\u2026");
  media.append(note, holder);
  const { showSplat } = await import("./splat.js");
  const view = await showSplat(holder, await signedUrl(session, item.object_id));
  cleanup.push(() => view.dispose());
  note.textContent = `${view.count || "All"} Gaussians rendered with Spark. Drag or use the arrow keys to orbit, scroll to zoom.`;
}
var PAGE_SCHEMA = {
  properties: { page: { properties: { id: { pattern: "^img_\\w{6}$", type: "string" } }, required: ["id"], type: "object" } },
  required: ["page"],
  title: "RenderedPage",
  type: "object"
};
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
    status.textContent = `Rendering page ${page.value}\u2026`;
    try {
      const completion = await api("/v1/chat/completions", {
        method: "POST",
        json: {
          model,
          session_id: session,
          messages: [{ role: "user", content: `Render page ${Number(page.value)} of ${item.object_id} as an image.` }],
          response_format: { type: "json_schema", schema: PAGE_SCHEMA }
        }
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
async function openViewer(id, { session, items, onOpen, model, onChanged }) {
  for (const done of cleanup.splice(0)) done();
  const byId = new Map(items.map((item2) => [item2.object_id, item2]));
  const item = byId.get(id);
  if (!item) return;
  const box = dialog();
  const media = document.getElementById("viewer-media");
  media.replaceChildren();
  media.dataset.kind = kindOf(id);
  document.getElementById("viewer-title").textContent = id;
  const meta = document.getElementById("viewer-meta");
  meta.textContent = describe(item);
  const expiry = node("span", { "data-expires": item.expires_at }, ` \xB7 ${remaining(item.expires_at)}`);
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
      case "img":
        await showImage(media, item, session, byId);
        break;
      case "arr":
        await showMask(media, item, session, byId);
        break;
      case "recon":
        await showSplatArtifact(media, item, session);
        break;
      case "vid": {
        const video = node("video", { controls: "", preload: "metadata", src: url, "aria-label": `Video ${id}` });
        media.appendChild(video);
        break;
      }
      case "aud":
        media.appendChild(node("audio", { controls: "", src: url, "aria-label": `Audio ${id}` }));
        break;
      case "doc":
        showPdf(media, item, session, url, { model, onChanged });
        break;
      default:
        media.appendChild(node("p", {}, "No preview for this kind; use Download."));
    }
    media.dataset.ready = "true";
  } catch (error) {
    media.appendChild(node("p", { class: "error", role: "alert" }, `Could not show ${id}: ${error.message}`));
  }
}
function closeViewer() {
  for (const done of cleanup.splice(0)) done();
  const media = document.getElementById("viewer-media");
  media.replaceChildren();
  delete media.dataset.ready;
  if (dialog().open) dialog().close();
}
function initViewer() {
  document.getElementById("viewer-close").addEventListener("click", closeViewer);
  dialog().addEventListener("close", () => {
    for (const done of cleanup.splice(0)) done();
    document.getElementById("viewer-media").replaceChildren();
  });
}

// src/app.js
var TOOLSETS = ["core", "image", "image-gen", "world-gen", "viz", "document", "video", "web"];
var $ = (id) => document.getElementById(id);
var state = {
  session: sessionStorage.getItem("vitrine.session"),
  items: [],
  attachments: [],
  abort: null
};
function node2(name, attrs = {}, text) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== void 0) element.textContent = text;
  return element;
}
function setSession(id) {
  state.session = id;
  if (id) sessionStorage.setItem("vitrine.session", id);
  else sessionStorage.removeItem("vitrine.session");
  $("session-id").textContent = id ?? "new";
}
async function checkKey() {
  await api("/v1/openai/models");
}
function askForKey(message = "") {
  $("key-error").textContent = message;
  $("key-input").value = "";
  $("key-dialog").showModal();
  $("key-input").focus();
}
$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setKey($("key-input").value.trim());
  try {
    await checkKey();
    $("key-dialog").close();
    await start();
  } catch (error) {
    forgetKey();
    $("key-error").textContent = error.message;
  }
});
$("key-dialog").addEventListener("cancel", (event) => event.preventDefault());
$("forget-key").addEventListener("click", () => {
  forgetKey();
  askForKey();
});
function renderAttachments() {
  const list = $("attachments");
  list.replaceChildren();
  state.attachments.forEach((file, index) => {
    const item = node2("li", {}, `${file.name} (${bytes(file.size)})`);
    const remove = node2("button", { type: "button", "aria-label": `Remove ${file.name}` }, "\xD7");
    remove.addEventListener("click", () => {
      state.attachments.splice(index, 1);
      renderAttachments();
    });
    item.appendChild(remove);
    list.appendChild(item);
  });
}
function attach(files) {
  for (const file of files) state.attachments.push(file);
  renderAttachments();
}
$("file-input").addEventListener("change", (event) => {
  attach(event.target.files);
  event.target.value = "";
});
var zone = $("drop-zone");
var chat = document.querySelector(".chat");
chat.addEventListener("dragover", (event) => {
  event.preventDefault();
  zone.classList.add("over");
});
chat.addEventListener("dragleave", (event) => {
  if (!chat.contains(event.relatedTarget)) zone.classList.remove("over");
});
chat.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  attach(event.dataTransfer.files);
});
for (const example of EXAMPLES) $("example").appendChild(node2("option", { value: example.id }, example.label));
$("example").addEventListener("change", () => {
  const example = EXAMPLES.find((candidate) => candidate.id === $("example").value);
  if (!example) return;
  $("composer-text").value = example.prompt;
  $("schema").value = example.schema ? JSON.stringify(example.schema, null, 2) : "";
  $("schema-title").textContent = example.schema?.title ? `: ${example.schema.title}` : "";
  $("schema-error").textContent = "";
});
for (const name of TOOLSETS) {
  const id = `toolset-${name}`;
  const label = node2("label", { for: id });
  label.append(node2("input", { type: "checkbox", id, value: name }), ` ${name}`);
  $("toolsets").appendChild(label);
}
async function loadModels() {
  const select = $("model");
  if (select.options.length) return;
  const models = await api("/v1/openai/models");
  for (const model of models.data) select.appendChild(node2("option", { value: model.id }, model.id));
  select.value = "vlmrun-orion-1:auto";
}
function schemaOrNull() {
  const text = $("schema").value.trim();
  $("schema-error").textContent = "";
  if (!text) return null;
  try {
    const schema = JSON.parse(text);
    if (typeof schema !== "object" || Array.isArray(schema) || schema === null) throw new Error("the schema must be a JSON object");
    return schema;
  } catch (error) {
    $("schema-details").open = true;
    $("schema-error").textContent = `The schema is not valid JSON: ${error.message}`;
    throw error;
  }
}
function addMessage(role) {
  const item = node2("li", { class: `message ${role}` });
  item.appendChild(node2("p", { class: "who" }, role === "user" ? "You" : "Vitrine"));
  $("messages").appendChild(item);
  return item;
}
async function refThumbnails(ids) {
  const row = node2("div", { class: "refs", role: "list", "aria-label": "Artifacts in the answer" });
  if (!ids.length || !state.session) return row;
  await refreshGallery();
  const known = ids.filter((id) => state.items.some((item) => item.object_id === id));
  const urls = known.length ? await signedUrls(state.session, known) : /* @__PURE__ */ new Map();
  for (const id of known) {
    const button = node2("button", { type: "button", class: "ref", role: "listitem", "data-ref": id, "aria-label": `Open ${kindName(id)} ${id}` });
    if (kindOf(id) === "img") button.appendChild(node2("img", { class: "thumb", src: urls.get(id), alt: "" }));
    else button.appendChild(node2("span", { class: "thumb" }, kindName(id)));
    button.appendChild(node2("span", {}, id));
    button.addEventListener("click", () => open(id));
    row.appendChild(button);
  }
  return row;
}
function stepLine(timeline, step) {
  let line = timeline.querySelector(`[data-step="${CSS.escape(step)}"]`);
  if (!line) {
    line = node2("li", { "data-step": step });
    timeline.appendChild(line);
  }
  return line;
}
function onEvent(timeline, event) {
  switch (event.type) {
    case "input_stored": {
      const line = node2(
        "li",
        { class: "done", "data-event": "input_stored" },
        `Stored input ${event.ref} (${event.content_type}, ${bytes(event.bytes)})`
      );
      timeline.appendChild(line);
      break;
    }
    case "step_started": {
      const line = stepLine(timeline, event.step);
      line.className = "running";
      line.dataset.tool = event.tool;
      line.textContent = `${event.step}: ${event.tool} \u2014 running\u2026`;
      break;
    }
    case "step_finished": {
      const line = stepLine(timeline, event.step);
      line.className = "done";
      line.dataset.tool = event.tool;
      line.textContent = `${event.step}: ${event.tool} `;
      line.appendChild(node2("span", { class: "elapsed" }, `${event.elapsed_ms} ms`));
      if (event.refs?.length) line.append(` \u2192 ${event.refs.join(", ")}`);
      break;
    }
    case "artifact_made":
      scheduleGalleryRefresh();
      break;
    default:
      break;
  }
}
async function send(event) {
  event.preventDefault();
  if (state.abort) return;
  let schema;
  try {
    schema = schemaOrNull();
  } catch {
    return;
  }
  const text = $("composer-text").value.trim();
  const files = state.attachments.splice(0);
  if (!text && !files.length) {
    $("status").textContent = "Write a message or attach a file first.";
    return;
  }
  renderAttachments();
  const mine = addMessage("user");
  mine.appendChild(node2("p", {}, text));
  if (files.length) mine.appendChild(node2("p", { class: "facts" }, `Attached: ${files.map((file) => file.name).join(", ")}`));
  const reply = addMessage("assistant");
  const timeline = node2("ol", { class: "timeline", "aria-label": "Plan steps" });
  reply.appendChild(timeline);
  const status = $("status");
  state.abort = new AbortController();
  $("send").disabled = true;
  $("stop").disabled = false;
  try {
    const parts = [];
    if (text) parts.push({ type: "text", text });
    for (const file of files) {
      status.textContent = `Uploading ${file.name}\u2026`;
      const uploaded = await upload(file);
      parts.push({ type: "input_file", file_id: uploaded.id });
    }
    const request = { model: $("model").value, messages: [{ role: "user", content: parts }] };
    if (state.session) request.session_id = state.session;
    const toolsets = [...document.querySelectorAll("#toolsets input:checked")].map((box) => box.value);
    if (toolsets.length) request.toolsets = toolsets;
    if (schema) request.response_format = { type: "json_schema", schema };
    status.textContent = "Running\u2026";
    let content = "";
    for await (const chunk of streamChat(request, state.abort.signal)) {
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.session_id && chunk.session_id !== state.session) setSession(chunk.session_id);
      if (chunk.vitrine_event) onEvent(timeline, chunk.vitrine_event);
      for (const choice of chunk.choices ?? []) content += choice.delta?.content ?? "";
    }
    let parsed = null;
    try {
      parsed = JSON.parse(content);
    } catch {
    }
    const answer = parsed !== null && typeof parsed === "object" ? node2("pre", { class: "answer json" }, JSON.stringify(parsed, null, 2)) : node2("p", { class: "answer text" }, content);
    answer.style.whiteSpace = "pre-wrap";
    reply.appendChild(answer);
    reply.appendChild(await refThumbnails([...refsIn(parsed ?? content)]));
    reply.dataset.done = "true";
    status.textContent = "Done.";
  } catch (error) {
    reply.appendChild(node2(
      "p",
      { class: "error", role: "alert" },
      error.name === "AbortError" ? "Stopped." : `Failed: ${error.message}`
    ));
    reply.dataset.done = "error";
    status.textContent = "";
  } finally {
    state.abort = null;
    $("send").disabled = false;
    $("stop").disabled = true;
    await refreshGallery();
  }
}
$("composer").addEventListener("submit", send);
$("stop").addEventListener("click", () => state.abort?.abort());
$("composer-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("composer").requestSubmit();
});
function open(id) {
  return openViewer(id, {
    session: state.session,
    items: state.items,
    onOpen: open,
    model: $("model").value,
    onChanged: refreshGallery
  });
}
var refreshTimer = null;
function scheduleGalleryRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshGallery, 300);
}
async function refreshGallery() {
  const gallery = $("gallery");
  if (!state.session) {
    state.items = [];
    gallery.replaceChildren();
    $("gallery-empty").hidden = false;
    renderGraph($("session-graph"), [], {});
    return;
  }
  const listing = await api(`/v1/artifacts/list?session_id=${encodeURIComponent(state.session)}`);
  state.items = listing.items;
  $("gallery-empty").hidden = state.items.length > 0;
  const images = state.items.filter((item) => kindOf(item.object_id) === "img").map((item) => item.object_id);
  const urls = await signedUrls(state.session, state.items.map((item) => item.object_id));
  gallery.replaceChildren();
  for (const item of state.items) {
    const id = item.object_id;
    const card = node2("li", { class: "card", "data-id": id });
    const button = node2("button", { type: "button", class: "open", "aria-label": `Open ${kindName(id)} ${id}` });
    if (images.includes(id)) button.appendChild(node2("img", { class: "thumb", src: urls.get(id), alt: "" }));
    else button.appendChild(node2("span", { class: "thumb" }, kindName(id)));
    button.addEventListener("click", () => open(id));
    card.appendChild(button);
    card.appendChild(node2("p", { class: "id" }, id));
    card.appendChild(node2("p", { class: "facts" }, `${describe(item)} \xB7 ${item.provenance?.operation ?? ""}`));
    card.appendChild(node2("p", { class: "expiry", "data-expires": item.expires_at }, remaining(item.expires_at)));
    const download = node2("a", { href: `${urls.get(id)}&download=1`, download: item.filename ?? id }, "Download");
    download.setAttribute("aria-label", `Download ${id}`);
    card.appendChild(download);
    gallery.appendChild(card);
  }
  renderGraph($("session-graph"), state.items, { onOpen: open });
}
async function refreshExecutions() {
  const rows = $("executions");
  const executions = await api("/v1/agent/executions?limit=50");
  rows.replaceChildren();
  $("executions-empty").hidden = executions.length > 0;
  for (const execution of executions) {
    const row = node2("tr");
    row.appendChild(node2("td", {}, execution.id));
    row.appendChild(node2("td", { class: `status-${execution.status}` }, execution.status));
    row.appendChild(node2("td", {}, execution.created_at));
    const cell = node2("td");
    const session = execution.vitrine?.session_id;
    if (session) {
      const link = node2("button", { type: "button" }, session);
      link.addEventListener("click", () => {
        setSession(session);
        refreshGallery().catch(report);
        selectTab("tab-gallery");
      });
      cell.appendChild(link);
    }
    row.appendChild(cell);
    rows.appendChild(row);
  }
}
$("refresh-executions").addEventListener("click", () => refreshExecutions().catch(report));
var tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(id) {
  for (const tab of tabs) {
    const selected = tab.id === id;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (id === "tab-executions") refreshExecutions().catch(report);
}
for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab.id));
  tab.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(tab);
    const next = event.key === "ArrowRight" ? index + 1 : event.key === "ArrowLeft" ? index - 1 : null;
    if (next === null) return;
    const target = tabs[(next + tabs.length) % tabs.length];
    selectTab(target.id);
    target.focus();
  });
}
$("new-session").addEventListener("click", () => {
  setSession(null);
  $("messages").replaceChildren();
  refreshGallery().catch(report);
});
$("open-session").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("open-session-id").value.trim();
  if (!id) return;
  setSession(id);
  refreshGallery().catch((error) => {
    report(error);
    setSession(null);
  });
});
setInterval(() => {
  for (const element of document.querySelectorAll("[data-expires]")) {
    const text = remaining(Number(element.dataset.expires));
    element.textContent = element.closest("#viewer-meta") ? ` \xB7 ${text}` : text;
  }
}, 1e3);
function report(error) {
  $("status").textContent = `Error: ${error.message}`;
}
async function start() {
  await loadModels();
  setSession(state.session);
  await refreshGallery().catch((error) => {
    report(error);
    setSession(null);
  });
  document.body.dataset.ready = "true";
}
initViewer();
if (getKey() === null) {
  askForKey();
} else {
  checkKey().then(start).catch((error) => {
    forgetKey();
    askForKey(error.message);
  });
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && $("viewer").open) closeViewer();
});
