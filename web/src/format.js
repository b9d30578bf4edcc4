// Small formatting helpers shared by the chat, gallery and viewer.

export const REF = /\b(?:img|vid|aud|doc|recon|arr|url)_[0-9a-f]{6}\b/g;

export const kindOf = (id) => id.split("_")[0];

const KIND_NAMES = { img: "image", vid: "video", aud: "audio", doc: "PDF", recon: "3D splat", arr: "array", url: "URL" };
export const kindName = (id) => KIND_NAMES[kindOf(id)] ?? "artifact";

export function bytes(size) {
  if (size < 1e3) return `${size} B`;
  if (size < 1e6) return `${(size / 1e3).toFixed(1)} KB`;
  return `${(size / 1e6).toFixed(1)} MB`;
}

export function describe(item) {
  const facts = [kindName(item.object_id), item.content_type];
  if (item.width && item.height) facts.push(`${item.width}×${item.height}`);
  facts.push(bytes(item.bytes));
  return facts.join(" · ");
}

/** "expires in 23:59:10" for a Unix time. */
export function remaining(expiresAt) {
  const left = Math.max(0, Math.round(expiresAt - Date.now() / 1000));
  if (!left) return "expired";
  const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
  return `expires in ${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** Every ref id mentioned anywhere in a value (strings, arrays, objects). */
export function refsIn(value, found = new Set()) {
  if (typeof value === "string") for (const match of value.matchAll(REF)) found.add(match[0]);
  else if (Array.isArray(value)) value.forEach((entry) => refsIn(entry, found));
  else if (value && typeof value === "object") Object.values(value).forEach((entry) => refsIn(entry, found));
  return found;
}
