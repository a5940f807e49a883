import { createHash } from "node:crypto";
import { z } from "zod";
import type { HobConfig } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { HobEvent, ToolCallState } from "../events/index.js";
import {
  canonicalJson,
  type FinishReason,
  type Message,
  type RouteOptions,
  type Router,
  type ToolCallPart,
  type ToolResultPart,
  type ToolSpec,
} from "../models/index.js";
import { decideApproval } from "../sandbox/index.js";
import type { Store } from "../store/index.js";
import { type ActionPreview, TOOLS, type ToolContext } from "../tools/index.js";
import type { AgentDefinition } from "./definition.js";

/** Everything needed to resume a task where it stopped; saved when it pauses for approval. */
export interface LoopState {
  tier: string;
  messages: Message[];
  /** Model turns taken so far. */
  step: number;
  /** Tool calls of the last model turn that have not run yet. */
  pending: ToolCallPart[];
  /** Results already produced for that turn. */
  results: ToolResultPart[];
  created: string[];
  written: string[];
  sources: string[];
  /** The user's files this task moved away or deleted (optional: states saved by older versions lack it). */
  vacated?: string[];
  /** Whether a side-effecting tool has run (then the task is not re-run on another tier). */
  sideEffects: boolean;
}

export type Approver = (request: { preview: ActionPreview; reason: string }) => Promise<"approve" | "deny" | "defer">;

export interface LoopDeps {
  taskId: string;
  router: Router;
  store: Store;
  tools: ToolContext;
  policy: HobConfig["approvals"];
  temperature: number;
  maxOutputTokens: number;
  /** Asks a human at a terminal; without it an approval pauses the task. */
  approver?: Approver;
  signal?: AbortSignal;
  cache: boolean;
  routeOptions: Pick<RouteOptions, "onAttempt" | "onRetry" | "onFallback">;
  emit: (event: HobEvent) => void;
  now: () => number;
  /** Saves streamed text as it comes (crash safety). */
  progress: (text: string) => void;
  /** Added to the agent's system prompt (e.g. the skills relevant to the task). */
  systemAddendum?: string;
}

export type LoopOutcome =
  | { kind: "done"; text: string; finishReason: FinishReason }
  | { kind: "paused"; approval: { id: string; tool: string; summary: string; reason: string } };

export function newLoopState(tier: string, messages: Message[]): LoopState {
  return {
    tier,
    messages,
    step: 0,
    pending: [],
    results: [],
    created: [],
    written: [],
    sources: [],
    vacated: [],
    sideEffects: false,
  };
}

/**
 * The agent's turn loop: ask the model; run each tool call it makes (validated,
 * sandboxed, gated); feed the results back; until it answers without tools, runs out
 * of steps, or a call needs a human. Every call is an event and a `task_steps` row.
 */
export async function runToolLoop(agent: AgentDefinition, state: LoopState, deps: LoopDeps): Promise<LoopOutcome> {
  const specs = toolSpecs(agent);
  for (;;) {
    while (state.pending.length > 0) {
      const call = state.pending[0] as ToolCallPart;
      const outcome = await runCall(agent, call, state, deps);
      if ("pause" in outcome) {
        deps.store.approvals.saveState(deps.taskId, state);
        return { kind: "paused", approval: outcome.pause };
      }
      state.results.push(outcome.result);
      state.pending.shift();
    }
    if (state.results.length > 0) {
      state.messages.push({ role: "tool", content: state.results });
      state.results = [];
    }
    if (state.step >= agent.maxSteps) {
      throw new HobError("E_MAX_STEPS", `The ${agent.name} agent used all ${agent.maxSteps} steps without finishing.`, {
        hint: "Break the task into smaller ones, or raise max_steps in the agent's YAML.",
      });
    }
    state.step++;
    let text = "";
    let finishReason: FinishReason = "other";
    const calls: ToolCallPart[] = [];
    const stream = deps.router.stream(
      state.tier,
      {
        system: agent.systemPrompt + (deps.systemAddendum ?? ""),
        messages: state.messages,
        ...(specs.length > 0 ? { tools: specs } : {}),
        temperature: deps.temperature,
        maxOutputTokens: deps.maxOutputTokens,
      },
      { ...deps.routeOptions, signal: deps.signal, cache: deps.cache },
    );
    for await (const part of stream) {
      if (part.type === "text-delta") {
        text += part.text;
        deps.emit({ type: "text-delta", taskId: deps.taskId, text: part.text });
        deps.progress(text);
      } else if (part.type === "tool-call") {
        calls.push({ type: "tool-call", toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
      } else {
        finishReason = part.finishReason;
      }
    }
    if (calls.length === 0) return { kind: "done", text, finishReason };
    state.messages.push({ role: "assistant", content: [...(text ? [{ type: "text" as const, text }] : []), ...calls] });
    if (text) deps.emit({ type: "text-delta", taskId: deps.taskId, text: "\n" });
    state.pending = calls;
  }
}

function toolSpecs(agent: AgentDefinition): ToolSpec[] {
  return agent.tools.map((name) => {
    const tool = TOOLS[name];
    if (!tool) throw new HobError("E_CONFIG", `The ${agent.name} agent names an unknown tool "${name}".`);
    return {
      name,
      description: tool.description,
      inputSchema: z.toJSONSchema(tool.params) as Record<string, unknown>,
      sideEffects: !tool.readOnly,
    };
  });
}

type CallOutcome =
  | { result: ToolResultPart }
  | { pause: { id: string; tool: string; summary: string; reason: string } };

async function runCall(
  agent: AgentDefinition,
  call: ToolCallPart,
  state: LoopState,
  deps: LoopDeps,
): Promise<CallOutcome> {
  const started = deps.now();
  const { taskId, store } = deps;
  const finish = (status: Exclude<ToolCallState, "executing">, output: string, error?: HobError): CallOutcome => {
    store.steps.insert({
      taskId,
      step: state.step,
      tool: call.toolName,
      callId: call.toolCallId,
      args: call.input,
      status,
      result: output,
      errorCode: error?.code ?? null,
      createdAt: started,
      durationMs: deps.now() - started,
    });
    deps.emit({
      type: "tool-call",
      taskId,
      step: state.step,
      callId: call.toolCallId,
      tool: call.toolName,
      args: call.input,
      state: status,
      summary: output.slice(0, 200),
      ...(error ? { error: error.toJSON() } : {}),
    });
    return {
      result: {
        type: "tool-result",
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output,
        isError: status !== "success",
      },
    };
  };

  const tool = agent.tools.includes(call.toolName) ? TOOLS[call.toolName] : undefined;
  if (!tool)
    return finish(
      "error",
      `Error: there is no tool "${call.toolName}". Available: ${agent.tools.join(", ") || "none"}.`,
    );
  const parsed = tool.params.safeParse(call.input);
  if (!parsed.success) {
    return finish("error", `Error: invalid arguments for ${tool.name}: ${z.prettifyError(parsed.error)}`);
  }
  const args = parsed.data as never;
  deps.emit({
    type: "tool-call",
    taskId,
    step: state.step,
    callId: call.toolCallId,
    tool: tool.name,
    args: call.input,
    state: "executing",
  });
  try {
    const assessment = await tool.assess(args, deps.tools);
    const verdict = decideApproval(deps.policy, {
      tool: tool.name,
      situations: assessment.situations,
      sensitive: agent.sensitiveTools.has(tool.name),
      agentRules: agent.approval,
    });
    if (verdict.level === "deny") {
      return finish(
        "denied",
        `Error: denied by hob's approval policy (${verdict.reason}). Do not try to work around it.`,
      );
    }
    if (verdict.level === "ask") {
      // An approval covers exactly this action: tool, canonical arguments, resolved targets, their current state.
      const hash = createHash("sha256")
        .update(
          canonicalJson({ tool: tool.name, args, targets: assessment.preview.targets, state: assessment.fingerprint }),
        )
        .digest("hex");
      const prior = store.approvals.decisionFor(taskId, call.toolCallId);
      if (prior?.status === "denied")
        return finish(
          "denied",
          "Error: the user denied this action. Do not try it again; continue without it or explain.",
        );
      if (!store.approvals.consume(taskId, hash)) {
        const changed = prior?.status === "approved" || prior?.status === "used";
        const reason = changed ? `${verdict.reason}; the target changed after it was approved` : verdict.reason;
        const decision = deps.approver ? await deps.approver({ preview: assessment.preview, reason }) : "defer";
        const approval = store.approvals.create({
          taskId,
          callId: call.toolCallId,
          tool: tool.name,
          args,
          hash,
          preview: assessment.preview,
          reason,
          expiresAt: deps.now() + deps.policy.ttl_minutes * 60_000,
        });
        if (decision === "deny") {
          store.approvals.decide(approval.id, "denied");
          return finish(
            "denied",
            "Error: the user denied this action. Do not try it again; continue without it or explain.",
          );
        }
        if (decision === "defer") {
          finish("awaiting_approval", `Waiting for approval ${approval.id}: ${assessment.preview.summary}`);
          deps.emit({
            type: "approval-requested",
            taskId,
            approvalId: approval.id,
            tool: tool.name,
            summary: assessment.preview.summary,
            reason,
            ...(assessment.preview.diff ? { diff: assessment.preview.diff } : {}),
          });
          return { pause: { id: approval.id, tool: tool.name, summary: assessment.preview.summary, reason } };
        }
        store.approvals.decide(approval.id, "approved");
        store.approvals.consume(taskId, hash);
      }
    }
    const output = await tool.execute(args, deps.tools);
    if (!tool.readOnly) state.sideEffects = true;
    syncSets(state, deps.tools);
    return finish("success", output);
  } catch (thrown) {
    const error = toHobError(thrown);
    if (error.code === "E_CANCELLED" || deps.signal?.aborted) throw error;
    // A refused or failed call goes back to the model (it can recover), never with secrets.
    return finish("error", `Error [${error.code}]: ${error.message}`, error);
  }
}

/** Keeps the persisted state in step with the tool context's sets. */
function syncSets(state: LoopState, tools: ToolContext): void {
  state.created = [...tools.created];
  state.written = [...tools.written];
  state.sources = [...tools.sources];
  state.vacated = [...(tools.vacated ?? [])];
}
