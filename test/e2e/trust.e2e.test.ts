/**
 * Trust, as a user publishing a call and an attacker with write access to out/ would try it:
 * - out/ is the public site: nothing in it names or hashes the recording, or holds a note; provenance is in
 *   the call's private record, outside out/;
 * - verification reads the files, never the report: unredacted files put in place of the outputs, a page
 *   pointing at an extra unredacted copy, or a note's text in the report are all caught, and a call whose
 *   out/ holds anything else of it is not skipped as unchanged;
 * - a source tag that only says what the pipeline writes anyway (the site's artist, the title, an encoder's
 *   name) is not a leak;
 * - one writer per call: a run waits for another that holds the call's lock (on another host too), and
 *   leaves that run's temporary files alone.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type CliResult, type TempProject, tempProject } from "../helpers/project.ts";
import {
  finished,
  RUN,
  recordOf,
  STACK,
  snapshot,
  startRedact,
  VERIFY,
  verificationOf,
  verifyCli,
} from "../helpers/verify-cli.ts";

const RATE = 8000;
const CONTACT = "2024-03-01 Rosalind Featherstone +447700900123";
const NOTE = "her husband's name is Bartholomew";
const MANIFEST = `recording: "${CONTACT}.mp3"
title: Call with a support scammer
redactions:
  - { start: 1, end: 2, category: sensitive, note: "${NOTE}" }
  - { start: 3, end: 3.5, category: obscenity }
`;

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

function encode(input: string, output: string, extra: readonly string[] = []): void {
  const r = spawnSync(resolveFfmpeg().path, ["-v", "error", "-y", "-i", input, ...extra, output]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
}

/** Every file under out/, as bytes. */
const outFiles = (p: TempProject): Map<string, Buffer> =>
  new Map(readdirSync(join(p.root, "out")).map((n) => [n, readFileSync(join(p.root, "out", n))]));

const jsonRows = (
  r: CliResult,
): Array<{ call: string; passed: boolean; rows: Array<{ file: string; status: string; detail: string }> }> =>
  JSON.parse(r.stdout);

let p: TempProject;
let published: CliResult;

beforeAll(() => {
  p = tempProject();
  const wav = p.write("source.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 5, 12)));
  encode(wav, join(p.root, "recordings", `${CONTACT}.mp3`), ["-c:a", "libmp3lame", "-b:a", "32k"]);
  p.write("redactions/call4.yaml", MANIFEST);
  published = p.redact(["call4"]);
}, 60_000);
afterAll(() => p.cleanup());

describe("out/ is the public site", () => {
  it("publishes the call", () => {
    expect(published.status, published.stderr).toBe(0);
  });

  it("names or hashes nothing private in any file of out/: not the recording's name, not its hash, not a note", () => {
    const recordingSha = sha(readFileSync(join(p.root, "recordings", `${CONTACT}.mp3`)));
    const manifestSha = sha(readFileSync(join(p.root, "redactions/call4.yaml")));
    for (const [name, bytes] of outFiles(p)) {
      for (const secret of [CONTACT, "Rosalind Featherstone", "447700900123", NOTE, recordingSha, manifestSha]) {
        for (const enc of ["utf8", "utf16le", "latin1"] as const) {
          expect(bytes.includes(Buffer.from(secret, enc)), `${secret} (${enc}) in out/${name}`).toBe(false);
        }
      }
    }
  });

  it("keeps the provenance in private/call4.json, outside out/, which git ignores", () => {
    const record = recordOf(p.root, "call4");
    expect(record.recording).toEqual({
      file: `recordings/${CONTACT}.mp3`,
      sha256: sha(readFileSync(join(p.root, "recordings", `${CONTACT}.mp3`))),
    });
    expect((record.manifest as { sha256: string }).sha256).toBe(
      sha(readFileSync(join(p.root, "redactions/call4.yaml"))),
    );
    expect(record.verification?.passed).toBe(true);
    const gitignore = readFileSync(join(__dirname, "../../.gitignore"), "utf8");
    expect(gitignore.split("\n")).toContain("private/");
  });

  it("the output shows no stack trace and says where the record went", () => {
    expect(published.stderr).not.toMatch(STACK);
  });
});

/** A fresh copy of the published call as `name`, to break one way. */
function copyCall(name: string): void {
  p.write(`redactions/${name}.yaml`, MANIFEST);
  const published = p.redact([name]);
  if (published.status !== 0) throw new Error(published.stderr);
}

describe("verification from the files alone", () => {
  it("catches unredacted files put in place of the outputs, with the report's list of outputs removed", () => {
    copyCall("swap");
    const out = join(p.root, "out");
    encode(join(p.root, "source.wav"), join(out, "swap.mp3"), ["-ar", "48000", "-c:a", "libmp3lame", "-b:a", "64k"]);
    copyFileSync(join(p.root, "source.wav"), join(out, "swap.wav"));
    const report = JSON.parse(readFileSync(join(out, "swap.json"), "utf8"));
    report.outputs = {};
    writeFileSync(join(out, "swap.json"), JSON.stringify(report, null, 2));

    const r = verifyCli(p.root, ["swap", "--json"]);
    expect(r.status, r.stderr).toBe(1);
    const [v] = jsonRows(r);
    const failing = (v?.rows ?? []).filter((row) => row.status === "fail");
    // The master is the source, not redacted: every range fails in it; the MP3 holds speech in its ranges.
    expect(
      failing.filter((row) => row.file === "swap.wav" && /not the 440 Hz tone|not the 660 Hz tone/.test(row.detail))
        .length,
    ).toBe(2);
    expect(failing.some((row) => row.file === "swap.mp3" && /tone holds only/.test(row.detail))).toBe(true);
    expect(failing.find((row) => row.file === "swap.json")?.detail).toMatch(/does not list out\/swap\.wav/);
  });

  it("does not skip such a call as unchanged: --all rebuilds it, and then it verifies", () => {
    const r = p.redact(["--all"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/swap\s+published/);
    expect(verifyCli(p.root, ["swap"]).status).toBe(0);
  });

  it("catches a page whose player points at an extra unredacted file, hashes updated, and refuses to publish beside it", () => {
    copyCall("extra");
    const out = join(p.root, "out");
    encode(join(p.root, "source.wav"), join(out, "extra-full.mp3"), [
      "-ar",
      "48000",
      "-c:a",
      "libmp3lame",
      "-b:a",
      "64k",
    ]);
    const page = readFileSync(join(out, "extra.html"), "utf8").replace('src="extra.mp3"', 'src="extra-full.mp3"');
    writeFileSync(join(out, "extra.html"), page);
    const report = JSON.parse(readFileSync(join(out, "extra.json"), "utf8"));
    report.outputs.html.sha256 = sha(page);
    writeFileSync(join(out, "extra.json"), JSON.stringify(report, null, 2));

    const r = verifyCli(p.root, ["extra", "--json"]);
    expect(r.status).toBe(1);
    const failing = (jsonRows(r)[0]?.rows ?? []).filter((row) => row.status === "fail");
    expect(failing.find((row) => row.file === "extra-full.mp3")?.detail).toMatch(
      /not a file this tool publishes for extra/,
    );
    expect(failing.find((row) => row.file === "extra.html")?.detail).toMatch(
      /refers to out\/extra-full\.mp3, which is not a file this call publishes.*its player plays extra-full\.mp3/,
    );

    // A new run cannot publish around it: its verification sees the stranger, nothing changes in out/.
    const before = snapshot(out);
    const again = p.redact(["extra"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/extra-full\.mp3\s+FAIL\s+not a file this tool publishes for extra/);
    expect(snapshot(out)).toEqual(before);
  });

  it("finds a note even when the report's title is made to hold it", () => {
    copyCall("titled");
    const out = join(p.root, "out");
    const report = JSON.parse(readFileSync(join(out, "titled.json"), "utf8"));
    report.title = NOTE;
    writeFileSync(join(out, "titled.json"), JSON.stringify(report, null, 2));
    const r = verifyCli(p.root, ["titled", "--json"]);
    expect(r.status).toBe(1);
    const failing = (jsonRows(r)[0]?.rows ?? []).filter((row) => row.status === "fail");
    expect(failing.find((row) => row.file === "*")?.detail).toContain(
      "the private note of redactions[1] is in out/titled.json",
    );
    expect(failing.find((row) => row.file === "titled.json")?.detail).toMatch(/its title is/);
  });

  it("refuses a report with a field the tool never writes", () => {
    copyCall("fields");
    const out = join(p.root, "out");
    const report = JSON.parse(readFileSync(join(out, "fields.json"), "utf8"));
    report.tags = { title: "anything" };
    writeFileSync(join(out, "fields.json"), JSON.stringify(report, null, 2));
    const r = verifyCli(p.root, ["fields", "--json"]);
    expect(r.status).toBe(1);
    expect(jsonRows(r)[0]?.rows.find((row) => row.file === "fields.json")?.detail).toMatch(
      /not a report of this tool: it has fields this tool never writes \(tags\)/,
    );
  });

  it("with --all, fails on a file of no call", () => {
    const out = join(p.root, "out");
    copyFileSync(join(p.root, "source.wav"), join(out, "leftover.wav"));
    const r = verifyCli(p.root, ["--all"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/leftover\.wav\s+FAIL\s+belongs to no call in redactions\//);
    // An empty .gitkeep (a git checkout's out/ has one) says nothing; one with content is a file of no call.
    writeFileSync(join(out, ".gitkeep"), "");
    expect(verifyCli(p.root, ["--all"]).stdout).not.toMatch(/\.gitkeep/);
    writeFileSync(join(out, ".gitkeep"), "a secret kept here");
    expect(verifyCli(p.root, ["--all"]).stdout).toMatch(/\.gitkeep\s+FAIL\s+belongs to no call/);
  });
});

describe("a source tag that says what the pipeline writes anyway is not a leak", () => {
  it("publishes a source tagged with the site's artist and album, the call's title and encoder names", () => {
    const q = tempProject();
    try {
      const wav = q.write("s.wav", wavBytes(RATE, speechLike(RATE, 1, RATE * 3, 3)));
      encode(wav, join(q.root, "recordings/tags.mp3"), [
        ...["-c:a", "libmp3lame", "-b:a", "32k", "-id3v2_version", "3"],
        ...["-metadata", "artist=Jane Doe Publishing", "-metadata", "album=Windows support scam calls"],
        ...["-metadata", "title=The third call of May", "-metadata", "comment=LAME3.100"],
        ...["-metadata", "composer=Lavf58.76.100", "-metadata", "genre=Lavc58.134.100 libmp3lame"],
      ]);
      q.write("redactions/site.yaml", "artist: Jane Doe Publishing\nalbum: Windows support scam calls\n");
      q.write(
        "redactions/tags.yaml",
        "title: The third call of May\nredactions:\n  - { start: 1, end: 2, category: sensitive }\n",
      );
      const r = q.redact(["tags"]);
      expect(r.status, r.stderr).toBe(0);
      expect(verificationOf(q.root, "tags").rows.find((row) => row.file === "*")?.status).toBe("pass");
    } finally {
      q.cleanup();
    }
  });
});

describe("one writer per call", () => {
  it("waits for another host's run that holds the call's lock, leaving its temporary files alone", async () => {
    const locks = join(p.root, "private", "locks");
    const lock = join(locks, "call4.lock");
    const holder = {
      host: "another-host",
      pidns: "pid:[1]",
      pid: 1,
      token: "0123456789abcdef",
      since: "2026-01-01T00:00:00Z",
    };
    writeFileSync(lock, JSON.stringify(holder));
    // The other run's files in progress, for call4 and for call5.
    const theirs = [".call4.wav.4194305-0123abcd.tmp", ".call5.mp3.4194305-89abcdef.tmp"];
    for (const f of theirs) writeFileSync(join(p.root, "out", f), "in progress");
    const child = startRedact(p.root, ["call4", "--force"]);
    const done = finished(child);
    // Its heartbeat moves for a while: the run waits and touches nothing of call4's.
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const now = new Date();
      utimesSync(lock, now, now);
      for (const f of theirs) expect(existsSync(join(p.root, "out", f)), f).toBe(true);
    }
    // The other run ends, leaving a temporary file behind as a killed run would: this run takes it over.
    rmSync(lock);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(p.root, "out", theirs[0] as string))).toBe(false); // call4's leftover: the holder's to clean
    expect(existsSync(join(p.root, "out", theirs[1] as string))).toBe(true); // call5's: not this run's business
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it("takes over a lock whose process is gone (on this host), at once", () => {
    const lock = join(p.root, "private", "locks", "call4.lock");
    writeFileSync(
      lock,
      JSON.stringify({
        host: hostname(),
        pidns: readlinkSync("/proc/self/ns/pid"),
        pid: 4194305,
        token: "dead",
        since: "",
      }),
    );
    const r = p.redact(["call4", "--force"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it("npm run verify waits for a run publishing the call, instead of reading half of its files", async () => {
    const lock = join(p.root, "private", "locks", "call4.lock");
    writeFileSync(lock, JSON.stringify({ host: "another-host", pidns: "x", pid: 1, token: "busy", since: "" }));
    const child = spawn(process.execPath, [RUN, VERIFY, "call4"], { cwd: p.root, env: { ...process.env, CI: "true" } });
    const done = finished(child);
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBeNull(); // still waiting
    rmSync(lock);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("call4: waiting for another run that is publishing it");
  }, 60_000);
});
