import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findTranscript, projectLayout } from "../../src/project/layout.ts";

describe("findTranscript", () => {
  let root = "";
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const project = (files: readonly string[]) => {
    root = mkdtempSync(join(tmpdir(), "transcripts-"));
    for (const f of files) {
      mkdirSync(join(root, f, ".."), { recursive: true });
      writeFileSync(join(root, f), "x");
    }
    return projectLayout(root);
  };
  const found = (layout: ReturnType<typeof projectLayout>, call: string) =>
    findTranscript(layout, call)?.slice(root.length + 1);

  it("prefers transcripts/ to the demo's folder, and <call>.<ext> to <call>.<recogniser>.<ext>", () => {
    const layout = project([
      "transcripts/call4.whisperx.json",
      "transcripts/call4.srt",
      "examples/transcripts/call4.vtt",
      "examples/transcripts/call2.whisper.cpp.json",
      "transcripts/call1.5.json",
      "transcripts/call1.txt",
    ]);
    expect(found(layout, "call4")).toBe("transcripts/call4.srt");
    expect(found(layout, "call2")).toBe("examples/transcripts/call2.whisper.cpp.json");
    // call1.5.json is call "call1.5"'s, not a transcript of call1 by a recogniser called "5".
    expect(found(layout, "call1")).toBeUndefined();
    expect(found(layout, "call1.5")).toBe("transcripts/call1.5.json");
    expect(found(layout, "call9")).toBeUndefined();
  });

  it("refuses two of the same rank, a link out of its folder, and a name that is no call's", () => {
    const layout = project(["transcripts/call4.srt", "transcripts/call4.vtt", "secret.json"]);
    expect(() => findTranscript(layout, "call4")).toThrow(
      /several transcripts for call4: transcripts\/call4.srt and transcripts\/call4.vtt/,
    );
    symlinkSync(join(root, "secret.json"), join(root, "transcripts", "call5.json"));
    expect(() => findTranscript(layout, "call5")).toThrow(/link to a file outside transcripts\//);
    expect(() => findTranscript(layout, "../secret")).toThrow(/not a call name/);
  });
});
