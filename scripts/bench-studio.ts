/**
 * How fast the studio opens a long call, and how much memory its server holds (docs/studio.md quotes the
 * figures). In a scratch project (.bench/studio/), with a 60-minute speech-like recording at 44.1 kHz mono
 * (MP3, 64 kbps; synthesised once and kept):
 *
 * each round, back to back (the machine's load changes; a pair is compared, not runs far apart):
 *   1. one decode of the recording by the pipeline's decoder, reading every chunk and nothing else;
 *   2. the call's JSON with no cache (the server's part of a first open: hash, decode, cache, view);
 *   3. the call opened in a new Chromium tab with no cache: from navigation to a drawn waveform;
 *   4. the same call opened again in another tab (the cache made in 3);
 * then the call's JSON fetched again, a little playback and the deepest zoom; the server's resident memory
 * (VmRSS) is sampled throughout, the peak of each phase and of the run (VmHWM) reported.
 *
 *   npx tsx scripts/bench-studio.ts [--minutes 60] [--rounds 3] [--screenshots]
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { openDecoder } from "../src/media/decode.ts";
import { resolveFfmpeg } from "../src/media/ffmpeg.ts";
import { planSource } from "../src/media/source.ts";
import { floatToS16le, SpeechSynth, SYNTH_VERSION } from "./bench-lib/synth.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PROJECT = join(ROOT, ".bench", "studio");
const RATE = 44100;
const SEED = 42;
const KBPS = 64;

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MINUTES = option("--minutes", 60);
const ROUNDS = option("--rounds", 3);
const SCREENSHOTS = args.includes("--screenshots");
const CALL = `long${MINUTES}`;
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

async function recording(): Promise<string> {
  const path = join(PROJECT, "recordings", `${CALL}.mp3`);
  const side = `${path}.json`;
  const want = JSON.stringify({ SYNTH_VERSION, SEED, RATE, KBPS, MINUTES });
  if (existsSync(path) && existsSync(side) && readFileSync(side, "utf8") === want) return path;
  mkdirSync(dirname(path), { recursive: true });
  log(`synthesising ${MINUTES} min at ${RATE} Hz -> ${path} (once)`);
  const child = spawn(
    resolveFfmpeg().path,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error"],
      ...["-f", "s16le", "-ar", String(RATE), "-ac", "1", "-i", "pipe:0"],
      ...["-c:a", "libmp3lame", "-b:a", `${KBPS}k`, "-f", "mp3", "-y", `${path}.tmp`],
    ],
    { stdio: ["pipe", "ignore", "inherit"] },
  );
  const synth = new SpeechSynth({ seed: SEED, sampleRate: RATE });
  const total = Math.round(MINUTES * 60 * RATE);
  for (let done = 0; done < total; ) {
    const n = Math.min(RATE, total - done);
    if (!child.stdin.write(floatToS16le(synth.next(n)))) await once(child.stdin, "drain");
    done += n;
  }
  child.stdin.end();
  const [code] = (await once(child, "close")) as [number];
  if (code !== 0) throw new Error(`ffmpeg exited ${code}`);
  renameSync(`${path}.tmp`, path);
  writeFileSync(side, want);
  return path;
}

/** One decode by the pipeline's decoder: every chunk read, nothing done with it. */
async function oneDecode(path: string): Promise<number> {
  const t0 = performance.now();
  const decoder = await openDecoder(planSource(path, `recordings/${CALL}.mp3`, { acceptDecodeErrors: false }));
  let frames = 0;
  for await (const chunk of decoder.chunks()) frames = chunk.offset + (chunk.planar[0]?.length ?? 0);
  if (frames === 0) throw new Error("nothing decoded");
  return (performance.now() - t0) / 1000;
}

const kb = (pid: number, field: "VmRSS" | "VmHWM"): number => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? Number.NaN);
};

async function main(): Promise<void> {
  const path = await recording();
  mkdirSync(join(PROJECT, "redactions"), { recursive: true });
  mkdirSync(join(PROJECT, "out"), { recursive: true });
  writeFileSync(
    join(PROJECT, "redactions", `${CALL}.yaml`),
    `recording: ${CALL}.mp3\nredactions:\n  - { start: "1:00.000", end: "1:01.500", category: sensitive }\n  - { start: "30:00.000", end: "30:02.000", category: obscenity }\n`,
  );
  const server: ChildProcess = spawn(
    process.execPath,
    ["--max-semi-space-size=1", join(ROOT, "scripts/run.mjs"), join(ROOT, "src/cli/studio.ts")],
    { cwd: PROJECT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  const url = await new Promise<string>((res) => {
    server.stdout?.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      const m = /studio: (\S+)/.exec(out);
      if (m) res(m[1] as string);
    });
  });
  const pid = server.pid as number;
  const origin = new URL(url).origin;
  const idle = kb(pid, "VmRSS");
  let rss: number[] = [];
  const sampler = setInterval(() => rss.push(kb(pid, "VmRSS")), 25);
  /** The largest resident size sampled since the last call. */
  const phase = (): number => {
    const m = Math.max(...rss, kb(pid, "VmRSS"));
    rss = [];
    return m;
  };

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const first = await context.newPage();
  await first.goto(url);
  await first.close();
  /** A new tab opening the call: seconds from navigation to a drawn waveform. */
  const open = async (): Promise<{ seconds: number; view: number; page: import("playwright-core").Page }> => {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${origin}/calls/${CALL}`);
    await page.waitForSelector("#wave[data-ready='true']", { timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    // In the page's own clock: from navigation to the view received, and to the waveform drawn.
    const marks = await page.evaluate(() =>
      Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime / 1000])),
    );
    return { seconds, view: (marks["studio-view"] as number) ?? Number.NaN, page };
  };
  const cookie = await context.cookies(origin);
  /** The call's JSON, with no browser in the way: the server's own part of an open. */
  const openJson = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${origin}/api/calls/${CALL}`, {
      headers: { Cookie: cookie.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    if (!res.ok) throw new Error(`GET /api/calls/${CALL}: ${res.status}`);
    await res.json();
    return (performance.now() - t0) / 1000;
  };
  const rounds: {
    decode: number;
    serverOpen: number;
    firstOpen: number;
    /** Of firstOpen: from navigation to the call's view received (the decode and cache are done). */
    firstOpenView: number;
    reopen: number;
    peakMbFirstOpen: number;
  }[] = [];
  /** No cache, and no writes of the last one still being flushed to the disk (it would slow the next). */
  const noCache = (): void => {
    rmSync(join(PROJECT, "private", "cache"), { recursive: true, force: true });
    spawnSync("sync");
  };
  for (let r = 0; r < ROUNDS; r++) {
    noCache();
    const decode = await oneDecode(path);
    const serverOpen = await openJson();
    noCache();
    phase();
    const a = await open();
    const peakFirst = phase();
    await a.page.close();
    const b = await open();
    await b.page.close();
    // A closed tab's audio download winds down for a moment: let it, before the next round measures.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    rounds.push({
      decode,
      serverOpen,
      firstOpen: a.seconds,
      firstOpenView: a.view,
      reopen: b.seconds,
      peakMbFirstOpen: Math.round(peakFirst / 1024),
    });
    log(
      `round ${r + 1}: one decode ${decode.toFixed(2)} s; first open: server ${serverOpen.toFixed(2)} s, ` +
        `in the browser ${a.seconds.toFixed(2)} s (view at ${a.view.toFixed(2)} s); again ${b.seconds.toFixed(2)} s`,
    );
  }
  const afterOpens = kb(pid, "VmRSS");
  const { page } = await open();
  const json: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await page.evaluate((u) => fetch(u).then((r) => r.json()), `${origin}/api/calls/${CALL}`);
    json.push((performance.now() - t0) / 1000);
  }
  // Play a little and zoom to the deepest, as a person would: the server reads ranges and peak blocks.
  phase();
  await page.locator("#wave").focus();
  await page.keyboard.press("Space");
  await page.waitForTimeout(2000);
  await page.keyboard.press("Space");
  for (let i = 0; i < 16; i++) await page.keyboard.press("+");
  await page.waitForTimeout(1500);
  const peakPlayZoom = phase();
  if (SCREENSHOTS) {
    await page.keyboard.press("0");
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(ROOT, ".bench", "studio-desktop.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(ROOT, ".bench", "studio-phone.png"), fullPage: true });
  }
  clearInterval(sampler);
  const peak = kb(pid, "VmHWM");
  await browser.close();
  server.kill("SIGINT");
  await once(server, "exit");
  const mb = (k: number): number => Math.round(k / 1024);
  const result = {
    minutes: MINUTES,
    sampleRate: RATE,
    rounds,
    openJsonSeconds: json,
    serverRssMb: {
      idle: mb(idle),
      afterOpens: mb(afterOpens),
      peakWhilePlayingAndZooming: mb(peakPlayZoom),
      peakOfTheRun: mb(peak),
    },
  };
  writeFileSync(join(ROOT, ".bench", "studio-results.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
