/**
 * Whether a call has anything to do: its private record says its files were made from the same recording,
 * manifest, transcript, settings, tool and ffmpeg; every file its current settings publish is in out/ with the hash the
 * record gives it; and no other file of the call is there (a copy, a format no longer chosen, anything put
 * beside them). Reads and hashes; decodes nothing. Anything unreadable or unexpected means "not fresh".
 * The caller holds the call's lock.
 */
import { join } from "node:path";
import type { WebFormat } from "../manifest/formats.ts";
import { sha256File } from "../media/hash.ts";
import type { Layout } from "../project/layout.ts";
import { readRecord } from "../project/record.ts";
import { parseReport, type Report } from "../project/report.ts";
import { readRegularFileSync } from "../regular-file.ts";
import { inventory } from "../verify/inventory.ts";
import { toolId } from "./fingerprint.ts";
import type { PreparedCall } from "./redact-call.ts";

export type Freshness =
  | { readonly fresh: true; readonly report: Report }
  | { readonly fresh: false; readonly why: string };

export async function checkFreshness(
  layout: Layout,
  call: PreparedCall,
  formats: readonly WebFormat[],
  calls: readonly string[],
  settingsSha256: string,
): Promise<Freshness> {
  const record = readRecord(layout, call.call);
  if (!record) return { fresh: false, why: "no earlier record" };
  if (record.tool !== toolId() || record.settingsSha256 !== settingsSha256) {
    return { fresh: false, why: "the tool, ffmpeg or settings changed" };
  }
  if (record.manifest.sha256 !== call.manifestSha256) return { fresh: false, why: "the manifest changed" };
  if ((record.transcript?.sha256 ?? null) !== (call.transcript?.sha256 ?? null)) {
    return { fresh: false, why: "the transcript changed" };
  }
  const inv = inventory(call.call, formats, calls, layout.outDir, undefined, call.transcript !== undefined);
  if (inv.missing.length > 0) return { fresh: false, why: `out/${inv.missing[0]} is missing` };
  if (inv.unexpected.length > 0) return { fresh: false, why: `out/${inv.unexpected[0]} is there too` };
  const published = Object.keys(record.published).sort();
  if (published.join("|") !== [...inv.expected].sort().join("|")) {
    return { fresh: false, why: "the settings publish other files" };
  }
  try {
    const [recording, ...hashes] = await Promise.all([
      sha256File(call.recordingPath, call.recordingDisplay),
      ...inv.expected.map((name) => sha256File(join(layout.outDir, name), `out/${name}`)),
    ]);
    if (recording !== record.recording.sha256) return { fresh: false, why: "the recording changed" };
    if (hashes.some((h, i) => h !== record.published[inv.expected[i] as string])) {
      return { fresh: false, why: "an output was changed" };
    }
    const parsed = parseReport(readRegularFileSync(join(layout.outDir, `${call.call}.json`)).toString("utf8"));
    if ("problem" in parsed) return { fresh: false, why: "the report cannot be read" };
    return { fresh: true, report: parsed.report };
  } catch {
    return { fresh: false, why: "an output is missing or unreadable" };
  }
}
