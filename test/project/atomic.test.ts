/**
 * Temporary files and the scratch files a step keeps beside them (`<temp>.part1`, the MP3 parts): an
 * interrupted run's discard removes both; a later run holding the call's lock removes those of the
 * call's outputs (left by a run killed outright), and nothing else.
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

  it("removes the leftovers of the outputs it is told about (its caller holds their lock), whoever left them", () => {
    const out = join(dir, "leftovers");
    const mine = [
      ".call4.mp3.4194305-0123abcd.tmp",
      ".call4.mp3.4194305-0123abcd.tmp.part1",
      ".call4.wav.77-89abcdef.tmp",
    ];
    // Another call's, and one of a live process here: not named, so never touched.
    const others = [".call5.mp3.4194305-0123abcd.tmp", `.call40.mp3.${process.ppid}-89abcdef.tmp`];
    new OutputSet(out).temp("warm-up.wav"); // makes the folder
    for (const f of [...mine, ...others]) writeFileSync(join(out, f), "x");
    new OutputSet(out, { leftovers: ["call4.mp3", "call4.wav"] }).temp("call4.mp3");
    for (const f of mine) expect(existsSync(join(out, f)), f).toBe(false);
    for (const f of others) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it("without leftovers named, removes nothing of anyone else's, even a dead process's", () => {
    const out = join(dir, "none");
    new OutputSet(out).temp("warm-up.wav");
    const dead = ".call4.mp3.4194305-0123abcd.tmp";
    writeFileSync(join(out, dead), "x");
    new OutputSet(out).temp("call4.mp3");
    expect(existsSync(join(out, dead))).toBe(true);
  });
});
