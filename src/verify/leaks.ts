/**
 * Nothing private in any published file: what to look for, and the look. Private are the notes of the
 * manifest's entries, the words of the transcript said only inside redacted ranges (transcript-check.ts),
 * every tag and picture of the source (metadata.ts), the recording's file name (call
 * recorders name files after the contact: "2024-03-01 Rosalind Featherstone +447700900123.mp3"), and the
 * SHA-256 of the recording and of the manifest. Texts the manifest and the site settings publish on purpose
 * (the title, the site's artist and album, category labels, the call's own file names) are not leaks when a
 * private text says the same; neither is a codec's name (metadata.ts, GENERIC_ENCODER).
 *
 * Each file is read once: the same pass hashes it.
 */
import { basename } from "node:path";
import { readRegularFileSync } from "../regular-file.ts";
import {
  isDistinctive,
  type Needle,
  type SourceMetadata,
  scanFile,
  scanText,
  sourceMetadata,
  textNeedles,
} from "./metadata.ts";

export interface PrivateInputs {
  readonly recording: {
    readonly path: string;
    /** recordings/..., as users see it. */
    readonly display: string;
    readonly sha256: string;
  };
  readonly manifestSha256: string;
  readonly notes: ReadonlyArray<{ readonly entry: number; readonly text: string }>;
  /** The words of the transcript said only inside ranges, each with the first range it is in. */
  readonly redacted?: ReadonlyArray<{ readonly range: number; readonly text: string }>;
  /** What the outputs carry on purpose. */
  readonly exempt: readonly string[];
  /** The source's metadata (sourceMetadata with the same exempt texts), when it was read earlier. */
  readonly metadata?: Promise<SourceMetadata>;
}

/** The label of the recording's hash among the needles. */
export const RECORDING_HASH = "the recording's SHA-256";

export interface Needles {
  readonly needles: readonly Needle[];
  /** What was looked for, in words: "3 tag strings, 0 pictures, 2 private notes, the recording's name and hashes". */
  readonly looked: string;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? "" : "s"}`;

export async function privateNeedles(p: PrivateInputs): Promise<Needles> {
  const exempt = (t: string): boolean => p.exempt.some((e) => e.includes(t.trim()));
  const meta = await (p.metadata ?? sourceMetadata(p.recording.path, p.recording.display, p.exempt));
  const needles: Needle[] = [...meta.needles];
  const notes = p.notes.filter((n) => isDistinctive(n.text) && !exempt(n.text));
  for (const n of notes) needles.push(...textNeedles(`the private note of redactions[${n.entry}]`, n.text));
  // Only words long enough not to turn up by chance in audio bytes (the transcript check compares the rest as words).
  const redacted = (p.redacted ?? []).filter((w) => isDistinctive(w.text) && !exempt(w.text));
  for (const w of redacted)
    needles.push(...textNeedles(`a word of the transcript redacted in range ${w.range}`, w.text));
  // The recording's name as a user might see it: its path under recordings/, its file name, and the name
  // without its extension.
  const relative = p.recording.display.replace(/^recordings\//, "");
  const file = basename(relative);
  const names = new Set([relative, file, file.replace(/\.[^.]*$/, "")]);
  for (const name of names) {
    if (isDistinctive(name) && !exempt(name)) needles.push(...textNeedles("the recording's file name", name));
  }
  needles.push({ label: RECORDING_HASH, bytes: Buffer.from(p.recording.sha256, "latin1") });
  needles.push({ label: "the manifest's SHA-256", bytes: Buffer.from(p.manifestSha256, "latin1") });
  return {
    needles,
    looked: [
      plural(meta.strings, "tag string"),
      plural(meta.pictures, "picture"),
      plural(notes.length, "private note"),
      ...(p.redacted ? [plural(new Set(redacted.map((w) => w.text.toLowerCase())).size, "redacted word")] : []),
      "the recording's name and hashes",
    ].join(", "),
  };
}

export interface FileScan {
  readonly sha256?: string;
  /** Labels of what was found in it. */
  readonly found: readonly string[];
  /** Why it could not be read. */
  readonly error?: string;
}

/** Hash every file and look for the needles in it (a report's own key names are not a find). */
export async function scanFiles(
  files: ReadonlyMap<string, string>,
  needles: readonly Needle[],
  isReport: (name: string) => boolean,
): Promise<Map<string, FileScan>> {
  const out = new Map<string, FileScan>();
  for (const [name, path] of files) {
    try {
      const scan = await scanFile(path, `out/${name}`, needles);
      out.set(name, { sha256: scan.sha256, found: isReport(name) ? [] : scan.found });
      if (isReport(name) && scan.found.length > 0) {
        // Re-read as text: a needle that is one of the report's own key names is not a find.
        out.set(name, {
          sha256: scan.sha256,
          found: scanReportText(readRegularFileSync(path).toString("utf8"), needles),
        });
      }
    } catch (err) {
      out.set(name, { found: [], error: ((err as Error).message.split("\n")[0] ?? "").replace(/^error: /, "") });
    }
  }
  return out;
}

/** The report's text: a text that is one of its key names cannot have leaked into it. */
function scanReportText(text: string, needles: readonly Needle[]): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return scanText(text, needles);
  }
  const keysOnly = JSON.stringify(data, (_k, v: unknown) => (typeof v === "string" ? "" : v));
  const own = new Set(scanText(keysOnly, needles));
  return scanText(text, needles).filter((label) => !own.has(label));
}
