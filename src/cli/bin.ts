#!/usr/bin/env node
/**
 * `call-redactor <command> [options]`: the installed package's one executable (package.json `bin`,
 * compiled to dist/call-redactor.js at `prepack` by scripts/build.mjs). It picks the command and loads
 * that command's module only, which runs itself as `npm run <command>` runs it in this repository: same
 * arguments, same output, same exit codes (run.ts). A new command gets a line in COMMANDS.
 */
import { UsageError } from "../errors.ts";
import { TOOL } from "../version.ts";
import { startedFromBin } from "./invocation.ts";
import { runCommand } from "./run.ts";

/** Each command's module, run by loading it (it ends with `runCommand(main)`), and what it does. */
const COMMANDS: Readonly<Record<string, { readonly load: () => Promise<unknown>; readonly about: string }>> = {
  redact: { load: () => import("./main.ts"), about: "redact calls and publish them into out/ (--all: every call)" },
  verify: { load: () => import("./verify.ts"), about: "check what out/ holds for calls, from the files themselves" },
  labels: { load: () => import("./labels.ts"), about: "import or export Audacity labels: labels import|export <call>" },
  suggest: { load: () => import("./suggest.ts"), about: "propose entries from a transcript with word timings" },
  studio: {
    load: () => import("./studio.ts"),
    about: "mark, check and publish calls in the browser (this computer only)",
  },
};

const HELP = `${TOOL.name} ${TOOL.version}: redact call recordings and publish them for the web.

Usage:
  call-redactor <command> [options]

Run it in a folder holding redactions/ (one <call>.yaml per call), recordings/ and out/.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.about}`)
  .join("\n")}

  call-redactor <command> --help   that command's options (or: call-redactor help <command>)

Options:
  --version    print the tool's version
  -h, --help   this text
`;

const [first, ...rest] = process.argv.slice(2);
// `call-redactor help redact` is `call-redactor redact --help`.
const asked = first === "help" && rest.length === 1 ? rest : undefined;
const name = asked ? asked[0] : first;
const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
if (command) {
  startedFromBin();
  // The command reads its arguments from process.argv.slice(2), as when npm runs it.
  process.argv.splice(2, asked ? 2 : 1, ...(asked ? ["--help"] : []));
  await command.load();
} else {
  runCommand(async () => {
    if (first === "--version" && rest.length === 0) {
      process.stdout.write(`${TOOL.name} ${TOOL.version}\n`);
      return 0;
    }
    if (first === undefined || (["--help", "-h", "help"].includes(first) && rest.length === 0)) {
      process.stdout.write(HELP);
      return 0;
    }
    const what = name ?? first;
    if (what.startsWith("-")) {
      const known = ["--help", "-h", "--version"].includes(what);
      throw new UsageError(
        `${known ? `${what} goes alone` : `unknown option ${what}`}; a command's options go after it: call-redactor <command> [options]; see call-redactor --help`,
      );
    }
    throw new UsageError(
      `unknown command ${what}: use one of ${Object.keys(COMMANDS).join(", ")}; see call-redactor --help`,
    );
  });
}
