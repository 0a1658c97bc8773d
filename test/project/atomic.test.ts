/**
 * Temporary files and the scratch files a step keeps beside them (`<temp>.part1`, the MP3 parts): an
 * interrupted run's discard removes both, and a later run removes both when left by a process that is
 * gone (SIGKILL). Another process's files, still running, stay.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputSet } from "../../src/project/atomic.ts";

const dir = mkdtempSync(join(tmpdir(), "atomic-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("OutputSet", () => {
  it("discards a temporary file with its scratch files, and nothing else", () => {
    const out = join(dir, "discard");
    const set = new OutputSet(out);
    const tmp = set.temp("call4.mp3");
    for (const f of [tmp, `${tmp}.part1`, `${tmp}.part2`, join(out, "call4.mp3"), join(out, "call5.mp3.part1")]) {
      writeFileSync(f, "x");
    }
    set.discard();
    expect(readdirSync(out).sort()).toEqual(["call4.mp3", "call5.mp3.part1"]);
  });

  it("removes a dead process's temporary and scratch files when a run starts, not a live one's", () => {
    const out = join(dir, "stale");
    new OutputSet(out).temp("warm-up.wav"); // makes the folder
    // Above Linux's largest pid (2^22): no such process.
    const dead = [".call4.mp3.4194305-0123abcd.tmp", ".call4.mp3.4194305-0123abcd.tmp.part1"];
    const live = [`.call4.mp3.${process.ppid}-89abcdef.tmp`, `.call4.mp3.${process.ppid}-89abcdef.tmp.part2`];
    for (const f of [...dead, ...live]) writeFileSync(join(out, f), "x");
    new OutputSet(out).temp("call4.mp3");
    for (const f of dead) expect(existsSync(join(out, f))).toBe(false);
    for (const f of live) expect(existsSync(join(out, f))).toBe(true);
  });
});
