/**
 * The web files from the master, all formats in one pass: the master is read and mixed once, and each
 * format gets its own copy of the mix with its own gain (and its own limiter when that gain needs one),
 * written to its own ffmpeg. The encoders run at the same time, one process each, so a second core encodes
 * the second format; back-pressure from the slower one bounds the memory. The waveform's peaks are taken
 * from the master in the same pass.
 */
import { TruePeakLimiter } from "../../dsp/limiter.ts";
import { LoudnessMeter } from "../../dsp/loudness.ts";
import { PeakMeter, type Peaks } from "../../dsp/peaks.ts";
import { gainedLanes, webMix } from "../../dsp/webmix.ts";
import type { WebFormat } from "../../manifest/formats.ts";
import { openWavFile } from "../../media/decode.ts";
import type { AudioTags } from "../../media/encoder.ts";
import { WEB_CODECS } from "./codecs.ts";
import type { FormatPlan, WebSignal } from "./plan.ts";

export interface EncodeOptions {
  readonly onFrames?: ((framesDone: number) => void) | undefined;
  /** Meter the integrated loudness of what each encoder is fed (the web signal as published, before the codec). */
  readonly measure?: boolean | undefined;
}

/** What an encode measured on the way. */
export interface Encoded {
  readonly peaks: Peaks;
  /** The loudness of each format's feed, when `measure` was asked for. */
  readonly loudness?: ReadonlyMap<WebFormat, number>;
}

/** A way to reach each format's gain and encode it: the plain one (publish.ts) or the fast one (fast.ts). */
export interface EncodePath {
  /** The gains to start encoding with. */
  gains(web: WebSignal, plans: readonly FormatPlan[]): Promise<FormatPlan[]>;
  /** The files; the plans they were finally encoded with, and what the encode measured. */
  encode(
    web: WebSignal,
    plans: readonly FormatPlan[],
    tags: AudioTags,
    options: EncodeOptions,
  ): Promise<{ readonly plans: FormatPlan[]; readonly encoded: Encoded }>;
}

/** Every plan's file from one pass over the master, one encoder each, side by side; on failure all are stopped. */
export async function encodeInOnePass(
  web: WebSignal,
  plans: readonly FormatPlan[],
  tags: AudioTags,
  options: EncodeOptions = {},
): Promise<Encoded> {
  const input = { sampleRate: web.sampleRate, channels: web.webChannels };
  const peaks = new PeakMeter(web.frames);
  const lanes = plans.map((plan) => ({
    plan,
    limiter: plan.gain.limiter
      ? new TruePeakLimiter({
          sampleRate: web.sampleRate,
          channels: web.webChannels,
          ceilingDbtp: plan.gain.limiterCeilingDbtp,
        })
      : undefined,
    meter: options.measure ? new LoudnessMeter(web.sampleRate, web.webChannels, { truePeak: false }) : undefined,
    encoder: WEB_CODECS[plan.format].start({ input, path: plan.path, tags, summary: `encoding ${plan.display}` }),
  }));
  const feed = (lane: (typeof lanes)[number], chunk: Float32Array[]): Promise<void> => {
    lane.meter?.push(chunk);
    return lane.encoder.write(chunk);
  };
  try {
    const master = await openWavFile(web.masterPath, web.masterDisplay);
    for await (const { offset, planar } of master.chunks()) {
      peaks.push(planar);
      const inputs = gainedLanes(
        webMix(planar),
        lanes.map((lane) => lane.plan.gain.gain),
      );
      await Promise.all(
        lanes.map((lane, i) => {
          const own = inputs[i] as Float32Array[];
          return feed(lane, lane.limiter ? lane.limiter.process(own) : own);
        }),
      );
      options.onFrames?.(offset + (planar[0]?.length ?? 0));
    }
    await Promise.all(
      lanes.map(async (lane) => {
        if (lane.limiter) await feed(lane, lane.limiter.flush());
        await lane.encoder.finish();
      }),
    );
  } catch (err) {
    for (const lane of lanes) lane.encoder.abort();
    throw err;
  }
  if (!options.measure) return { peaks: peaks.result() };
  const loudness = new Map<WebFormat, number>();
  for (const lane of lanes) if (lane.meter) loudness.set(lane.plan.format, lane.meter.result().integratedLufs);
  return { peaks: peaks.result(), loudness };
}
