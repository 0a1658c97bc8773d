/**
 * The site settings' shape (redactions/site.yaml), declared like the manifest's in definition.ts,
 * for the JSON Schema editors read (schema/site.schema.json, `npm run schema`). The parser is
 * src/manifest/site.ts; test/manifest/schema.test.ts runs both on the same valid and invalid files.
 */
import { MAX_LINE_LENGTH, type MapShape, ONE_LINE } from "./definition.ts";
import { WEB_FORMATS } from "./formats.ts";

/** Text of several lines, not blank: no tabs, control characters other than newlines, or bidi controls. */
const BIDI = "\\u202a-\\u202e\\u2066-\\u2069";
const PARAGRAPH = `^[^\\u0000-\\u0009\\u000b-\\u001f\\u007f${BIDI}]*[^\\s\\u0000-\\u001f\\u007f${BIDI}][^\\u0000-\\u0009\\u000b-\\u001f\\u007f${BIDI}]*$`;

/** The site's address: at most this many characters. */
export const MAX_URL_LENGTH = 500;

/** An http or https address with a host, no user name, query or fragment (site.ts checks it fully). */
const SITE_URL = "^https?://[^\\s/?#@]+(?:/[^\\s?#]*)?$";

/** A description is a paragraph or a few: at most this many characters. */
export const MAX_DESCRIPTION_LENGTH = 2000;

export const SITE_SHAPE: MapShape = {
  kind: "map",
  description: "Settings for every call published from this project: redactions/site.yaml.",
  fields: {
    title: {
      kind: "text",
      description: "The index page's heading; each call page links back to it (one line, up to 200 characters).",
      pattern: ONE_LINE,
      maxLength: MAX_LINE_LENGTH,
      examples: ["Windows support scam calls"],
    },
    description: {
      kind: "text",
      description: "A paragraph under the index page's heading (up to 2000 characters).",
      pattern: PARAGRAPH,
      maxLength: MAX_DESCRIPTION_LENGTH,
    },
    artist: {
      kind: "text",
      description: "The artist tag of every published audio file (one line, up to 200 characters).",
      pattern: ONE_LINE,
      maxLength: MAX_LINE_LENGTH,
    },
    album: {
      kind: "text",
      description: "The album tag of every published audio file (one line, up to 200 characters).",
      pattern: ONE_LINE,
      maxLength: MAX_LINE_LENGTH,
    },
    formats: {
      kind: "list",
      description: "The web formats published for every call (a manifest's formats: overrides it): mp3, opus or both.",
      items: { kind: "text", description: "A web format.", enum: [...WEB_FORMATS] },
      unique: true,
      minItems: 1,
    },
    url: {
      kind: "text",
      description:
        "The address the site is published at, e.g. https://example.org/calls/: the feed (out/feed.xml) links to the pages, audio and transcripts from it. Without it, no feed is written.",
      pattern: SITE_URL,
      maxLength: MAX_URL_LENGTH,
      examples: ["https://example.org/calls/"],
    },
  },
};
