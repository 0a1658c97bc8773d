/**
 * The manifest's shape, declared once: which keys each level takes, which are required, the type
 * and bounds of every value, defaults and descriptions. The validator (parse.ts) takes its keys,
 * bounds and defaults from here, and the JSON Schema for editors (schema.ts, written to
 * schema/manifest.schema.json by `npm run schema`) is generated from here, so the two cannot drift.
 * test/manifest/schema.test.ts runs both on the same valid and invalid manifests.
 *
 * A new key goes here first: parse.ts refuses keys this definition does not list.
 */

import { WEB_FORMATS } from "./formats.ts";

/** Text. YAML numbers and true/false are read as the text they were written as (`title: 2024`). */
export interface TextShape {
  readonly kind: "text";
  readonly description: string;
  /** ECMAScript regular expression the text must match (anchored). */
  readonly pattern?: string;
  /** At most this many characters. */
  readonly maxLength?: number;
  /** The only values allowed. */
  readonly enum?: readonly string[];
  readonly examples?: readonly string[];
  /** An empty value (`note:`) is allowed and means "none". */
  readonly nullable?: boolean;
  /** Names a category: a built-in one, or one defined under `categories:`. */
  readonly categoryRef?: boolean;
}

export interface NumberShape {
  readonly kind: "number";
  readonly description: string;
  /** Accepts a leading minus sign (only tone.level does). */
  readonly signed?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly default?: number;
  readonly examples?: readonly number[];
}

/** A time: seconds as an unsigned number, or a string in the time syntax (TIME_PATTERN). */
export interface TimeShape {
  readonly kind: "time";
  readonly description: string;
  /** Must be more than zero (a duration). */
  readonly positive?: boolean;
  readonly examples?: readonly (string | number)[];
}

export interface ListShape {
  readonly kind: "list";
  readonly description: string;
  readonly items: Shape;
  /** No value may appear twice. */
  readonly unique?: boolean;
  /** At least this many items. */
  readonly minItems?: number;
}

export interface MapShape {
  readonly kind: "map";
  readonly description: string;
  /** The keys this mapping takes, in the order messages list them. */
  readonly fields: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  /** Exactly one of these keys must be given. */
  readonly exactlyOne?: readonly string[];
  /** A mapping of user-chosen names (e.g. category names) to values. */
  readonly names?: {
    readonly pattern: string;
    readonly maxLength: number;
    readonly value: MapShape;
    /** Names with a meaning of their own (built-in categories): their value may leave out `required`. */
    readonly builtins?: readonly string[];
  };
  /** An example value, offered by editors as a snippet. */
  readonly snippet?: Readonly<Record<string, unknown>>;
}

export type Shape = TextShape | NumberShape | TimeShape | ListShape | MapShape;

/**
 * The time syntax: `ss[.fraction]`, `m:ss[.fraction]` or `h:mm:ss[.fraction]` (minutes may have
 * one digit; seconds after a colon are two digits under 60, minutes two digits under 60 when hours
 * are given). The same language as parseTimeText in time.ts (a property test checks they agree).
 */
export const TIME_PATTERN = "^(?:[0-9]+|[0-9]+:[0-5][0-9]|[0-9]+:[0-5][0-9]:[0-5][0-9])(?:\\.[0-9]+)?$";
/** A time string whose value is zero, e.g. "0", "0:00.000". */
export const ZERO_TIME_PATTERN = "^(?:0+:)?(?:0+:)?0+(?:\\.0+)?$";

/**
 * Characters that no published text may hold: C0 controls and DEL, and the bidirectional embedding,
 * override and isolate controls (U+202A-U+202E, U+2066-U+2069), which flip the text around them on a
 * page, the page's title included.
 */
const NOT_TEXT = "\\u0000-\\u001f\\u007f\\u202a-\\u202e\\u2066-\\u2069";

/** One line of text that is not blank: no tabs, newlines, other control characters or bidi controls. */
export const ONE_LINE = `^[^${NOT_TEXT}]*[^\\s${NOT_TEXT}][^${NOT_TEXT}]*$`;

/** Titles and labels end up in pages, tags and headings: one line of at most this many characters. */
export const MAX_LINE_LENGTH = 200;

/**
 * A path under recordings/ (or transcripts/): not absolute, no backslash, no `..` segment, no control characters,
 * and naming a file (not ending in `/` or `/.`).
 */
const RECORDING_PATH =
  "^(?![/])(?![A-Za-z]:)(?!(?:.*/)?\\.\\.(?:/|$))(?!.*[\\\\\\u0000-\\u001f\\u007f])(?!(?:.*/)?\\.?$).+$";

/**
 * A date, or a date and time with its zone: `2024-03-01`, `2024-03-01T14:05:00Z`, `2024-03-01T14:05+01:00`.
 * (Whether the day exists, 2024-02-30, only the parser checks.)
 */
export const DATE_PATTERN =
  "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?$";

export const BUILTIN_CATEGORY_NAMES = ["sensitive", "obscenity"] as const;

export const CATEGORY_SHAPE: MapShape = {
  kind: "map",
  description: "A category's tone. A built-in category (sensitive, obscenity) may leave out the frequency.",
  fields: {
    frequency: {
      kind: "number",
      description: "The tone's frequency in Hz, above 0 and under half the recording's sample rate.",
      exclusiveMinimum: 0,
      examples: [1000],
    },
    label: {
      kind: "text",
      description: "One line of legend text for published pages, e.g. background music (up to 200 characters).",
      pattern: ONE_LINE,
      maxLength: MAX_LINE_LENGTH,
    },
  },
  required: ["frequency"],
};

export const ENTRY_SHAPE: MapShape = {
  kind: "map",
  description:
    "One range to replace by a tone: start, end (or duration) and category. Ranges are half-open, [start, end), exact to the sample.",
  fields: {
    start: {
      kind: "time",
      description:
        'Where the range starts: seconds as a number (161.25) or a string "ss.fff", "m:ss.fff" or "h:mm:ss.fff" ("2:27.350").',
      examples: ["2:27.350", 161.25],
    },
    end: {
      kind: "time",
      description: "Where the range ends (not included): after start, inside the recording. Or give duration: instead.",
      examples: ["2:28.900"],
    },
    duration: {
      kind: "time",
      description: "The range's length, instead of end: (end = start + duration, added exactly). More than 0.",
      positive: true,
      examples: [1.5],
    },
    category: {
      kind: "text",
      description:
        "sensitive (440 Hz: names, addresses, phone numbers), obscenity (660 Hz), or a category defined under categories:.",
      categoryRef: true,
      examples: [...BUILTIN_CATEGORY_NAMES],
    },
    note: {
      kind: "text",
      description: "A private note for yourself: never written to any output.",
      nullable: true,
    },
  },
  required: ["start", "category"],
  exactlyOne: ["end", "duration"],
  snippet: { start: "0:00.000", end: "0:00.000", category: "sensitive" },
};

export const TONE_SHAPE: MapShape = {
  kind: "map",
  description: "How every tone sounds.",
  fields: {
    level: {
      kind: "number",
      description: "The tone's peak in dBFS, from -60 to 0 (default -18, broadcast line-up level).",
      signed: true,
      minimum: -60,
      maximum: 0,
      default: -18,
    },
    ramp: {
      kind: "number",
      description: "Milliseconds of raised-cosine fade in and out, inside each range (default 5; 0 = hard edges).",
      minimum: 0,
      default: 5,
    },
  },
};

export const CATEGORIES_SHAPE: MapShape = {
  kind: "map",
  description: "Add categories, or re-tune a built-in one: name: { frequency: Hz, label: text }.",
  fields: {},
  names: {
    pattern: "^[a-z0-9_-]+$",
    maxLength: 64,
    value: CATEGORY_SHAPE,
    builtins: BUILTIN_CATEGORY_NAMES,
  },
  snippet: { music: { frequency: 1000, label: "background music" } },
};

/** The whole manifest, redactions/<call>.yaml. */
export const MANIFEST_SHAPE: MapShape = {
  kind: "map",
  description: "What to redact in one call recording: redactions/<call>.yaml.",
  fields: {
    recording: {
      kind: "text",
      description: "The recording, a file under recordings/ (default: the one recordings/<call>.* file).",
      pattern: RECORDING_PATH,
      examples: ["call4.mp3"],
    },
    transcript: {
      kind: "text",
      description:
        "The call's transcript with word timings, a file under transcripts/ (default: the one transcripts/<call>.* file, if any). Published redacted as <call>.vtt.",
      pattern: RECORDING_PATH,
      examples: ["call4.whisperx.json"],
    },
    date: {
      kind: "text",
      description:
        "When the call was made: 2024-03-01, or a date and time with its zone (2024-03-01T14:05:00Z). Orders and dates the feed (out/feed.xml).",
      pattern: DATE_PATTERN,
      examples: ["2024-03-01"],
    },
    title: {
      kind: "text",
      description:
        "Title for the published files' tags and the call's page (default: the call name; up to 200 characters).",
      pattern: ONE_LINE,
      maxLength: MAX_LINE_LENGTH,
      examples: ["Call 4"],
    },
    redactions: {
      kind: "list",
      description: "The ranges to replace by tones ([] for none).",
      items: ENTRY_SHAPE,
    },
    categories: CATEGORIES_SHAPE,
    tone: TONE_SHAPE,
    pad: {
      kind: "number",
      description: "Milliseconds added before and after every range, clipped at the recording's ends (default 0).",
      minimum: 0,
      default: 0,
    },
    formats: {
      kind: "list",
      description:
        "The web formats this call publishes, over the site's default (redactions/site.yaml): mp3, opus or both. Not empty.",
      items: { kind: "text", description: "A web format.", enum: [...WEB_FORMATS] },
      unique: true,
      minItems: 1,
    },
  },
  required: ["redactions"],
};

/** The keys a mapping takes, in order. */
export const fieldNames = (shape: MapShape): readonly string[] => Object.keys(shape.fields);

/** A field's shape, for the parser: throws if the definition lacks it (a programming error). */
export function fieldShape<K extends Shape["kind"]>(map: MapShape, key: string, kind: K): Extract<Shape, { kind: K }> {
  const s = map.fields[key];
  if (!s || s.kind !== kind) throw new Error(`manifest definition: ${key} is not a ${kind}`);
  return s as Extract<Shape, { kind: K }>;
}
