/** `npm run redact -- --preview call4 3`: the branch of the redact command that renders one range. */
import type { SourceOptions } from "../media/source.ts";
import type { Layout } from "../project/layout.ts";
import { previewSummary, renderPreview } from "../publish/preview.ts";
import { prepareCall } from "../publish/redact-call.ts";
import type { ExitStatus } from "./run.ts";

export async function runPreview(
  layout: Layout,
  target: { readonly call: string; readonly range: number },
  quiet: boolean,
  decoding: SourceOptions,
): Promise<ExitStatus> {
  const result = await renderPreview(layout, prepareCall(layout, target.call, decoding), target.range);
  if (!quiet) process.stdout.write(`${previewSummary(result)}\n`);
  return 0;
}
