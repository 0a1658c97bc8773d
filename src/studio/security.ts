/**
 * Who may talk to the studio. It listens on 127.0.0.1 only, but any program on the machine, and any web page
 * open in the person's browser, can send requests to that address. So every request must:
 *
 * - carry this run's token: in the address `npm run studio` prints (`/?token=...`), which the studio then
 *   swaps for an HttpOnly, SameSite=Strict cookie (a page on another site cannot make the browser send it)
 *   and takes out of the address bar;
 * - name this server in its Host header (127.0.0.1:PORT or localhost:PORT): a page on a name of its own that
 *   resolves to 127.0.0.1 (DNS rebinding) would send its own name, and is refused;
 * - if it writes (anything but GET and HEAD), come from the studio's own page: an Origin header naming this
 *   server; a request the browser marks as cross-site (Sec-Fetch-Site) is refused whatever it does.
 *
 * Call names and file names in requests go through project/layout.ts like the CLI's (routes.ts).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const newToken = (): string => randomBytes(24).toString("base64url");

/** The cookie's name carries the port: cookies are not told apart by port, and two studios may run at once. */
export const cookieName = (port: number): string => `studio-${port}`;

/** Host headers this server answers to. */
export const allowedHosts = (port: number): readonly string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

/** Token comparison in constant time. */
export function sameToken(given: string | undefined | null, token: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused before it reaches a route, or undefined when it may go on. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 421;
  readonly message: string;
}

export interface RequestFacts {
  readonly method: string;
  /** The Host header as received (not as a URL parser rebuilt it). */
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly fetchSite: string | undefined;
  /** The token from the cookie or the query string. */
  readonly cookieToken: string | undefined;
  readonly queryToken: string | undefined;
}

const WRITES_NOT = new Set(["GET", "HEAD"]);

export function refusal(f: RequestFacts, port: number, token: string): Refusal | undefined {
  if (f.host === undefined || !allowedHosts(port).includes(f.host.toLowerCase())) {
    return {
      status: 421,
      message: `this studio answers only at http://127.0.0.1:${port}/ (the request named the host ${JSON.stringify(f.host ?? "")})`,
    };
  }
  if (f.fetchSite === "cross-site") return { status: 403, message: "requests from other sites are refused" };
  if (!sameToken(f.cookieToken, token) && !sameToken(f.queryToken, token)) {
    return {
      status: 401,
      message:
        "open the studio at the address `npm run studio` printed (with its ?token=...): each run has a token of its own",
    };
  }
  if (!WRITES_NOT.has(f.method.toUpperCase())) {
    const own = allowedHosts(port).map((h) => `http://${h}`);
    if (f.origin === undefined || !own.includes(f.origin.toLowerCase())) {
      return { status: 403, message: "changes are accepted only from the studio's own page (Origin)" };
    }
  }
  return undefined;
}

/** A fresh nonce for one page: wavesurfer.js draws in shadow roots with a <style> element of its own. */
export const newNonce = (): string => randomBytes(16).toString("base64");

/**
 * The studio page's Content-Security-Policy: its own script and style files, wavesurfer's shadow-root <style>
 * by the page's nonce, requests to itself only, nothing from anywhere else.
 */
export function studioPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src data:",
    "media-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers on every response. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};
