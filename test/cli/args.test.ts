import { describe, expect, it } from "vitest";
import { parseArgs, splitArgs } from "../../src/cli/args.ts";
import { UsageError } from "../../src/errors.ts";

describe("parseArgs", () => {
  it("takes call names", () => {
    expect(parseArgs(["call4", "call2"]).calls).toEqual(["call4", "call2"]);
  });

  it("takes --all and --check, also as npm passes them without --", () => {
    expect(parseArgs(["--all"]).all).toBe(true);
    expect(parseArgs([], { npm_config_all: "true" }).all).toBe(true);
    expect(parseArgs(["call4"], { npm_config_check: "true" }).check).toBe(true);
  });

  it("refuses what makes no sense, as usage errors (exit 2)", () => {
    for (const argv of [[], ["--all", "call4"], ["--frob", "call4"], ["--json", "call4"], ["--all=yes"]]) {
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(UsageError);
    }
  });

  it("treats everything after -- as a call name", () => {
    expect(splitArgs(["--", "--odd"]).positional).toEqual(["--odd"]);
  });

  it("answers --help without a call", () => {
    expect(parseArgs(["--help"]).help).toBe(true);
  });
});
