/**
 * Checking and saving what the page edits. The manifest on disk is the one source of truth: a draft names the
 * SHA-256 of the bytes it was made from, and is applied to those bytes only; if the file changed since (an
 * editor, `git pull`), saving refuses (E_CHANGED) and the page offers to reload. What is written changes
 * only what changed (draft.ts), is written whole or not at all (project/atomic.ts), under the call's lock
 * (project/lock.ts), and only if `npm run redact -- --check` would accept it.
 */
import { join } from "node:path";
import { ManifestError, RedactError } from "../errors.ts";
import { parseManifest } from "../manifest/parse.ts";
import type { Manifest } from "../manifest/types.ts";
import { writeTextAtomically } from "../project/atomic.ts";
import { checkCallName, display, findManifest, type Layout, locksDir } from "../project/layout.ts";
import { acquireLock } from "../project/lock.ts";
import { readSettingsBytes, settingsText } from "../project/manifest-file.ts";
import { sha256Hex } from "../publish/fingerprint.ts";
import type { DecodedAudio } from "./decode-cache.ts";
import { type AppliedDraft, applyDraft, type Checked, checkText, type Draft, type ShownIssue } from "./draft.ts";

/** A new call's manifest, before its first entries are added. */
export const NEW_MANIFEST =
  "# yaml-language-server: $schema=../schema/manifest.schema.json\n" +
  "# Made in the studio (npm run studio); edit it there or in any editor.\n" +
  "redactions: []\n";

/** The manifest as it is on disk now. */
interface Current {
  readonly path: string;
  readonly file: string;
  /** "" when there is no manifest yet. */
  readonly sha256: string;
  readonly text: string;
  readonly manifest: Manifest;
}

function readCurrent(layout: Layout, call: string): Current {
  checkCallName(call);
  let path: string;
  try {
    path = findManifest(layout, call);
  } catch (err) {
    if (!(err instanceof RedactError) || err.code !== "E_NO_MANIFEST" || err.message.startsWith("two manifests")) {
      throw err;
    }
    const newPath = join(layout.redactionsDir, `${call}.yaml`);
    const file = display(layout, newPath);
    return {
      path: newPath,
      file,
      sha256: "",
      text: NEW_MANIFEST,
      manifest: parseManifest(NEW_MANIFEST, { file, call }),
    };
  }
  const file = display(layout, path);
  const bytes = readSettingsBytes(path, file, "the manifest");
  const text = settingsText(bytes);
  return { path, file, sha256: sha256Hex(bytes), text, manifest: parseManifest(text, { file, call }) };
}

/** The refusal of a draft that `--check` would not accept: the errors, each beside its entry. */
export class DraftRejected extends ManifestError {
  constructor(
    issues: ManifestError["issues"],
    readonly shown: readonly ShownIssue[],
  ) {
    super(issues);
  }
}

export interface DraftResult {
  readonly applied: AppliedDraft;
  readonly checked: Checked;
  readonly path: string;
  readonly file: string;
}

/** The draft applied to the manifest it was made from, and what `--check` says of the result. */
export function checkDraft(layout: Layout, call: string, audio: DecodedAudio, draft: Draft): DraftResult {
  const current = readCurrent(layout, call);
  if (current.sha256 !== draft.base) {
    throw new RedactError(
      "E_CHANGED",
      1,
      current.sha256 === ""
        ? `${current.file} is gone from disk since this page opened it; reload the call`
        : `${current.file} changed on disk since this page opened it (an editor, git pull?); nothing was written: reload it to see the changes (yours here are then lost), or copy them first`,
    );
  }
  const { sampleRate, frames } = audio.meta;
  const applied = applyDraft(current.text, current.manifest, sampleRate, draft);
  const checked = checkText(applied.text, { file: current.file, call }, sampleRate, frames, applied.ids);
  return { applied, checked, path: current.path, file: current.file };
}

/** Save a draft: checked, written whole, under the call's lock; nothing is written if nothing changed. */
export async function saveDraft(layout: Layout, call: string, audio: DecodedAudio, draft: Draft): Promise<void> {
  const lock = await acquireLock(locksDir(layout), call, { wait: false });
  try {
    const { applied, checked, path, file } = checkDraft(layout, call, audio, draft);
    if (checked.errors.length > 0) throw new DraftRejected(checked.issues, checked.errors);
    if (applied.changed || draft.base === "") writeTextAtomically(path, applied.text, file);
  } finally {
    lock.release();
  }
}
