/**
 * The web half of a call, after the master: the audio in every chosen format, then the call's page with its
 * waveform. Written to temporary files of the call's OutputSet; the caller renames them into place with the
 * rest.
 *
 *   plan.ts     what each format gets (pure): its file, its codec's level change, its gain
 *   settle.ts   the gain under the limiter, settled by a dry run over the master
 *   encode.ts   every format from one pass over the master, the encoders side by side
 *   fast.ts     the speed paths for long recordings, behind one switch
 *
 * In two steps, so that the caller knows when the encoders start: planWeb (the gains to start from: a dry
 * run, or an estimate, under the limiter), then publishWeb (the encoders start at once; then the page).
 */
import { writeFileSync } from "node:fs";
import type { Measured } from "../../dsp/normalise.ts";
import type { Peaks } from "../../dsp/peaks.ts";
import { WEB_FORMATS, type WebFormat } from "../../manifest/formats.ts";
import type { SiteSettings } from "../../manifest/site.ts";
import type { Manifest } from "../../manifest/types.ts";
import type { AudioTags } from "../../media/encoder.ts";
import { sha256File } from "../../media/hash.ts";
import type { Plan } from "../../plan/plan.ts";
import type { OutputSet } from "../../project/atomic.ts";
import type { OutputRecord, WebOutputRecord } from "../../project/report.ts";
import { type CallPageData, type PageCategory, renderCallPage } from "../page/call-page.ts";
import { categoryColours } from "../page/colours.ts";
import type { PageTranscript } from "../page/transcript-panel.ts";
import { type codecLevels, WEB_CODECS } from "./codecs.ts";
import { type EncodePath, encodeInOnePass } from "./encode.ts";
import { FAST_PATH, fastApplies, fastPathsOn } from "./fast.ts";
import { type FormatPlan, type FormatTarget, planFormats, type SettledGain, type WebSignal } from "./plan.ts";
import { settleGains } from "./settle.ts";

export type { WebSignal };

export interface WebPublishArgs {
  readonly call: string;
  readonly manifest: Manifest;
  readonly plan: Plan;
  readonly web: WebSignal;
  readonly measured: Measured;
  readonly formats: readonly WebFormat[];
  /** codecLevels(formats, ...), started before the master was made. */
  readonly codecLevels: ReturnType<typeof codecLevels>;
  readonly site: SiteSettings;
  readonly outputs: OutputSet;
  /** The redacted transcript (publish/transcript), shown on the page; none when the call has none. */
  readonly transcript?: PageTranscript;
  readonly onFrames?: (framesDone: number) => void;
  /** More true-peak headroom for these formats than their codec's usual (see planFormats). */
  readonly extraHeadroomDb?: ReadonlyMap<WebFormat, number>;
}

export interface WebPublished {
  /** The first format's gain and codec level (MP3 when it is published): the report's top-level loudness. */
  readonly primary: { readonly gain: SettledGain; readonly codecDb: number };
  /** mp3, opus (those chosen) and html, for the report's `outputs`. */
  readonly outputs: Record<string, OutputRecord>;
}

/** The plain path: the gain settled by a dry run first when the limiter is needed, then one encode. */
const PLAIN_PATH: EncodePath = {
  gains: async (web, plans) => (plans.some((p) => p.step === "settle") ? settleGains(web, plans) : [...plans]),
  encode: async (web, plans, tags, options) => ({
    plans: [...plans],
    encoded: await encodeInOnePass(web, plans, tags, options),
  }),
};

/** The web half of a call, planned: each format's file and the gain its encode starts with. */
export interface WebJob {
  readonly args: WebPublishArgs;
  readonly plans: readonly FormatPlan[];
  readonly path: EncodePath;
  readonly tags: AudioTags;
}

/** Plan the web files and find the gains their encode starts with. */
export async function planWeb(a: WebPublishArgs): Promise<WebJob> {
  if (a.formats.length === 0) throw new Error("planWeb: no format to publish");
  const targets: FormatTarget[] = a.formats.map((format) => {
    const file = `${a.call}.${WEB_CODECS[format].extension}`;
    return { format, file, path: a.outputs.temp(file), display: `out/${file}` };
  });
  const plans = planFormats(targets, await a.codecLevels, a.measured, a.web.webChannels, a.extraHeadroomDb);
  const path = fastPathsOn() && fastApplies(a.web, plans) ? FAST_PATH : PLAIN_PATH;
  const tags: AudioTags = {
    title: a.manifest.title ?? a.call,
    ...(a.site.artist === undefined ? {} : { artist: a.site.artist }),
    ...(a.site.album === undefined ? {} : { album: a.site.album }),
  };
  return { args: a, plans: await path.gains(a.web, plans), path, tags };
}

/** Encode the planned files (the encoders start at once), then write the page. */
export async function publishWeb(job: WebJob): Promise<WebPublished> {
  const a = job.args;
  const options = a.onFrames ? { onFrames: a.onFrames } : {};
  const { plans, encoded } = await job.path.encode(a.web, job.plans, job.tags, options);
  return { outputs: await records(a, plans, encoded.peaks), primary: plans[0] as FormatPlan };
}

const round2 = (x: number): number => Number(x.toFixed(2));

/** The legend: the categories the call's ranges use (a tone the listener never hears needs no explaining). */
export function legendCategories(manifest: Manifest, plan: Plan): PageCategory[] {
  const used = new Set(plan.ranges.map((r) => r.category));
  const shown = [...manifest.categories.values()].filter((c) => used.has(c.name));
  const colours = categoryColours([...manifest.categories.keys()]);
  return shown.map((c) => ({
    name: c.name,
    frequency: c.frequency,
    label: c.label ?? c.name,
    colour: colours.get(c.name) ?? "#888888",
  }));
}

/** The files' records for the report, then the page and its record. */
async function records(
  a: WebPublishArgs,
  plans: readonly FormatPlan[],
  peaks: Peaks,
): Promise<Record<string, OutputRecord>> {
  const outputs: Record<string, OutputRecord> = {};
  const hashes = await Promise.all(plans.map((p) => sha256File(p.path, p.display)));
  plans.forEach((p, i) => {
    const g = p.gain;
    const record: WebOutputRecord = {
      file: p.file,
      sha256: hashes[i] as string,
      ...WEB_CODECS[p.format].details(a.web.sampleRate, a.web.webChannels),
      gainDb: round2(g.gainDb),
      limiter: g.limiter,
      encoderLevelDb: round2(p.codecDb),
      expectedLufs: Number.isFinite(g.expectedLufs) ? round2(g.expectedLufs) : null,
    };
    outputs[WEB_CODECS[p.format].extension] = record;
  });

  // The page offers Opus first (smaller, better at speech bitrates), MP3 for browsers without Ogg Opus.
  const pageOrder: WebFormat[] = ["opus", "mp3"];
  const page: CallPageData = {
    title: a.manifest.title ?? a.call,
    siteTitle: a.site.title,
    sampleRate: a.web.sampleRate,
    samples: a.web.frames,
    ranges: a.plan.ranges.map((r) => ({ startSample: r.start, endSample: r.end, category: r.category })),
    categories: legendCategories(a.manifest, a.plan),
    audio: pageOrder
      .filter((f) => a.formats.includes(f))
      .map((f) => ({
        file: `${a.call}.${WEB_CODECS[f].extension}`,
        mimeType: WEB_CODECS[f].mimeType,
        name: WEB_CODECS[f].name,
      })),
    peaks,
    ...(a.transcript ? { transcript: a.transcript } : {}),
  };
  const pageFile = `${a.call}.html`;
  const pagePath = a.outputs.temp(pageFile);
  writeFileSync(pagePath, renderCallPage(page));
  outputs.html = { file: pageFile, sha256: await sha256File(pagePath, `out/${pageFile}`) };

  // An output of a format no longer chosen would be left stale beside the new ones: it goes.
  for (const f of WEB_FORMATS) if (!a.formats.includes(f)) a.outputs.retire(`${a.call}.${WEB_CODECS[f].extension}`);
  return outputs;
}
