import { HobError } from "../../errors/index.js";
import { createOrchestrator } from "../../orchestrator/index.js";
import { toApprovalJson } from "../../shapes/index.js";
import { canPrompt, terminalApprover } from "../approver.js";
import { openContext } from "../context.js";
import { colorsFor, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { createRenderer } from "../render.js";
import { safeLine, safeText } from "../safe.js";
import { reportTaskResult } from "../task-result.js";

interface Preview {
  summary?: string;
  targets?: string[];
  diff?: string;
}

export async function approvalsListCommand(io: CliIO, options: { json: boolean; all: boolean }): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    const approvals = store.approvals.list(options.all ? {} : { status: "pending" });
    if (options.json) writeJson(io, approvals.map(toApprovalJson));
    else if (approvals.length === 0)
      io.stdout.write(options.all ? "No approvals yet.\n" : "Nothing is waiting for approval.\n");
    else {
      const c = colorsFor(io.stdout, io.env);
      // As many characters as keep each id a unique prefix (at least 8): what is shown can be typed back.
      const idLength = store.approvals.shortIdLength(approvals.map((a) => a.id));
      const taskIdLength = store.tasks.shortIdLength(approvals.map((a) => a.taskId));
      io.stdout.write(
        `${table([
          ["ID", "TASK", "STATUS", "TOOL", "ACTION", "EXPIRES (UTC)"].map((h) => c.bold(h)),
          ...approvals.map((a) => [
            a.id.slice(0, idLength),
            a.taskId.slice(0, taskIdLength),
            a.status,
            safeLine(a.tool),
            a.intact
              ? safeLine(oneLine((a.preview as Preview).summary ?? "", 50))
              : c.red("(record altered: not shown)"),
            formatTime(a.expiresAt),
          ]),
        ])}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

export async function approvalsShowCommand(io: CliIO, id: string, options: { json: boolean }): Promise<number> {
  const { store } = await openContext(io, options);
  try {
    // What is shown must be what runs: a row whose displayed columns were edited is refused.
    const approval = store.approvals.getIntact(id);
    if (options.json) {
      writeJson(io, toApprovalJson(approval));
      return 0;
    }
    const preview = approval.preview as Preview;
    const c = colorsFor(io.stdout, io.env);
    const lines = [
      `${c.bold("Approval")} ${approval.id} · ${approval.status} · task ${approval.taskId} · expires ${formatTime(approval.expiresAt)} UTC`,
      `${c.bold("Action")}   ${safeLine(approval.tool)}: ${safeLine(preview.summary ?? "")}`,
      `${c.bold("Why")}      ${safeLine(approval.reason)}`,
      ...(preview.targets ?? []).map((target) => `${c.bold("Target")}   ${safeLine(target)}`),
      `${c.bold("Args")}     ${safeLine(oneLine(JSON.stringify(approval.args), 200))}`,
    ];
    // Newlines and tabs stay in a diff; escapes, CR, bidi and invisible characters are shown, not obeyed.
    if (preview.diff) lines.push("", safeText(preview.diff));
    io.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    store.close();
  }
}

export const approvalsApproveCommand = (
  io: CliIO,
  id: string,
  options: { json: boolean; verbose?: boolean; always?: boolean },
) => decideAndResume(io, id, "approved", options);
export const approvalsDenyCommand = (io: CliIO, id: string, options: { json: boolean; verbose?: boolean }) =>
  decideAndResume(io, id, "denied", options);

/** Records the decision through the approval owner, then resumes the task where it stopped and reports how it ends. */
async function decideAndResume(
  io: CliIO,
  id: string,
  decision: "approved" | "denied",
  options: { json: boolean; verbose?: boolean; always?: boolean },
): Promise<number> {
  const { config, store } = await openContext(io, options);
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt(() => controller.abort());
  const renderer = options.json ? undefined : createRenderer(io, { summary: true });
  try {
    const { approvals } = createOrchestrator(config, store);
    const subject = approvals.get(id);
    if (subject.subjectKind === "proposal") {
      // A proposal is decided where it is applied: approving commits it, rejecting closes it.
      const proposalId = (subject.args as { proposal_id?: string }).proposal_id ?? subject.callId;
      throw new HobError("E_USAGE", `Approval ${subject.id} is for self-improvement proposal ${proposalId}.`, {
        hint: `Use \`hob proposals ${decision === "approved" ? "approve" : "reject"} ${proposalId}\`.`,
      });
    }
    let remember: (() => void) | undefined;
    if (options.always) {
      // "always" is for an MCP server's tool as defined when it was asked about (its target says which).
      const target = subject.intact ? (subject.preview as Preview).targets?.[0] : undefined;
      const { rememberFromTarget } = await import("../../mcp/index.js");
      remember = rememberFromTarget(config, target).remember;
    }
    const approval = approvals.decide(id, decision, "cli");
    // Only an approval that was really granted (pending, not expired, not already decided) is remembered.
    if (decision === "approved") remember?.();
    if (!options.json) {
      io.stderr.write(
        `${decision === "approved" ? "Approved" : "Denied"} ${safeLine(approval.tool)}: ${approval.intact ? safeLine((approval.preview as Preview).summary ?? "") : "(record altered)"}. Resuming task ${approval.taskId}…\n`,
      );
    }
    const task = store.tasks.get(approval.taskId);
    if (task.status !== "awaiting_approval") {
      throw new HobError("E_APPROVAL", `Task ${task.id} is ${task.status}; there is nothing to resume.`);
    }
    const result = await approvals.resume(approval.id, {
      signal: controller.signal,
      approver: renderer && canPrompt(io) ? terminalApprover(io, renderer.pause) : undefined,
      onEvent: renderer?.onEvent,
    });
    renderer?.close();
    return reportTaskResult(io, result, options);
  } finally {
    renderer?.close();
    unsubscribe();
    store.close();
  }
}
