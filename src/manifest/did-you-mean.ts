/** Suggestions for near-miss keys and names in settings files. */

const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
};

/** ` (did you mean "duration"?)` for a near miss, else "". */
export const didYouMean = (word: string, options: readonly string[]): string => {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const o of options) {
    const d = o === lower ? 0 : editDistance(lower, o);
    if (d < bestDistance && d < word.length / 2) [best, bestDistance] = [o, d];
  }
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
};
