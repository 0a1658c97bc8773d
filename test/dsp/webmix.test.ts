import { describe, expect, it } from "vitest";
import { gainedLanes, webChannelCount, webMix } from "../../src/dsp/webmix.ts";

describe("webMix", () => {
  it("keeps mono and stereo, averages more channels to mono", () => {
    expect(webChannelCount(1)).toBe(1);
    expect(webChannelCount(2)).toBe(2);
    expect(webChannelCount(6)).toBe(1);
    const three = [Float32Array.of(0.3, -0.6), Float32Array.of(0.6, 0), Float32Array.of(0, 0.3)];
    const [mono] = webMix(three);
    expect(Array.from(mono as Float32Array)).toEqual([Math.fround(0.3), Math.fround(-0.1)]);
  });
});

describe("gainedLanes", () => {
  it("gives each gain its own channels, the last in the mix's own arrays, the others unaffected by it", () => {
    const mix = [Float32Array.of(0.5, -0.25), Float32Array.of(0.125, 1)];
    const [a, b] = gainedLanes(mix, [2, 0.5]);
    expect(a?.map((ch) => Array.from(ch))).toEqual([
      [1, -0.5],
      [0.25, 2],
    ]);
    expect(b?.map((ch) => Array.from(ch))).toEqual([
      [0.25, -0.125],
      [0.0625, 0.5],
    ]);
    expect(b?.[0]).toBe(mix[0]);
    expect(a?.[0]).not.toBe(mix[0]);
  });
});
