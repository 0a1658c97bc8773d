import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManifestError, UsageError } from "../../src/errors.ts";
import { DEFAULT_SITE } from "../../src/manifest/site.ts";
import { findManifest, listCalls, projectLayout } from "../../src/project/layout.ts";
import { loadSiteSettings } from "../../src/project/site-settings.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const project = (files: Record<string, string>) => {
  const root = mkdtempSync(join(tmpdir(), "site-test-"));
  roots.push(root);
  mkdirSync(join(root, "redactions"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, "redactions", name), text);
  return projectLayout(root);
};

describe("finding the site settings", () => {
  it("reads redactions/site.yaml or site.yml, and uses the defaults without either", () => {
    expect(loadSiteSettings(project({ "site.yaml": "title: A\n" })).title).toBe("A");
    expect(loadSiteSettings(project({ "site.yml": "album: B\n" }))).toMatchObject({
      file: "redactions/site.yml",
      album: "B",
    });
    expect(loadSiteSettings(project({}))).toBe(DEFAULT_SITE);
  });

  it("refuses two settings files, and reports a bad one at its line and column", () => {
    expect(() => loadSiteSettings(project({ "site.yaml": "", "site.yml": "" }))).toThrow(
      "two site settings files: redactions/site.yaml and redactions/site.yml; keep only one",
    );
    expect(() => loadSiteSettings(project({ "site.yaml": "\ntitle: [x]\n" }))).toThrow(ManifestError);
    expect(() => loadSiteSettings(project({ "site.yaml": "\ntitle: [x]\n" }))).toThrow(
      /^redactions\/site\.yaml:2:8: title:/,
    );
  });

  it("is not a call: --all passes it by and naming it says what it is", () => {
    const layout = project({ "site.yaml": "title: A\n", "call1.yaml": "redactions: []\n" });
    expect(listCalls(layout)).toEqual(["call1"]);
    expect(() => findManifest(layout, "site")).toThrow(UsageError);
    expect(() => findManifest(layout, "site")).toThrow(
      '"site" is not a call: redactions/site.yaml holds the site settings (title, tags, formats; see README)',
    );
  });
});
