/**
 * The names of what lands in out/: the files a call publishes, the site's own files, and which call a
 * file in out/ belongs to by its name. Shared by the pipeline (what to write, when a call is unchanged)
 * and by verification (what must be there, and what must not), so that both mean the same files.
 * Pure: names in, names out.
 */
import { WEB_FORMATS, type WebFormat } from "../manifest/formats.ts";

/** The site's own files, written once per run for all calls: the index, and the feed (when the site has a `url:`). */
export const SITE_FILES: readonly string[] = ["index.html", "feed.xml"];

/**
 * Every kind of file the tool writes for a call, by extension (the report's `outputs` keys, and `json`). `vtt`
 * is the redacted transcript, published only when the call has a transcript.
 */
export const OUTPUT_KINDS = ["wav", ...WEB_FORMATS, "html", "vtt", "json"] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** The file of one kind for a call: call4.mp3. */
export const outputName = (call: string, kind: OutputKind): string => `${call}.${kind}`;

/**
 * What a call publishes with these web formats: the master, each web format, the page, the redacted transcript
 * when it has a transcript, and the report.
 */
export function callOutputs(call: string, formats: readonly WebFormat[], transcript = false): string[] {
  return OUTPUT_KINDS.filter(
    (k) => k === "wav" || k === "html" || k === "json" || (k === "vtt" ? transcript : formats.includes(k)),
  ).map((k) => outputName(call, k));
}

/** Every name the tool could write for a call, whatever the settings (a file no longer published is removed). */
export const allCallOutputs = (call: string): string[] => OUTPUT_KINDS.map((k) => outputName(call, k));

/** The hidden temporary files of a run in progress (`.call4.wav.1234-0a1b2c3d.tmp`, `...tmp.part1`). */
export const isTemporaryName = (name: string): boolean => /^\..+\.\d+-[0-9a-f]{8}\.tmp(\.[^.]+)?$/.test(name);

/** The output a temporary file stands for (`call4.wav`), or undefined when the name is not a temporary file's. */
export const temporaryTarget = (name: string): string | undefined =>
  /^\.(.+)\.\d+-[0-9a-f]{8}\.tmp(\.[^.]+)?$/.exec(name)?.[1];

/**
 * The call a file in out/ belongs to, by name: the longest of `calls` that the name starts with, followed by
 * `.`, `-` or `_` (call4.mp3, call4-full.mp3 and call4_old.mp3 are call4's, unless a call named call4-full
 * exists; call40.mp3 is not). Undefined for a site file or a name that is no call's.
 */
export function ownerOf(name: string, calls: readonly string[]): string | undefined {
  if (SITE_FILES.includes(name)) return undefined;
  let owner: string | undefined;
  for (const call of calls) {
    if (name.length <= call.length || !name.startsWith(call) || !".-_".includes(name[call.length] as string)) continue;
    if (owner === undefined || call.length > owner.length) owner = call;
  }
  return owner;
}
