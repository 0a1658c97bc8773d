/**
 * A small PNG reader for tests that look at screenshots: 8-bit greyscale, grey+alpha, RGB or RGBA, not
 * interlaced (what Chromium writes for a screenshot). No dependency but node:zlib; anything else it is
 * given is refused rather than misread.
 */
import { inflateSync } from "node:zlib";

export interface Rgba {
  readonly width: number;
  readonly height: number;
  /** Four bytes per pixel, rows top to bottom. */
  readonly data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of each colour type at 8 bits per sample. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function readPng(png: Uint8Array): Rgba {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (b.length < 8 || !b.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let pos = 8; pos + 8 <= b.length; ) {
    const length = b.readUInt32BE(pos);
    const type = b.toString("latin1", pos + 4, pos + 8);
    const body = b.subarray(pos + 8, pos + 8 + length);
    pos += 12 + length; // length, type, body, CRC
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = CHANNELS[colourType as number] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error(`PNG not read here: bit depth ${depth}, colour type ${colourType}, interlace ${interlace}`);
      }
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
  }
  if (channels === 0) throw new Error("PNG without IHDR");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1))
    throw new Error(`PNG data is ${raw.length} bytes, not ${height * (stride + 1)}`);

  // Undo each row's filter (PNG spec, section 9) against the row above, already unfiltered.
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (pixels[row + i - channels] as number) : 0;
      const up = y > 0 ? (pixels[row - stride + i] as number) : 0;
      const c = i >= channels && y > 0 ? (pixels[row - stride + i - channels] as number) : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (a + up) >> 1;
      else if (filter === 4) {
        const p = a + up - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - c);
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      } else throw new Error(`PNG row ${y}: unknown filter ${filter}`);
      pixels[row + i] = ((raw[src + i] as number) + predicted) & 0xff;
    }
  }

  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const grey = channels <= 2;
    data[p * 4] = pixels[s] as number;
    data[p * 4 + 1] = pixels[grey ? s : s + 1] as number;
    data[p * 4 + 2] = pixels[grey ? s : s + 2] as number;
    data[p * 4 + 3] = channels === 2 || channels === 4 ? (pixels[s + channels - 1] as number) : 255;
  }
  return { width, height, data };
}

/** The pixel at (x, y) as [r, g, b, a]. */
export function pixelAt(image: Rgba, x: number, y: number): [number, number, number, number] {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height)
    throw new Error(`pixel (${x}, ${y}) is outside the image`);
  const i = (y * image.width + x) * 4;
  const d = image.data;
  return [d[i] as number, d[i + 1] as number, d[i + 2] as number, d[i + 3] as number];
}
