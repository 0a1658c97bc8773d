/**
 * The screenshot reader against an independent one: ffmpeg writes the same picture as PNG (with each of
 * PNG's row filters, in each colour type the reader takes) and as raw RGBA, and the two must agree byte
 * for byte.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveFfmpeg } from "../../src/media/ffmpeg.ts";
import { pixelAt, readPng } from "./png.ts";

const dir = mkdtempSync(join(tmpdir(), "png-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ffmpeg's test pattern (colour bars, gradients, a moving square) as a 37x23 picture: odd sizes on purpose. */
function ffmpegImage(args: readonly string[], out: string): Buffer {
  const path = join(dir, out);
  const r = spawnSync(
    resolveFfmpeg().path,
    ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=37x23:rate=1:duration=1", "-frames:v", "1", ...args, path],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(path);
}

describe("readPng", () => {
  const reference = (pixFmt: string): Buffer =>
    ffmpegImage(["-vf", `format=${pixFmt}`, "-pix_fmt", "rgba", "-f", "rawvideo"], `${pixFmt}.rgba`);

  it.each(["none", "sub", "up", "avg", "paeth", "mixed"])(
    "reads RGB with the %s filter as ffmpeg decodes it",
    (pred) => {
      const png = readPng(ffmpegImage(["-pix_fmt", "rgb24", "-pred", pred], `rgb-${pred}.png`));
      expect([png.width, png.height]).toEqual([37, 23]);
      expect(Buffer.from(png.data).equals(reference("rgb24"))).toBe(true);
    },
  );

  it.each([
    ["rgba", "rgba"],
    ["gray", "gray"],
    ["ya8", "ya8"],
  ])("reads %s", (pixFmt, name) => {
    const png = readPng(ffmpegImage(["-vf", `format=${pixFmt}`, "-pix_fmt", pixFmt, "-pred", "mixed"], `${name}.png`));
    expect(Buffer.from(png.data).equals(reference(pixFmt))).toBe(true);
  });

  it("gives a pixel as [r, g, b, a] and refuses one outside the picture", () => {
    const png = readPng(ffmpegImage(["-pix_fmt", "rgb24"], "pixel.png"));
    const raw = reference("rgb24");
    const i = (5 * 37 + 7) * 4;
    expect(pixelAt(png, 7, 5)).toEqual([raw[i], raw[i + 1], raw[i + 2], 255]);
    expect(() => pixelAt(png, 37, 0)).toThrow(/outside/);
  });

  it("refuses what it cannot read rather than misreading it", () => {
    expect(() => readPng(Buffer.from("GIF89a"))).toThrow(/not a PNG/);
    expect(() => readPng(ffmpegImage(["-pix_fmt", "rgb48be"], "deep.png"))).toThrow(/bit depth 16/);
  });
});
