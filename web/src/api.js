// Talking to the server: the key (session storage only), JSON calls, the chat
// stream, uploads and signed artifact URLs for media elements.

const KEY = "vitrine.apiKey";

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

function headers(extra = {}) {
  const key = getKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

/** The server's OpenAI-style error message, or the status line. */
async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body?.error?.message) message = body.error.message;
  } catch { /* not JSON */ }
  const error = new Error(message);
  error.status = response.status;
  return error;
}

export async function api(path, { method = "GET", json, body } = {}) {
  const init = { method, headers: headers(json ? { "Content-Type": "application/json" } : {}) };
  if (json !== undefined) init.body = JSON.stringify(json);
  if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** Uploads one file to `/v1/files`; returns its file object. */
export function upload(file) {
  const form = new FormData();
  form.append("purpose", "assistants");
  form.append("file", file, file.name);
  return api("/v1/files", { method: "POST", body: form });
}

/** Yields each parsed SSE `data:` payload of a streaming chat completion. */
export async function* streamChat(request, signal) {
  const response = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ ...request, stream: true }),
    signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart()).join("\n");
      if (!data) continue;
      if (data === "[DONE]") return;
      yield JSON.parse(data);
    }
  }
}

// Signed URLs by artifact id, refreshed a minute before they lapse.
const signed = new Map();

/** Signed URLs (path + query) for `ids` of `session`, as a Map id → url. */
export async function signedUrls(session, ids) {
  const now = Date.now() / 1000;
  const stale = ids.filter((id) => !(signed.get(id)?.expires_at > now + 60));
  if (stale.length) {
    const answer = await api("/v1/artifacts/signed-urls", {
      method: "POST",
      json: { session_id: session, object_ids: stale },
    });
    for (const [id, entry] of Object.entries(answer.urls)) signed.set(id, entry);
  }
  return new Map(ids.map((id) => [id, signed.get(id)?.url]));
}

export async function signedUrl(session, id) {
  return (await signedUrls(session, [id])).get(id);
}
