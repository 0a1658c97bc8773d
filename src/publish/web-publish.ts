/**
 * The web half of a call, after the master: the audio in every chosen format
 * (one pass over the master, the encoders in parallel: web-encode.ts), then
 * the call's page with its waveform. Everything is written to temporary files
 * of the call's OutputSet; the caller renames them into place with the rest.
 */
import { writeFileSync } from "node:fs";
import type { Measured } from "../dsp/normalise.ts";
import { DEFAULT_WEB_FORMATS, WEB_FORMATS, type WebFormat } from "../manifest/formats.ts";
import type { SiteSettings } from "../manifest/site.ts";
import type { Manifest } from "../manifest/types.ts";
import type { AudioTags } from "../media/encoder.ts";
import { sha256File } from "../media/hash.ts";
import { mp3BitrateKbps, mp3SampleRate } from "../media/mp3.ts";
import { OPUS_SAMPLE_RATE, opusBitrateKbps } from "../media/opus.ts";
import type { Plan } from "../plan/plan.ts";
import type { OutputSet } from "../project/atomic.ts";
import type { OutputRecord, WebOutputRecord } from "../project/report.ts";
import { type CallPageData, type PageCategory, renderCallPage } from "./page/call-page.ts";
import { categoryColours } from "./page/colours.ts";
import type { WebSignal } from "./web-audio.ts";
import { encodeWeb, WEB_CODECS, type WebPlan } from "./web-encode.ts";

/** The formats a call publishes: the command line's, else the manifest's, else the site's (default both). */
export const chooseFormats = (
  cli: readonly WebFormat[] | undefined,
  manifest: Manifest,
  site: SiteSettings | undefined,
): readonly WebFormat[] => cli ?? manifest.formats ?? site?.formats ?? DEFAULT_WEB_FORMATS;

const round2 = (x: number): number => Number(x.toFixed(2));

const audioDetails = (format: WebFormat, rate: number, channels: 1 | 2): { sampleRate: number; bitrateKbps: number } =>
  format === "mp3"
    ? { sampleRate: mp3SampleRate(rate), bitrateKbps: mp3BitrateKbps(channels) }
    : { sampleRate: OPUS_SAMPLE_RATE, bitrateKbps: opusBitrateKbps(channels) };

export interface WebPublishArgs {
  readonly call: string;
  readonly manifest: Manifest;
  readonly plan: Plan;
  readonly samples: number;
  readonly web: WebSignal;
  readonly measured: Measured;
  readonly formats: readonly WebFormat[];
  /** codecLevels(formats, ...), started before the master was made. */
  readonly codecLevels: Promise<readonly number[]>;
  readonly site: SiteSettings;
  readonly outputs: OutputSet;
  readonly onFrames?: (framesDone: number) => void;
  /** Called once the web encoders are running. */
  readonly onEncoding?: () => void;
}

export interface WebPublished {
  /** The first format's plan (MP3 when it is published): the report's top-level loudness. */
  readonly primary: WebPlan;
  /** mp3, opus (those chosen) and html, for the report's `outputs`. */
  readonly outputs: Record<string, OutputRecord>;
}

/** The legend: the built-in categories always (so the two tones are always explained), and every other one used. */
export function legendCategories(manifest: Manifest, plan: Plan): PageCategory[] {
  const used = new Set(plan.ranges.map((r) => r.category));
  const shown = [...manifest.categories.values()].filter(
    (c) => c.name === "sensitive" || c.name === "obscenity" || used.has(c.name),
  );
  const colours = categoryColours([...manifest.categories.keys()]);
  return shown.map((c) => ({
    name: c.name,
    frequency: c.frequency,
    label: c.label ?? c.name,
    colour: colours.get(c.name) ?? "#888888",
  }));
}

export async function publishWeb(a: WebPublishArgs): Promise<WebPublished> {
  if (a.formats.length === 0) throw new Error("publishWeb: no format to publish");
  const name = (ext: string): string => `${a.call}.${ext}`;
  const targets = a.formats.map((format) => {
    const file = name(WEB_CODECS[format].extension);
    return { format, file, path: a.outputs.temp(file), display: `out/${file}` };
  });
  const tags: AudioTags = {
    title: a.manifest.title ?? a.call,
    ...(a.site.artist === undefined ? {} : { artist: a.site.artist }),
    ...(a.site.album === undefined ? {} : { album: a.site.album }),
  };
  const { plans, peaks } = await encodeWeb(a.web, a.measured, targets, a.codecLevels, tags, a.onFrames, a.onEncoding);

  const records: Record<string, OutputRecord> = {};
  const hashes = await Promise.all(targets.map((t) => sha256File(t.path, t.display)));
  targets.forEach((t, i) => {
    const plan = plans[i] as WebPlan;
    const n = plan.norm;
    const record: WebOutputRecord = {
      file: t.file,
      sha256: hashes[i] as string,
      ...audioDetails(t.format, a.web.sampleRate, a.web.webChannels),
      gainDb: round2(n.gainDb),
      limiter: n.limiter,
      encoderLevelDb: round2(plan.codecDb),
      expectedLufs: Number.isFinite(n.expectedLufs) ? round2(n.expectedLufs) : null,
    };
    records[WEB_CODECS[t.format].extension] = record;
  });

  // The page offers Opus first (smaller, better at speech bitrates), MP3 for browsers without Ogg Opus.
  const pageOrder: WebFormat[] = ["opus", "mp3"];
  const page: CallPageData = {
    title: a.manifest.title ?? a.call,
    siteTitle: a.site.title,
    sampleRate: a.web.sampleRate,
    samples: a.samples,
    ranges: a.plan.ranges.map((r) => ({ startSample: r.start, endSample: r.end, category: r.category })),
    categories: legendCategories(a.manifest, a.plan),
    audio: pageOrder
      .filter((f) => a.formats.includes(f))
      .map((f) => ({
        file: name(WEB_CODECS[f].extension),
        mimeType: WEB_CODECS[f].mimeType,
        name: WEB_CODECS[f].name,
      })),
    peaks,
  };
  const pagePath = a.outputs.temp(name("html"));
  writeFileSync(pagePath, renderCallPage(page));
  records.html = { file: name("html"), sha256: await sha256File(pagePath, `out/${name("html")}`) };

  // An output of a format no longer chosen would be left stale beside the new ones: it goes.
  for (const f of WEB_FORMATS) if (!a.formats.includes(f)) a.outputs.retire(name(WEB_CODECS[f].extension));
  return { primary: plans[0] as WebPlan, outputs: records };
}
