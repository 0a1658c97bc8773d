/**
 * Verify one call's published files from the files alone. What to check comes from the manifest, the site
 * settings, the recording and the files actually in out/: never from the report, which is itself checked
 * against what was found. Used before anything is published (`redact`, on the run's temporary files) and by
 * `npm run verify` (on out/ as it is). Imports nothing from the pipeline (src/publish).
 *
 * The checks, each a row of the table:
 * - every file the settings publish is there, and no other file of the call (by name) is;
 * - the report: exactly the fields the tool writes, made from this source (rate, channels, length as
 *   decoded here), listing the manifest's merged ranges and every file present with its SHA-256;
 * - nothing private (notes, source metadata, the recording's name, hashes of the recording or manifest)
 *   in any file of the call or in the index;
 * - the redacted transcript, when the call has one (transcript-check.ts): WebVTT in order inside the
 *   recording, a placeholder on every range, and no word the source transcript places inside a range;
 * - the page and the index refer to nothing elsewhere, the feed to nothing outside the site's address
 *   (feed-check.ts), and to no file of the call but those it publishes;
 *   the page's player plays exactly the web files present;
 * - the audio (audio.ts, audio-rows.ts): the master sample by sample, each lossy file range by range.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { WebFormat } from "../manifest/formats.ts";
import type { SiteSettings } from "../manifest/site.ts";
import type { Manifest } from "../manifest/types.ts";
import { buildPlan, fitPlan } from "../plan/plan.ts";
import { callOutputs, ownerOf, SITE_FILES } from "../project/outputs.ts";
import type { Verification, VerificationRow } from "../project/record.ts";
import { parseReport, type Report } from "../project/report.ts";
import { readRegularFileSync } from "../regular-file.ts";
import type { Transcript } from "../suggest/transcript.ts";
import { checkMaster, type FileRef, LOSSY_CODECS, type MasterOutcome, type SourceToCheck, walkAudio } from "./audio.ts";
import { checkRow, lossyRows, masterRows, plural } from "./audio-rows.ts";
import type { DecodeInput } from "./decode-float.ts";
import { checkFeed } from "./feed-check.ts";
import { inventory, references, type Staged, target } from "./inventory.ts";
import { type FileScan, privateNeedles, RECORDING_HASH, scanFiles } from "./leaks.ts";
import { type SourceMetadata, sourceMetadata } from "./metadata.ts";
import type { ExpectedRange } from "./reference-tone.ts";
import { checkTranscript, redactedTexts } from "./transcript-check.ts";

export type { Verification, VerificationRow };

export interface CallToVerify {
  readonly call: string;
  readonly manifest: Manifest;
  readonly site: SiteSettings;
  /** The web formats the call's settings publish (the manifest's, the site's, or --formats). */
  readonly formats: readonly WebFormat[];
  /** Every call with a manifest: a file named after a longer one of them is that call's, not this one's. */
  readonly calls: readonly string[];
  readonly recording: {
    readonly path: string;
    readonly display: string;
    readonly sha256: string;
    /** How the pipeline decodes it (media/source.ts): verification decodes it the same way. */
    readonly decode: DecodeInput;
  };
  readonly manifestSha256: string;
  /** The call's source transcript (found as the pipeline finds it), when it has one: out/<call>.vtt is checked against it. */
  readonly transcript?: { readonly display: string; readonly transcript: Transcript };
  /** The source as counted by a decode: the ranges are fitted to this length; the walk measures it again. */
  readonly source: { readonly sampleRate: number; readonly channels: number; readonly samples: number };
  readonly outDir: string;
  /** While redact runs: its new files, not yet renamed into place, and the outputs it will remove. */
  readonly staged?: Staged;
  /** Told how far through the recording the audio checks are (0..1). */
  readonly progress?: (fraction: number) => void;
}

/** The merged ranges the manifest gives for this source, as verification expects them. */
export function expectedRanges(c: Pick<CallToVerify, "manifest" | "source">): ExpectedRange[] {
  const plan = fitPlan(buildPlan(c.manifest, c.source.sampleRate), c.manifest, c.source.samples);
  return plan.ranges.map((r) => ({
    number: r.number,
    start: r.start,
    end: r.end,
    frequency: r.frequency,
    category: r.category,
    amplitude: r.amplitude,
    rampSamples: r.rampSamples,
  }));
}

const sourceToCheck = (c: CallToVerify): SourceToCheck => ({ ...c.source, ...c.recording });

/**
 * The master against the source on its own, as soon as it is written: `redact` starts this while the web
 * files encode and hands it to verifyCall (which then walks only the lossy files beside the source).
 */
export function verifyMasterEarly(c: CallToVerify, master: FileRef): Promise<MasterOutcome> {
  return checkMaster({ source: sourceToCheck(c), ranges: expectedRanges(c) }, master);
}

/** What the outputs carry on purpose: a private text saying the same is not a leak. */
function publishedTexts(c: Pick<CallToVerify, "call" | "manifest" | "site">, files: Iterable<string>): string[] {
  const { manifest, site } = c;
  return [
    manifest.title ?? c.call,
    c.call,
    site.title,
    site.description ?? "",
    site.artist ?? "",
    site.album ?? "",
    ...[...manifest.categories.values()].flatMap((cat) => [cat.name, cat.label ?? ""]),
    ...files,
  ].filter((t) => t !== "");
}

/** Checks started before the files to check are complete: redact starts them beside its own work. */
export interface EarlyChecks {
  /** The master against the source (verifyMasterEarly). */
  readonly master?: Promise<MasterOutcome>;
  /** The source's metadata, which needs nothing but the recording (readSourceMetadata). */
  readonly metadata?: Promise<SourceMetadata>;
}

/**
 * The recording's tags and pictures, to look for in every output: reading them takes a few ffmpeg runs
 * and needs nothing but the recording, so redact starts it while it decodes.
 */
export function readSourceMetadata(
  c: Pick<CallToVerify, "call" | "manifest" | "site" | "formats"> & {
    readonly recording: { readonly path: string; readonly display: string };
  },
): Promise<SourceMetadata> {
  const read = sourceMetadata(c.recording.path, c.recording.display, publishedTexts(c, callOutputs(c.call, c.formats)));
  read.catch(() => {}); // awaited by verifyCall
  return read;
}

export async function verifyCall(c: CallToVerify, early: EarlyChecks = {}): Promise<Verification> {
  const ranges = expectedRanges(c);
  const inv = inventory(c.call, c.formats, c.calls, c.outDir, c.staged, c.transcript !== undefined);
  const rows: VerificationRow[] = [];
  for (const name of inv.missing) {
    rows.push({ range: null, file: name, status: "fail", detail: `missing: the call's settings publish it` });
  }
  for (const name of inv.unexpected) {
    rows.push({
      range: null,
      file: name,
      status: "fail",
      detail: `not a file this tool publishes for ${c.call} with its settings (${[...inv.expected].join(", ")}); remove it`,
    });
  }
  const expectedPresent = (name: string): boolean => inv.expected.includes(name) && inv.files.has(name);
  const master = `${c.call}.wav`;
  const reportName = `${c.call}.json`;
  const pageName = `${c.call}.html`;
  const webFiles = c.formats.map((f) => `${c.call}.${f}`).filter(expectedPresent);

  // The audio, started first: it is the long part. The master only if it was not checked already.
  const source = sourceToCheck(c);
  const masterRef = expectedPresent(master) ? { name: master, path: inv.files.get(master) as string } : undefined;
  const walking = walkAudio(
    { source, ranges, ...(c.progress ? { progress: c.progress } : {}) },
    early.master ? undefined : masterRef,
    webFiles
      .filter((f) => f.slice(c.call.length + 1) in LOSSY_CODECS)
      .map((name) => ({ name, path: inv.files.get(name) as string })),
  );
  walking.catch(() => {});

  // Nothing private anywhere: one read of each file (which also hashes it), while the audio is decoded.
  const indexPath = join(c.outDir, "index.html");
  const scanned = new Map(inv.files);
  const index = readIfRegular(indexPath);
  if (index !== undefined) scanned.set("index.html", indexPath);
  const feedPath = join(c.outDir, "feed.xml");
  const feed = readIfRegular(feedPath);
  if (feed !== undefined) scanned.set("feed.xml", feedPath);
  const words = c.transcript?.transcript.words;
  const needles = await privateNeedles({
    recording: c.recording,
    manifestSha256: c.manifestSha256,
    notes: c.manifest.entries.flatMap((e) => (e.note ? [{ entry: e.number, text: e.note }] : [])),
    ...(words ? { redacted: redactedTexts(words, ranges, c.source.sampleRate) } : {}),
    exempt: publishedTexts(c, inv.expected),
    ...(early.metadata ? { metadata: early.metadata } : {}),
  });
  const scans = await scanFiles(scanned, needles.needles, (name) => name === reportName);
  // A published file identical to the recording (a WAV master with nothing redacted) has the recording's hash
  // as its own: listed in the report on purpose, it tells nothing the file does not.
  const sameAsRecording = [...scans.values()].some((scan) => scan.sha256 === c.recording.sha256);
  rows.push(leakRow(scans, needles.looked, sameAsRecording ? [RECORDING_HASH] : []));

  const audio = await walking;
  rows.push(reportRow(c, inv.files, scans, ranges, audio.sourceFrames, reportName));
  // What the call may link to: the files it publishes that are there (its report is not linked to).
  const linkable = (file: string): boolean => file !== reportName && expectedPresent(file);
  const page = inv.files.get(pageName);
  if (page !== undefined) rows.push(pageRow(pageName, page, linkable, webFiles));
  if (index !== undefined) rows.push(indexRow(c, index, linkable));
  if (feed !== undefined) {
    rows.push(
      checkFeed({
        call: c.call,
        text: feed,
        url: c.site.url,
        published: linkable,
        size: (file) => (inv.files.has(file) ? fileSize(inv.files.get(file) as string) : undefined),
        stale: c.staged !== undefined,
      }),
    );
  }
  const vttName = `${c.call}.vtt`;
  if (c.transcript && expectedPresent(vttName)) {
    const vttPath = inv.files.get(vttName) as string;
    rows.push(
      checkTranscript({
        file: vttName,
        text: readIfRegular(vttPath),
        source: { display: c.transcript.display, words: c.transcript.transcript.words },
        ranges,
        categories: c.manifest.categories,
        sampleRate: c.source.sampleRate,
        samples: audio.sourceFrames,
        ...(page === undefined ? {} : { page: readIfRegular(page) ?? "" }),
      }),
    );
  }

  const masterOutcome = early.master ? await early.master : audio.master;
  if (masterRef && masterOutcome) rows.push(...masterRows(master, masterOutcome, source, audio.sourceFrames, ranges));
  const silent = inv.files.has(reportName) ? reportSaysSilent(inv.files.get(reportName) as string) : false;
  for (const outcome of audio.lossy) rows.push(...lossyRows(outcome, source, ranges, silent));
  const truePeakDbtp: Record<string, number> = {};
  for (const o of audio.lossy) {
    const tp = o.problem === null ? o.loudness?.truePeakDbtp : undefined;
    if (tp !== undefined && Number.isFinite(tp)) truePeakDbtp[o.name] = Number(tp.toFixed(2));
  }
  return { passed: rows.every((r) => r.status !== "fail"), rows, truePeakDbtp };
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function readIfRegular(path: string): string | undefined {
  try {
    return readRegularFileSync(path, 64 << 20).toString("utf8");
  } catch {
    return undefined;
  }
}

function leakRow(scans: ReadonlyMap<string, FileScan>, looked: string, published: readonly string[]): VerificationRow {
  const problems: string[] = [];
  for (const [name, scan] of scans) {
    if (scan.error) problems.push(`out/${name} cannot be read: ${scan.error}`);
    for (const label of scan.found) if (!published.includes(label)) problems.push(`${label} is in out/${name}`);
  }
  return checkRow(null, "*", problems, `nothing private (looked for ${looked}) in ${plural(scans.size, "file")}`);
}

/** The report says the redacted recording had no measurable loudness (a silent or very short call). */
function reportSaysSilent(path: string): boolean {
  const text = readIfRegular(path);
  if (text === undefined) return false;
  const parsed = parseReport(text);
  return "report" in parsed && parsed.report.loudness.measuredLufs === null;
}

function reportRow(
  c: CallToVerify,
  files: ReadonlyMap<string, string>,
  scans: ReadonlyMap<string, FileScan>,
  ranges: readonly ExpectedRange[],
  sourceFrames: number,
  name: string,
): VerificationRow {
  const path = files.get(name);
  if (path === undefined) return { range: null, file: name, status: "fail", detail: "missing" };
  const text = readIfRegular(path);
  const parsed = text === undefined ? { problem: "it cannot be read" } : parseReport(text);
  if ("problem" in parsed) {
    return { range: null, file: name, status: "fail", detail: `not a report of this tool: ${parsed.problem}` };
  }
  const r: Report = parsed.report;
  const problems: string[] = [];
  if (r.call !== c.call) problems.push(`it is the report of "${r.call}"`);
  const title = c.manifest.title ?? c.call;
  if (r.title !== title)
    problems.push(`its title is ${JSON.stringify(r.title)}; the manifest's is ${JSON.stringify(title)}`);
  const s = r.source;
  if (s.sampleRate !== c.source.sampleRate || s.channels !== c.source.channels || s.samples !== sourceFrames) {
    problems.push(
      `it gives ${s.sampleRate} Hz, ${plural(s.channels, "channel")}, ${s.samples} samples; the recording decodes to ${c.source.sampleRate} Hz, ${c.source.channels}, ${sourceFrames}`,
    );
  }
  const got = r.ranges.map((x) => `${x.startSample}-${x.endSample} ${x.category} ${x.frequency} Hz`);
  const want = ranges.map((x) => `${x.start}-${x.end} ${x.category} ${x.frequency} Hz`);
  if (got.join("|") !== want.join("|")) {
    const i = want.findIndex((w, k) => got[k] !== w);
    const at = i < 0 ? got.length : i;
    problems.push(
      `its ranges differ from the manifest's (range ${at + 1}: report ${got[at] ?? "none"}, manifest ${want[at] ?? "none"}); redact the call again`,
    );
  }
  // Its outputs: exactly the files present (but itself), each with the hash it has.
  const listed = new Map(Object.values(r.outputs).map((o) => [o.file, o.sha256]));
  for (const [file] of files) {
    if (file === name) continue;
    const sha = scans.get(file)?.sha256;
    if (!listed.has(file)) problems.push(`it does not list out/${file}`);
    else if (sha !== undefined && listed.get(file) !== sha)
      problems.push(`out/${file} is not the file it describes (SHA-256 differs)`);
  }
  for (const file of listed.keys()) if (!files.has(file)) problems.push(`it lists out/${file}, which is not there`);
  return checkRow(
    null,
    name,
    problems,
    `the report of ${c.recording.display} as it decodes now, with the manifest's ${plural(ranges.length, "range")} and the SHA-256 of ${plural(files.size - 1, "file")}`,
  );
}

/**
 * What a page may refer to: within itself, the empty favicon, the index, and the call's own published files
 * that are there. Returns a problem per reference that goes anywhere else.
 */
function referenceProblems(
  html: string,
  where: string,
  allowed: (file: string) => boolean,
): { problems: string[]; sources: string[] } {
  const problems: string[] = [];
  const sources: string[] = [];
  for (const ref of references(html)) {
    const t = target(ref.value);
    if (t.kind === "elsewhere") problems.push(`${where} refers to ${JSON.stringify(ref.value)}, outside out/`);
    else if (t.kind === "file") {
      if (!allowed(t.name)) problems.push(`${where} refers to out/${t.name}, which is not a file this call publishes`);
      if (ref.source) sources.push(t.name);
    }
  }
  return { problems, sources };
}

function pageRow(
  name: string,
  path: string,
  linkable: (file: string) => boolean,
  webFiles: readonly string[],
): VerificationRow {
  const html = readIfRegular(path);
  if (html === undefined) return { range: null, file: name, status: "fail", detail: "cannot be read" };
  const { problems, sources } = referenceProblems(
    html,
    "the page",
    (file) => SITE_FILES.includes(file) || linkable(file),
  );
  const playing = [...new Set(sources)].sort().join(", ");
  const want = [...webFiles].sort().join(", ");
  if (playing !== want)
    problems.push(`its player plays ${playing || "nothing"}; the call publishes ${want || "no web audio"}`);
  return checkRow(null, name, problems, `plays ${want}; refers to nothing elsewhere and to no other file`);
}

function indexRow(c: CallToVerify, html: string, linkable: (file: string) => boolean): VerificationRow {
  const everyone = c.calls.includes(c.call) ? c.calls : [...c.calls, c.call];
  const problems: string[] = [];
  let links = 0;
  for (const ref of references(html)) {
    const t = target(ref.value);
    if (t.kind === "elsewhere") {
      problems.push(`the index refers to ${JSON.stringify(ref.value)}, outside out/`);
      continue;
    }
    if (t.kind !== "file" || ownerOf(t.name, everyone) !== c.call) continue;
    links++;
    if (!linkable(t.name)) problems.push(`the index refers to out/${t.name}, which is not a file this call publishes`);
  }
  return checkRow(null, "index.html", problems, `${plural(links, "link")} to this call, each to a file it publishes`);
}
