/**
 * Messages for recordings at the edges, as a user meets them: a recording too short to publish says so
 * (not that decoding an output failed); a recording published with nothing redacted, whose WAV master is
 * then byte for byte the recording, is not flagged for "leaking" its own hash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { speechLike, wavBytes } from "../helpers/audio.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";
import { STACK, snapshot, verificationOf } from "../helpers/verify-cli.ts";

let p: TempProject;
beforeAll(() => {
  p = tempProject();
});
afterAll(() => p.cleanup());

describe("a recording too short to publish", () => {
  it.each([
    [8000, 1, "1 sample long (0.1 ms at 8000 Hz)"],
    [44100, 44, "44 samples long (1.0 ms at 44100 Hz)"],
  ])("at %i Hz, %i sample(s): exit 1, saying so, in a run and in --check", (rate, samples, said) => {
    const name = `short${rate}`;
    p.write(`recordings/${name}.wav`, wavBytes(rate, speechLike(rate, 1, samples, 3)));
    p.write(`redactions/${name}.yaml`, "redactions: []\n");
    const before = snapshot(`${p.root}/out`);
    for (const args of [[name], ["--check", name]]) {
      const r = p.redact(args);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: recordings/${name}.wav: the recording is ${said}: too short to publish`);
      expect(r.stderr).not.toContain("to verify it failed");
      expect(r.stderr).not.toMatch(STACK);
    }
    expect(snapshot(`${p.root}/out`)).toEqual(before);
  });

  it("20 ms is published", () => {
    p.write("recordings/brief.wav", wavBytes(8000, speechLike(8000, 1, 160, 3)));
    p.write("redactions/brief.yaml", "redactions: []\n");
    const r = p.redact(["brief"]);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("nothing redacted: the master is the recording", () => {
  it("publishes, and the master's hash in the report is not taken for the recording's", () => {
    p.write("recordings/plain.wav", wavBytes(8000, speechLike(8000, 1, 8000 * 2, 5)));
    p.write("redactions/plain.yaml", "redactions: []\n");
    const r = p.redact(["plain"]);
    expect(r.status, r.stderr).toBe(0);
    expect(p.read("out/plain.wav").equals(p.read("recordings/plain.wav"))).toBe(true);
    expect(verificationOf(p.root, "plain").passed).toBe(true);
  });
});
