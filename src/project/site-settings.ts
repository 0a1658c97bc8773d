/**
 * Finding and reading the site settings, redactions/site.yaml (or .yml). The
 * name `site` is therefore not a call: `--all` passes it by, and
 * `redact site` says what the file is.
 */
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { DEFAULT_SITE, parseSiteSettings, type SiteSettings } from "../manifest/site.ts";
import { checkSettingsFile, display, type Layout, SITE_SETTINGS_NAME } from "./layout.ts";
import { readSettingsBytes, settingsText } from "./manifest-file.ts";

const exists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** redactions/site.yaml or site.yml, or undefined when there is neither; both is ambiguous. */
export function findSiteFile(layout: Layout): string | undefined {
  const found = [".yaml", ".yml"].map((ext) => join(layout.redactionsDir, SITE_SETTINGS_NAME + ext)).filter(exists);
  if (found.length > 1) {
    throw new UsageError(
      `two site settings files: ${found.map((f) => display(layout, f)).join(" and ")}; keep only one`,
    );
  }
  const path = found[0];
  if (path !== undefined) checkSettingsFile(layout, path);
  return path;
}

/** The project's site settings, or the defaults when there is no settings file. */
export function loadSiteSettings(layout: Layout): SiteSettings {
  const path = findSiteFile(layout);
  if (path === undefined) return DEFAULT_SITE;
  const file = display(layout, path);
  const text = settingsText(readSettingsBytes(path, file, "the site settings"));
  return parseSiteSettings(text, file);
}
