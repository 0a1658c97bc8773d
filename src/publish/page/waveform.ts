/**
 * The waveform as inline SVG: one filled outline drawn from the min/max peaks
 * of every column, behind it one shaded rectangle per merged redacted range in
 * its category's colour, and a playhead line that the page's script moves.
 *
 * The drawing is `columns` units wide (one per peak column) and HEIGHT high,
 * stretched to the page's width; rectangles get a hairline border that does
 * not scale, so a range shorter than a column is still seen.
 */
import type { Peaks } from "../../dsp/peaks.ts";
import { formatTime } from "../../manifest/time.ts";
import { esc, num } from "./html.ts";

export const WAVE_HEIGHT = 200;

export interface WaveRange {
  readonly startSample: number;
  readonly endSample: number;
  readonly category: string;
  /** Legend text: "sensitive information (440 Hz tone)". */
  readonly label: string;
  readonly colour: string;
  readonly sampleRate: number;
}

/** The outline path: the max of each column left to right, then the min right to left, closed. */
export function wavePath(peaks: Peaks): string {
  const columns = peaks.max.length;
  if (columns === 0) return "";
  let biggest = 0;
  for (let c = 0; c < columns; c++) {
    biggest = Math.max(biggest, Math.abs(peaks.max[c] as number), Math.abs(peaks.min[c] as number));
  }
  const half = WAVE_HEIGHT / 2;
  // The loudest peak reaches 95% of the height; silence still shows as a hairline.
  const scale = biggest > 0 ? (0.95 * half) / biggest : 0;
  const top: string[] = [];
  const bottom: string[] = [];
  for (let c = 0; c < columns; c++) {
    let hi = half - (peaks.max[c] as number) * scale;
    let lo = half - (peaks.min[c] as number) * scale;
    if (lo - hi < 0.5) {
      const mid = (hi + lo) / 2;
      hi = mid - 0.25;
      lo = mid + 0.25;
    }
    const x = num(c + 0.5, 1);
    top.push(`${x} ${num(hi, 1)}`);
    bottom.push(`${x} ${num(lo, 1)}`);
  }
  return `M${top.join(" ")} ${bottom.reverse().join(" ")}Z`;
}

export interface WaveformOptions {
  readonly peaks: Peaks;
  readonly ranges: readonly WaveRange[];
  readonly durationSeconds: number;
  /** For the accessible name: "Call 4". */
  readonly title: string;
}

export function renderWaveform(o: WaveformOptions): string {
  const columns = Math.max(1, o.peaks.max.length);
  const frames = Math.max(1, o.peaks.frames);
  const rects = o.ranges.map((r) => {
    const x = (r.startSample / frames) * columns;
    const w = ((r.endSample - r.startSample) / frames) * columns;
    const when = `${formatTime(r.startSample / r.sampleRate)} to ${formatTime(r.endSample / r.sampleRate)}`;
    return (
      `<rect class="region" data-category="${esc(r.category)}" data-start="${r.startSample / r.sampleRate}"` +
      ` x="${num(x, 3)}" y="0" width="${num(w, 3)}" height="${WAVE_HEIGHT}" fill="${esc(r.colour)}"` +
      ` stroke="${esc(r.colour)}"><title>${esc(r.label)}: ${when}</title></rect>`
    );
  });
  const duration = formatTime(o.durationSeconds);
  return [
    `<svg id="waveform" class="waveform" viewBox="0 0 ${columns} ${WAVE_HEIGHT}" preserveAspectRatio="none"`,
    ` xmlns="http://www.w3.org/2000/svg" role="slider" tabindex="0"`,
    ` aria-label="Position in ${esc(o.title)}: waveform with the redacted ranges shaded; click or use the arrow keys to move"`,
    ` aria-valuemin="0" aria-valuemax="${num(o.durationSeconds, 3)}" aria-valuenow="0"`,
    ` aria-valuetext="0:00.000 of ${duration}" data-duration="${o.durationSeconds}" data-columns="${columns}">`,
    `<g class="regions">${rects.join("")}</g>`,
    `<path class="wave" d="${wavePath(o.peaks)}"/>`,
    `<line id="playhead" class="playhead" x1="0" x2="0" y1="0" y2="${WAVE_HEIGHT}"/>`,
    "</svg>",
  ].join("");
}
