/**
 * `npm run studio`: start the studio (src/studio/server.ts) in this project and print its address. It runs
 * until Ctrl-C, which stops it like any command (run.ts: decodes and runs in progress are stopped, their
 * temporary files removed, locks given back).
 */
import { spawn } from "node:child_process";
import { startStudio } from "../studio/server.ts";
import { asTyped } from "./invocation.ts";
import { type ExitStatus, runCommand } from "./run.ts";
import { parseStudioArgs, STUDIO_HELP } from "./studio-args.ts";

/** The system's way to open an address in the default browser. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: "ignore" });
    child.on("error", () => process.stderr.write(`could not open a browser (${command}): open the address yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not open a browser (${command}): open the address yourself\n`);
  }
}

async function main(argv: readonly string[]): Promise<ExitStatus> {
  const args = parseStudioArgs(argv);
  if (args === "help") {
    process.stdout.write(asTyped(STUDIO_HELP));
    return 0;
  }
  const studio = await startStudio({
    root: process.cwd(),
    port: args.port,
    acceptDecodeErrors: args.acceptDecodeErrors,
  });
  process.stdout.write(`studio: ${studio.url}\n(this computer only; Ctrl-C stops it)\n`);
  if (args.open) openBrowser(studio.url);
  return new Promise<ExitStatus>(() => {}); // until a signal stops it
}

runCommand(main, { message: () => "\nstudio stopped\n", status: 0 });
