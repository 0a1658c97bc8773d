/**
 * Where things live: `redactions/<call>.yaml`, `recordings/<file>`, `transcripts/<file>`, `out/`.
 * Call names, `recording:` and `transcript:` paths are checked so that nothing is read from
 * outside its folder (symlinks included) and nothing is written outside out/.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { ManifestError, RedactError, UsageError } from "../errors.ts";
import type { Manifest } from "../manifest/types.ts";
import { kindOf } from "../regular-file.ts";

export interface Layout {
  readonly root: string;
  readonly redactionsDir: string;
  readonly recordingsDir: string;
  /** Word-timed transcripts of the calls, published redacted (out/<call>.vtt). Optional. */
  readonly transcriptsDir: string;
  /** The public site: everything in it may be copied to a web host as it is. */
  readonly outDir: string;
  /**
   * What must not be published: each call's private record (provenance, verification), the locks of
   * runs in progress, previews and caches. Never inside out/.
   */
  readonly privateDir: string;
}

export function projectLayout(root: string): Layout {
  return {
    root,
    redactionsDir: join(root, "redactions"),
    recordingsDir: join(root, "recordings"),
    transcriptsDir: join(root, "transcripts"),
    outDir: join(root, "out"),
    privateDir: join(root, "private"),
  };
}

/** Where the locks of runs in progress are (project/lock.ts). */
export const locksDir = (layout: Layout): string => join(layout.privateDir, "locks");

/** What users see: paths relative to the project root, with forward slashes. */
export const display = (layout: Layout, path: string): string => relative(layout.root, path).split(sep).join("/");

const CALL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** redactions/<call>.suggested.yaml holds proposals from `npm run suggest`, never a manifest. */
export const SUGGESTED_SUFFIX = ".suggested";

/** redactions/site.yaml is the site settings (site-settings.ts), never a call's manifest. */
export const SITE_SETTINGS_NAME = "site";

/**
 * Names whose outputs would land on the site's own files (out/index.html, out/feed.xml), compared
 * without case: static hosts on macOS or Windows file systems do not tell Index.html from index.html.
 */
export const RESERVED_CALL_NAMES: readonly string[] = ["index", "feed"];

export function checkCallName(name: string): void {
  if (!CALL_NAME.test(name) || name.includes("..")) {
    throw new UsageError(
      `"${name}" is not a call name: use letters, digits, "-", "_" and "." only (e.g. call4), naming redactions/<name>.yaml`,
      "E_CALL_NAME",
    );
  }
  if (RESERVED_CALL_NAMES.includes(name.toLowerCase())) {
    throw new UsageError(
      `"${name}" cannot be a call name: its page would overwrite the site's own out/${name.toLowerCase()}.* files; rename redactions/${name}.yaml (e.g. to ${name}-call.yaml)`,
      "E_CALL_NAME",
    );
  }
}

/** redactions/<call>.yaml or .yml; both present is ambiguous; neither is an error (exit 2). */
export function findManifest(layout: Layout, call: string): string {
  checkCallName(call);
  if (call.endsWith(SUGGESTED_SUFFIX)) {
    throw new UsageError(
      `"${call}" is not a call: redactions/${call}.yaml holds proposals from npm run suggest; copy the ones you accept into redactions/${call.slice(0, -SUGGESTED_SUFFIX.length)}.yaml`,
      "E_CALL_NAME",
    );
  }
  if (call === SITE_SETTINGS_NAME) {
    throw new UsageError(
      `"${call}" is not a call: redactions/${call}.yaml holds the site settings (title, tags, formats; see README)`,
      "E_CALL_NAME",
    );
  }
  const found = [".yaml", ".yml"].map((ext) => join(layout.redactionsDir, call + ext)).filter(exists);
  if (found.length === 0) {
    throw new UsageError(
      `no manifest for "${call}": expected ${display(layout, join(layout.redactionsDir, `${call}.yaml`))}; write one (see README) or check the name with \`ls redactions\``,
      "E_NO_MANIFEST",
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `two manifests for "${call}": ${found.map((f) => display(layout, f)).join(" and ")}; keep only one`,
      "E_NO_MANIFEST",
    );
  }
  const path = found[0] as string;
  checkSettingsFile(layout, path);
  return path;
}

/**
 * A file of redactions/ that the tool reads (a manifest, the site settings): a regular file, and if it is
 * a link, one that stays inside redactions/ (a link out could make the tool read and echo any file).
 */
export function checkSettingsFile(layout: Layout, path: string): void {
  const shown = display(layout, path);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new RedactError("E_IO", 1, `${shown}: cannot read it: it is a link to nothing (a broken link)`);
  }
  if (!inside(realpathSync(layout.redactionsDir), real)) {
    throw new UsageError(
      `${shown} is a link to a file outside redactions/; copy the file into redactions/ instead`,
      "E_NO_MANIFEST",
    );
  }
  const st = statSync(real);
  if (!st.isFile()) throw new RedactError("E_IO", 1, `${shown}: cannot read it: it is ${kindOf(st)}, not a file`);
}

/** All calls with a manifest in redactions/, sorted. */
export function listCalls(layout: Layout): string[] {
  let names: string[];
  try {
    names = readdirSync(layout.redactionsDir);
  } catch {
    return [];
  }
  const calls = new Set<string>();
  for (const n of names) {
    const m = /^(.*)\.(yaml|yml)$/.exec(n);
    if (m?.[1]?.endsWith(SUGGESTED_SUFFIX)) continue; // proposals from `npm run suggest`, not a manifest
    // Whatever the entry is (a file, a link, a FIFO): findManifest says what is wrong with one that is not a file.
    if (m?.[1] && m[1] !== SITE_SETTINGS_NAME && CALL_NAME.test(m[1]) && !isDirectory(join(layout.redactionsDir, n)))
      calls.add(m[1]);
  }
  return [...calls].sort();
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Is there an entry at p (a file, a folder, a FIFO, a link, even a broken one)? */
function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What p is when it exists but is not a regular file ("a folder", "a FIFO (named pipe)"); undefined otherwise. */
function notAFile(p: string): string | undefined {
  try {
    const st = statSync(p);
    return st.isFile() ? undefined : kindOf(st);
  } catch {
    return undefined;
  }
}

/** Is p strictly inside dir (both absolute)? */
const inside = (dir: string, p: string): boolean => {
  const rel = relative(dir, p);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

/**
 * The recording for a manifest: `recording:` under recordings/, or the single
 * recordings/<call>.* file. Refuses paths (and symlinks) that leave recordings/
 * with exit 2; a missing recording is exit 1.
 */
export function findRecording(layout: Layout, manifest: Manifest): string {
  const dir = layout.recordingsDir;
  let candidate: string;
  if (manifest.recording) {
    candidate = resolve(dir, manifest.recording.path);
    if (!inside(dir, candidate)) {
      throw new ManifestError([
        {
          pos: manifest.recording.pos,
          field: "recording",
          message: `"${manifest.recording.path}" is outside recordings/; name a file inside recordings/, e.g. ${manifest.call}.mp3`,
        },
      ]);
    }
    if (!isFile(candidate)) {
      const what = notAFile(candidate);
      throw new RedactError(
        "E_RECORDING",
        1,
        what
          ? `${manifest.file}: recording ${display(layout, candidate)} is ${what}, not a recording; name a file with recording:`
          : `${manifest.file}: recording ${display(layout, candidate)} not found; put the recording there or fix recording:`,
      );
    }
  } else {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // no recordings/ folder: reported below as not found
    }
    const named = names.filter(
      (n) => n.startsWith(`${manifest.call}.`) && !n.slice(manifest.call.length + 1).includes("."),
    );
    const matches = named.filter((n) => isFile(join(dir, n)));
    const odd = named.find((n) => notAFile(join(dir, n)));
    if (matches.length === 0 && odd !== undefined) {
      throw new RedactError(
        "E_RECORDING",
        1,
        `${manifest.file}: recordings/${odd} is ${notAFile(join(dir, odd))}, not a recording; put the recording file there, or set recording: in the manifest`,
      );
    }
    if (matches.length === 0) {
      throw new RedactError(
        "E_RECORDING",
        1,
        `${manifest.file}: no recording for ${manifest.call}: expected recordings/${manifest.call}.<ext> (e.g. ${manifest.call}.mp3), or set recording: in the manifest`,
      );
    }
    if (matches.length > 1) {
      throw new UsageError(
        `${manifest.file}: several recordings match ${manifest.call}: ${matches.map((m) => `recordings/${m}`).join(", ")}; say which with recording: in the manifest`,
        "E_RECORDING",
      );
    }
    candidate = join(dir, matches[0] as string);
  }
  // Symlinks must not lead outside recordings/ either.
  const real = realpathSync(candidate);
  const realDir = realpathSync(dir);
  if (!inside(realDir, real)) {
    const pos = manifest.recording?.pos ?? { file: manifest.file, line: 1, col: 1 };
    throw new ManifestError([
      {
        pos,
        field: "recording",
        message: `${display(layout, candidate)} is a link to a file outside recordings/; copy the recording into recordings/ instead`,
      },
    ]);
  }
  return candidate;
}

/** A call's transcript: where it is, and how users see it (`transcripts/call4.srt`). */
export interface TranscriptFile {
  readonly path: string;
  readonly display: string;
}

/**
 * The transcript of a call, if it has one: `transcript:` in the manifest, a file under transcripts/; else
 * the one transcripts/<call>.<ext> file (call4.srt, call4.json: one extension, as for recordings), else none.
 * A `transcript:` path or link that leaves transcripts/ is refused (exit 2), like `recording:`; a
 * `transcript:` naming nothing, or two files that could be the call's, are errors too. Nothing is read.
 */
export function findTranscript(
  layout: Layout,
  manifest: Pick<Manifest, "call" | "file" | "transcript">,
): TranscriptFile | undefined {
  const dir = layout.transcriptsDir;
  let candidate: string;
  const given = manifest.transcript;
  if (given) {
    candidate = resolve(dir, given.path);
    if (!inside(dir, candidate)) {
      throw new ManifestError([
        {
          pos: given.pos,
          field: "transcript",
          message: `"${given.path}" is outside transcripts/; name a file inside transcripts/, e.g. ${manifest.call}.srt`,
        },
      ]);
    }
    if (!isFile(candidate)) {
      const what = notAFile(candidate);
      throw new RedactError(
        "E_TRANSCRIPT",
        1,
        what
          ? `${manifest.file}: transcript ${display(layout, candidate)} is ${what}, not a transcript; name a file with transcript:`
          : `${manifest.file}: transcript ${display(layout, candidate)} not found; put the transcript there or fix transcript:`,
      );
    }
  } else {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined; // no transcripts/ folder: no call has a transcript
    }
    const named = names.filter(
      (n) => n.startsWith(`${manifest.call}.`) && !n.slice(manifest.call.length + 1).includes("."),
    );
    if (named.length === 0) return undefined;
    const odd = named.find((n) => notAFile(join(dir, n)));
    if (odd !== undefined) {
      throw new RedactError(
        "E_TRANSCRIPT",
        1,
        `${manifest.file}: transcripts/${odd} is ${notAFile(join(dir, odd))}, not a transcript; put the transcript file there, or set transcript: in the manifest`,
      );
    }
    if (named.length > 1) {
      throw new UsageError(
        `${manifest.file}: several transcripts match ${manifest.call}: ${named.map((m) => `transcripts/${m}`).join(", ")}; say which with transcript: in the manifest`,
        "E_TRANSCRIPT",
      );
    }
    candidate = join(dir, named[0] as string);
    if (!isFile(candidate)) {
      throw new RedactError(
        "E_TRANSCRIPT",
        1,
        `${manifest.file}: ${display(layout, candidate)} cannot be read: it is a link to nothing (a broken link)`,
      );
    }
  }
  // Links must not lead outside transcripts/ either.
  const real = realpathSync(candidate);
  if (!inside(realpathSync(dir), real)) {
    throw new ManifestError([
      {
        pos: given?.pos ?? { file: manifest.file, line: 1, col: 1 },
        field: "transcript",
        message: `${display(layout, candidate)} is a link to a file outside transcripts/; copy the transcript into transcripts/ instead`,
      },
    ]);
  }
  return { path: candidate, display: display(layout, candidate) };
}

/** The recordings in recordings/: their file names (regular files, not hidden), sorted. */
export function listRecordings(layout: Layout): string[] {
  let names: string[];
  try {
    names = readdirSync(layout.recordingsDir);
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith(".") && isFile(join(layout.recordingsDir, n))).sort();
}

/** The call a recording is for when no manifest names it: its file name without the extension (call4.mp3: call4). */
export const callOfRecording = (file: string): string => file.replace(/\.[^.]*$/, "");
