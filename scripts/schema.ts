/**
 * `npm run schema`: writes the JSON Schemas of the manifest and of the site settings, generated from
 * src/manifest/definition.ts and site-definition.ts, to schema/*.schema.json (committed; a test
 * fails when they are out of date).
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestSchemaText, SCHEMA_FILE, SITE_SCHEMA_FILE, siteSchemaText } from "../src/manifest/schema.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
for (const [file, text] of [
  [SCHEMA_FILE, manifestSchemaText()],
  [SITE_SCHEMA_FILE, siteSchemaText()],
] as const) {
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
}
