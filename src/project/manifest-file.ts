/**
 * Reading a manifest to edit it, and writing files people edit (manifests, label files,
 * suggestion files) whole or not at all: a temporary file beside the target, then a rename.
 */
import { RedactError } from "../errors.ts";
import { MAX_MANIFEST_BYTES, parseManifest } from "../manifest/parse.ts";
import type { Manifest } from "../manifest/types.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { display, findManifest, type Layout } from "./layout.ts";

export interface ManifestFile {
  readonly path: string;
  /** redactions/call4.yaml, as users see it. */
  readonly display: string;
  readonly text: string;
  readonly manifest: Manifest;
}

/** The bytes of a settings file the user writes (a manifest, the site settings); a read error is exit 1. */
export function readSettingsBytes(path: string, shown: string, what: string): Buffer {
  try {
    return readRegularFileSync(path, MAX_MANIFEST_BYTES + 1);
  } catch (err) {
    throw new RedactError("E_IO", 1, `${shown}: cannot read ${what}: ${whyUnreadable(err)}`, { cause: err });
  }
}

/** Why a file could not be read, in a few words: "no such file", "it is a FIFO (named pipe), not a file". */
export function whyUnreadable(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { kind?: string };
  switch (e?.code) {
    case "ENOENT":
      return "no such file";
    case "ENOTREG":
      return `it is ${e.kind ?? "not a regular file"}, not a file`;
    case "EISDIR":
      return "it is a folder, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return e instanceof Error ? e.message : String(err);
  }
}

/** The text the parsers see: one byte past the size limit, so that they can refuse an oversized file. */
export const settingsText = (bytes: Buffer): string => bytes.subarray(0, MAX_MANIFEST_BYTES + 1).toString("utf8");

/** redactions/<call>.yaml, read and validated (a ManifestError lists every problem). */
export function readManifestFile(layout: Layout, call: string): ManifestFile {
  const path = findManifest(layout, call);
  const file = display(layout, path);
  const text = settingsText(readSettingsBytes(path, file, "the manifest"));
  return { path, display: file, text, manifest: parseManifest(text, { file, call }) };
}

/** Read a text file the user named (a label file, a transcript); a missing file is exit 1. */
export function readInputText(path: string, shown: string): string {
  try {
    return readRegularFileSync(path).toString("utf8");
  } catch (err) {
    throw new RedactError("E_IO", 1, `cannot read ${shown}: ${whyUnreadable(err)}`, { cause: err });
  }
}
