import { openContext } from "../context.js";
import { colorsFor, formatUsd } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

/** `hob improve run`: one self-improvement analysis now; proposals wait for `hob proposals approve`. */
export async function improveRunCommand(io: CliIO, options: { json: boolean }): Promise<number> {
  const { config, store } = await openContext(io, options);
  const { runImprovement } = await import("../../improve/index.js");
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt(() => controller.abort());
  const c = colorsFor(io.stderr, io.env);
  try {
    const report = await runImprovement({
      config,
      store,
      trigger: "manual",
      signal: controller.signal,
      ...(options.json ? {} : { progress: (line: string) => io.stderr.write(c.dim(`${safeLine(line)}\n`)) }),
    });
    if (options.json) {
      writeJson(io, report);
      return 0;
    }
    const out: string[] = [];
    out.push(
      c.bold(`${report.findings.length} finding(s)`) +
        (report.since ? ` since ${report.since}` : " in the whole history"),
    );
    for (const finding of report.findings) out.push(`  ${finding.kind.padEnd(17)} ${safeLine(finding.summary)}`);
    out.push(`${c.bold(`${report.proposals.length} proposal(s)`)} · cost ${formatUsd(report.cost_usd)}`);
    for (const proposal of report.proposals)
      out.push(
        `  ${proposal.id}  ${proposal.status.padEnd(8)} ${safeLine(proposal.title)}${proposal.reason ? c.yellow(` (${safeLine(proposal.reason)})`) : ""}`,
      );
    for (const skip of report.skipped) out.push(c.dim(`  skipped ${safeLine(skip.finding)}: ${safeLine(skip.reason)}`));
    if (report.proposals.some((p) => p.status === "pending"))
      out.push(c.dim("Review with `hob proposals show <id>`; approve with `hob proposals approve <id>`."));
    io.stdout.write(`${out.join("\n")}\n`);
    return 0;
  } finally {
    unsubscribe();
    store.close();
  }
}
