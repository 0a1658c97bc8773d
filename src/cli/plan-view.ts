/** How `--check` shows a plan: a table for people, JSON for scripts. */
import { formatTime } from "../manifest/time.ts";
import type { InspectedCall } from "../publish/redact-call.ts";

export function planJson(c: InspectedCall): object {
  const rate = c.format.sampleRate;
  return {
    call: c.call,
    manifest: c.manifest.file,
    recording: c.recordingDisplay,
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
      entries: r.entries.map((e) => e.number),
    })),
  };
}

export function planTable(c: InspectedCall): string {
  const rate = c.format.sampleRate;
  const head = `${c.manifest.file} -> ${c.recordingDisplay}: ${rate} Hz, ${c.format.channels} ch, ${c.samples} samples (${formatTime(c.samples / rate)})`;
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
  return `${head}\n${lines.join("\n")}`;
}
