import { createHash } from "node:crypto";
import { RedactError } from "../errors.ts";
import { openRegular } from "../regular-file.ts";

const CHUNK_BYTES = 1 << 20;

/**
 * Call `onChunk` with the file's bytes in order, a megabyte at a time, read into one buffer that is
 * reused (so a long file leaves no garbage behind for the collector): `onChunk` must not keep it.
 */
export async function forEachChunk(path: string, onChunk: (bytes: Buffer) => void): Promise<void> {
  const file = await openRegular(path);
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      onChunk(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string, displayName: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    await forEachChunk(path, (b) => hash.update(b));
  } catch (err) {
    throw new RedactError("E_IO", 1, `reading ${displayName} failed: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest("hex");
}
