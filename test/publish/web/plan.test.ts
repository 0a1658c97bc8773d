/**
 * The limiter's ceiling each web format is planned with: -1 dBTP less its codec's usual overshoot, which
 * for MP3 depends on the channels (joint stereo overshoots more), less any extra headroom a retry asked for.
 */
import { describe, expect, it } from "vitest";
import type { WebFormat } from "../../../src/manifest/formats.ts";
import { planFormats } from "../../../src/publish/web/plan.ts";

const target = (format: WebFormat) => ({
  format,
  file: `c.${format}`,
  path: `/tmp/c.${format}`,
  display: `out/c.${format}`,
});
/** Loud peaks: any gain up to the target needs the limiter. */
const measured = { integratedLufs: -30, truePeakDbtp: -3 };
const codecs = new Map<WebFormat, number>([
  ["mp3", 0],
  ["opus", 0],
]);

const ceilings = (channels: 1 | 2, extra = new Map<WebFormat, number>()) =>
  planFormats([target("mp3"), target("opus")], codecs, measured, channels, extra).map((p) => [
    p.format,
    p.headroomDb,
    p.first.limiter,
    p.first.limiterCeilingDbtp,
  ]);

describe("planFormats: the limiter's ceiling per format", () => {
  it("holds mono MP3 1 dB and stereo MP3 2 dB under -1 dBTP; Opus 2.5 dB either way", () => {
    expect(ceilings(1)).toEqual([
      ["mp3", 1, true, -2],
      ["opus", 2.5, true, -3.5],
    ]);
    expect(ceilings(2)).toEqual([
      ["mp3", 2, true, -3],
      ["opus", 2.5, true, -3.5],
    ]);
  });

  it("adds the extra headroom a true-peak retry asks for, to that format only", () => {
    expect(ceilings(2, new Map([["mp3", 0.7]]))).toEqual([
      ["mp3", 2.7, true, -3.7],
      ["opus", 2.5, true, -3.5],
    ]);
  });
});
