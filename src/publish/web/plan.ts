/**
 * What each web format of a call gets, decided before any audio is read again: where it is written, its
 * codec's level change, its gain, and how that gain is reached. Pure: the master's loudness and the
 * codecs' level changes in, one plan per format out.
 *
 * Loudness is reached by one linear gain. The gain is aimed past the codec's own level change (LAME lowers
 * speech by about half a dB), so the decoded file lands on the target. When that gain would push the true
 * peak over the ceiling, a true-peak limiter is added; it takes a little loudness with the peaks, so the
 * gain must be settled by measuring the limited signal (settle.ts). Without the limiter the gain is exact.
 */
import { type Measured, type Normalisation, planNormalisation } from "../../dsp/normalise.ts";
import type { WebFormat } from "../../manifest/formats.ts";
import { WEB_CODECS } from "./codecs.ts";

/** The master as the web formats read it. */
export interface WebSignal {
  readonly masterPath: string;
  readonly masterDisplay: string;
  readonly sampleRate: number;
  readonly webChannels: 1 | 2;
  /** The master's length in frames. */
  readonly frames: number;
}

/** Where one format's file is written. */
export interface FormatTarget {
  readonly format: WebFormat;
  /** The name in out/: call4.mp3. */
  readonly file: string;
  /** Where it is written now (a temporary path). */
  readonly path: string;
  /** For messages: out/call4.mp3. */
  readonly display: string;
}

export interface SettledGain extends Normalisation {
  /** The web file's loudness as predicted: exact without the limiter, within a few hundredths of a LU with it. */
  readonly expectedLufs: number;
}

/**
 * How the gain is reached:
 * - final: no limiter; the gain is exact as it is;
 * - settle: the limiter is needed; the limited signal is measured (settle.ts) before the gain is final.
 */
export type GainStep = "final" | "settle";

/** One web format of a call: where it goes, its codec, and its gain. */
export interface FormatPlan extends FormatTarget {
  /** The level change this codec makes, compensated in the gain. */
  readonly codecDb: number;
  /** How far under -1 dBTP the PCM is held for this codec's overshoot. */
  readonly headroomDb: number;
  /** The gain before any measurement of the limited signal: the codec's level aimed past, the limiter if needed. */
  readonly first: Normalisation;
  /** The gain the file is (to be) encoded with. */
  readonly gain: SettledGain;
  readonly step: GainStep;
}

/** A format's gain before any dry run: its codec's level change aimed past, the limiter if the peaks need it. */
export const firstGain = (measured: Measured, codecDb: number, headroomDb: number, webChannels: 1 | 2): Normalisation =>
  planNormalisation(
    { integratedLufs: measured.integratedLufs + codecDb, truePeakDbtp: measured.truePeakDbtp },
    webChannels,
    headroomDb,
  );

/**
 * One plan per target, from the master's loudness and each codec's level change. `extraHeadroomDb`: more
 * headroom for a format whose file came out over the true-peak maximum (its codec overshot more than usual
 * on this signal: the publish is made again with the ceiling that much lower).
 */
export function planFormats(
  targets: readonly FormatTarget[],
  codecDbs: ReadonlyMap<WebFormat, number>,
  measured: Measured,
  webChannels: 1 | 2,
  extraHeadroomDb: ReadonlyMap<WebFormat, number> = new Map(),
): FormatPlan[] {
  return targets.map((t) => {
    const codecDb = codecDbs.get(t.format) ?? 0;
    const usual = WEB_CODECS[t.format].headroomDb[webChannels === 2 ? "stereo" : "mono"];
    const headroomDb = usual + (extraHeadroomDb.get(t.format) ?? 0);
    const first = firstGain(measured, codecDb, headroomDb, webChannels);
    const settle = first.limiter && Number.isFinite(measured.integratedLufs);
    return {
      ...t,
      codecDb,
      headroomDb,
      first,
      gain: { ...first, expectedLufs: measured.integratedLufs + first.gainDb + codecDb },
      step: settle ? "settle" : "final",
    };
  });
}
