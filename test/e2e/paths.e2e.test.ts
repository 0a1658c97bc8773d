/**
 * Names and files a hostile or careless project can hold: a call whose outputs would overwrite the site's
 * own files, a manifest that is a link out of redactions/, FIFOs, folders and devices where files are
 * expected, site settings nested deep enough to overflow a recursive parser. Each ends in a clear error, never a
 * hang, never a crash, never a file read that should not be.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { STACK, snapshot } from "../helpers/verify-cli.ts";

const MANIFEST = "redactions:\n  - { start: 0.5, end: 1, category: sensitive }\n";

let p: TempProject;
beforeEach(() => {
  p = tempProject();
  p.write("recordings/call9.wav", wavBytes(8000, speechLike(8000, 1, 8000 * 2, 9)));
});
afterEach(() => p.cleanup());

const mkfifo = (rel: string): void => {
  execFileSync("mkfifo", [join(p.root, rel)]);
};

/** Runs redact (with a timeout: a hang fails the test instead of stalling it) and checks it failed cleanly. */
function refused(args: readonly string[], status: 1 | 2): string {
  const before = snapshot(join(p.root, "out"));
  const r = p.redact(args);
  expect(r.signal, "the run hung and was killed").toBeNull();
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).not.toMatch(STACK);
  expect(snapshot(join(p.root, "out"))).toEqual(before);
  return r.stderr;
}

describe("call names that collide with the site's own files", () => {
  it.each(["index", "Index", "INDEX", "feed"])("refuses %s (exit 2): its page would overwrite the site's", (name) => {
    p.write(`redactions/${name}.yaml`, `recording: call9.wav\n${MANIFEST}`);
    const stderr = refused([name], 2);
    expect(stderr).toContain(`"${name}" cannot be a call name`);
  });

  it("--all stops on it too, before anything is decoded", () => {
    p.write("redactions/call9.yaml", MANIFEST);
    p.write("redactions/index.yaml", `recording: call9.wav\n${MANIFEST}`);
    refused(["--all"], 2);
  });
});

describe("a manifest that is a link out of redactions/", () => {
  it("is refused (exit 2) without reading or echoing what it points at", () => {
    const outside = p.write("elsewhere/secret.yaml", "SECRET_TOKEN=hunter2-do-not-print\n");
    symlinkSync(outside, join(p.root, "redactions/call9.yaml"));
    const stderr = refused(["call9"], 2);
    expect(stderr).toContain("redactions/call9.yaml is a link to a file outside redactions/");
    expect(stderr).not.toContain("hunter2");
  });

  it("a link to the environment of the process is refused the same way", () => {
    symlinkSync("/proc/self/environ", join(p.root, "redactions/call9.yaml"));
    const stderr = refused(["call9"], 2);
    expect(stderr).not.toContain("PATH=");
  });

  it("a link inside redactions/ is followed", () => {
    p.write("redactions/shared/call9.yaml", MANIFEST);
    symlinkSync(join(p.root, "redactions/shared/call9.yaml"), join(p.root, "redactions/call9.yaml"));
    const r = p.redact(["--check", "call9"]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("a site settings file linking out is refused too", () => {
    p.write("redactions/call9.yaml", MANIFEST);
    symlinkSync(p.write("elsewhere/site.yaml", "title: x\n"), join(p.root, "redactions/site.yaml"));
    expect(refused(["call9"], 2)).toContain("redactions/site.yaml is a link to a file outside redactions/");
  });
});

describe("site settings nested absurdly deep", () => {
  it.each([1000, 20_000])("%i levels of [ ] are refused (exit 2) at their place, without a stack", (depth) => {
    p.write("redactions/call9.yaml", MANIFEST);
    p.write("redactions/site.yaml", `title: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
    const stderr = refused(["call9"], 2);
    expect(stderr).toContain(
      "error: redactions/site.yaml:1:72: (document): nested more than 64 levels deep with [ ] or { }; a site settings file needs 1",
    );
    expect(stderr).not.toMatch(/Maximum call stack|out of memory/);
  });
});

describe("FIFOs, folders and devices where files are expected: an error, never a hang", () => {
  it("a FIFO as the recording", () => {
    p.write("redactions/call9.yaml", "recording: pipe.wav\nredactions: []\n");
    mkfifo("recordings/pipe.wav");
    expect(refused(["call9"], 1)).toContain("recording recordings/pipe.wav is a FIFO (named pipe), not a recording");
  });

  it("a FIFO found as the call's only recording", () => {
    p.write("redactions/call8.yaml", "redactions: []\n");
    mkfifo("recordings/call8.mp3");
    expect(refused(["call8"], 1)).toContain("recordings/call8.mp3 is a FIFO (named pipe), not a recording");
  });

  it("a folder as the recording", () => {
    p.write("redactions/call9.yaml", "recording: calls\nredactions: []\n");
    mkdirSync(join(p.root, "recordings/calls"));
    expect(refused(["call9"], 1)).toContain("recording recordings/calls is a folder, not a recording");
  });

  it("a FIFO as the manifest", () => {
    mkfifo("redactions/call9.yaml");
    expect(refused(["call9"], 1)).toContain("redactions/call9.yaml: cannot read it: it is a FIFO (named pipe)");
  });

  it("a device as the manifest (a link inside redactions/ to /dev/zero is still not a file)", () => {
    mkdirSync(join(p.root, "redactions/dev"));
    symlinkSync("/dev/zero", join(p.root, "redactions/call9.yaml"));
    refused(["call9"], 2); // a link out of redactions/
  });

  it("a FIFO as the site settings", () => {
    p.write("redactions/call9.yaml", MANIFEST);
    mkfifo("redactions/site.yaml");
    expect(refused(["call9"], 1)).toContain("redactions/site.yaml: cannot read it: it is a FIFO (named pipe)");
  });

  it("FIFOs in out/ (a report name, a stray one) are passed by: the run publishes and ends", () => {
    p.write("redactions/call9.yaml", MANIFEST);
    mkfifo("out/p.json");
    mkfifo("out/call9.json");
    const r = p.redact(["call9"]);
    expect(r.signal, "the run hung and was killed").toBeNull();
    // out/call9.json is in the way of the new report: the run says so instead of blocking on it.
    expect(r.stderr).not.toMatch(STACK);
    expect([0, 1]).toContain(r.status);
  });

  it.each([
    ["a label file", "labels", ["import", "call9", "fifo.txt"]],
    ["a transcript", "suggest", ["call9", "--transcript", "fifo.txt"]],
  ] as const)("a FIFO as %s", (_, command, args) => {
    p.write("redactions/call9.yaml", MANIFEST);
    mkfifo("fifo.txt");
    const r = p.cli(command, args);
    expect(r.signal, "the run hung and was killed").toBeNull();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("cannot read fifo.txt: it is a FIFO (named pipe), not a file");
  });
});
