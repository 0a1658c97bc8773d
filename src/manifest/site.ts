/**
 * The site settings, `redactions/site.yaml`: what is the same for every call
 * published from this project. YAML text in, validated SiteSettings out, or a
 * ManifestError carrying every issue found, located `file:line:col: field:
 * what is wrong; what is right`, exactly as manifest errors are. Pure: no I/O.
 *
 *   title: "Windows support scam calls"   # the index page's heading; each call page links back to it
 *   description: "Four calls from ..."    # optional: a paragraph under the heading of the index page
 *   artist: "Jane Doe"                    # optional: the artist tag of every MP3 and Opus file
 *   album: "Scam calls"                   # optional: the album tag of every MP3 and Opus file
 *   formats: [mp3, opus]                  # optional: the web formats published (default: [mp3])
 *   url: https://example.org/calls/       # optional: where the site is published; needed for the feed
 *
 * The same YAML rules as a manifest, read by the same code (yaml-fields.ts):
 * one document, no anchors or aliases, no tab indentation, no duplicate or
 * unknown keys, the same size and nesting limits. This file holds only what
 * the site's keys mean.
 */
import { isMap } from "yaml";
import { MAX_LINE_LENGTH } from "./definition.ts";
import { DEFAULT_WEB_FORMATS, readFormats, type WebFormat } from "./formats.ts";
import { MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH } from "./site-definition.ts";
import { describe, isEmpty, rangeOf, readLine, readMap, readParagraph, readYamlDocument } from "./yaml-fields.ts";

export interface SiteSettings {
  /** The settings file as users see it (`redactions/site.yaml`), or undefined when there is none. */
  readonly file?: string;
  readonly title: string;
  readonly description?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly formats: readonly WebFormat[];
  /**
   * The site's public address, ending in `/` (`https://example.org/calls/`): what the feed's links are made
   * from. Without it there is no feed (a feed's links must be absolute).
   */
  readonly url?: string;
}

export const DEFAULT_SITE_TITLE = "Call recordings";

export const DEFAULT_SITE: SiteSettings = { title: DEFAULT_SITE_TITLE, formats: DEFAULT_WEB_FORMATS };

/** The keys, in the order messages list them, with what each expects. */
const KEYS = {
  title: 'a one-line title for the index page, e.g. "Windows support scam calls"',
  description: "a paragraph of text for the index page",
  artist: 'a one-line artist tag for the audio files, e.g. "Jane Doe"',
  album: 'a one-line album tag for the audio files, e.g. "Scam calls"',
  formats: "the web formats to publish, e.g. [mp3, opus]",
  url: "the address the site is published at, e.g. https://example.org/calls/",
} as const;
const KEY_NAMES = Object.keys(KEYS);

export function parseSiteSettings(rawText: string, file: string): SiteSettings {
  const { ctx, contents } = readYamlDocument(rawText, file, { name: "site settings file", flowDepthNeeded: 1 });
  // A file with nothing but comments means "the defaults".
  if (isEmpty(contents)) {
    ctx.throwIfAny();
    return { ...DEFAULT_SITE, file };
  }
  if (!isMap(contents)) {
    const found = describe(contents);
    return ctx.fail(
      rangeOf(contents)?.[0] ?? 0,
      "(document)",
      `expected a mapping of settings (${KEY_NAMES.join(", ")}); found ${found}`,
    );
  }

  const settings: { -readonly [K in keyof SiteSettings]: SiteSettings[K] } = { ...DEFAULT_SITE, file };
  const fields = readMap(ctx, contents, "", KEY_NAMES, `site settings take ${KEY_NAMES.join(", ")}`);
  for (const f of fields.values()) {
    const key = f.key as keyof typeof KEYS;
    if (key === "formats") {
      const formats = readFormats(ctx, f);
      if (formats) settings.formats = formats;
    } else if (key === "url") {
      const s = readLine(ctx, f, KEYS[key], MAX_URL_LENGTH);
      if (s !== undefined) {
        const checked = siteUrl(s);
        if ("url" in checked) settings.url = checked.url;
        else ctx.add(ctx.at(f), f.path, `${checked.problem}; expected ${KEYS[key]}`);
      }
    } else if (key === "description") {
      const s = readParagraph(ctx, f, KEYS[key], MAX_DESCRIPTION_LENGTH);
      if (s !== undefined) settings[key] = s.trim();
    } else {
      const s = readLine(ctx, f, KEYS[key], MAX_LINE_LENGTH);
      if (s !== undefined) settings[key] = s;
    }
  }
  ctx.throwIfAny();
  return settings;
}

/**
 * The site's public address as the feed uses it: an absolute http or https URL of a folder, with a host,
 * no user name or password, no query and no fragment (file names are appended to it). A URL without a
 * trailing `/` is taken to name the folder: `https://example.org/calls` is `https://example.org/calls/`.
 */
export function siteUrl(text: string): { readonly url: string } | { readonly problem: string } {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return { problem: `${shown} is not an address (a URL starting with https://)` };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return {
      problem: `${shown} is a ${u.protocol.replace(/:$/, "")}: address; the site's address starts with https:// (or http://)`,
    };
  }
  if (u.hostname === "") return { problem: `${shown} has no host name` };
  if (u.username !== "" || u.password !== "")
    return { problem: `${shown} holds a user name or password; leave them out` };
  if (u.search !== "" || text.includes("?"))
    return { problem: `${shown} has a query (?...); give the folder's address only` };
  if (u.hash !== "" || text.includes("#"))
    return { problem: `${shown} has a fragment (#...); give the folder's address only` };
  const url = u.href.endsWith("/") ? u.href : `${u.href}/`;
  return { url };
}
