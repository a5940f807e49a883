import { z } from "zod";
import { HobError, toHobError } from "../errors/index.js";
import type { TaskEventBody, ToolCallState } from "../events/index.js";
import type { FinishReason, Message, ModelClient, ToolCallPart, ToolResultPart, ToolSpec } from "../models/index.js";
import type { AgentDefinition } from "./definition.js";
import { type ApprovalGate, modelCallEvent, type ToolContext, type ToolLookup } from "./seams.js";

/** What a step row keeps of a tool's output, and so what its event carries. */
const OUTPUT_LIMIT = 4000;
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
  /** The user chose the tier (`--tier`, `-m`): a spend budget stops the task instead of moving it to a local tier. */
  tierForced?: boolean;
}

export interface LoopDeps {
  taskId: string;
  model: ModelClient;
  tools: ToolLookup;
  context: ToolContext;
  gate: ApprovalGate;
  temperature: number;
  maxOutputTokens: number;
  signal?: AbortSignal;
  cache: boolean;
  now: () => number;
  /** Context gathered for this task (skills, memory), packed to its budget; added to the system prompt. */
  extraContext?: string;
  /** The part of extraContext the response cache keys on (without recalled memory); default all of it. */
  cacheContext?: string;
}

/** The events the loop yields (the orchestrator's task stream stamps and records them). */
export type LoopEvent = TaskEventBody;

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
 * The agent's turn loop, as a stream of events: ask the model; run each tool call it
 * makes (validated, gated, in the tool context); feed the results back; until it
 * answers without tools, runs out of steps, or a call needs a human. It yields every
 * event (text, model calls, tool calls) and returns the outcome; on a pause, `state`
 * holds what the caller saves to resume it.
 */
export async function* runToolLoop(
  agent: AgentDefinition,
  state: LoopState,
  deps: LoopDeps,
): AsyncGenerator<LoopEvent, LoopOutcome> {
  const specs = toolSpecs(agent, deps.tools);
  for (;;) {
    while (state.pending.length > 0) {
      const call = state.pending[0] as ToolCallPart;
      const outcome = yield* runCall(agent, call, state, deps);
      if ("pause" in outcome) return { kind: "paused", approval: outcome.pause };
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
    // The router reports attempts, retries and fallbacks through callbacks; they leave as events in order.
    const queued: LoopEvent[] = [];
    const stream = deps.model.stream(
      state.tier,
      {
        system: agent.systemPrompt + (deps.extraContext ?? ""),
        messages: state.messages,
        ...(specs.length > 0 ? { tools: specs } : {}),
        temperature: deps.temperature,
        maxOutputTokens: deps.maxOutputTokens,
      },
      {
        signal: deps.signal,
        cache: deps.cache,
        ...(deps.cacheContext !== undefined ? { cacheSystem: agent.systemPrompt + deps.cacheContext } : {}),
        onAttempt: (attempt) => queued.push(modelCallEvent(attempt, "answer")),
        onRetry: (info) =>
          queued.push({
            type: "model-retry",
            attempt: info.attempt,
            delay_ms: info.delayMs,
            error: info.error.toJSON(),
          }),
        onFallback: (info) =>
          queued.push({ type: "model-fallback", from: info.from, to: info.to, error: info.error.toJSON() }),
      },
    );
    try {
      for await (const part of stream) {
        yield* queued.splice(0);
        if (part.type === "text-delta") {
          text += part.text;
          yield { type: "text-delta", text: part.text };
        } else if (part.type === "tool-call") {
          calls.push({ type: "tool-call", toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        } else {
          finishReason = part.finishReason;
        }
      }
    } finally {
      // Also when the model failed: its failed attempts are recorded before the error goes up.
      yield* queued.splice(0);
    }
    if (calls.length === 0) return { kind: "done", text, finishReason };
    state.messages.push({ role: "assistant", content: [...(text ? [{ type: "text" as const, text }] : []), ...calls] });
    if (text) yield { type: "text-delta", text: "\n" };
    state.pending = calls;
  }
}

function toolSpecs(agent: AgentDefinition, tools: ToolLookup): ToolSpec[] {
  return agent.tools.map((name) => {
    const tool = tools.get(name);
    if (!tool) throw new HobError("E_CONFIG", `The ${agent.name} agent names an unknown tool "${name}".`);
    return {
      name,
      description: tool.description,
      inputSchema: tool.inputSchema ?? (z.toJSONSchema(tool.params) as Record<string, unknown>),
      sideEffects: !tool.readOnly,
    };
  });
}

type CallOutcome =
  | { result: ToolResultPart }
  | { pause: { id: string; tool: string; summary: string; reason: string } };

async function* runCall(
  agent: AgentDefinition,
  call: ToolCallPart,
  state: LoopState,
  deps: LoopDeps,
): AsyncGenerator<LoopEvent, CallOutcome> {
  const started = deps.now();
  const ended = (status: Exclude<ToolCallState, "executing">, output: string, error?: HobError): LoopEvent => ({
    type: "tool-call",
    step: state.step,
    call_id: call.toolCallId,
    tool: call.toolName,
    args: call.input,
    state: status,
    summary: output.slice(0, 200),
    output: output.slice(0, OUTPUT_LIMIT),
    started_at: started,
    duration_ms: deps.now() - started,
    ...(error ? { error: error.toJSON() } : {}),
  });
  const result = (status: Exclude<ToolCallState, "executing">, output: string): CallOutcome => ({
    result: {
      type: "tool-result",
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      output,
      isError: status !== "success",
    },
  });

  const tool = agent.tools.includes(call.toolName) ? deps.tools.get(call.toolName) : undefined;
  if (!tool) {
    const output = `Error: there is no tool "${call.toolName}". Available: ${agent.tools.join(", ") || "none"}.`;
    yield ended("error", output);
    return result("error", output);
  }
  const parsed = tool.params.safeParse(call.input);
  if (!parsed.success) {
    const output = `Error: invalid arguments for ${tool.name}: ${z.prettifyError(parsed.error)}`;
    yield ended("error", output);
    return result("error", output);
  }
  const args = parsed.data as never;
  yield {
    type: "tool-call",
    step: state.step,
    call_id: call.toolCallId,
    tool: tool.name,
    args: call.input,
    state: "executing",
  };
  try {
    const assessment = await tool.assess(args, deps.context);
    const verdict = await deps.gate.check({
      taskId: deps.taskId,
      callId: call.toolCallId,
      tool: tool.name,
      args,
      preview: assessment.preview,
      situations: assessment.situations,
      fingerprint: assessment.fingerprint,
      sensitive: agent.sensitiveTools.has(tool.name),
      agentRules: agent.approval,
      ...(assessment.remember ? { remember: assessment.remember } : {}),
    });
    if (verdict.kind === "denied") {
      yield ended("denied", verdict.message);
      return result("denied", verdict.message);
    }
    if (verdict.kind === "pause") {
      yield ended("awaiting_approval", `Waiting for approval ${verdict.approval.id}: ${assessment.preview.summary}`);
      return { pause: verdict.approval };
    }
    const output = await tool.execute(args, deps.context);
    if (!tool.readOnly) state.sideEffects = true;
    syncSets(state, deps.context);
    yield ended("success", output);
    return result("success", output);
  } catch (thrown) {
    const error = toHobError(thrown);
    if (error.code === "E_CANCELLED" || deps.signal?.aborted) throw error;
    // A refused or failed call goes back to the model (it can recover), never with secrets.
    const output = `Error [${error.code}]: ${error.message}`;
    yield ended("error", output, error);
    return result("error", output);
  }
}

/** Keeps the persisted state in step with the tool context's sets. */
function syncSets(state: LoopState, tools: ToolContext): void {
  state.created = [...tools.created];
  state.written = [...tools.written];
  state.sources = [...tools.sources];
  state.vacated = [...(tools.vacated ?? [])];
}
