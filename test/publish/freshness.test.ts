/**
 * When a call is skipped: its private record (outside out/) names the recording, manifest, settings and tool
 * it was made from, and the hash of every file it put in out/. The files of the call now in out/ are found
 * by name, not from the record or the report: every file the settings publish must be there with the
 * recorded hash, and no other file of the call.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planSource } from "../../src/media/source.ts";
import { type Layout, projectLayout } from "../../src/project/layout.ts";
import { type PrivateRecord, writeRecord } from "../../src/project/record.ts";
import { toolId } from "../../src/publish/fingerprint.ts";
import { checkFreshness } from "../../src/publish/freshness.ts";
import type { PreparedCall } from "../../src/publish/redact-call.ts";

const sha = (b: string | Buffer): string => createHash("sha256").update(b).digest("hex");
const SETTINGS = "a".repeat(64);

const REPORT = JSON.stringify({
  call: "c",
  title: "c",
  source: { sampleRate: 8000, channels: 1, samples: 8000 },
  ranges: [],
  tone: { levelDb: -18, rampMs: 5, padMs: 0 },
  loudness: {
    measuredLufs: -20,
    measuredTruePeakDbtp: -3,
    targetLufs: -19,
    gainDb: 1,
    limiter: false,
    encoderLevelDb: -0.4,
    expectedLufs: -19,
  },
  outputs: {},
  tool: { name: "call-redactor", version: "x" },
});
const FILES: Record<string, string> = { "c.wav": "master", "c.mp3": "web", "c.html": "page", "c.json": REPORT };

let root: string;
let layout: Layout;
let call: PreparedCall;

function record(overrides: Partial<PrivateRecord> = {}): void {
  writeRecord(layout, {
    call: "c",
    recording: { file: "recordings/c.wav", sha256: sha("recording bytes") },
    manifest: { file: "redactions/c.yaml", sha256: sha("manifest bytes") },
    settingsSha256: SETTINGS,
    settings: {},
    tool: toolId(),
    ffmpeg: "ffmpeg version test",
    publishedAt: "2026-12-02T00:00:00.000Z",
    published: Object.fromEntries(Object.entries(FILES).map(([name, bytes]) => [name, sha(bytes)])),
    verification: null,
    ...overrides,
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "freshness-"));
  layout = projectLayout(root);
  for (const d of [layout.outDir, layout.recordingsDir, layout.redactionsDir]) mkdirSync(d);
  writeFileSync(join(layout.recordingsDir, "c.wav"), "recording bytes");
  for (const [name, bytes] of Object.entries(FILES)) writeFileSync(join(layout.outDir, name), bytes);
  call = {
    call: "c",
    manifest: {} as PreparedCall["manifest"],
    recordingPath: join(layout.recordingsDir, "c.wav"),
    recordingDisplay: "recordings/c.wav",
    source: planSource(join(layout.recordingsDir, "c.wav"), "recordings/c.wav", { acceptDecodeErrors: false }),
    manifestSha256: sha("manifest bytes"),
  };
  record();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const check = (formats: ("mp3" | "opus")[] = ["mp3"], settings = SETTINGS) =>
  checkFreshness(layout, call, formats, ["c"], settings);

describe("checkFreshness", () => {
  it("is fresh when the recording, manifest, settings, tool and every file match the private record", async () => {
    const f = await check();
    expect(f.fresh).toBe(true);
  });

  const stale = async (why: RegExp, formats?: ("mp3" | "opus")[]): Promise<void> => {
    const f = await check(formats);
    expect(f.fresh).toBe(false);
    if (!f.fresh) expect(f.why).toMatch(why);
  };

  it("is stale when the recording's bytes changed", async () => {
    writeFileSync(join(layout.recordingsDir, "c.wav"), "recording bytes, re-exported");
    await stale(/recording changed/);
  });

  it("is stale when the manifest's bytes changed", async () => {
    call = { ...call, manifestSha256: sha("manifest bytes\n# a comment") };
    await stale(/manifest changed/);
  });

  it("is stale when the settings or the tool changed", async () => {
    expect((await check(["mp3"], "b".repeat(64))).fresh).toBe(false);
    record({ tool: "call-redactor 0.0.1" });
    await stale(/tool, ffmpeg or settings changed/);
  });

  it("is stale when a file is missing or was changed, the report included", async () => {
    writeFileSync(join(layout.outDir, "c.mp3"), "web, edited");
    await stale(/changed/);
    writeFileSync(join(layout.outDir, "c.mp3"), "web");
    writeFileSync(join(layout.outDir, "c.json"), REPORT.replace('"title":"c"', '"title":"d"'));
    await stale(/changed/);
    writeFileSync(join(layout.outDir, "c.json"), REPORT);
    rmSync(join(layout.outDir, "c.wav"));
    await stale(/c\.wav is missing/);
  });

  it("is stale when another file of the call is there: a copy, or a format the settings no longer publish", async () => {
    writeFileSync(join(layout.outDir, "c-full.mp3"), "the unredacted recording");
    await stale(/out\/c-full\.mp3 is there too/);
    rmSync(join(layout.outDir, "c-full.mp3"));
    writeFileSync(join(layout.outDir, "c.opus"), "an old format");
    await stale(/out\/c\.opus is there too/);
  });

  it("is stale when the settings publish another format than the record lists", async () => {
    writeFileSync(join(layout.outDir, "c.opus"), "web too");
    await stale(/settings publish other files/, ["mp3", "opus"]);
  });

  it("is stale without a record, or with one it cannot read; a report in out/ is not asked", async () => {
    rmSync(join(layout.privateDir, "c.json"));
    await stale(/no earlier record/);
    writeFileSync(join(layout.privateDir, "c.json"), "{ not json");
    await stale(/no earlier record/);
  });

  it("takes files named after a longer call as that call's (c and c-full are two calls)", async () => {
    writeFileSync(join(layout.outDir, "c-full.mp3"), "call c-full's");
    const f = await checkFreshness(layout, call, ["mp3"], ["c", "c-full"], SETTINGS);
    expect(f.fresh).toBe(true);
  });
});
