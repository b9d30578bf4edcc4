// Provenance as a graph: parent → operation → child, laid out in columns by
// depth. Built with DOM calls (never innerHTML), so ids and operation names are
// text, not markup.

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 118, OP_W = 112, H = 26, COL = 250, ROW = 44, PAD = 8;

function el(name, attrs = {}, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The artifacts to draw: all, or `focus` with its ancestors and children. */
function selection(items, focus) {
  const byId = new Map(items.map((item) => [item.object_id, item]));
  if (!focus) return items;
  const keep = new Set([focus]);
  const stack = [focus];
  while (stack.length) {
    const item = byId.get(stack.pop());
    for (const parent of item?.provenance?.parents ?? []) {
      if (!keep.has(parent) && byId.has(parent)) { keep.add(parent); stack.push(parent); }
    }
  }
  for (const item of items) {
    if ((item.provenance?.parents ?? []).includes(focus)) keep.add(item.object_id);
  }
  return items.filter((item) => keep.has(item.object_id));
}

/**
 * Draws the provenance of `items` into `container`. With `focus`, only its
 * lineage; `onOpen(id)` runs when a node is clicked or activated by keyboard.
 */
export function renderGraph(container, items, { focus = null, onOpen = () => {} } = {}) {
  container.replaceChildren();
  const shown = selection(items, focus);
  if (!shown.length) {
    const empty = document.createElement("p");
    empty.textContent = "No artifacts yet.";
    container.appendChild(empty);
    return;
  }
  const ids = new Set(shown.map((item) => item.object_id));
  const depth = new Map();
  const depthOf = (item, seen = new Set()) => {
    if (depth.has(item.object_id)) return depth.get(item.object_id);
    seen.add(item.object_id);
    const parents = (item.provenance?.parents ?? []).filter((id) => ids.has(id) && !seen.has(id));
    const value = parents.length
      ? 1 + Math.max(...parents.map((id) => depthOf(shown.find((other) => other.object_id === id), seen)))
      : 0;
    depth.set(item.object_id, value);
    return value;
  };
  shown.forEach((item) => depthOf(item));
  const rows = new Map();
  const position = new Map();
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
  // Drawn at its own size (scrolls sideways when long), so labels stay legible.
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
    description.push(`${parents.length ? parents.join(", ") : "input"} → ${operation} → ${item.object_id}`);
    const node = el("g", {
      class: `node${item.object_id === focus ? " current" : ""}`, tabindex: 0, role: "button",
      "aria-label": `Open ${item.object_id}, made by ${operation}`, "data-id": item.object_id,
    }, svg);
    el("rect", { x, y, width: NODE_W, height: H, rx: 4 }, node);
    const text = el("text", { x: x + 8, y: y + 17 }, node);
    text.textContent = clip(item.object_id, 16);
    el("title", {}, node).textContent = item.object_id;
    node.addEventListener("click", () => onOpen(item.object_id));
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onOpen(item.object_id); }
    });
  }
  container.appendChild(svg);
  // The same graph as text, for screen readers and for copying.
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
