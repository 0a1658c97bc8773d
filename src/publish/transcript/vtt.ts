/**
 * Cues (captions.ts) as a WebVTT file: the header, then one numbered cue per block. A speaker is a voice
 * span (`<v Caller>...</v>`); a placeholder is a class span, `<c.redacted.sensitive>[sensitive]</c>`, so
 * that a reader (and verification) tells it from a word that happens to be in brackets. Text is escaped
 * (`&`, `<`, `>`), so no word of a transcript can open a span or end a cue. Pure.
 */
import type { Cue } from "./captions.ts";

/** `00:01:02.345` */
export function vttTime(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Cue text and annotations: the three characters WebVTT gives a meaning to, escaped. */
export const vttEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The class a placeholder's span carries: `redacted` and its category's name (a-z, 0-9, _ and -). */
export const placeholderClasses = (category: string): string => `redacted.${category}`;

export function renderVtt(cues: readonly Cue[]): string {
  const blocks = cues.map((c, i) => {
    const text =
      c.kind === "placeholder"
        ? `<c.${placeholderClasses(c.category)}>${vttEscape(c.text)}</c>`
        : c.speaker === undefined
          ? vttEscape(c.words.map((w) => w.text).join(" "))
          : `<v ${vttEscape(c.speaker)}>${vttEscape(c.words.map((w) => w.text).join(" "))}</v>`;
    return `${i + 1}\n${vttTime(c.startMs)} --> ${vttTime(c.endMs)}\n${text}\n`;
  });
  return `WEBVTT\n\n${blocks.join("\n")}`;
}
