import { createHash } from "node:crypto";

/** Escaping for text and attribute values: everything user-supplied goes through here. */
const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text content or a quoted attribute value, safe either way. Bidirectional embedding, override and isolate
 * controls (refused in manifests and settings already) become U+FFFD: they would turn the text around them.
 */
export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c).replace(/[\u202a-\u202e\u2066-\u2069]/g, "\ufffd");

/** A number for SVG coordinates: at most `digits` decimals, no trailing zeros, no "-0". */
export const num = (x: number, digits = 2): string => {
  const s = x.toFixed(digits).replace(/\.?0+$/, "");
  return s === "-0" ? "0" : s;
};

/** Whole seconds as a clock, as players show it (rounded down): 0:54, 12:03, 1:02:03. */
export function clock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** A count with its noun: "1 redaction", "6 redactions". */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

/**
 * An inline <style> or <script> element together with the CSP source that allows exactly it. Both come from
 * the same string here, so the hash in the policy cannot drift from the text the page holds: the browser
 * hashes the element's text as UTF-8 after the parser has turned "\r\n" into "\n"; the pages are UTF-8 and
 * use "\n" only, so what is hashed here is byte for byte what the browser hashes.
 */
export interface Inline {
  readonly html: string;
  /** 'sha256-<base64>' of the element's text. */
  readonly source: string;
}

const inline = (tag: "style" | "script", text: string): Inline => {
  // The element would end early at its closing tag and the rest would be parsed as markup, unhashed.
  if (new RegExp(`</${tag}`, "i").test(text)) throw new Error(`inline ${tag} holds "</${tag}"`);
  const hash = createHash("sha256").update(text, "utf8").digest("base64");
  return { html: `<${tag}>${text}</${tag}>`, source: `'sha256-${hash}'` };
};

export const inlineStyle = (css: string): Inline => inline("style", css);
export const inlineScript = (js: string): Inline => inline("script", js);

export interface PolicyOptions {
  readonly styles: readonly Inline[];
  readonly scripts?: readonly Inline[];
  /** The page plays audio files that sit beside it. */
  readonly media?: boolean;
}

/**
 * The page's Content-Security-Policy: nothing from anywhere unless listed. The page's own inline style and
 * script by hash (no 'unsafe-inline': an injected <script> or style="" attribute would not run or apply),
 * the audio beside it, and the empty data: favicon (a <link rel="icon"> is an image load: without img-src
 * Chromium reports it as a violation, and without the icon link it asks the host for /favicon.ico). No
 * <base> (relative audio links cannot be pointed elsewhere) and no form submission. frame-ancestors and
 * report-uri do nothing in a <meta> policy: a host that wants them sets them as headers.
 */
export function contentSecurityPolicy(o: PolicyOptions): string {
  const sources = (list: readonly Inline[]): string => list.map((i) => i.source).join(" ");
  const directives = [
    "default-src 'none'",
    ...(o.scripts && o.scripts.length > 0 ? [`script-src ${sources(o.scripts)}`] : []),
    ...(o.styles.length > 0 ? [`style-src ${sources(o.styles)}`] : []),
    "img-src data:",
    // 'self' is the folder's own host over http(s). From file:// Chromium counts every file: URL as 'self'
    // (measured with Chromium 156: a page opened as a file plays its audio, and media from http: or data:
    // is refused); a source list cannot name the folder, which is wherever the reader saved the site, so
    // nothing narrower covers file://, and 'self' needs no file: source added. <track> captions, when the
    // page has them, load under media-src too.
    ...(o.media ? ["media-src 'self'"] : []),
    "base-uri 'none'",
    "form-action 'none'",
  ];
  return directives.join("; ");
}

/** Everything a policy is made of: keywords, quotes, hashes' base64. Nothing that needs escaping in an attribute. */
const POLICY_TEXT = /^[a-z0-9 '\-:;+/=]*$/i;

/**
 * The policy as the <meta> element that must come first in <head>: it covers only what follows it. Written
 * as it is rather than through esc(), so that the page's source shows the policy a browser reads; nothing in
 * it is user-supplied, and the check below keeps it that way.
 */
export function policyMeta(o: PolicyOptions): string {
  const policy = contentSecurityPolicy(o);
  if (!POLICY_TEXT.test(policy)) throw new Error(`policyMeta: unexpected characters in "${policy}"`);
  return `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
}
