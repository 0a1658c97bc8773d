/**
 * The web MP3 of a long recording, encoded in two parts side by side. LAME
 * uses one core; a bare transcode leaves the second idle, and so would we.
 * Here each part gets its own encoder, fed from its own stretch of the master
 * (web mix, gain and, when the gain needs it, its own limiter), and
 * mp3-splice.ts joins the two files between whole frames.
 *
 *   part 1: [0 ............ cut + SPAN)
 *   part 2:       [cut - WARM_UP ............ end)
 *
 * The parts overlap: part 2 starts WARM_UP seconds before the cut so that its
 * encoder is settled there, and part 1 runs SPAN seconds past it so that the
 * join can be made at any frame of that stretch where the bit reservoir and
 * the block types allow it (mp3-splice.ts). Starts are on the MP3 frame grid
 * (1152 samples at the encoder's rate), so both encoders frame the audio
 * alike and the frames line up one for one.
 *
 * A limiter is a running process: its gain at the cut depends on what came
 * before. Part 2's limiter starts LIMITER_WARM_UP seconds earlier still (its
 * output there is dropped), and both parts keep what they fed the encoders
 * over the overlap: the join is only made where the two fed the same samples
 * for at least SAME_INPUT seconds before it. Where no frame qualifies (never
 * seen: it would take a limiter working without a break for the whole
 * overlap), it says so ("no cut") and the caller encodes the file in one part.
 *
 * The number of parts does not depend on the machine: recordings from the
 * length fast.ts sets on are always encoded in two parts (on one core the cost
 * is the overlap, about 1 % of an hour), so the same input gives the same
 * bytes everywhere.
 */
import { rm } from "node:fs/promises";
import { TruePeakLimiter } from "../../dsp/limiter.ts";
import { LoudnessMeter } from "../../dsp/loudness.ts";
import type { PeakMeter } from "../../dsp/peaks.ts";
import { gainedLanes, webMix } from "../../dsp/webmix.ts";
import { openWavFileRange } from "../../media/decode.ts";
import type { AudioTags, PcmEncoder } from "../../media/encoder.ts";
import { mp3SampleRate, startMp3Encoder } from "../../media/mp3.ts";
import { type CutWindow, SpliceError, spliceMp3Parts } from "../../media/mp3-splice.ts";
import type { FormatPlan, WebSignal } from "./plan.ts";

const PARTS = 2;
const WARM_UP_SECONDS = 3;
const SPAN_SECONDS = 8;
const LIMITER_WARM_UP_SECONDS = 5;
const SAME_INPUT_SECONDS = 1;
/** MPEG-1 Layer III (every rate mp3SampleRate picks). */
const SAMPLES_PER_FRAME = 1152;
/** Frames at the end of a part's overlap that the cut avoids (the encoder's last frames see its end). */
const END_GUARD_FRAMES = 4;

export interface Mp3PartPlan {
  /** Master frames fed to this part's encoder. */
  readonly from: number;
  readonly to: number;
  /** The frames this part stands for (its peaks and progress): from the cut before it to the cut after. */
  readonly ownFrom: number;
  readonly ownTo: number;
  /** Index of the part's first MP3 frame in the whole stream. */
  readonly firstFrame: number;
}

export interface Mp3Split {
  readonly parts: readonly Mp3PartPlan[];
  /** Where each join may fall, in MP3 frames (before the fed samples are compared). */
  readonly windows: readonly CutWindow[];
  /** MP3 frames per master frame. */
  readonly framesPerSample: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** How a recording of `frames` at `sampleRate` is split, or undefined when it is encoded in one part. */
export function planMp3Split(frames: number, sampleRate: number, minSeconds: number): Mp3Split | undefined {
  if (frames < minSeconds * sampleRate || frames < (WARM_UP_SECONDS + SPAN_SECONDS) * 2 * sampleRate) return undefined;
  const outRate = mp3SampleRate(sampleRate);
  // The smallest master step that is a whole number of MP3 frames at the encoder's rate.
  const unit = (SAMPLES_PER_FRAME * sampleRate) / gcd(SAMPLES_PER_FRAME * sampleRate, outRate);
  const align = (f: number): number => Math.round(f / unit) * unit;
  const framesPerSample = outRate / sampleRate / SAMPLES_PER_FRAME;
  const cuts = [0, ...Array.from({ length: PARTS - 1 }, (_, i) => align(((i + 1) * frames) / PARTS)), frames];
  const warmUp = align(WARM_UP_SECONDS * sampleRate);
  const span = align(SPAN_SECONDS * sampleRate);
  const parts = Array.from({ length: PARTS }, (_, i): Mp3PartPlan => {
    const from = i === 0 ? 0 : (cuts[i] as number) - warmUp;
    return {
      from,
      to: i === PARTS - 1 ? frames : (cuts[i + 1] as number) + span,
      ownFrom: cuts[i] as number,
      ownTo: cuts[i + 1] as number,
      firstFrame: Math.round(from * framesPerSample),
    };
  });
  const windows = parts.slice(0, -1).map(
    (p, i): CutWindow => ({
      first: Math.round((cuts[i + 1] as number) * framesPerSample),
      last: Math.round(p.to * framesPerSample) - END_GUARD_FRAMES,
    }),
  );
  return { parts, windows, framesPerSample };
}

/**
 * The frames of `chunk` (master frames [at, at + length)) that fall in [from, to), and the master frame
 * of the first of them; undefined when none do.
 */
function within(
  chunk: readonly Float32Array[],
  at: number,
  from: number,
  to: number,
): { first: number; frames: Float32Array[] } | undefined {
  const first = Math.max(at, from);
  const end = Math.min(at + (chunk[0]?.length ?? 0), to);
  if (first >= end) return undefined;
  return { first, frames: chunk.map((ch) => ch.subarray(first - at, end - at)) };
}

/** Frames per fingerprint block of a FedRecord: the resolution at which two parts' feeds are compared. */
const BLOCK = 64;

/**
 * What a part fed its encoder over [from, to) (the overlap with a neighbour), as a fingerprint per block
 * of BLOCK frames: two 32-bit hashes of the samples' bits. Small whatever the rate and channels (a few
 * KB, where the samples of 11 s of 96 kHz stereo would take 8 MB).
 */
class FedRecord {
  private readonly hashes: Uint32Array;
  private readonly bits = new Uint32Array(1);
  private readonly float = new Float32Array(this.bits.buffer);

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    const blocks = Math.ceil(Math.max(0, to - from) / BLOCK);
    // Two hashes per block, seeded (FNV-1a offset basis, and another odd constant).
    this.hashes = new Uint32Array(2 * blocks);
    for (let i = 0; i < blocks; i++) {
      this.hashes[2 * i] = 0x811c9dc5;
      this.hashes[2 * i + 1] = 0x9e3779b9;
    }
  }

  /** Take in the frames of `chunk` (master frames [at, at + length)) that fall in the record, in order. */
  take(at: number, chunk: readonly Float32Array[]): void {
    const inside = within(chunk, at, this.from, this.to);
    if (!inside) return;
    const h = this.hashes;
    const length = inside.frames[0]?.length ?? 0;
    for (let i = 0; i < length; i++) {
      const b = 2 * Math.floor((inside.first + i - this.from) / BLOCK);
      for (const ch of inside.frames) {
        this.float[0] = ch[i] as number;
        const v = this.bits[0] as number;
        h[b] = Math.imul((h[b] as number) ^ v, 0x01000193);
        h[b + 1] = Math.imul(((h[b + 1] as number) ^ v) + 0x7f4a7c15, 0x85ebca6b) ^ ((h[b + 1] as number) >>> 15);
      }
    }
  }

  /** The first frame from which this record and `other` (of the same stretch) agree to their end. */
  sameFrom(other: FedRecord): number {
    for (let b = this.hashes.length / 2 - 1; b >= 0; b--) {
      if (this.hashes[2 * b] !== other.hashes[2 * b] || this.hashes[2 * b + 1] !== other.hashes[2 * b + 1]) {
        return Math.min(this.to, this.from + (b + 1) * BLOCK);
      }
    }
    return this.from;
  }
}

/** The file joined from its parts (with the loudness of their feeds, if metered), or no frame to cut at. */
export type PartsOutcome = { readonly kind: "joined"; readonly loudness?: number } | { readonly kind: "no-cut" };

/**
 * Encode the MP3 of `plan` in the parts of `split`, then join them into `plan.path`; "no-cut" when no join
 * qualifies (the caller encodes it in one part then). The master's waveform peaks go to `peaks` as the
 * parts read it.
 */
export async function encodeMp3InParts(
  web: WebSignal,
  split: Mp3Split,
  plan: FormatPlan,
  tags: AudioTags,
  peaks: PeakMeter,
  options: {
    readonly onFrames?: ((framesDone: number) => void) | undefined;
    /** Meter the integrated loudness of what the encoders are fed (each part its own stretch, joined). */
    readonly measure?: boolean | undefined;
  } = {},
): Promise<PartsOutcome> {
  const { onFrames } = options;
  const norm = plan.gain;
  const target = plan;
  const input = { sampleRate: web.sampleRate, channels: web.webChannels };
  const count = split.parts.length;
  const paths = split.parts.map((_, i) => `${target.path}.part${i + 1}`);
  const done = split.parts.map(() => 0);
  const report = (): void => onFrames?.(done.reduce((a, b) => a + b, 0));
  const records = split.parts.map((p, i) => {
    const prev = split.parts[i - 1];
    const next = split.parts[i + 1];
    return {
      head: prev ? new FedRecord(p.from, prev.to) : undefined,
      tail: next ? new FedRecord(next.from, p.to) : undefined,
    };
  });
  const meters = options.measure
    ? split.parts.map(
        (p) => new LoudnessMeter(web.sampleRate, web.webChannels, { truePeak: false, startFrame: p.ownFrom }),
      )
    : undefined;
  const encoders: PcmEncoder[] = [];
  try {
    for (const [i, path] of paths.entries()) {
      encoders.push(
        startMp3Encoder({ input, path, tags, summary: `encoding ${target.display} (part ${i + 1} of ${count})` }),
      );
    }
    await Promise.all(
      split.parts.map(async (part, i) => {
        const encoder = encoders[i] as PcmEncoder;
        const own = records[i] as (typeof records)[number];
        const meter = meters?.[i];
        const limiter = norm.limiter
          ? new TruePeakLimiter({
              sampleRate: web.sampleRate,
              channels: web.webChannels,
              ceilingDbtp: norm.limiterCeilingDbtp,
            })
          : undefined;
        const warm = limiter
          ? Math.max(0, part.from - Math.round(LIMITER_WARM_UP_SECONDS * web.sampleRate))
          : part.from;
        let fedTo = warm; // master frame of the next sample out of the gain (and limiter)
        const feed = async (chunk: readonly Float32Array[]): Promise<void> => {
          const length = chunk[0]?.length ?? 0;
          const skip = Math.min(length, Math.max(0, part.from - fedTo));
          const at = fedTo + skip;
          fedTo += length;
          if (skip === length) return;
          const out = skip === 0 ? chunk : chunk.map((ch) => ch.subarray(skip));
          own.head?.take(at, out);
          own.tail?.take(at, out);
          if (meter) {
            // Its own stretch counts; the frames before it only set the K-weighting filters going.
            const before = within(out, at, part.from, part.ownFrom);
            const counted = within(out, at, part.ownFrom, part.ownTo);
            if (before) meter.prime(before.frames);
            if (counted) meter.push(counted.frames);
          }
          await encoder.write(out);
        };
        const master = openWavFileRange(web.masterPath, web.masterDisplay, warm, part.to);
        for await (const { offset, planar } of master.chunks()) {
          const at = warm + offset;
          const owned = within(planar, at, part.ownFrom, part.ownTo);
          if (owned) {
            peaks.pushAt(owned.first, owned.frames);
            done[i] = owned.first + (owned.frames[0]?.length ?? 0) - part.ownFrom;
            report();
          }
          const [lane] = gainedLanes(webMix(planar), [norm.gain]);
          await feed(limiter ? limiter.process(lane as Float32Array[]) : (lane as Float32Array[]));
        }
        if (limiter) await feed(limiter.flush());
        await encoder.finish();
      }),
    );
    const windows = split.windows.map((w, i): CutWindow => {
      const a = records[i]?.tail as FedRecord;
      const b = records[i + 1]?.head as FedRecord;
      const same = a.sameFrom(b) + Math.round(SAME_INPUT_SECONDS * web.sampleRate);
      return { first: Math.max(w.first, Math.ceil(same * split.framesPerSample)), last: w.last };
    });
    const loudness = meters ? LoudnessMeter.combined(meters) : undefined;
    try {
      await spliceMp3Parts(
        split.parts.map((p, i) => ({ path: paths[i] as string, firstFrame: p.firstFrame })),
        windows,
        target.path,
      );
    } catch (err) {
      if (!(err instanceof SpliceError)) throw err;
      return { kind: "no-cut" };
    }
    return loudness === undefined ? { kind: "joined" } : { kind: "joined", loudness };
  } catch (err) {
    for (const e of encoders) e.abort();
    throw err;
  } finally {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  }
}
