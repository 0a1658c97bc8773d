/**
 * `npm run studio` as started from a terminal, probed the way a hostile web page or another program on the
 * machine could probe it: it listens on 127.0.0.1 only; every request needs this run's token; a foreign Host
 * header (DNS rebinding), a cross-site request, or a write from another origin is refused; no request
 * reaches a file outside the project's folders, however its path is spelt; errors carry no stack trace;
 * Ctrl-C stops it cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect, createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { REPO, type TempProject, tempProject } from "../helpers/project.ts";

const RUN = join(REPO, "scripts/run.mjs");
const ENTRY = join(REPO, "src/cli/studio.ts");

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with exactly these headers (Host included: node does not add its own when given one). */
function send(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers, setHost: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString("utf8") }),
      );
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A request line sent as it is, for paths an HTTP client would tidy up first. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const parts: Buffer[] = [];
    socket.on("data", (b) => parts.push(b));
    socket.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    socket.on("error", reject);
    socket.write(text);
  });
}

/** Whether anything accepts a connection at host:port. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** `npm run studio` in a project, as npm runs it; resolves once it has printed its address. */
function startCli(root: string, args: readonly string[] = []): Promise<Running> {
  const child = spawn(process.execPath, ["--max-semi-space-size=1", RUN, ENTRY, ...args], {
    cwd: root,
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const running = { child, url: "", stdout: "", stderr: "", exited } as Running & { url: string };
    child.stdout?.on("data", (b: Buffer) => {
      running.stdout += b.toString("utf8");
      const m = /studio: (http:\/\/\S+)/.exec(running.stdout);
      if (m && !running.url) {
        running.url = m[1] as string;
        resolve(running);
      }
    });
    child.stderr?.on("data", (b: Buffer) => {
      running.stderr += b.toString("utf8");
    });
    exited.then((code) =>
      reject(new Error(`the studio exited (${code}) before printing its address: ${running.stderr}`)),
    );
  });
}

describe("npm run studio, from outside", () => {
  let project: TempProject;
  let studio: Running;
  let port: number;
  let token: string;
  let cookie: string;
  let host: string;

  beforeAll(async () => {
    project = tempProject();
    project.write("recordings/call1.wav", wavBytes(8000, speechLike(8000, 1, 8000, 3)));
    project.write("redactions/call1.yaml", "redactions: []\n");
    studio = await startCli(project.root);
    const url = new URL(studio.url);
    port = Number(url.port);
    token = url.searchParams.get("token") ?? "";
    host = `127.0.0.1:${port}`;
    cookie = `studio-${port}=${token}`;
  }, 60_000);

  afterAll(async () => {
    if (studio && studio.child.exitCode === null) {
      studio.child.kill("SIGKILL");
      await studio.exited;
    }
    project?.cleanup();
  });

  it("prints an address on 127.0.0.1 with a long random token, and listens nowhere else", async () => {
    expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    expect(await reachable("127.0.0.1", port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === "IPv4")
      .map((a) => a?.address as string);
    for (const address of [...others, "::1"]) expect(await reachable(address, port), address).toBe(false);
  });

  it("turns the token in the address into an HttpOnly, SameSite=Strict cookie, and takes it out of the address", async () => {
    const r = await send(port, `/?token=${token}`, { Host: host });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe("/");
    const set = String(r.headers["set-cookie"]);
    expect(set).toContain(`studio-${port}=${token}`);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    const ok = await send(port, "/api/calls", { Host: host, Cookie: cookie });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).calls[0].call).toBe("call1");
  });

  it("refuses every request without the token, or with another one", async () => {
    for (const path of ["/", "/api/calls", "/api/calls/call1/audio.wav", "/static/studio.js", "/out/index.html"]) {
      const none = await send(port, path, { Host: host });
      expect(none.status, path).toBe(401);
      expect(none.body).toContain("npm run studio");
      expect(none.headers["set-cookie"]).toBeUndefined();
    }
    const wrong = await send(port, "/api/calls", { Host: host, Cookie: `studio-${port}=${"x".repeat(32)}` });
    expect(wrong.status).toBe(401);
    // The token with its last character changed (to another one: "A" itself one time in 64).
    const last = token.endsWith("A") ? "B" : "A";
    const guessed = await send(port, `/?token=${token.slice(0, -1)}${last}`, { Host: host });
    expect(guessed.status).toBe(401);
  });

  it("refuses a foreign Host header (DNS rebinding), even with the token", async () => {
    for (const h of [
      `evil.example:${port}`,
      "evil.example",
      `127.0.0.1:${port + 1}`,
      `127.0.0.1.evil.example:${port}`,
    ]) {
      const r = await send(port, "/api/calls", { Host: h, Cookie: cookie });
      expect(r.status, h).toBe(421);
      expect(r.body).not.toContain("call1");
    }
    const noHost = await raw(port, `GET /api/calls HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
    expect(noHost).toMatch(/^HTTP\/1\.[01] 421/);
    // localhost is this machine too.
    expect((await send(port, "/api/calls", { Host: `localhost:${port}`, Cookie: cookie })).status).toBe(200);
  });

  it("refuses writes from another origin, or with none, and anything a browser marks cross-site", async () => {
    const body = JSON.stringify({ base: "", entries: [] });
    const json = { Host: host, Cookie: cookie, "Content-Type": "application/json" };
    for (const origin of [undefined, "http://evil.example", `http://127.0.0.1:${port + 1}`, "null"]) {
      const r = await send(port, "/api/calls/call1/save", origin ? { ...json, Origin: origin } : json, "POST", body);
      expect(r.status, String(origin)).toBe(403);
    }
    const cross = await send(port, "/api/calls", { Host: host, Cookie: cookie, "Sec-Fetch-Site": "cross-site" });
    expect(cross.status).toBe(403);
    expect(project.read("redactions/call1.yaml").toString("utf8")).toBe("redactions: []\n");
    // From its own page, the same write goes through to the checks.
    const base = createHash("sha256").update("redactions: []\n").digest("hex");
    const own = await send(
      port,
      "/api/calls/call1/check",
      { ...json, Origin: `http://${host}` },
      "POST",
      JSON.stringify({ base, entries: [] }),
    );
    expect(own.status, own.body).toBe(200);
  });

  it("serves no file outside the project's folders, however the path is written", async () => {
    const paths = [
      "/../etc/passwd",
      "/../../../../etc/passwd",
      "/out/../../../etc/passwd",
      "/out/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
      "/out/%2e%2e/%2e%2e/etc/passwd",
      "/static/..%2F..%2F..%2Fpackage.json",
      "/vendor/..%2F..%2Fpackage.json",
      "/api/calls/..%2F..%2F..%2Fetc%2Fpasswd",
      "/api/calls/..%2F..%2Fetc%2Fpasswd/audio.wav",
      "/calls/..%2F..%2Fetc%2Fpasswd",
      "/api/calls/%2e%2e/peaks/0/0",
      "/out/..\\..\\etc\\passwd",
      "//etc/passwd",
    ];
    for (const path of paths) {
      const reply = await raw(
        port,
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
      );
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(reply)?.[1]);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(reply, path).not.toContain("root:");
      expect(reply, path).not.toContain('"name": "call-redactor"');
    }
    // A call name that leaves redactions/ is named in the refusal, which carries no stack trace.
    const named = await send(port, "/api/calls/..%2Fsecret", { Host: host, Cookie: cookie });
    expect(named.status).toBe(400);
    expect(JSON.parse(named.body).error.code).toBe("E_CALL_NAME");
    expect(named.body).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("sends its page with a strict Content-Security-Policy and the usual protective headers", async () => {
    const r = await send(port, "/", { Host: host, Cookie: cookie });
    expect(r.status).toBe(200);
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["referrer-policy"]).toBe("no-referrer");
    // The page loads only what the studio serves: its own files, and wavesurfer.js from node_modules.
    expect(r.body).not.toMatch(/https?:\/\//);
    const ws = await send(port, "/vendor/wavesurfer.esm.js", { Host: host, Cookie: cookie });
    expect(ws.status).toBe(200);
    expect(ws.headers["content-type"]).toMatch(/javascript/);
  });

  it("will not start on a port in use (exit 2, saying so), and stops on Ctrl-C", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    const second = spawn(process.execPath, [RUN, ENTRY, "--port", String(taken)], {
      cwd: project.root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    second.stderr.on("data", (b: Buffer) => {
      err += b.toString("utf8");
    });
    const code = await new Promise<number | null>((resolve) => second.on("exit", (c) => resolve(c)));
    blocker.close();
    expect(code).toBe(2);
    expect(err).toContain(`port ${taken} is in use`);

    studio.child.kill("SIGINT");
    expect(await studio.exited).toBe(0);
    expect(studio.stderr).toContain("studio stopped");
    expect(await reachable("127.0.0.1", port)).toBe(false);
  });
});
