/** Plain-text tables for the benchmark's summary. */

/** Columns padded to their widest cell; numbers (and headers over them) right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.,]+[a-z%x]*$/i.test(r[c] ?? "")),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Samples per second in millions, one decimal: 12345678 -> "12.3". */
export const millions = (perSecond: number): string => (perSecond / 1e6).toFixed(1);
