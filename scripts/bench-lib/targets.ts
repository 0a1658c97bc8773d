/**
 * Issue 14's targets, checked per row of the matrix (default settings: MP3, verification on):
 *   - 10 minutes and longer: `npm run redact` at most 1.10x the bare transcode;
 *   - 1 minute (and shorter): at most the bare transcode + 0.5 s;
 *   - the batch (`--all` over the one-minute calls): at most 1.2x the bare transcodes two at a time;
 *   - peak memory of the tool's process tree (npm's wrapper aside): at 60 minutes (and longer) at most
 *     120 MB and within 10 % of the same format's 1-minute figure. Shorter rows have no memory target.
 * Rows between 1 and 10 minutes have no speed target (issue 14 sets none). Pure.
 */

export type SpeedTarget =
  | { readonly kind: "ratio"; readonly limit: number }
  | { readonly kind: "plus"; readonly seconds: number };

export const RATIO_LONG = 1.1;
export const PLUS_SHORT_S = 0.5;
export const RATIO_BATCH = 1.2;
export const MEMORY_LIMIT_MB = 120;
export const MEMORY_GROWTH = 0.1;

export function speedTarget(row: { readonly minutes: number; readonly batch: boolean }): SpeedTarget | undefined {
  if (row.batch) return { kind: "ratio", limit: RATIO_BATCH };
  if (row.minutes <= 1) return { kind: "plus", seconds: PLUS_SHORT_S };
  if (row.minutes >= 10) return { kind: "ratio", limit: RATIO_LONG };
  return undefined;
}

export interface Verdict {
  readonly pass: boolean;
  /** What the target is: "≤ 1.10x", "≤ bare + 0.5 s", "≤ 120 MB". */
  readonly target: string;
  /** "pass, 0.04x to spare" / "MISS by 0.17x (2.1 s)". */
  readonly text: string;
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);

/** The speed verdict of medians `toolS` (npm run redact) and `bareS` (the bare transcode). */
export function checkSpeed(target: SpeedTarget, toolS: number, bareS: number): Verdict {
  if (target.kind === "plus") {
    const budget = bareS + target.seconds;
    const over = toolS - budget;
    return {
      pass: over <= 0,
      target: `≤ bare + ${target.seconds} s`,
      text: over <= 0 ? `pass, ${fixed(-over, 2)} s to spare` : `MISS by ${fixed(over, 2)} s`,
    };
  }
  const ratio = toolS / bareS;
  const over = ratio - target.limit;
  const overS = toolS - bareS * target.limit;
  return {
    pass: over <= 0,
    target: `≤ ${target.limit.toFixed(2)}x`,
    text:
      over <= 0
        ? `pass, ${fixed(-over, 2)}x to spare`
        : `MISS by ${fixed(over, 2)}x (${fixed(overS, overS < 10 ? 2 : 1)} s)`,
  };
}

/**
 * The memory verdict of a row's peak (MB), given the same format's 1-minute peak when it was measured.
 * Undefined when no memory target applies (rows under 60 minutes, the batch).
 */
export function checkMemory(minutes: number, peakMB: number, oneMinuteMB: number | undefined): Verdict | undefined {
  if (minutes < 60) return undefined;
  const limits: { mb: number; what: string }[] = [{ mb: MEMORY_LIMIT_MB, what: `${MEMORY_LIMIT_MB} MB` }];
  if (oneMinuteMB !== undefined) {
    limits.push({ mb: oneMinuteMB * (1 + MEMORY_GROWTH), what: `1-min ${oneMinuteMB.toFixed(1)} MB + 10 %` });
  }
  const binding = limits.reduce((a, b) => (b.mb < a.mb ? b : a));
  const over = peakMB - binding.mb;
  return {
    pass: over <= 0,
    target: limits.map((l) => `≤ ${l.mb.toFixed(1)} (${l.what})`).join(", "),
    text: over <= 0 ? `pass, ${fixed(-over, 1)} MB to spare` : `MISS by ${fixed(over, 1)} MB`,
  };
}
