/**
 * A static file server on 127.0.0.1 for browser tests: serves one folder as a
 * static host would, with byte ranges (browsers need them to seek in audio)
 * and the MIME types of the published files. Only GET and HEAD; nothing
 * outside the folder.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".mp3": "audio/mpeg",
  ".opus": "audio/ogg",
  ".wav": "audio/wav",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface StaticServer {
  readonly url: string;
  /** Every path requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function serveFolder(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    requests.push(path);
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if ((req.method !== "GET" && req.method !== "HEAD") || !file.startsWith(root + sep)) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 403 : 405).end();
      return;
    }
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error("not a file");
      size = st.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      if (range[1] === "" && range[2] !== "") {
        start = Math.max(0, size - Number(range[2]));
      } else {
        start = Number(range[1]);
        if (range[2] !== "") end = Math.min(end, Number(range[2]));
      }
      if (start > end || start >= size) {
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    res.writeHead(status, {
      "Content-Type": type,
      "Content-Length": end - start + 1,
      "Accept-Ranges": "bytes",
      "Cache-Control": "no-store",
      ...(status === 206 ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
