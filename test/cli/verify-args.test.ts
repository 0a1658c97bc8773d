import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.ts";
import { parseVerifyArgs } from "../../src/cli/verify-args.ts";
import { UsageError } from "../../src/errors.ts";

describe("redact --no-verify", () => {
  it("verifies by default and not with --no-verify", () => {
    expect(parseArgs(["call4"]).verify).toBe(true);
    expect(parseArgs(["call4", "--no-verify"]).verify).toBe(false);
    expect(() => parseArgs(["call4", "--no-verify=1"])).toThrow(UsageError);
  });
});

describe("--accept-decode-errors", () => {
  it("is off by default, on with the flag (also as npm passes it without --), for redact and verify", () => {
    expect(parseArgs(["call4"]).acceptDecodeErrors).toBe(false);
    expect(parseArgs(["call4", "--accept-decode-errors"]).acceptDecodeErrors).toBe(true);
    expect(parseArgs(["call4"], { npm_config_accept_decode_errors: "true" }).acceptDecodeErrors).toBe(true);
    expect(() => parseArgs(["call4", "--accept-decode-errors=yes"])).toThrow(UsageError);
    expect(parseVerifyArgs(["call4"]).acceptDecodeErrors).toBe(false);
    expect(parseVerifyArgs(["call4", "--accept-decode-errors"]).acceptDecodeErrors).toBe(true);
  });
});

describe("parseVerifyArgs", () => {
  it("takes call names, or --all (also as npm passes it without --)", () => {
    expect(parseVerifyArgs(["call4", "call2"]).calls).toEqual(["call4", "call2"]);
    expect(parseVerifyArgs(["--all"]).all).toBe(true);
    expect(parseVerifyArgs([], { npm_config_all: "true" }).all).toBe(true);
    expect(parseVerifyArgs(["--failures", "call4"]).failures).toBe(true);
    expect(parseVerifyArgs(["-q", "call4"]).quiet).toBe(true);
    expect(parseVerifyArgs(["--", "--odd"]).calls).toEqual(["--odd"]);
  });

  it("refuses what makes no sense, as usage errors (exit 2)", () => {
    for (const argv of [[], ["--all", "call4"], ["--frob", "call4"], ["--no-verify", "call4"]]) {
      expect(() => parseVerifyArgs(argv), argv.join(" ")).toThrow(UsageError);
    }
  });

  it("answers --help without a call", () => {
    expect(parseVerifyArgs(["--help"]).help).toBe(true);
  });
});
