/**
 * Publishing from the studio: the same pipeline as `npm run redact <call>` (publish/batch.ts publishBatch with
 * the site settings, under the call's lock, skipping a call whose files are already up to date), then the
 * index rebuilt as cli/main.ts rebuilds it. Progress goes to `emit` as it comes; the result says what
 * verification found (from the private record) and where the published page is.
 */
import { RedactError } from "../errors.ts";
import { loadSiteSettings } from "../project/site-settings.ts";
import { publishBatch } from "../publish/batch.ts";
import type { ProgressEvent } from "../publish/progress.ts";
import { prepareCall } from "../publish/redact-call.ts";
import { indexIsDue, rebuildIndex } from "../publish/site-index.ts";
import { type PublishedState, publishedState, type StudioContext, studioRunSettings } from "./calls.ts";

export interface PublishResult {
  /** "published", or "skipped": nothing had changed since the files in out/ were made. */
  readonly status: "published" | "skipped";
  readonly seconds: number;
  readonly published: PublishedState;
}

/** Calls being published by this studio: one run per call at a time. */
const running = new Set<string>();

export async function publishCall(
  ctx: StudioContext,
  call: string,
  base: string,
  emit: (e: ProgressEvent) => void,
): Promise<PublishResult> {
  if (running.has(call)) {
    throw new RedactError("E_BUSY", 1, `${call} is already being published from this studio; wait for it to finish`);
  }
  running.add(call);
  try {
    const { layout } = ctx;
    const site = loadSiteSettings(layout);
    const prepared = prepareCall(layout, call, { acceptDecodeErrors: ctx.acceptDecodeErrors });
    if (prepared.manifestSha256 !== base) {
      throw new RedactError(
        "E_CHANGED",
        1,
        `${prepared.manifest.file} is not what this page shows: it changed on disk since the page opened it, or has unsaved changes here; save or reload, then publish`,
      );
    }
    const [outcome] = await publishBatch(layout, [prepared], {
      jobs: 1,
      settings: studioRunSettings(site, ctx.acceptDecodeErrors),
      publish: { site },
      progress: emit,
    });
    if (!outcome) throw new Error("publishBatch gave no outcome");
    if (outcome.status === "failed") {
      if (outcome.error instanceof RedactError) throw outcome.error;
      throw outcome.error;
    }
    if (indexIsDue(layout, [outcome.status])) await rebuildIndex(layout, site);
    emit({ call, stage: "done", fraction: 1 });
    return { status: outcome.status, seconds: outcome.seconds, published: await publishedState(ctx, call, site) };
  } finally {
    running.delete(call);
  }
}
