/** Escaping for text and attribute values: everything user-supplied goes through here. */
const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text content or a quoted attribute value, safe either way. Bidirectional embedding, override and isolate
 * controls (refused in manifests and settings already) become U+FFFD: they would turn the text around them.
 */
export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c).replace(/[\u202a-\u202e\u2066-\u2069]/g, "\ufffd");

/** A number for SVG coordinates: at most `digits` decimals, no trailing zeros, no "-0". */
export const num = (x: number, digits = 2): string => {
  const s = x.toFixed(digits).replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
};

/** Whole seconds as a clock, as players show it (rounded down): 0:54, 12:03, 1:02:03. */
export function clock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** A count with its noun: "1 redaction", "6 redactions". */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;
