/**
 * The studio's HTTP routes (Hono). Every request passes the checks of security.ts first; every call name
 * goes through project/layout.ts checkCallName before anything is read; errors are the pipeline's typed
 * RedactErrors, mapped onto HTTP statuses (errors.ts), with their message and, for a manifest, each located
 * issue, and never a stack trace.
 *
 *   GET  /                                  the calls                  GET  /calls/:call   a call
 *   GET  /static/:file, /vendor/:file       the page's own files and wavesurfer.js
 *   GET  /out/:file                         out/ as it is, read-only (the published pages)
 *   GET  /api/calls                         every call with its state
 *   GET  /api/calls/:call                   open a call (decoding its recording once): JSON
 *   GET  /api/calls/:call/open              the same as server-sent events, with the decode's progress
 *   GET  /api/calls/:call/audio.wav         the decoded recording, with byte ranges, for playback
 *   GET  /api/calls/:call/peaks/:level/:block   peaks for the drawing (decode-cache.ts)
 *   POST /api/calls/:call/check             what --check says of a draft
 *   POST /api/calls/:call/save              save a draft; the call as saved
 *   POST /api/calls/:call/preview           a range with its tone, as a WAV
 *   POST /api/calls/:call/publish           publish, with progress as server-sent events
 */
import { realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import type { HttpBindings } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { type ErrorCode, ManifestError, RedactError } from "../errors.ts";
import { checkCallName } from "../project/layout.ts";
import { isRegularFile, openRegular } from "../regular-file.ts";
import { type Assets, studioPage } from "./assets.ts";
import { type CallView, listStudioCalls, type OpenedCall, openCall, type StudioContext } from "./calls.ts";
import { BLOCK_COLUMNS, peakBlock } from "./decode-cache.ts";
import { readDraft } from "./draft.ts";
import { publishCall } from "./publish.ts";
import { checkDraft, DraftRejected, saveDraft } from "./save.ts";
import { COMMON_HEADERS, cookieName, newNonce, refusal, studioPolicy } from "./security.ts";
import { MAX_PREVIEW_SECONDS, renderTonePreview } from "./tone-preview.ts";

/** The HTTP status of each error a user can cause. */
const STATUS: Readonly<Record<ErrorCode, 400 | 404 | 409 | 422 | 500 | 503>> = {
  E_USAGE: 400,
  E_CALL_NAME: 400,
  E_NO_MANIFEST: 404,
  E_MANIFEST: 422,
  E_PLAN: 422,
  E_RECORDING: 422,
  E_DECODE: 422,
  E_FFMPEG: 500,
  E_IO: 500,
  E_BUSY: 409,
  E_CHANGED: 409,
  E_VERIFY: 422,
  E_LABELS: 422,
  E_TRANSCRIPT: 422,
  E_INTERRUPTED: 503,
};

/** An error as the page receives it: code, message, and the located issues of a manifest. */
export function errorBody(err: RedactError): object {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err instanceof DraftRejected ? { errors: err.shown } : {}),
      ...(err instanceof ManifestError && !(err instanceof DraftRejected)
        ? {
            errors: err.issues.map((i) => ({
              entry: null,
              field: i.field,
              message: i.message,
              where: `${i.pos.file}:${i.pos.line}:${i.pos.col}`,
            })),
          }
        : {}),
    },
  };
}

const INTERNAL = {
  error: {
    code: "E_INTERNAL",
    message: "internal error: the studio's terminal shows what happened (please report it)",
  },
};

export interface AppOptions extends StudioContext {
  readonly port: number;
  readonly token: string;
  readonly assets: Assets;
  /** Where an unexpected error's stack goes (the terminal), never to the page. */
  readonly log: (message: string) => void;
}

type Env = { Bindings: HttpBindings };

/** A body of JSON, at most 8 MB (a draft of 20,000 entries is far less). */
async function jsonBody(c: Context<Env>): Promise<unknown> {
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > 8 << 20) throw new RedactError("E_USAGE", 2, "the request is too large");
  try {
    return await c.req.json();
  } catch {
    throw new RedactError("E_USAGE", 2, "the request's body is not JSON");
  }
}

/**
 * A file served with byte ranges (browsers seek audio with them), read-only. Read from a descriptor opened
 * first, so that a file removed meanwhile (a cache deleted by hand) is still read whole.
 */
async function serveFile(c: Context<Env>, path: string, type: string): Promise<Response> {
  const file = await openRegular(path);
  let size: number;
  try {
    size = (await file.stat()).size;
  } catch (err) {
    await file.close();
    throw err;
  }
  const headers: Record<string, string> = { "Content-Type": type, "Accept-Ranges": "bytes" };
  const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
  let start = 0;
  let end = size - 1;
  let status: 200 | 206 = 200;
  if (range && (range[1] !== "" || range[2] !== "")) {
    if (range[1] === "") start = Math.max(0, size - Number(range[2]));
    else {
      start = Number(range[1]);
      if (range[2] !== "") end = Math.min(end, Number(range[2]));
    }
    if (start > end || start >= size) {
      await file.close();
      return c.body(null, 416, { "Content-Range": `bytes */${size}` });
    }
    status = 206;
    headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  }
  headers["Content-Length"] = String(size === 0 ? 0 : end - start + 1);
  if (c.req.method === "HEAD" || size === 0) {
    await file.close();
    return c.body(null, status, headers);
  }
  const stream = Readable.toWeb(file.createReadStream({ start, end, autoClose: true })) as ReadableStream;
  return c.body(stream, status, headers);
}

export function studioApp(o: AppOptions): Hono<Env> {
  const app = new Hono<Env>();
  const ctx: StudioContext = { layout: o.layout, acceptDecodeErrors: o.acceptDecodeErrors };
  const cookie = cookieName(o.port);
  /** Calls opened by the page, so that its audio and peaks need no second look at the project. */
  const opened = new Map<string, OpenedCall>();
  const open = async (call: string, onFrames?: (f: number, e: number | undefined) => void): Promise<OpenedCall> => {
    const o2 = await openCall(ctx, call, onFrames);
    opened.set(call, o2);
    return o2;
  };
  const audioOf = async (call: string) => {
    checkCallName(call);
    let known = opened.get(call);
    // Opened before, unless its cache has been deleted since (it may be at any time): then decoded again.
    if (!known?.audio || !isRegularFile(known.audio.wavPath) || !isRegularFile(known.audio.peaksPath)) {
      known = await open(call);
    }
    if (!known.audio) {
      throw new RedactError("E_RECORDING", 1, known.view.problems[0]?.message ?? `${call} has no decoded recording`);
    }
    return known.audio;
  };

  app.use("*", async (c, next) => {
    const incoming = c.env.incoming;
    const url = new URL(c.req.url);
    const queryToken = url.searchParams.get("token") ?? undefined;
    const why = refusal(
      {
        method: c.req.method,
        host: incoming.headers.host,
        origin: c.req.header("origin"),
        fetchSite: c.req.header("sec-fetch-site"),
        cookieToken: getCookie(c, cookie),
        queryToken,
      },
      o.port,
      o.token,
    );
    if (why) {
      for (const [k, v] of Object.entries(COMMON_HEADERS)) c.header(k, v);
      return c.text(`${why.message}\n`, why.status);
    }
    if (queryToken !== undefined) {
      // The token moves to a cookie, and out of the address bar (and the history).
      setCookie(c, cookie, o.token, { httpOnly: true, sameSite: "Strict", path: "/" });
      url.searchParams.delete("token");
      for (const [k, v] of Object.entries(COMMON_HEADERS)) c.header(k, v);
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    await next();
    for (const [k, v] of Object.entries(COMMON_HEADERS)) c.res.headers.set(k, v);
  });

  app.onError((err, c) => {
    if (err instanceof RedactError) return c.json(errorBody(err), STATUS[err.code] ?? 500);
    o.log(`studio: internal error on ${c.req.method} ${new URL(c.req.url).pathname}: ${err.stack ?? err.message}`);
    return c.json(INTERNAL, 500);
  });
  app.notFound((c) => c.json({ error: { code: "E_NOT_FOUND", message: "no such page in the studio" } }, 404));

  const page = (c: Context<Env>): Response => {
    const nonce = newNonce();
    c.header("Content-Security-Policy", studioPolicy(nonce));
    return c.html(studioPage(nonce));
  };
  app.get("/", page);
  app.get("/calls/:call", (c) => {
    const call = c.req.param("call");
    checkCallName(call);
    // The decode starts now, while the page loads its scripts: its request for the call joins it.
    open(call).catch(() => {}); // what goes wrong is told to that request
    return page(c);
  });
  app.get("/static/:file", (c) => {
    const asset = o.assets.own.get(c.req.param("file"));
    return asset ? serveFile(c, asset.path, asset.type) : c.notFound();
  });
  app.get("/vendor/:file", (c) => {
    const asset = o.assets.vendor.get(c.req.param("file"));
    return asset ? serveFile(c, asset.path, asset.type) : c.notFound();
  });
  const OUT_TYPES: Readonly<Record<string, string>> = {
    html: "text/html; charset=utf-8",
    json: "application/json",
    mp3: "audio/mpeg",
    opus: "audio/ogg",
    wav: "audio/wav",
  };
  app.get("/out/:file", (c) => {
    // A plain file name of out/ (the site is flat), a regular file, and really inside out/ (no link out).
    const name = c.req.param("file");
    const type = OUT_TYPES[name.slice(name.lastIndexOf(".") + 1)];
    const path = join(o.layout.outDir, name);
    if (!type || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || !isRegularFile(path)) return c.notFound();
    const rel = relative(realpathSync(o.layout.outDir), realpathSync(path));
    if (rel.startsWith("..") || rel.includes(sep)) return c.notFound();
    return serveFile(c, path, type);
  });

  app.get("/api/calls", async (c) => c.json({ calls: await listStudioCalls(ctx) }));
  app.get("/api/calls/:call", async (c) => c.json((await open(c.req.param("call"))).view));
  app.get("/api/calls/:call/open", (c) => {
    const call = c.req.param("call");
    checkCallName(call);
    return streamSSE(c, async (stream) => {
      let last = 0;
      try {
        const { view } = await open(call, (frames, expected) => {
          const now = Date.now();
          if (now - last < 200) return;
          last = now;
          void stream.writeSSE({ event: "progress", data: JSON.stringify({ frames, expected: expected ?? null }) });
        });
        await stream.writeSSE({ event: "view", data: JSON.stringify(view satisfies CallView) });
      } catch (err) {
        await stream.writeSSE({ event: "error", data: JSON.stringify(sseError(err, o.log)) });
      }
    });
  });
  app.get("/api/calls/:call/audio.wav", async (c) => {
    const audio = await audioOf(c.req.param("call"));
    return serveFile(c, audio.wavPath, "audio/wav");
  });
  app.get("/api/calls/:call/peaks/:level/:block", async (c) => {
    const level = Number(c.req.param("level"));
    const block = Number(c.req.param("block"));
    const audio = await audioOf(c.req.param("call"));
    if (!Number.isSafeInteger(level) || level < 0 || level > audio.meta.levels.length) return c.notFound();
    if (!Number.isSafeInteger(block) || block < 0 || block * BLOCK_COLUMNS > audio.meta.frames) return c.notFound();
    const bytes = peakBlock(audio, level, block);
    return c.body(new Uint8Array(bytes), 200, { "Content-Type": "application/octet-stream" });
  });
  app.post("/api/calls/:call/check", async (c) => {
    const call = c.req.param("call");
    const audio = await audioOf(call);
    const { checked } = checkDraft(o.layout, call, audio, readDraft(await jsonBody(c)));
    return c.json({ errors: checked.errors, warnings: checked.warnings });
  });
  app.post("/api/calls/:call/save", async (c) => {
    const call = c.req.param("call");
    const audio = await audioOf(call);
    await saveDraft(o.layout, call, audio, readDraft(await jsonBody(c)));
    return c.json((await open(call)).view);
  });
  app.post("/api/calls/:call/preview", async (c) => {
    const call = c.req.param("call");
    const audio = await audioOf(call);
    const body = (await jsonBody(c)) as { draft?: unknown; start?: unknown; end?: unknown };
    const { start, end } = body;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      (start as number) < 0 ||
      (end as number) <= (start as number)
    ) {
      throw new RedactError("E_USAGE", 2, "a preview needs a range: start and end in samples");
    }
    if ((end as number) - (start as number) > MAX_PREVIEW_SECONDS * audio.meta.sampleRate) {
      throw new RedactError("E_USAGE", 2, `a preview is at most ${MAX_PREVIEW_SECONDS} s long; choose a shorter range`);
    }
    const { checked } = checkDraft(o.layout, call, audio, readDraft(body.draft));
    if (!checked.plan) throw new DraftRejected(checked.issues, checked.errors);
    const preview = await renderTonePreview(audio, checked.plan, { start: start as number, end: end as number });
    return c.body(new Uint8Array(preview.wav), 200, {
      "Content-Type": "audio/wav",
      "X-Preview-Start": String(preview.start),
      "X-Preview-End": String(preview.end),
    });
  });
  app.post("/api/calls/:call/publish", async (c) => {
    const call = c.req.param("call");
    checkCallName(call);
    const body = (await jsonBody(c)) as { base?: unknown };
    if (typeof body.base !== "string") throw new RedactError("E_USAGE", 2, "say which manifest to publish (base)");
    const base = body.base;
    return streamSSE(c, async (stream) => {
      try {
        const result = await publishCall(ctx, call, base, (e) => {
          void stream.writeSSE({
            event: "progress",
            data: JSON.stringify({ stage: e.stage, fraction: e.fraction ?? null }),
          });
        });
        await stream.writeSSE({ event: "done", data: JSON.stringify(result) });
      } catch (err) {
        await stream.writeSSE({ event: "error", data: JSON.stringify(sseError(err, o.log)) });
      }
    });
  });
  return app;
}

/** An error sent as an event: the same body as an error response, and the HTTP status it would have had. */
function sseError(err: unknown, log: (m: string) => void): object {
  if (err instanceof RedactError) return { ...errorBody(err), status: STATUS[err.code] ?? 500 };
  log(`studio: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { ...INTERNAL, status: 500 };
}
