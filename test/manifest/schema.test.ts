/**
 * The JSON Schema and the validator agree: the same manifests, valid and invalid, go through
 * parseManifest and through a JSON Schema validator (ajv, independent of this project) run on the
 * YAML as data. The few things a JSON Schema cannot say are listed, and checked to be the only
 * disagreements. The committed schema file is the generated one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { ManifestError } from "../../src/errors.ts";
import { TIME_PATTERN, ZERO_TIME_PATTERN } from "../../src/manifest/definition.ts";
import { parseManifest } from "../../src/manifest/parse.ts";
import {
  manifestSchema,
  manifestSchemaText,
  SCHEMA_FILE,
  SITE_SCHEMA_FILE,
  siteSchema,
  siteSchemaText,
} from "../../src/manifest/schema.ts";
import { parseSiteSettings } from "../../src/manifest/site.ts";
import { parseTimeText, TimeSyntaxError } from "../../src/manifest/time.ts";
import { REPO } from "../helpers/project.ts";

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
ajv.addVocabulary(["defaultSnippets"]);
const validateSchema = ajv.compile(manifestSchema());

/** What an editor sees: the YAML document as JSON data. */
const schemaAccepts = (text: string): boolean => {
  const data: unknown = JSON.parse(JSON.stringify(parseYaml(text, { schema: "core" }) ?? null));
  return validateSchema(data) === true;
};

const validatorAccepts = (text: string): boolean => {
  try {
    parseManifest(text, { file: "redactions/t.yaml", call: "t" });
    return true;
  } catch (e) {
    if (e instanceof ManifestError) return false;
    throw e;
  }
};

const entry = (fields: string): string => `redactions:\n  - { ${fields} }\n`;

const VALID: Record<string, string> = {
  "the spec's example": [
    "recording: call4.mp3",
    "title: Call 4",
    "redactions:",
    '  - start: "2:27.350"',
    '    end: "2:28.900"',
    "    category: sensitive",
    "    note: partner's name",
    "  - start: 161.25",
    "    duration: 1.5",
    "    category: obscenity",
    "categories:",
    "  music: { frequency: 1000 }",
    "tone:",
    "  level: -18",
    "  ramp: 5",
    "pad: 0",
    "",
  ].join("\n"),
  "no ranges": "redactions: []\n",
  "h:mm:ss and m:ss times": entry('start: "0:01:02.5", end: 3:59.9, category: obscenity'),
  "one-digit minutes, unquoted": entry("start: 2:27.350, end: 2:28, category: sensitive"),
  "a time as a string of seconds": entry('start: "75.5", end: "100", category: sensitive'),
  "exponent numbers": entry("start: 1e2, end: 2.5E+2, category: sensitive"),
  "an empty note": entry("start: 1, end: 2, category: sensitive, note:"),
  "a number as note and title": `title: 2024\n${entry("start: 1, end: 2, category: sensitive, note: 5")}`,
  "a custom category": `categories:\n  music: { frequency: 1000.5, label: background music }\n${entry("start: 1, end: 2, category: music")}`,
  "re-tuning a built-in category without frequency": `categories:\n  obscenity: { label: rude words }\n${entry("start: 1, end: 2, category: obscenity")}`,
  "an empty built-in category": `categories:\n  sensitive: {}\n${entry("start: 1, end: 2, category: sensitive")}`,
  "tone at its bounds": "redactions: []\ntone: { level: -60, ramp: 0 }\n",
  "tone level 0 and -0": "redactions: []\ntone: { level: -0 }\n",
  "a recording in a sub-folder": "recording: 2024/call4.wav\nredactions: []\n",
  "a recording with dots in its name": "recording: call..4.mp3\nredactions: []\n",
  "pad with a fraction": "redactions: []\npad: 12.5\n",
  "empty categories and tone": "redactions: []\ncategories: {}\ntone: {}\n",
  "web formats": "redactions: []\nformats: [opus, mp3]\n",
  "a title of 200 characters": `title: ${"t".repeat(200)}\nredactions: []\n`,
  "a right-to-left title without controls": 'title: "مكالمة ٤"\nredactions: []\n',
};

const INVALID: Record<string, string> = {
  "an empty document": "",
  "a right-to-left override in the title": 'title: "Call 4 \\u202Egnp.exe"\nredactions: []\n',
  "a left-to-right embedding in a label":
    'categories: { music: { frequency: 1000, label: "a \\u202Ab" } }\nredactions: []\n',
  "a title of 201 characters": `title: ${"t".repeat(201)}\nredactions: []\n`,
  "a label of 201 characters": `categories: { music: { frequency: 1000, label: ${"l".repeat(201)} } }\nredactions: []\n`,
  "a list at the top": "- 1\n",
  "no redactions": "title: x\n",
  "redactions not a list": "redactions: 5\n",
  "redactions empty": "redactions:\n",
  "an unknown top-level key": "redactions: []\ncolour: red\n",
  "an unknown entry key": entry("start: 1, end: 2, category: sensitive, colour: red"),
  "no start": entry("end: 2, category: sensitive"),
  "no category": entry("start: 1, end: 2"),
  "neither end nor duration": entry("start: 1, category: sensitive"),
  "both end and duration": entry("start: 1, end: 2, duration: 1, category: sensitive"),
  "a negative start": entry("start: -1, end: 2, category: sensitive"),
  "seconds of 60 after minutes": entry('start: "1:60", end: "2:00", category: sensitive'),
  "minutes of 60 after hours": entry('start: "1:60:00", end: "2:00:00", category: sensitive'),
  "one-digit seconds after a colon": entry('start: "1:5", end: "2:00", category: sensitive'),
  "a decimal comma": entry('start: "1,5", end: 2, category: sensitive'),
  "a time with spaces": entry('start: " 1.5", end: 2, category: sensitive'),
  "a time with a sign": entry('start: "+1.5", end: 2, category: sensitive'),
  "a fraction without digits": entry('start: "1.", end: 2, category: sensitive'),
  "a time as a list": entry("start: [1], end: 2, category: sensitive"),
  "a time as true": entry("start: true, end: 2, category: sensitive"),
  ".nan as a time": entry("start: .nan, end: 2, category: sensitive"),
  ".inf as a time": entry("start: 1, end: .inf, category: sensitive"),
  "an empty start": entry("start: , end: 2, category: sensitive"),
  "a zero duration": entry("start: 1, duration: 0, category: sensitive"),
  "a zero duration as text": entry('start: 1, duration: "0:00.000", category: sensitive'),
  "an unknown category without categories:": entry("start: 1, end: 2, category: swear"),
  "a category as a list": entry("start: 1, end: 2, category: [sensitive]"),
  "a note as a mapping": entry("start: 1, end: 2, category: sensitive, note: { a: 1 }"),
  "an entry that is not a mapping": "redactions:\n  - 5\n",
  "an empty entry": "redactions:\n  -\n",
  "tone level above 0": "redactions: []\ntone: { level: 6 }\n",
  "tone level below -60": "redactions: []\ntone: { level: -61 }\n",
  "tone level in quotes": "redactions: []\ntone: { level: '-18' }\n",
  "a negative ramp": "redactions: []\ntone: { ramp: -1 }\n",
  "an unknown tone key": "redactions: []\ntone: { volume: 3 }\n",
  "tone not a mapping": "redactions: []\ntone: 5\n",
  "tone empty": "redactions: []\ntone:\n",
  "a negative pad": "redactions: []\npad: -5\n",
  "pad in quotes": "redactions: []\npad: '50'\n",
  "categories not a mapping": "redactions: []\ncategories: [music]\n",
  "a custom category without frequency": "redactions: []\ncategories:\n  music: { label: x }\n",
  "a zero frequency": "redactions: []\ncategories:\n  music: { frequency: 0 }\n",
  "a negative frequency": "redactions: []\ncategories:\n  music: { frequency: -5 }\n",
  "an upper-case category name": "redactions: []\ncategories:\n  Music: { frequency: 1000 }\n",
  "a category name too long": `redactions: []\ncategories:\n  ${"a".repeat(65)}: { frequency: 1000 }\n`,
  "an unknown category key": "redactions: []\ncategories:\n  music: { frequency: 1000, colour: red }\n",
  "a category with no settings": "redactions: []\ncategories:\n  music:\n",
  "a blank label": "redactions: []\ncategories:\n  music: { frequency: 1000, label: '  ' }\n",
  "a label with a tab": 'redactions: []\ncategories:\n  music: { frequency: 1000, label: "a\\tb" }\n',
  "a blank title": "title: ''\nredactions: []\n",
  "a two-line title": 'title: "a\\nb"\nredactions: []\n',
  "a title as a list": "title: [a]\nredactions: []\n",
  "an absolute recording": "recording: /etc/passwd\nredactions: []\n",
  "a drive letter recording": "recording: 'C:call.mp3'\nredactions: []\n",
  "a recording leaving its folder": "recording: ../secret.mp3\nredactions: []\n",
  "a recording with .. inside": "recording: a/../../b.mp3\nredactions: []\n",
  "a recording with a backslash": "recording: 'a\\b.mp3'\nredactions: []\n",
  "a recording naming a folder": "recording: calls/\nredactions: []\n",
  "a recording of .": "recording: .\nredactions: []\n",
  "an empty recording": "recording: ''\nredactions: []\n",
  "no web formats": "redactions: []\nformats: []\n",
  "a web format twice": "redactions: []\nformats: [mp3, mp3]\n",
  "an unknown web format": "redactions: []\nformats: [flac]\n",
  "web formats not a list": "redactions: []\nformats: mp3\n",
};

/** What only the validator can tell: the schema accepts these, the validator does not. */
const BEYOND_SCHEMA: Record<string, string> = {
  "end before start": entry("start: 5, end: 2, category: sensitive"),
  "a category not defined under categories:": `categories:\n  music: { frequency: 1000 }\n${entry("start: 1, end: 2, category: swear")}`,
  "an anchor and alias":
    "tone: &t { level: -18 }\nredactions: []\ncategories:\n  music: { frequency: 1000, label: *t }\n".replace(
      "label: *t",
      "label: x",
    ),
};

/** YAML mistakes: the validator refuses them, and so does the YAML parser an editor runs before the schema. */
const YAML_LEVEL: Record<string, string> = {
  "a duplicate key": "redactions: []\nredactions: []\n",
  "tab indentation": "tone:\n\tlevel: -18\nredactions: []\n",
};

describe("the JSON Schema and the validator agree", () => {
  it.each(Object.entries(VALID))("both accept %s", (_, text) => {
    expect(validatorAccepts(text)).toBe(true);
    expect(schemaAccepts(text), JSON.stringify(validateSchema.errors)).toBe(true);
  });

  it.each(Object.entries(INVALID))("both refuse %s", (_, text) => {
    expect(validatorAccepts(text)).toBe(false);
    expect(schemaAccepts(text)).toBe(false);
  });

  it.each(Object.entries(BEYOND_SCHEMA))("only the validator refuses %s (documented in schema.ts)", (_, text) => {
    expect(validatorAccepts(text)).toBe(false);
    expect(schemaAccepts(text)).toBe(true);
  });

  it.each(Object.entries(YAML_LEVEL))("the validator and the YAML parser refuse %s", (_, text) => {
    expect(validatorAccepts(text)).toBe(false);
    expect(() => parseYaml(text, { schema: "core" })).toThrow();
  });

  it("agree on generated manifests that mix valid and invalid values of every field", () => {
    // Each pool: mostly valid values, sometimes an invalid one (after the |).
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
    const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
    const mix = <T, U>(good: readonly T[], bad: readonly U[]) =>
      fc.oneof({ arbitrary: pick<T | U>(good), weight: 6 }, { arbitrary: pick<T | U>(bad), weight: 1 });
    const times = mix([0, 1.5, 7, "0:01.250", "3", "0:00:02.5"], [-1, "1:75", "1,5", "x", true, ".nan", null, [1]]);
    const ends = mix([20, "0:21.500", "25"], [-3, "1:5", false, null]); // all after every start
    const durations = mix([1, "0:00.5"], [0, "0", -1, "x", null]);
    const categories = mix(["sensitive", "obscenity"], ["swear", 3, null, ["sensitive"]]);
    const notes = mix(["a note", 5, null], [{ a: 1 }]);
    const texts = mix(["Call 4", 2024], ["", "  ", "a\tb", ["x"], null]);
    const recordings = mix(["call4.mp3", "sub/c.wav", 12], ["../x.mp3", "/abs.mp3", "a\\b.mp3", "dir/", "C:x.mp3", ""]);
    const levels = mix([0, -18, -60, -0.5], [-61, 6, "5", null]);
    const numbers = mix([0, 5, 50, 12.5], [-1, "5", null]);
    const frequencies = mix([1000, 0.5], [0, -5, "1000", null]);
    const categoryNames = mix(["music", "x_1-b", "sensitive"], ["Music", "a b"]);
    const entryArb = fc.record(
      {
        start: times,
        end: optional(ends),
        duration: fc.option(durations, { nil: undefined, freq: 1 }),
        category: categories,
        note: optional(notes),
        extra: fc.option(pick([1]), { nil: undefined, freq: 1 }),
      },
      { requiredKeys: ["start", "category"] },
    );
    const categoryArb = fc.record(
      {
        frequency: fc.option(frequencies, { nil: undefined, freq: 8 }),
        label: optional(texts),
        colour: fc.option(pick(["red"]), { nil: undefined, freq: 1 }),
      },
      { requiredKeys: [] },
    );
    const manifestArb = fc.record(
      {
        recording: optional(recordings),
        title: optional(texts),
        redactions: fc.option(
          fc.oneof(
            { arbitrary: fc.array(entryArb, { maxLength: 3 }), weight: 12 },
            { arbitrary: pick([5, null]), weight: 1 },
          ),
          { nil: undefined, freq: 12 },
        ),
        tone: optional(fc.record({ level: optional(levels), ramp: optional(numbers) }, { requiredKeys: [] })),
        pad: optional(numbers),
        categories: optional(fc.dictionary(categoryNames, categoryArb, { maxKeys: 2 })),
      },
      { requiredKeys: ["redactions"] },
    );
    let valid = 0;
    fc.assert(
      fc.property(manifestArb, (m) => {
        const clean = JSON.parse(JSON.stringify(m));
        // Entries only name categories the manifest defines (an undefined one is beyond the schema).
        const defined = Object.keys((clean as { categories?: object }).categories ?? {});
        if (defined.length > 0 && Array.isArray(clean.redactions)) {
          for (const e of clean.redactions as Record<string, unknown>[])
            if (e.category === "swear") e.category = defined[0];
        }
        const text = stringify(clean, { aliasDuplicateObjects: false });
        const v = validatorAccepts(text);
        if (v) valid++;
        expect(schemaAccepts(text), text).toBe(v);
      }),
      { numRuns: 600, seed: 4 },
    );
    expect(valid).toBeGreaterThan(60); // the generator reaches valid manifests too (113 of 600 with this seed)
  });
});

describe("the site settings' schema and parser agree", () => {
  const validateSite = ajv.compile(siteSchema());
  const siteSchemaAccepts = (text: string): boolean =>
    validateSite(JSON.parse(JSON.stringify(parseYaml(text, { schema: "core" }) ?? null))) === true;
  const parserAccepts = (text: string): boolean => {
    try {
      parseSiteSettings(text, "redactions/site.yaml");
      return true;
    } catch (e) {
      if (e instanceof ManifestError) return false;
      throw e;
    }
  };
  const valid = {
    "every key":
      "title: Scam calls\ndescription: >\n  Two lines\n  of text.\nartist: Jane\nalbum: 2024\nformats: [mp3]\n",
    "a description over several lines": 'description: "first\\nsecond"\n',
    "a title of 200 characters": `title: ${"t".repeat(200)}\n`,
    "no keys at all": "{}\n",
  };
  const invalid = {
    "an unknown key": "titel: x\n",
    "a blank title": "title: '  '\n",
    "a two-line title": 'title: "a\\nb"\n',
    "a title of 201 characters": `title: ${"t".repeat(201)}\n`,
    "a right-to-left override in the title": 'title: "Call \\u202Eevil"\n',
    "a direction isolate in the description": 'description: "a \\u2067b"\n',
    "a tab in the description": 'description: "a\\tb"\n',
    "a description of 2001 characters": `description: ${"d".repeat(2001)}\n`,
    "an empty artist": "artist:\n",
    "an album as a list": "album: [a]\n",
    "no formats": "formats: []\n",
    "an unknown format": "formats: [wav]\n",
    "a list at the top": "- title\n",
  };
  it.each(Object.entries(valid))("both accept %s", (_, text) => {
    expect(parserAccepts(text)).toBe(true);
    expect(siteSchemaAccepts(text), JSON.stringify(validateSite.errors)).toBe(true);
  });
  it.each(Object.entries(invalid))("both refuse %s", (_, text) => {
    expect(parserAccepts(text)).toBe(false);
    expect(siteSchemaAccepts(text)).toBe(false);
  });
  it(`${SITE_SCHEMA_FILE} is the generated schema, and the demo's site.yaml names it and passes it`, () => {
    expect(readFileSync(join(REPO, SITE_SCHEMA_FILE), "utf8")).toBe(siteSchemaText());
    const text = readFileSync(join(REPO, "redactions/site.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/site.schema.json");
    expect(siteSchemaAccepts(text)).toBe(true);
  });
});

describe("the time pattern", () => {
  it("accepts exactly what parseTimeText accepts", () => {
    const pattern = new RegExp(TIME_PATTERN, "u");
    const zero = new RegExp(ZERO_TIME_PATTERN, "u");
    const text = fc.string({ unit: fc.constantFrom("0", "1", "5", "6", "9", ":", ".", ",", " ", "-"), maxLength: 9 });
    fc.assert(
      fc.property(text, (t) => {
        let value: ReturnType<typeof parseTimeText> | undefined;
        try {
          value = parseTimeText(t);
        } catch (e) {
          if (!(e instanceof TimeSyntaxError)) throw e;
        }
        expect(pattern.test(t), t).toBe(value !== undefined);
        if (value !== undefined) expect(zero.test(t), t).toBe(value.num === 0n);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});

describe("the committed schema file", () => {
  it(`${SCHEMA_FILE} is the generated schema (run \`npm run schema\` after changing definition.ts)`, () => {
    expect(readFileSync(join(REPO, SCHEMA_FILE), "utf8")).toBe(manifestSchemaText());
  });

  it("the demo manifests name it for the YAML language server, and pass it", () => {
    for (const call of ["call1", "call2", "call3", "call4"]) {
      const text = readFileSync(join(REPO, "redactions", `${call}.yaml`), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/manifest.schema.json");
      expect(schemaAccepts(text)).toBe(true);
    }
  });
});
