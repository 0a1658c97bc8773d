/** Times as people read them, from samples of the recording. */

const pad = (n, width) => String(n).padStart(width, "0");

/** `m:ss.fff` (or `h:mm:ss.fff`), with `decimals` digits of the second, rounded. */
export function clock(seconds, decimals = 3) {
  const scale = 10 ** decimals;
  const units = Math.round(Math.max(0, seconds) * scale);
  const whole = Math.floor(units / scale);
  const h = Math.floor(whole / 3600);
  const m = Math.floor(whole / 60) % 60;
  const s = whole % 60;
  const frac = decimals > 0 ? `.${pad(units % scale, decimals)}` : "";
  return `${h > 0 ? `${h}:${pad(m, 2)}` : m}:${pad(s, 2)}${frac}`;
}

/** A sample's time to the microsecond: `0:04.110000`. */
export const sampleClock = (sample, rate) => clock(sample / rate, 6);

/** A length in samples as seconds: `1.340 s`. */
export const length = (samples, rate) => `${(samples / rate).toFixed(3)} s`;

/** 1234567 -> "1,234,567". */
export const count = (n) => n.toLocaleString("en-GB");
