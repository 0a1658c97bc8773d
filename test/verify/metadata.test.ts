/** Reading the source's metadata as ffmpeg prints it, and looking for it in bytes. */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isDistinctive, parseFfmetadata, pictureNeedles, scanFile, textNeedles } from "../../src/verify/metadata.ts";

describe("parseFfmetadata", () => {
  it("reads keys and values with ffmetadata's escapes, in every section", () => {
    const text = [
      ";FFMETADATA1",
      "title=A\\=B\\;C\\#D\\\\E",
      "comment=first line\\",
      "second line",
      "[CHAPTER]",
      "TIMEBASE=1/1000",
      "title=Chapter one",
      "",
    ].join("\n");
    expect(parseFfmetadata(text)).toEqual([
      ["title", "A=B;C#D\\E"],
      ["comment", "first line\nsecond line"],
      ["TIMEBASE", "1/1000"],
      ["title", "Chapter one"],
    ]);
  });
});

describe("isDistinctive", () => {
  it("skips what turns up by chance: short strings and short numbers", () => {
    expect(isDistinctive("Alice Smith")).toBe(true);
    expect(isDistinctive("eng")).toBe(false);
    expect(isDistinctive("2024")).toBe(false);
    expect(isDistinctive("2024-05-01 10:00")).toBe(true);
    expect(isDistinctive("+51.5074-000.1278/")).toBe(true);
  });
});

describe("scanFile", () => {
  it("finds a string in any of its encodings, across read boundaries, and hashes the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scan-"));
    try {
      const secret = "Ärtist Name";
      const filler = Buffer.alloc((1 << 20) - 5, 0x41);
      // UTF-16LE, straddling the first 1 MiB read.
      const file = join(dir, "x.bin");
      writeFileSync(file, Buffer.concat([filler, Buffer.from(secret, "utf16le"), filler]));
      const found = await scanFile(file, "x.bin", textNeedles("the artist", secret));
      expect(found.found).toEqual(["the artist"]);
      expect(found.bytes).toBe(2 * filler.length + 2 * secret.length);
      // Latin-1 too (ID3v1 and ID3v2 ISO-8859-1 frames).
      writeFileSync(file, Buffer.concat([Buffer.from("xx"), Buffer.from(secret, "latin1")]));
      expect((await scanFile(file, "x.bin", textNeedles("the artist", secret))).found).toEqual(["the artist"]);
      writeFileSync(file, Buffer.from("nothing to see"));
      const clean = await scanFile(file, "x.bin", textNeedles("the artist", secret));
      expect(clean.found).toEqual([]);
      expect(clean.sha256).toBe(createHash("sha256").update("nothing to see").digest("hex"));
      const picture = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7) % 256));
      writeFileSync(file, Buffer.concat([Buffer.from("head"), picture.subarray(100, 400)]));
      expect((await scanFile(file, "x.bin", pictureNeedles("the picture", picture))).found).toEqual(["the picture"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
