/**
 * What shapes a call's outputs beyond its recording and manifest: the tool's version, the ffmpeg build in
 * use, and the options of the run that change what is written (--formats, the site settings, --no-verify).
 * Their SHA-256 goes into the private record (project/record.ts); a later run with the same figure, the same
 * recording and manifest, and the same files in out/ skips the call (freshness.ts).
 *
 * The tool's own code is identified by its version number: a release that changes the outputs has a new
 * one. Someone changing the code in between rebuilds with `--force`.
 */
import { createHash } from "node:crypto";
import { startFfmpeg } from "../media/ffmpeg.ts";
import { TOOL } from "../version.ts";

/** Options of a run that change what is written, by name (the tool version and ffmpeg are added). */
export type OutputSettings = Readonly<Record<string, string | number | boolean>>;

export const toolId = (): string => `${TOOL.name} ${TOOL.version}`;

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** JSON with sorted keys, so that the same settings always hash the same. */
function canonicalJson(settings: OutputSettings): string {
  return JSON.stringify(Object.fromEntries(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1))));
}

export interface FfmpegIdentity {
  /** SHA-256 of all `ffmpeg -version` says (version, build options, library versions). */
  readonly sha256: string;
  /** Its first line: "ffmpeg version N-47683-g0e8eb07980-static ...". */
  readonly version: string;
}

let identity: Promise<FfmpegIdentity> | undefined;

/** The ffmpeg binary in use, as `ffmpeg -version` describes it; asked once per process. */
export function ffmpegIdentity(): Promise<FfmpegIdentity> {
  identity ??= (async () => {
    const job = startFfmpeg({ summary: "asking ffmpeg for its version", stdout: "pipe", args: ["-version"] });
    const parts: Buffer[] = [];
    if (job.stdout) for await (const b of job.stdout) parts.push(b as Buffer);
    await job.done;
    const text = Buffer.concat(parts);
    return { sha256: sha256Hex(text), version: text.toString("utf8").split("\n")[0]?.trim() ?? "" };
  })();
  return identity;
}

/** The settings hash a run writes into its records and compares with theirs. */
export async function settingsDigest(settings: OutputSettings): Promise<string> {
  return sha256Hex(canonicalJson({ ...settings, tool: toolId(), ffmpeg: (await ffmpegIdentity()).sha256 }));
}
