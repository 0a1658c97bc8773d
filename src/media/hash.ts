import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { RedactError } from "../errors.ts";

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string, displayName: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (err) {
    throw new RedactError("E_IO", 1, `reading ${displayName} failed: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest("hex");
}
