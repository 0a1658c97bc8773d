/** The master's sample-by-sample check, on hand-made 16-bit blocks. */
import { describe, expect, it } from "vitest";
import { MasterCheck } from "../../src/verify/master-check.ts";
import type { ExpectedRange } from "../../src/verify/reference-tone.ts";
import { refTone } from "../helpers/signal.ts";

const RATE = 8000;
const R: ExpectedRange = {
  number: 1,
  start: 100,
  end: 300,
  frequency: 440,
  category: "sensitive",
  amplitude: 10 ** (-18 / 20),
  rampSamples: 40,
};

/** Two channels, interleaved int16: a ramp of values outside, the tone (rounded) inside. */
function blocks(): { source: Int16Array; master: Int16Array } {
  const frames = 400;
  const source = new Int16Array(frames * 2);
  const master = new Int16Array(frames * 2);
  for (let n = 0; n < frames; n++) {
    for (let c = 0; c < 2; c++) {
      source[2 * n + c] = (n * 37 + c * 1000) % 20000;
      const inRange = n >= R.start && n < R.end;
      master[2 * n + c] = inRange
        ? Math.round(refTone(n - R.start, R.end - R.start, 440, RATE) * 32768)
        : (source[2 * n + c] as number);
    }
  }
  return { source, master };
}

const bytes = (x: Int16Array): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

function check(source: Int16Array, master: Int16Array, cut: number) {
  const m = new MasterCheck([R], RATE);
  m.push(bytes(source.subarray(0, cut * 2)), bytes(master.subarray(0, cut * 2)), cut, 2);
  m.push(bytes(source.subarray(cut * 2)), bytes(master.subarray(cut * 2)), 400 - cut, 2);
  return m.result();
}

describe("MasterCheck", () => {
  it("passes a correct master, however it is cut", () => {
    for (const cut of [1, 100, 150, 300, 399]) {
      const { source, master } = blocks();
      const r = check(source, master, cut);
      expect(r.changedOutside).toBe(0);
      expect(r.ranges[0]?.badSamples).toBe(0);
      expect(r.ranges[0]?.maxErrorLsb).toBeLessThanOrEqual(0.5);
      expect(r.framesCompared).toBe(400);
    }
  });

  it("counts a changed sample outside the ranges and says where the first is", () => {
    const { source, master } = blocks();
    master[2 * 350 + 1] = (master[2 * 350 + 1] as number) + 1;
    master[2 * 20] = 0;
    const r = check(source, master, 150);
    expect(r.changedOutside).toBe(2);
    expect(r.firstChangedOutside).toBe(20);
  });

  it("finds a tone sample one step off, and speech left inside a range", () => {
    const { source, master } = blocks();
    master[2 * 200] = (master[2 * 200] as number) + 1;
    let r = check(source, master, 250);
    expect(r.ranges[0]?.badSamples).toBe(1);
    expect(r.ranges[0]?.firstBad).toBe(200);
    const leaky = blocks();
    for (let n = R.start; n < R.end; n++) leaky.master[2 * n] = leaky.source[2 * n] as number;
    r = check(leaky.source, leaky.master, 250);
    expect(r.ranges[0]?.badSamples).toBeGreaterThan(190);
  });
});
