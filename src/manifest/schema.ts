/**
 * The manifest's JSON Schema (draft-07, what the YAML language server in VS Code and other editors
 * reads), generated from definition.ts, the same definition the validator uses. `npm run schema`
 * writes it to schema/manifest.schema.json; a test checks the committed file is up to date.
 *
 * What a JSON Schema cannot say and only the validator checks: `end` after `start`; a category
 * named by an entry being defined under `categories:` (without `categories:` the schema does
 * require a built-in name); duplicate keys, tab indentation, anchors and aliases (YAML, not data);
 * ranges that overlap or run past the recording's end (known once the recording is read).
 */
import {
  BUILTIN_CATEGORY_NAMES,
  MANIFEST_SHAPE,
  type MapShape,
  type Shape,
  TIME_PATTERN,
  ZERO_TIME_PATTERN,
} from "./definition.ts";
import { SITE_SHAPE } from "./site-definition.ts";

export const SCHEMA_FILE = "schema/manifest.schema.json";

type Json = { [key: string]: unknown };

/** Text scalars: YAML numbers and true/false are read as the text they were written as. */
const SCALAR_TYPES = ["string", "number", "boolean"];

const timeSchema = (positive: boolean): Json => ({
  oneOf: [
    positive ? { type: "number", exclusiveMinimum: 0 } : { type: "number", minimum: 0 },
    positive
      ? { type: "string", allOf: [{ pattern: TIME_PATTERN }, { not: { pattern: ZERO_TIME_PATTERN } }] }
      : { type: "string", pattern: TIME_PATTERN },
  ],
});

function shapeSchema(shape: Shape): Json {
  switch (shape.kind) {
    case "text": {
      const out: Json = {
        description: shape.description,
        type: shape.nullable ? [...SCALAR_TYPES, "null"] : SCALAR_TYPES,
      };
      if (shape.pattern) out.pattern = shape.pattern;
      if (shape.maxLength !== undefined) out.maxLength = shape.maxLength;
      if (shape.enum) {
        out.type = "string";
        out.enum = [...shape.enum];
      }
      if (shape.examples) out.examples = shape.examples;
      return out;
    }
    case "number": {
      const out: Json = { description: shape.description, type: "number" };
      for (const k of ["minimum", "maximum", "exclusiveMinimum", "default", "examples"] as const) {
        if (shape[k] !== undefined) out[k] = shape[k];
      }
      return out;
    }
    case "time": {
      const out: Json = { description: shape.description, ...timeSchema(shape.positive === true) };
      if (shape.examples) out.examples = shape.examples;
      return out;
    }
    case "list":
      return {
        description: shape.description,
        type: "array",
        items: shapeSchema(shape.items),
        ...(shape.unique ? { uniqueItems: true } : {}),
        ...(shape.minItems === undefined ? {} : { minItems: shape.minItems }),
      };
    case "map":
      return mapSchema(shape);
  }
}

function mapSchema(shape: MapShape): Json {
  const out: Json = { description: shape.description, type: "object" };
  const properties: Json = {};
  for (const [key, field] of Object.entries(shape.fields)) properties[key] = shapeSchema(field);
  if (shape.names) {
    const { pattern, maxLength, value, builtins = [] } = shape.names;
    out.propertyNames = { pattern, maxLength };
    const loose = mapSchema({ ...value, required: [] });
    delete loose.required;
    for (const name of builtins) properties[name] = loose;
    out.additionalProperties = mapSchema(value);
  } else out.additionalProperties = false;
  if (Object.keys(properties).length > 0) out.properties = properties;
  if (shape.required && shape.required.length > 0) out.required = [...shape.required];
  if (shape.exactlyOne) out.oneOf = shape.exactlyOne.map((k) => ({ required: [k] }));
  if (shape.snippet) out.defaultSnippets = [{ label: "example", body: shape.snippet }];
  return out;
}

/** The JSON Schema of a manifest. */
export function manifestSchema(): Json {
  const schema = mapSchema(MANIFEST_SHAPE);
  // Without categories:, an entry can only name a built-in category: say so, so that editors
  // underline a misspelt "sensitve" and offer the names.
  const categoryKeys = Object.entries(MANIFEST_SHAPE.fields).flatMap(([listKey, list]) =>
    list.kind === "list" && list.items.kind === "map"
      ? Object.entries(list.items.fields)
          .filter(([, f]) => f.kind === "text" && f.categoryRef)
          .map(([k]) => [listKey, k] as const)
      : [],
  );
  const builtinOnly: Json = {};
  for (const [listKey, key] of categoryKeys) {
    builtinOnly[listKey] = {
      type: "array",
      items: { type: "object", properties: { [key]: { enum: [...BUILTIN_CATEGORY_NAMES] } } },
    };
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "call-redactor manifest",
    ...schema,
    if: { not: { required: ["categories"] } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a promise
    then: { type: "object", properties: builtinOnly },
  };
}

/** The schema file's text, as committed: two-space JSON and a final newline. */
export const manifestSchemaText = (): string => `${JSON.stringify(manifestSchema(), null, 2)}\n`;

export const SITE_SCHEMA_FILE = "schema/site.schema.json";

/** The JSON Schema of the site settings, redactions/site.yaml. */
export function siteSchema(): Json {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "call-redactor site settings",
    ...mapSchema(SITE_SHAPE),
  };
}

export const siteSchemaText = (): string => `${JSON.stringify(siteSchema(), null, 2)}\n`;
