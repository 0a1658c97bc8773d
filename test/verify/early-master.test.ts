/**
 * `redact` checks the master against the source while the web files encode (verifyCallMaster) and hands
 * the result to the final verification; `npm run verify` checks it in the same walk as the rest. Both
 * must come to the same rows, for a good master and for a master with one sample changed under a tone.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectLayout } from "../../src/project/layout.ts";
import { type InspectedCall, inspectCall, prepareCall } from "../../src/publish/redact-call.ts";
import { verifyCall, verifyCallMaster } from "../../src/verify/call.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

const RATE = 8000;
let project: TempProject;
let call: InspectedCall;

beforeAll(async () => {
  project = tempProject();
  project.write("recordings/early.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 5, 5)));
  project.write("redactions/early.yaml", "redactions:\n  - { start: 1, end: 2, category: sensitive }\n");
  const run = project.redact(["early", "--formats", "mp3"]);
  if (run.status !== 0) throw new Error(`redact failed: ${run.stderr}`);
  call = await inspectCall(prepareCall(projectLayout(project.root), "early"));
}, 60_000);
afterAll(() => project.cleanup());

async function bothWays(masterPath: string) {
  const text = readFileSync(join(project.root, "out/early.json"), "utf8");
  const report = JSON.parse(text);
  delete report.verification;
  const pathOf = (file: string): string => (file === "early.wav" ? masterPath : join(project.root, "out", file));
  const inOneWalk = await verifyCall(call, report, text, pathOf);
  const early = await verifyCall(call, report, text, pathOf, undefined, {
    master: verifyCallMaster(call, "early.wav", pathOf),
  });
  return { inOneWalk, early };
}

describe("the master checked early", () => {
  it("gives the same rows as the one walk for a good master: all pass", async () => {
    const { inOneWalk, early } = await bothWays(join(project.root, "out/early.wav"));
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
  });
});
