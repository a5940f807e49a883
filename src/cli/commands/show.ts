import { toTaskDetailJson } from "../../shapes/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatCost, formatDuration, formatInt, formatTime, oneLine, plural, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine, safeText } from "../safe.js";

export async function showCommand(io: CliIO, id: string, options: { json: boolean }): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const task = store.tasks.getWithUsage(id);
    const calls = store.modelCalls.forTask(task.id);
    const steps = store.steps.forTask(task.id);
    if (options.json) {
      writeJson(io, toTaskDetailJson(task, calls, steps));
      return 0;
    }
    const c = colorsFor(io.stdout, io.env);
    const lines = [
      `${c.bold("Task")}     ${task.id} · ${task.status} · ${formatTime(task.createdAt)} UTC`,
      ...(task.workspace ? [`${c.bold("Workspace")} ${safeLine(task.workspace)}`] : []),
      `${c.bold("Route")}    agent ${task.agent} · tier ${task.tier ?? "–"} (${task.tierReason ?? "–"}) · ${task.model ?? "–"}`,
      `${c.bold("Usage")}    ${plural(task.calls, "call")} · ${formatInt(task.inputTokens)} in / ${formatInt(task.outputTokens)} out` +
        ` · cache ${formatInt(task.cacheReadTokens)} read / ${formatInt(task.cacheWriteTokens)} written · ${formatCost(task.costUsd, task.costUnknown)}` +
        (task.durationMs === null ? "" : ` · ${formatDuration(task.durationMs)}`),
    ];
    if (task.errorCode) lines.push(`${c.bold(c.red("Error"))}    [${task.errorCode}] ${safeText(task.error ?? "")}`);
    const pending = store.approvals.list({ taskId: task.id, status: "pending" });
    const approvalIdLength = store.approvals.shortIdLength(pending.map((a) => a.id));
    for (const approval of pending) {
      const shortId = approval.id.slice(0, approvalIdLength);
      const summary = approval.intact
        ? ((approval.preview as { summary?: string }).summary ?? approval.tool)
        : "(record altered: not shown)";
      lines.push(
        `${c.bold(c.yellow("Waiting"))}  approval ${shortId}: ${safeLine(summary)} (${safeLine(approval.reason)}) · hob approvals approve ${shortId}`,
      );
    }
    lines.push(
      "",
      c.bold("Input"),
      safeText(task.input),
      "",
      c.bold("Output"),
      safeText(task.output ?? "") || c.dim("(none)"),
    );
    if (steps.length > 0) {
      lines.push("", c.bold("Tool steps"));
      lines.push(
        table([
          ["STEP", "TOOL", "STATUS", "ARGS", "RESULT"],
          ...steps.map((s) => [
            String(s.step),
            s.tool,
            s.status,
            safeLine(oneLine(JSON.stringify(s.args), 50)),
            safeLine(oneLine(s.result ?? "", 60)),
          ]),
        ]),
      );
    }
    if (calls.length > 0) {
      lines.push("", c.bold("Model calls"));
      lines.push(
        table([
          ["#", "PURPOSE", "MODEL", "OK", "IN", "OUT", "COST", "LATENCY"],
          // Numbered in order over the whole task; `attempt` restarts at 1 for every call and is shown when > 1.
          ...calls.map((call, index) => [
            call.attempt > 1 ? `${index + 1} (retry ${call.attempt - 1})` : String(index + 1),
            call.purpose ?? "answer",
            `${call.provider}/${call.model}`,
            call.ok ? "yes" : `no (${call.errorCode ?? "?"})`,
            formatInt(call.inputTokens),
            formatInt(call.outputTokens),
            formatCost(call.costUsd, call.costUnknown),
            formatDuration(call.latencyMs),
          ]),
        ]),
      );
    }
    io.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    store.close();
  }
}
