// The Vitrine playground: chat with media, a live step timeline, and a gallery
// of the session's artifacts with their provenance. Plain ES modules, no framework.

import { api, forgetKey, getKey, setKey, signedUrls, streamChat, upload } from "./api.js";
import { EXAMPLES } from "./examples.js";
import { bytes, describe, kindName, kindOf, refsIn, remaining } from "./format.js";
import { renderGraph } from "./graph.js";
import { closeViewer, initViewer, openViewer } from "./viewer.js";

const TOOLSETS = ["core", "image", "image-gen", "world-gen", "viz", "document", "video", "web"];
const $ = (id) => document.getElementById(id);

const state = {
  session: sessionStorage.getItem("vitrine.session"),
  items: [],
  attachments: [],
  abort: null,
};

function node(name, attrs = {}, text) {
  const element = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function setSession(id) {
  state.session = id;
  if (id) sessionStorage.setItem("vitrine.session", id);
  else sessionStorage.removeItem("vitrine.session");
  $("session-id").textContent = id ?? "new";
}

// ---- the key ---------------------------------------------------------------

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
$("forget-key").addEventListener("click", () => { forgetKey(); askForKey(); });

// ---- composer --------------------------------------------------------------

function renderAttachments() {
  const list = $("attachments");
  list.replaceChildren();
  state.attachments.forEach((file, index) => {
    const item = node("li", {}, `${file.name} (${bytes(file.size)})`);
    const remove = node("button", { type: "button", "aria-label": `Remove ${file.name}` }, "×");
    remove.addEventListener("click", () => { state.attachments.splice(index, 1); renderAttachments(); });
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
const zone = $("drop-zone");
const chat = document.querySelector(".chat");
chat.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
chat.addEventListener("dragleave", (event) => { if (!chat.contains(event.relatedTarget)) zone.classList.remove("over"); });
chat.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  attach(event.dataTransfer.files);
});

for (const example of EXAMPLES) $("example").appendChild(node("option", { value: example.id }, example.label));
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
  const label = node("label", { for: id });
  label.append(node("input", { type: "checkbox", id, value: name }), ` ${name}`);
  $("toolsets").appendChild(label);
}

async function loadModels() {
  const select = $("model");
  if (select.options.length) return;
  const models = await api("/v1/openai/models");
  for (const model of models.data) select.appendChild(node("option", { value: model.id }, model.id));
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

// ---- chat ------------------------------------------------------------------

function addMessage(role) {
  const item = node("li", { class: `message ${role}` });
  item.appendChild(node("p", { class: "who" }, role === "user" ? "You" : "Vitrine"));
  $("messages").appendChild(item);
  return item;
}

async function refThumbnails(ids) {
  const row = node("div", { class: "refs", role: "list", "aria-label": "Artifacts in the answer" });
  if (!ids.length || !state.session) return row;
  await refreshGallery();
  const known = ids.filter((id) => state.items.some((item) => item.object_id === id));
  const urls = known.length ? await signedUrls(state.session, known) : new Map();
  for (const id of known) {
    const button = node("button", { type: "button", class: "ref", role: "listitem", "data-ref": id, "aria-label": `Open ${kindName(id)} ${id}` });
    if (kindOf(id) === "img") button.appendChild(node("img", { class: "thumb", src: urls.get(id), alt: "" }));
    else button.appendChild(node("span", { class: "thumb" }, kindName(id)));
    button.appendChild(node("span", {}, id));
    button.addEventListener("click", () => open(id));
    row.appendChild(button);
  }
  return row;
}

function stepLine(timeline, step) {
  let line = timeline.querySelector(`[data-step="${CSS.escape(step)}"]`);
  if (!line) {
    line = node("li", { "data-step": step });
    timeline.appendChild(line);
  }
  return line;
}

function onEvent(timeline, event) {
  switch (event.type) {
    case "input_stored": {
      const line = node("li", { class: "done", "data-event": "input_stored" },
        `Stored input ${event.ref} (${event.content_type}, ${bytes(event.bytes)})`);
      timeline.appendChild(line);
      break;
    }
    case "step_started": {
      const line = stepLine(timeline, event.step);
      line.className = "running";
      line.dataset.tool = event.tool;
      line.textContent = `${event.step}: ${event.tool} — running…`;
      break;
    }
    case "step_finished": {
      const line = stepLine(timeline, event.step);
      line.className = "done";
      line.dataset.tool = event.tool;
      line.textContent = `${event.step}: ${event.tool} `;
      line.appendChild(node("span", { class: "elapsed" }, `${event.elapsed_ms} ms`));
      if (event.refs?.length) line.append(` → ${event.refs.join(", ")}`);
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
  try { schema = schemaOrNull(); } catch { return; }
  const text = $("composer-text").value.trim();
  const files = state.attachments.splice(0);
  if (!text && !files.length) {
    $("status").textContent = "Write a message or attach a file first.";
    return;
  }
  renderAttachments();
  const mine = addMessage("user");
  mine.appendChild(node("p", {}, text));
  if (files.length) mine.appendChild(node("p", { class: "facts" }, `Attached: ${files.map((file) => file.name).join(", ")}`));
  const reply = addMessage("assistant");
  const timeline = node("ol", { class: "timeline", "aria-label": "Plan steps" });
  reply.appendChild(timeline);
  const status = $("status");
  state.abort = new AbortController();
  $("send").disabled = true;
  $("stop").disabled = false;
  try {
    const parts = [];
    if (text) parts.push({ type: "text", text });
    for (const file of files) {
      status.textContent = `Uploading ${file.name}…`;
      const uploaded = await upload(file);
      parts.push({ type: "input_file", file_id: uploaded.id });
    }
    const request = { model: $("model").value, messages: [{ role: "user", content: parts }] };
    if (state.session) request.session_id = state.session;
    const toolsets = [...document.querySelectorAll("#toolsets input:checked")].map((box) => box.value);
    if (toolsets.length) request.toolsets = toolsets;
    if (schema) request.response_format = { type: "json_schema", schema };
    status.textContent = "Running…";
    let content = "";
    for await (const chunk of streamChat(request, state.abort.signal)) {
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.session_id && chunk.session_id !== state.session) setSession(chunk.session_id);
      if (chunk.vitrine_event) onEvent(timeline, chunk.vitrine_event);
      for (const choice of chunk.choices ?? []) content += choice.delta?.content ?? "";
    }
    let parsed = null;
    try { parsed = JSON.parse(content); } catch { /* a text answer */ }
    const answer = parsed !== null && typeof parsed === "object"
      ? node("pre", { class: "answer json" }, JSON.stringify(parsed, null, 2))
      : node("p", { class: "answer text" }, content);
    answer.style.whiteSpace = "pre-wrap";
    reply.appendChild(answer);
    reply.appendChild(await refThumbnails([...refsIn(parsed ?? content)]));
    reply.dataset.done = "true";
    status.textContent = "Done.";
  } catch (error) {
    reply.appendChild(node("p", { class: "error", role: "alert" },
      error.name === "AbortError" ? "Stopped." : `Failed: ${error.message}`));
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

// ---- gallery, graph, executions -------------------------------------------

function open(id) {
  return openViewer(id, {
    session: state.session, items: state.items, onOpen: open, model: $("model").value, onChanged: refreshGallery,
  });
}

let refreshTimer = null;
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
    const card = node("li", { class: "card", "data-id": id });
    const button = node("button", { type: "button", class: "open", "aria-label": `Open ${kindName(id)} ${id}` });
    if (images.includes(id)) button.appendChild(node("img", { class: "thumb", src: urls.get(id), alt: "" }));
    else button.appendChild(node("span", { class: "thumb" }, kindName(id)));
    button.addEventListener("click", () => open(id));
    card.appendChild(button);
    card.appendChild(node("p", { class: "id" }, id));
    card.appendChild(node("p", { class: "facts" }, `${describe(item)} · ${item.provenance?.operation ?? ""}`));
    card.appendChild(node("p", { class: "expiry", "data-expires": item.expires_at }, remaining(item.expires_at)));
    const download = node("a", { href: `${urls.get(id)}&download=1`, download: item.filename ?? id }, "Download");
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
    const row = node("tr");
    row.appendChild(node("td", {}, execution.id));
    row.appendChild(node("td", { class: `status-${execution.status}` }, execution.status));
    row.appendChild(node("td", {}, execution.created_at));
    const cell = node("td");
    const session = execution.vitrine?.session_id;
    if (session) {
      const link = node("button", { type: "button" }, session);
      link.addEventListener("click", () => { setSession(session); refreshGallery().catch(report); selectTab("tab-gallery"); });
      cell.appendChild(link);
    }
    row.appendChild(cell);
    rows.appendChild(row);
  }
}
$("refresh-executions").addEventListener("click", () => refreshExecutions().catch(report));

// Tabs with arrow-key navigation (WAI-ARIA tabs pattern).
const tabs = [...document.querySelectorAll('[role="tab"]')];
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
  refreshGallery().catch((error) => { report(error); setSession(null); });
});

// Every expiry countdown on the page, once a second.
setInterval(() => {
  for (const element of document.querySelectorAll("[data-expires]")) {
    const text = remaining(Number(element.dataset.expires));
    element.textContent = element.closest("#viewer-meta") ? ` · ${text}` : text;
  }
}, 1000);

function report(error) {
  $("status").textContent = `Error: ${error.message}`;
}

async function start() {
  await loadModels();
  setSession(state.session);
  await refreshGallery().catch((error) => { report(error); setSession(null); });
  document.body.dataset.ready = "true";
}

initViewer();
if (getKey() === null) {
  askForKey();
} else {
  checkKey().then(start).catch((error) => { forgetKey(); askForKey(error.message); });
}
// So Escape in the viewer also tears down the WebGL context.
document.addEventListener("keydown", (event) => { if (event.key === "Escape" && $("viewer").open) closeViewer(); });
