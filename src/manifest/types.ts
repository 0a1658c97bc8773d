import type { SourcePos } from "../errors.ts";
import type { ExactSeconds, Hertz } from "../units.ts";
import type { WebFormat } from "./formats.ts";

/** A tone category: what the listener hears over a redacted range. */
export interface Category {
  readonly name: string;
  readonly frequency: Hertz;
  /** Optional legend text for published pages, e.g. "sensitive information". */
  readonly label?: string;
}

/** One entry of the manifest's `redactions:` list, validated; `end` is exact even when `duration:` was given. */
export interface ManifestEntry {
  /** 1-based position in the `redactions:` list, as users count. */
  readonly number: number;
  readonly start: ExactSeconds;
  readonly end: ExactSeconds;
  readonly category: string;
  /** Where the entry (its `-` item) starts. */
  readonly pos: SourcePos;
  /** Where the `start:` value and the `end:` (or `duration:`) value are. */
  readonly startPos: SourcePos;
  readonly endPos: SourcePos;
  readonly endField: "end" | "duration";
  /** Private note: never written to any output. */
  readonly note?: string;
}

export interface ToneSettings {
  /** Tone peak in dBFS (default -18). */
  readonly levelDb: number;
  /** Raised-cosine fade in and out, in milliseconds, inside each range (default 5). */
  readonly rampMs: number;
}

export interface Manifest {
  /** The manifest's path as shown to users, e.g. `redactions/call4.yaml`. */
  readonly file: string;
  /** The call name, e.g. `call4`. */
  readonly call: string;
  /** `recording:` as written (relative to recordings/), with its position; undefined = default lookup. */
  readonly recording?: { readonly path: string; readonly pos: SourcePos };
  /** `transcript:` as written (relative to transcripts/), with its position; undefined = default lookup. */
  readonly transcript?: { readonly path: string; readonly pos: SourcePos };
  /** `date:` as written (`2024-03-01`, `2024-03-01T14:05:00Z`): when the call was made, for the feed. */
  readonly date?: string;
  readonly title?: string;
  /** `formats:` — the web formats this call publishes, overriding the site's default; undefined = not given. */
  readonly formats?: readonly WebFormat[];
  /** Built-in categories (sensitive 440 Hz, obscenity 660 Hz) merged with the manifest's own. */
  readonly categories: ReadonlyMap<string, Category>;
  readonly tone: ToneSettings;
  /** Padding before and after every range, exact, in seconds (from `pad:` in ms). */
  readonly pad: ExactSeconds;
  readonly entries: readonly ManifestEntry[];
}
