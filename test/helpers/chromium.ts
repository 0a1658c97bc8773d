/**
 * Debian's Chromium driven by playwright-core (never a browser download), as the browser tests launch it:
 * headless, no GPU, nothing fetched in the background. Without Chromium a browser test is skipped with a
 * message saying so; with REQUIRE_BROWSER=1 (CI) a missing Chromium is a failure instead.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const REQUIRED = process.env.REQUIRE_BROWSER === "1";
export const NOT_RUN =
  `browser test NOT RUN: no Chromium at ${CHROMIUM}. Install it with \`sudo apt-get install chromium\` ` +
  "(Debian's package; set CHROMIUM_PATH for another binary). CI sets REQUIRE_BROWSER=1, which makes this a failure.";

export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The parts of a SecurityPolicyViolationEvent a report uses. */
export interface Violation {
  readonly directive: string;
  readonly blocked: string;
  readonly sample: string;
}

/** A persistent context in a fresh profile folder (returned, for the caller to remove). */
export async function launchChromium(options: {
  readonly viewport?: { width: number; height: number };
  readonly colorScheme?: "light" | "dark";
}): Promise<{ context: BrowserContext; profile: string }> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: options.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: options.colorScheme ?? "light",
  });
  return { context, profile };
}

declare const document: {
  addEventListener(
    type: "securitypolicyviolation",
    listener: (e: { violatedDirective: string; blockedURI: string; sample: string }) => void,
  ): void;
};
declare const reportViolation: (v: Violation) => void;

/**
 * Every page of the context reports, into `problems`, each Content-Security-Policy violation the moment it
 * sees it, every console error and every uncaught exception.
 */
export async function watchProblems(context: BrowserContext, problems: string[]): Promise<void> {
  await context.exposeBinding("reportViolation", (source, v: Violation) => {
    problems.push(`CSP violation on ${source.page.url()}: ${v.directive} refused ${v.blocked || "-"} ${v.sample}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      reportViolation({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
    );
  });
  const watch = (p: Page): void => {
    p.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error on ${p.url()}: ${m.text()}`);
    });
    p.on("pageerror", (e) => problems.push(`uncaught on ${p.url()}: ${e.message}`));
  };
  context.on("page", watch);
  for (const p of context.pages()) watch(p);
}
