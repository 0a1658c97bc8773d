/**
 * Talking to the studio's server: JSON requests, errors as the server sends them (code, message, located
 * issues), and server-sent events read from a fetch response (progress of a decode or a publish).
 */

export class ApiError extends Error {
  /** @param {number} status @param {{code?: string, message?: string, errors?: object[]}} body */
  constructor(status, body) {
    super(body?.message ?? `the studio answered ${status}`);
    this.status = status;
    this.code = body?.code ?? "E_HTTP";
    this.errors = body?.errors ?? [];
  }
}

async function failure(res) {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    const body = await res.json();
    return new ApiError(res.status, body.error);
  }
  return new ApiError(res.status, { message: (await res.text()).trim() || res.statusText });
}

/** A request with a JSON body (when given) and a JSON answer. */
export async function api(path, { method = "GET", body } = {}) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** A request whose answer is bytes. */
export async function bytes(path, { method = "GET", body } = {}) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) throw await failure(res);
  return { buffer: await res.arrayBuffer(), headers: res.headers };
}

/**
 * Server-sent events: calls onEvent(name, data) for each, and resolves with the last one's data. An "error"
 * event rejects with an ApiError.
 */
export async function events(path, { method = "GET", body } = {}, onEvent = () => {}) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let last;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length === 0) continue;
      const parsed = JSON.parse(data.join("\n"));
      if (name === "error") throw new ApiError(parsed.status ?? 500, parsed.error);
      onEvent(name, parsed);
      last = parsed;
    }
  }
  return last;
}
