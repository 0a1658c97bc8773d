/**
 * `redact` checks the master against the source while the web files encode (verifyMasterEarly) and hands
 * the result to the final verification; `npm run verify` checks it in the same walk as the rest. Both
 * must come to the same rows, for a good master and for a master with one sample changed under a tone.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SITE } from "../../src/manifest/site.ts";
import { projectLayout } from "../../src/project/layout.ts";
import { inspectCall, prepareCall } from "../../src/publish/redact-call.ts";
import { type CallToVerify, verifyCall, verifyMasterEarly } from "../../src/verify/verify-call.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

const RATE = 8000;
let project: TempProject;
let call: CallToVerify;

beforeAll(async () => {
  project = tempProject();
  project.write("recordings/early.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 5, 5)));
  project.write("redactions/early.yaml", "redactions:\n  - { start: 1, end: 2, category: sensitive }\n");
  const run = project.redact(["early", "--formats", "mp3"]);
  if (run.status !== 0) throw new Error(`redact failed: ${run.stderr}`);
  const layout = projectLayout(project.root);
  const prepared = prepareCall(layout, "early");
  const inspected = await inspectCall(prepared);
  call = {
    call: "early",
    manifest: prepared.manifest,
    site: DEFAULT_SITE,
    formats: ["mp3"],
    calls: ["early"],
    recording: {
      path: prepared.recordingPath,
      display: prepared.recordingDisplay,
      sha256: inspected.sourceSha256,
      decode: prepared.source,
    },
    manifestSha256: prepared.manifestSha256,
    source: { sampleRate: RATE, channels: 1, samples: inspected.samples },
    outDir: layout.outDir,
  };
}, 60_000);
afterAll(() => project.cleanup());

async function bothWays(masterPath: string) {
  // The master in place of the published one, as redact's temporary file stands in for it.
  const staged = { pending: new Map([["early.wav", masterPath]]), retired: new Set<string>() };
  const inOneWalk = await verifyCall({ ...call, staged });
  const early = await verifyCall(
    { ...call, staged },
    { master: verifyMasterEarly(call, { name: "early.wav", path: masterPath }) },
  );
  return { inOneWalk, early };
}

describe("the master checked early", () => {
  it("gives the same rows as the one walk for a good master: all pass", async () => {
    const { inOneWalk, early } = await bothWays(join(project.root, "out/early.wav"));
    expect(inOneWalk.rows.filter((r) => r.status === "fail")).toEqual([]);
    expect(inOneWalk.passed).toBe(true);
    expect(early).toEqual(inOneWalk);
  });

  it("gives the same rows for a master with one sample changed under the tone: that range fails", async () => {
    const tampered = join(project.root, "tampered.wav");
    copyFileSync(join(project.root, "out/early.wav"), tampered);
    const bytes = readFileSync(tampered);
    const at = 44 + 2 * (RATE * 1.5); // 16-bit mono after a 44-byte header: the middle of range 1
    bytes.writeInt16LE(bytes.readInt16LE(at) ^ 0x0100, at);
    writeFileSync(tampered, bytes);
    const { inOneWalk, early } = await bothWays(tampered);
    expect(early).toEqual(inOneWalk);
    expect(early.passed).toBe(false);
    const failing = early.rows.filter((r) => r.status === "fail" && r.file === "early.wav");
    expect(failing.map((r) => r.range)).toEqual([1]);
    expect(failing[0]?.detail).toMatch(/^1 sample is not the 440 Hz tone/);
  });
});
