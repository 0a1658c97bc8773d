/** How `--check` shows a plan: a table for people, JSON for scripts. */
import { formatPos } from "../errors.ts";
import { formatTime } from "../manifest/time.ts";
import { type PlanWarning, planWarnings } from "../plan/warnings.ts";
import type { InspectedCall } from "../publish/redact-call.ts";
import { callRepeats, type RepeatWarning } from "../transcript/repeats.ts";

/** `warning: redactions/call4.yaml:9:5: redactions[1]: range 1 (...) is only 30.0 ms long, ...` */
export const formatWarning = (w: PlanWarning | RepeatWarning): string =>
  `warning: ${formatPos(w.pos)}: ${w.field}: ${w.message}`;

/** The plan's warnings, then the transcript's repeats (words redacted once but said again elsewhere). */
const allWarnings = (c: InspectedCall): (PlanWarning | RepeatWarning)[] => [
  ...planWarnings(c.plan, c.samples),
  ...(c.transcript ? callRepeats(c.manifest, c.transcript, c.format.sampleRate) : []),
];

export function planJson(c: InspectedCall): object {
  const rate = c.format.sampleRate;
  return {
    call: c.call,
    manifest: c.manifest.file,
    recording: c.recordingDisplay,
    transcript: c.transcript?.display ?? null,
    sampleRate: rate,
    channels: c.format.channels,
    samples: c.samples,
    ranges: c.plan.ranges.map((r) => ({
      number: r.number,
      category: r.category,
      frequency: r.frequency,
      startSample: r.start,
      endSample: r.end,
      startSeconds: r.start / rate,
      endSeconds: r.end / rate,
      start: formatTime(r.start / rate),
      end: formatTime(r.end / rate),
      durationSamples: r.end - r.start,
      durationSeconds: (r.end - r.start) / rate,
      entries: r.entries.map((e) => e.number),
      merged: r.entries.length > 1,
    })),
    warnings: allWarnings(c).map((w) => ({
      kind: w.kind,
      ...(w.kind === "repeat" ? { entries: [w.entry], again: w.again } : { ranges: w.ranges, entries: w.entries }),
      file: w.pos.file,
      line: w.pos.line,
      col: w.pos.col,
      field: w.field,
      message: w.message,
    })),
  };
}

export function planTable(c: InspectedCall): string {
  const rate = c.format.sampleRate;
  const transcript = c.transcript
    ? `\n  transcript ${c.transcript.display}: ${c.transcript.transcript.words.length} words (${c.transcript.transcript.format}), published redacted as out/${c.call}.vtt`
    : "";
  const head = `${c.manifest.file} -> ${c.recordingDisplay}: ${rate} Hz, ${c.format.channels} ch, ${c.samples} samples (${formatTime(c.samples / rate)})${transcript}`;
  if (c.plan.ranges.length === 0)
    return `${head}\n  no ranges: the recording is published as it is (loudness-normalised for the web)`;
  const rows = [["#", "category", "Hz", "start", "end", "start sample", "end sample", "duration", "entries"]];
  for (const r of c.plan.ranges) {
    rows.push([
      String(r.number),
      r.category,
      String(r.frequency),
      formatTime(r.start / rate),
      formatTime(r.end / rate),
      String(r.start),
      String(r.end),
      `${((r.end - r.start) / rate).toFixed(3)} s`,
      r.entries.map((e) => e.number).join(", "),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const lines = rows.map(
    (row) =>
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()}`,
  );
  const merged = c.plan.ranges
    .filter((r) => r.entries.length > 1)
    .map((r) => `  range ${r.number} merges entries ${r.entries.map((e) => e.number).join(", ")}`);
  const warnings = allWarnings(c).map((w) => `  ${formatWarning(w)}`);
  return [head, ...lines, ...merged, ...warnings].join("\n");
}
