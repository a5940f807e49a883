import { resolve } from "node:path";
import { type AgentRegistry, type Approver, type BaseAgent, type LoopState, newLoopState } from "../agents/index.js";
import { type LoadedConfig, TIERS, type Tier } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { HobEvent, TaskSummary } from "../events/index.js";
import type { Message, Router } from "../models/index.js";
import { assessAnswer, type RouteDecision, type RoutingCascade, selfCheckScore } from "../routing/index.js";
import type { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import { noModelAvailable } from "./no-model.js";
import { CallRecorder, summarise } from "./recorder.js";
import { createSkillRegistry, skillContext } from "./skills-access.js";
import { createToolContext } from "./tool-context.js";

export interface OrchestratorDeps {
  config: LoadedConfig;
  store: Store;
  router: Router;
  routing: RoutingCascade;
  agents: AgentRegistry;
  now?: () => number;
}

export interface RunRequest {
  input: string;
  tier?: Tier;
  /** Force an agent instead of the one routing picks (`--agent`). */
  agent?: string;
  /** The folder the agent may work in (`--workspace`); default from config. */
  workspace?: string;
  /** Earlier turns of a conversation (`hob chat`). */
  history?: Message[];
  sessionId?: string;
  signal?: AbortSignal;
  /** false bypasses the response cache (`--no-cache`). */
  cache?: boolean;
  /** Asks a human at a terminal; without it, a call that needs approval pauses the task. */
  approver?: Approver;
  onEvent?: (event: HobEvent) => void;
}

export type ResumeRequest = Pick<RunRequest, "signal" | "cache" | "approver" | "onEvent">;

/** How often streamed text is saved, so a crash keeps what the user already saw. */
const PROGRESS_SAVE_MS = 250;

/**
 * Wires one task: record → route (cascade) → the agent routing picked runs its tool
 * loop through the router (retries, fallbacks, cache), sandbox and approval gate →
 * validate the result → escalate an unreliable local answer → record the outcome.
 * A task that needs a human pauses (`awaiting_approval`) and `resume` continues it.
 */
export class Orchestrator {
  private readonly now: () => number;
  private skills: SkillRegistry | undefined;

  constructor(private readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Routing only, for `hob route`. */
  route(input: string, options: { tier?: Tier; signal?: AbortSignal } = {}): Promise<RouteDecision> {
    return this.deps.routing.decide(input, options);
  }

  async run(request: RunRequest): Promise<TaskSummary> {
    const input = request.input.trim();
    if (input.length === 0)
      throw new HobError("E_USAGE", "The task is empty.", { hint: 'Give the task as text: hob run "…"' });
    const { config, store, router, agents } = this.deps;
    if (request.tier && !router.has(request.tier)) {
      const available = router.modelNames().join(", ");
      throw new HobError(
        "E_USAGE",
        `There is no model "${request.tier}" in ${config.router.file}; available: ${available}.`,
        { hint: `Use one of them with -m/--model or --tier (${available}), or add a model_name to litellm.yaml.` },
      );
    }
    const forced = request.agent ? agents.agent(request.agent) : undefined; // validates the name
    const workspace = resolve(request.workspace ?? config.config.workspace ?? config.paths.workspace);
    const started = this.now();
    const task = store.tasks.create({ input, sessionId: request.sessionId });
    store.tasks.setWorkspace(task.id, workspace);
    const emit = request.onEvent ?? (() => undefined);
    const recorder = new CallRecorder(store, task.id, emit, this.now);
    let decision: RouteDecision | undefined;
    try {
      // A forced agent takes its tier from --tier or its own YAML: the classifier has nothing to decide,
      // so it does not run (and the local model is never asked which agent to use).
      decision = forced
        ? undefined
        : await this.deps.routing.decide(input, {
            tier: request.tier,
            signal: request.signal,
            onAttempt: recorder.for("classify"),
          });
    } catch (thrown) {
      return this.fail(task.id, toHobError(thrown), "", started, recorder, emit);
    }
    const agent = forced ?? agents.forRoute((decision as RouteDecision).agent);
    // Routing's tier fits the task's complexity; a forced agent without --tier uses its own.
    const tier = request.tier ?? (decision ? decision.tier : agent.definition.tier);
    const reason = decision
      ? decision.reason
      : request.tier
        ? `agent forced to ${agent.name}, tier forced to ${tier}`
        : `agent forced to ${agent.name}; its tier is ${tier}`;
    // The model's own name (`claude-haiku-4-5`), the same string the task records once it is served.
    const model = router.deployments(tier)[0]?.model ?? tier;
    store.tasks.setRoute(task.id, {
      agent: agent.name,
      tier,
      model,
      reason,
      complexity: decision?.complexity ?? null,
      classifier: decision?.classifier ?? "forced",
      confidence: decision?.confidence ?? null,
    });
    emit({
      type: "task-started",
      taskId: task.id,
      input,
      agent: agent.name,
      tier,
      model,
      reason,
      classifier: decision?.classifier ?? "forced",
      confidence: decision?.confidence ?? 1,
      at: started,
    });
    const messages: Message[] = [...(request.history ?? []), { role: "user", content: input }];
    return this.drive(task.id, agent, newLoopState(tier, messages), workspace, request, recorder, started);
  }

  /** Continues a task that paused for approval, once the human decided. */
  async resume(taskId: string, request: ResumeRequest = {}): Promise<TaskSummary> {
    const { store, agents } = this.deps;
    const task = store.tasks.get(taskId);
    const state = store.approvals.loadState(task.id) as LoopState | undefined;
    if (task.status !== "awaiting_approval" || !state) {
      throw new HobError("E_APPROVAL", `Task ${task.id} is ${task.status}, not waiting for approval.`);
    }
    store.tasks.setStatus(task.id, "running");
    const emit = request.onEvent ?? (() => undefined);
    const recorder = new CallRecorder(store, task.id, emit, this.now);
    const workspace = task.workspace ?? this.deps.config.paths.workspace;
    return this.drive(task.id, agents.agent(task.agent), state, workspace, request, recorder, this.now());
  }

  private async drive(
    taskId: string,
    agent: BaseAgent,
    state: LoopState,
    workspace: string,
    request: ResumeRequest,
    recorder: CallRecorder,
    started: number,
  ): Promise<TaskSummary> {
    const { config, store, router } = this.deps;
    const emit = request.onEvent ?? (() => undefined);
    const firstMessages = state.step === 0 ? structuredClone(state.messages) : undefined;
    let output = "";
    let fallback: string | undefined;
    let lastSave = 0;
    try {
      const skills = await this.skillRegistry();
      const tools = await createToolContext(config, store, taskId, workspace, state, request.signal, this.now, skills);
      const task = [...state.messages].reverse().find((m) => m.role === "user");
      const systemAddendum = skillContext(
        skills,
        typeof task?.content === "string" ? task.content : "",
        config.config.skills.context_limit,
        agent.definition.tools.includes("run_skill"),
      );
      const deps = {
        taskId,
        router,
        store,
        tools,
        policy: config.config.approvals,
        temperature: config.config.temperature,
        maxOutputTokens: config.config.max_output_tokens,
        approver: request.approver,
        signal: request.signal,
        cache: request.cache !== false && config.config.cache.enabled,
        routeOptions: {
          onAttempt: recorder.for("answer"),
          onRetry: (info: { attempt: number; delayMs: number; error: HobError }) =>
            emit({
              type: "model-retry",
              taskId,
              attempt: info.attempt,
              delayMs: info.delayMs,
              error: info.error.toJSON(),
            }),
          onFallback: (info: { from: string; to: string; error: HobError }) => {
            fallback ??= `${info.from} → ${info.to} (${info.error.code})`;
            emit({ type: "model-fallback", taskId, from: info.from, to: info.to, error: info.error.toJSON() });
          },
        },
        emit,
        now: this.now,
        systemAddendum,
        progress: (text: string) => {
          output = text;
          if (this.now() - lastSave >= PROGRESS_SAVE_MS) {
            store.tasks.saveProgress(taskId, text);
            lastSave = this.now();
          }
        },
      };
      for (;;) {
        const outcome = await agent.execute(state, deps);
        if (outcome.kind === "paused") {
          store.tasks.setStatus(taskId, "awaiting_approval", output);
          const result = summarise(
            store,
            taskId,
            { status: "awaiting_approval", output, duration_ms: this.now() - started, approval: outcome.approval },
            recorder.served,
          );
          emit({ type: "task-paused", taskId, result });
          return result;
        }
        output = outcome.text;
        const next =
          state.sideEffects || !firstMessages
            ? undefined
            : await this.escalation(state.messages, output, outcome.finishReason, recorder, request);
        if (next) {
          emit({ type: "task-escalated", taskId, from: next.from, to: next.to, reason: next.reason });
          store.tasks.setServed(taskId, {
            tier: next.from,
            model: recorder.served?.model ?? "",
            escalatedFrom: next.from,
            escalationReason: next.reason,
          });
          state = newLoopState(next.to, structuredClone(firstMessages as Message[]));
          continue;
        }
        const validation = await agent.validateResult({ text: output }, deps);
        if (!validation.ok) {
          throw new HobError(
            "E_VALIDATION",
            `The ${agent.name} agent's result was not accepted: ${validation.reason}.`,
            {
              hint: "Run the task again, or give the agent more steps or a clearer task.",
            },
          );
        }
        break;
      }
      store.tasks.setServed(taskId, {
        tier: recorder.served?.tier ?? state.tier,
        model: recorder.served?.model ?? "",
        ...(fallback ? { fallback } : {}),
      });
      store.approvals.clearState(taskId);
    } catch (thrown) {
      const error = noModelAvailable(recorder.failures, config) ?? toHobError(thrown);
      return this.fail(taskId, error, output, started, recorder, emit);
    }
    store.tasks.finish(taskId, { status: "succeeded", output, durationMs: this.now() - started });
    store.skills.setTaskOutcome(taskId, true);
    const result = summarise(
      store,
      taskId,
      { status: "succeeded", output, duration_ms: this.now() - started },
      recorder.served,
    );
    emit({ type: "task-finished", taskId, result });
    return result;
  }

  /** The skills, loaded (and changed ones re-validated) once per orchestrator. */
  private async skillRegistry(): Promise<SkillRegistry> {
    if (!this.skills) {
      const { config, store } = this.deps;
      this.skills = createSkillRegistry(config, store, this.now);
      await this.skills.sync();
    }
    return this.skills;
  }

  private fail(
    taskId: string,
    error: HobError,
    output: string,
    started: number,
    recorder: CallRecorder,
    emit: (e: HobEvent) => void,
  ): TaskSummary {
    const status = error.code === "E_CANCELLED" ? "cancelled" : "failed";
    this.deps.store.tasks.finish(taskId, { status, output, error: error.toJSON(), durationMs: this.now() - started });
    this.deps.store.skills.setTaskOutcome(taskId, false);
    const result = summarise(
      this.deps.store,
      taskId,
      { status, output, duration_ms: this.now() - started, error: error.toJSON() },
      recorder.served,
    );
    emit({ type: "task-failed", taskId, error: error.toJSON(), result });
    return result;
  }

  /**
   * After a local answer (and only when no tool changed anything): is it usable? If
   * not, the next tier up (local-fast → local → fast → smart) takes the task.
   */
  private async escalation(
    messages: Message[],
    output: string,
    finishReason: Parameters<typeof assessAnswer>[2],
    recorder: CallRecorder,
    request: ResumeRequest,
  ): Promise<{ from: string; to: string; reason: string } | undefined> {
    const { config, router } = this.deps;
    const served = recorder.served;
    if (!config.config.escalation.enabled || !served || !router.isLocal(served.tier)) return undefined;
    // The next tier up that a different model answers (two tiers may map to one model).
    const servedGroup = router.resolve(served.tier)?.group;
    const to = TIERS.slice(TIERS.indexOf(served.tier as Tier) + 1).find((tier) => {
      const group = router.resolve(tier)?.group;
      return group !== undefined && group !== servedGroup;
    });
    if (!to || !(TIERS as readonly string[]).includes(served.tier)) return undefined;
    const task = [...messages].reverse().find((m) => m.role === "user")?.content;
    const input = typeof task === "string" ? task : "";
    const verdict = assessAnswer(input, output, finishReason);
    if (!verdict.ok) return { from: served.tier, to, reason: verdict.reason };
    if (config.config.escalation.self_check) {
      const score = await selfCheckScore(router, input, output, {
        signal: request.signal,
        onAttempt: recorder.for("self-check"),
      }).catch(() => undefined);
      const threshold = config.config.escalation.self_check_threshold;
      if (score !== undefined && score < threshold)
        return { from: served.tier, to, reason: `the self-check scored it ${score} (< ${threshold})` };
    }
    return undefined;
  }
}
