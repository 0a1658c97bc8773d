/**
 * The private record of a call, private/<call>.json: where its published files came from and what
 * verification found, kept outside out/ because it names and hashes private inputs (the recording's file
 * name, which call recorders make from the contact's name and number; the SHA-256 of the recording and of
 * the manifest, whose bytes hold the private notes).
 *
 * A later run skips the call when the record says its files were made from the same recording, manifest,
 * settings, tool and ffmpeg, and every file the current settings publish is in out/ with the hash the
 * record gives it (publish/freshness.ts). `npm run verify` writes its result here.
 */
import { join } from "node:path";
import { RedactError } from "../errors.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { writeTextAtomically } from "./atomic.ts";
import type { Layout } from "./layout.ts";

/** One row of a verification: a check on a file (or on a range of it) and what was found. */
export interface VerificationRow {
  /** The merged range (1-based), or null for a row about a whole file. */
  readonly range: number | null;
  /** The file checked (a name in out/), or "*" for all of them. */
  readonly file: string;
  readonly status: "pass" | "fail";
  /** What was found; a failing row starts with why it fails. */
  readonly detail: string;
}

export interface Verification {
  readonly passed: boolean;
  readonly rows: readonly VerificationRow[];
  /** Each web audio file's true peak as decoded, in dBTP (what its file row judged). */
  readonly truePeakDbtp?: Readonly<Record<string, number>>;
}

export interface PrivateRecord {
  readonly call: string;
  /** The recording as found: its path under the project (recordings/...) and SHA-256. */
  readonly recording: { readonly file: string; readonly sha256: string };
  /** The manifest: its path and the SHA-256 of its bytes. */
  readonly manifest: { readonly file: string; readonly sha256: string };
  /** The transcript published redacted (transcripts/...), and the SHA-256 of its bytes; null when there is none. */
  readonly transcript?: { readonly file: string; readonly sha256: string } | null;
  /** The SHA-256 of the settings that shape the outputs (publish/fingerprint.ts), and what they were. */
  readonly settingsSha256: string;
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  /** `name version` of the tool, and the first line of `ffmpeg -version`. */
  readonly tool: string;
  readonly ffmpeg: string;
  /** When the files were published (ISO 8601). */
  readonly publishedAt: string;
  /** Every file of the call put in out/ by that run, with its SHA-256 (the report included). */
  readonly published: Readonly<Record<string, string>>;
  /** What verification found, and when; null when the run was made with --no-verify. */
  readonly verification: (Verification & { readonly at: string }) | null;
}

export const recordPath = (layout: Layout, call: string): string => join(layout.privateDir, `${call}.json`);

/** The call's record, or undefined when there is none (or none this tool can read: the call is redone). */
export function readRecord(layout: Layout, call: string): PrivateRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readRegularFileSync(recordPath(layout, call), 16 << 20).toString("utf8"));
  } catch {
    return undefined;
  }
  const r = data as Partial<PrivateRecord> | null;
  const hex = (x: unknown): boolean => typeof x === "string" && /^[0-9a-f]{64}$/.test(x);
  if (
    r?.call !== call ||
    !hex(r.recording?.sha256) ||
    !hex(r.manifest?.sha256) ||
    !hex(r.settingsSha256) ||
    typeof r.tool !== "string" ||
    typeof r.published !== "object" ||
    r.published === null ||
    !Object.values(r.published).every(hex)
  ) {
    return undefined;
  }
  return r as PrivateRecord;
}

/** Write the call's record (whole or not at all). */
export function writeRecord(layout: Layout, record: PrivateRecord): void {
  const path = recordPath(layout, record.call);
  writeTextAtomically(path, `${JSON.stringify(record, null, 2)}\n`, `private/${record.call}.json`);
}

/** Put a new verification result into the call's record; false when there is no record to put it in. */
export function recordVerification(layout: Layout, call: string, verification: Verification): boolean {
  const record = readRecord(layout, call);
  if (!record) return false;
  writeRecord(layout, { ...record, verification: { ...verification, at: new Date().toISOString() } });
  return true;
}

/** The error for a record that cannot be written. */
export const recordError = (call: string, err: unknown): RedactError =>
  err instanceof RedactError
    ? err
    : new RedactError("E_IO", 1, `writing private/${call}.json failed: ${(err as Error).message}`, { cause: err });
