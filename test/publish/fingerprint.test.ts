import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planSource } from "../../src/media/source.ts";
import { type Layout, projectLayout } from "../../src/project/layout.ts";
import { checkFreshness, toolId } from "../../src/publish/fingerprint.ts";
import type { PreparedCall } from "../../src/publish/redact-call.ts";

const sha = (b: string | Buffer): string => createHash("sha256").update(b).digest("hex");
const SETTINGS = "a".repeat(64);

let root: string;
let layout: Layout;
let call: PreparedCall;

function writeReport(overrides: Record<string, unknown> = {}): void {
  const report = {
    source: { file: "c.wav", sha256: sha("recording bytes") },
    outputs: {
      wav: { file: "c.wav", sha256: sha("master") },
      mp3: { file: "c.mp3", sha256: sha("web") },
    },
    tool: { name: "x", version: "y" },
    inputs: {
      recordingSha256: sha("recording bytes"),
      manifestSha256: sha("manifest bytes"),
      settingsSha256: SETTINGS,
      tool: toolId(),
    },
    ...overrides,
  };
  writeFileSync(join(layout.outDir, "c.json"), JSON.stringify(report));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "fingerprint-"));
  layout = projectLayout(root);
  for (const d of [layout.outDir, layout.recordingsDir, layout.redactionsDir]) mkdirSync(d);
  writeFileSync(join(layout.recordingsDir, "c.wav"), "recording bytes");
  writeFileSync(join(layout.outDir, "c.wav"), "master");
  writeFileSync(join(layout.outDir, "c.mp3"), "web");
  call = {
    call: "c",
    manifest: {} as PreparedCall["manifest"],
    recordingPath: join(layout.recordingsDir, "c.wav"),
    recordingDisplay: "recordings/c.wav",
    source: planSource(join(layout.recordingsDir, "c.wav"), "recordings/c.wav", { acceptDecodeErrors: false }),
    manifestSha256: sha("manifest bytes"),
  };
  writeReport();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("checkFreshness", () => {
  it("is fresh when the recording, manifest, settings, tool and every output match the report", async () => {
    const f = await checkFreshness(layout, call, SETTINGS);
    expect(f.fresh).toBe(true);
  });

  const stale = async (why: RegExp): Promise<void> => {
    const f = await checkFreshness(layout, call, SETTINGS);
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
    expect((await checkFreshness(layout, call, "b".repeat(64))).fresh).toBe(false);
    writeReport({
      inputs: {
        recordingSha256: sha("recording bytes"),
        manifestSha256: sha("manifest bytes"),
        settingsSha256: SETTINGS,
        tool: "call-redactor 0.0.1",
      },
    });
    await stale(/tool, ffmpeg or settings changed/);
  });

  it("is stale when an output is missing or was changed", async () => {
    writeFileSync(join(layout.outDir, "c.mp3"), "web, edited");
    await stale(/output/);
    writeFileSync(join(layout.outDir, "c.mp3"), "web");
    rmSync(join(layout.outDir, "c.wav"));
    await stale(/output/);
  });

  it("is stale without a report, with an unreadable one, or one from before inputs were recorded", async () => {
    writeFileSync(join(layout.outDir, "c.json"), "{ not json");
    await stale(/no earlier report/);
    writeReport({ inputs: undefined });
    await stale(/does not record its inputs/);
    rmSync(join(layout.outDir, "c.json"));
    await stale(/no earlier report/);
  });

  it("never follows a report's output names out of out/ or to another call's files", async () => {
    for (const file of ["../recordings/c.wav", "/etc/passwd", "other.mp3", "c/../../x"]) {
      writeReport({ outputs: { wav: { file, sha256: sha("recording bytes") } } });
      await stale(/no usable outputs/);
    }
  });
});
