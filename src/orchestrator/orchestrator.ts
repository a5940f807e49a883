import { resolve } from "node:path";
import {
  type AgentRegistry,
  type BaseAgent,
  createAgent,
  type LoopDeps,
  type LoopState,
  modelCallEvent,
  newLoopState,
} from "../agents/index.js";
import { ApprovalOwner, type Approver, toolCallGate } from "../approvals/index.js";
import { type LoadedConfig, TIERS, type Tier } from "../config/index.js";
import { gatherContext } from "../context/index.js";
import { HobError, toHobError } from "../errors/index.js";
import type { EventBus, HobEvent, TaskSummary } from "../events/index.js";
import { type Memory, memoryContextSources, taskMemory } from "../memory/index.js";
import type { Message, Router } from "../models/index.js";
import { Recorder } from "../recorder/index.js";
import { assessAnswer, type RouteDecision, type RoutingCascade, selfCheckScore } from "../routing/index.js";
import type { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import { builtInTools, type ToolRegistry } from "../tools/index.js";
import { noModelAvailable } from "./no-model.js";
import { createSkillRegistry, skillsContextSource } from "./skills-access.js";
import { summarise } from "./summary.js";
import { TaskRun } from "./task-run.js";
import { createToolContext } from "./tool-context.js";

export interface OrchestratorDeps {
  config: LoadedConfig;
  store: Store;
  router: Router;
  routing: RoutingCascade;
  agents: AgentRegistry;
  /** The tools tasks may use (built-ins by default; skills and MCP servers register theirs here). */
  tools?: ToolRegistry;
  /** Every task's events, after they are recorded (a WebSocket subscribes here). */
  bus?: EventBus;
  now?: () => number;
  /** What hob remembers: recalled into a task's context, and told each finished task. */
  memory?: Memory;
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
  /**
   * The workspace is a throwaway copy (self-improvement drafts a proposal in one): changing
   * or deleting its files needs no approval, since nothing there reaches the user until a
   * human approves the proposal made from it.
   */
  scratch?: boolean;
  onEvent?: (event: HobEvent) => void;
}

export type ResumeRequest = Pick<RunRequest, "signal" | "cache" | "approver" | "onEvent" | "scratch">;

/** Work that is not an agent's turn but is recorded like a task (an improvement run): its stream and its end. */
export interface Activity {
  taskId: string;
  publish: TaskRun["publish"];
  finish(output: string): TaskSummary;
  fail(error: HobError): TaskSummary;
}

/**
 * Wires one task: route (cascade) → the agent routing picked runs its tool loop
 * (an event generator) through the model client (retries, fallbacks, cache), the
 * tools and the approval gate → validate the result → escalate an unreliable local
 * answer. Everything that happens is published on the task's stream, which the
 * recorder writes and every listener hears. A task that needs a human pauses
 * (`awaiting_approval`); deciding its approval (`approvals.decide`) and
 * `approvals.resume` continue it.
 */
export class Orchestrator {
  /** The one owner of approvals: the CLI, the web API and proposals decide and resume through it. */
  readonly approvals: ApprovalOwner<ResumeRequest, TaskSummary>;
  private readonly recorder: Recorder;
  private readonly tools: ToolRegistry;
  private readonly now: () => number;
  private skills: SkillRegistry | undefined;

  constructor(private readonly deps: OrchestratorDeps) {
    this.now = deps.now ?? Date.now;
    this.recorder = new Recorder(deps.store, this.now, deps.bus);
    this.tools = deps.tools ?? builtInTools();
    this.approvals = new ApprovalOwner({
      store: deps.store,
      now: this.now,
      publishTo: (taskId) => (event) => {
        this.recorder.stream(taskId).publish(event);
      },
    });
    this.approvals.setResumer("tool-call", (approval, request) => this.resume(approval.taskId, request));
  }

  /** What this orchestrator remembers and recalls (undefined with memory.enabled: false). */
  get memory(): Memory | undefined {
    return this.deps.config.config.memory.enabled ? this.deps.memory : undefined;
  }

  /** Routing only, for `hob route`. */
  route(input: string, options: { tier?: Tier; signal?: AbortSignal } = {}): Promise<RouteDecision> {
    return this.deps.routing.decide(input, options);
  }

  async run(request: RunRequest): Promise<TaskSummary> {
    return this.remember(await this.start(request));
  }

  /**
   * A finished task (succeeded or failed, not paused or cancelled) is remembered: its input,
   * outcome, tools and cost, for similar tasks later. Memory failing never fails the task: the
   * summary carries the warning instead.
   */
  private async remember(result: TaskSummary): Promise<TaskSummary> {
    const { memory, config, store } = this.deps;
    if (!memory || !config.config.memory.enabled || !config.config.memory.record_tasks) return result;
    if (result.status !== "succeeded" && result.status !== "failed") return result;
    try {
      const input = taskMemory(store.tasks.getWithUsage(result.id), store.steps.forTask(result.id));
      if (!input) return result;
      const { warnings } = await memory.add(input);
      return warnings.length > 0 ? { ...result, memory_warnings: warnings.map((w) => w.message) } : result;
    } catch (error) {
      return { ...result, memory_warnings: [toHobError(error).message] };
    }
  }

  private async start(request: RunRequest): Promise<TaskSummary> {
    const input = request.input.trim();
    if (input.length === 0)
      throw new HobError("E_USAGE", "The task is empty.", { hint: 'Give the task as text: hob run "…"' });
    const { config, router, agents } = this.deps;
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
    const { stream, detach } = this.recorder.create(
      { input, ...(request.sessionId ? { sessionId: request.sessionId } : {}), workspace },
      request.onEvent,
    );
    const run = new TaskRun(stream);
    try {
      let decision: RouteDecision | undefined;
      try {
        // A forced agent takes its tier from --tier or its own YAML: the classifier has nothing to decide,
        // so it does not run (and the local model is never asked which agent to use).
        decision = forced
          ? undefined
          : await this.deps.routing.decide(input, {
              tier: request.tier,
              signal: request.signal,
              onAttempt: (attempt) => run.publish(modelCallEvent(attempt, "classify")),
            });
      } catch (thrown) {
        return this.fail(run, toHobError(thrown), started);
      }
      const agent = forced ?? agents.forRoute((decision as RouteDecision).agent);
      // Routing's tier fits the task's complexity; a forced agent without --tier uses its own.
      const tier = request.tier ?? (decision ? decision.tier : agent.definition.tier);
      const reason = decision
        ? decision.reason
        : request.tier
          ? `agent forced to ${agent.name}, tier forced to ${tier}`
          : `agent forced to ${agent.name}; its tier is ${tier}`;
      run.publish({
        type: "task-started",
        input,
        agent: agent.name,
        tier,
        // The model's own name (`claude-haiku-4-5`), the same string the task records once it is served.
        model: router.deployments(tier)[0]?.model ?? tier,
        reason,
        classifier: decision?.classifier ?? "forced",
        confidence: decision?.confidence ?? null,
        complexity: decision?.complexity ?? null,
      });
      const messages: Message[] = [...(request.history ?? []), { role: "user", content: input }];
      const state = newLoopState(tier, messages);
      if (request.tier) state.tierForced = true;
      return await this.drive(run, agent, state, workspace, request, started);
    } finally {
      detach();
    }
  }

  /**
   * Records work that is not an agent's turn as a task (so its model calls, cost and the
   * approvals it asks for have a home): `task-created`, `task-started` as `agent`, then
   * `finish` or `fail`.
   */
  startActivity(input: string, agent: string, reason: string): Activity {
    const started = this.now();
    const workspace = this.deps.config.paths.workspace;
    const { stream } = this.recorder.create({ input, workspace });
    const run = new TaskRun(stream);
    run.publish({
      type: "task-started",
      input,
      agent,
      tier: "",
      model: "",
      reason,
      classifier: "forced",
      confidence: null,
      complexity: null,
    });
    return {
      taskId: run.taskId,
      publish: (body) => run.publish(body),
      finish: (output) => {
        const result = summarise(
          this.deps.store,
          run.taskId,
          { status: "succeeded", output, duration_ms: this.now() - started },
          run.served,
        );
        run.publish({ type: "task-finished", result });
        return result;
      },
      fail: (error) => this.fail(run, error, started),
    };
  }

  /** Continues a task that paused for approval, once the human decided. */
  async resume(taskId: string, request: ResumeRequest = {}): Promise<TaskSummary> {
    const { store, agents } = this.deps;
    const task = store.tasks.get(taskId);
    const stream = this.recorder.stream(task.id);
    const state = stream.savedState() as LoopState | undefined;
    if (task.status !== "awaiting_approval" || !state) {
      throw new HobError("E_APPROVAL", `Task ${task.id} is ${task.status}; there is nothing to resume.`);
    }
    const detach = request.onEvent ? stream.listen(request.onEvent) : () => undefined;
    try {
      const run = new TaskRun(stream);
      run.publish({ type: "task-resumed" });
      const workspace = task.workspace ?? this.deps.config.paths.workspace;
      return await this.remember(
        await this.drive(run, agents.agent(task.agent), state, workspace, request, this.now()),
      );
    } finally {
      detach();
    }
  }

  private async drive(
    run: TaskRun,
    agent: BaseAgent,
    state: LoopState,
    workspace: string,
    request: ResumeRequest,
    started: number,
  ): Promise<TaskSummary> {
    const { config, store, router } = this.deps;
    const taskId = run.taskId;
    const firstMessages = state.step === 0 ? structuredClone(state.messages) : undefined;
    let output = "";
    let closeMcp: (() => Promise<void>) | undefined;
    try {
      const skills = await this.skillRegistry();
      const context = await createToolContext(
        config,
        { store, approvals: this.approvals },
        taskId,
        workspace,
        state,
        request.signal,
        this.now,
        skills,
      );
      const task = [...state.messages].reverse().find((m) => m.role === "user");
      // Context sources (skills today, memory next), ranked and packed into each section's token budget.
      const memory = this.deps.memory && config.config.memory.enabled ? this.deps.memory : undefined;
      const gathered = await gatherContext(
        [
          skillsContextSource(skills, config.config.skills.context_limit, agent.definition.tools.includes("run_skill")),
          ...(memory
            ? memoryContextSources(memory, {
                pastTasks: config.config.memory.past_tasks,
                facts: config.config.memory.facts,
              })
            : []),
        ],
        {
          task: typeof task?.content === "string" ? task.content : "",
          agent: agent.name,
          ...(request.signal ? { signal: request.signal } : {}),
        },
        { total: config.config.context.budget_tokens, sections: config.config.context.sections },
      );
      run.publish({
        type: "context-packed",
        tokens: gathered.tokens,
        sections: gathered.sections,
        warnings: gathered.warnings,
      });
      const extraContext = gathered.text;
      // The response cache keys on the context without the recalled past tasks (a repeated task
      // recalls its own earlier run; see RouteOptions.cacheSystem). Facts stay in the key: an
      // answer that used a fact must not be served once the fact is forgotten or changed.
      const cacheContext = Object.entries(gathered.sectionTexts)
        .filter(([section]) => section !== "past_tasks")
        .map(([, text]) => text)
        .join("");
      // The MCP servers the agent's YAML names start now and stop when this turn of the task ends.
      let tools = this.tools;
      if (agent.definition.mcp.length > 0) {
        const { openMcpTools } = await import("../mcp/index.js");
        const mcp = await openMcpTools(config, agent.definition.mcp, agent.name, this.tools, {
          ...(request.signal ? { signal: request.signal } : {}),
        });
        if (mcp) {
          closeMcp = mcp.close;
          tools = mcp.registry;
          agent = createAgent({ ...agent.definition, tools: [...agent.definition.tools, ...mcp.names] });
        }
      }
      const deps: LoopDeps = {
        taskId,
        // Every call of this task counts against its spend budget.
        model: router.forTask(taskId),
        tools,
        context,
        gate: toolCallGate({
          owner: this.approvals,
          policy: request.scratch
            ? { ...config.config.approvals, delete: "allow", overwrite: "allow", move_overwrite: "allow" }
            : config.config.approvals,
          approver: request.approver,
          now: this.now,
        }),
        temperature: config.config.temperature,
        maxOutputTokens: config.config.max_output_tokens,
        signal: request.signal,
        cache: request.cache !== false && config.config.cache.enabled,
        now: this.now,
        extraContext,
        cacheContext,
      };
      // Set once a spend budget moved the task to a local tier: it is not escalated back to the cloud.
      let budgetLimited = false;
      for (;;) {
        const turns = agent.execute(state, deps);
        let outcome: Awaited<ReturnType<typeof turns.next>>["value"];
        try {
          let next = await turns.next();
          while (!next.done) {
            run.publish(next.value);
            next = await turns.next();
          }
          outcome = next.value;
        } catch (thrown) {
          // A budget refused the next cloud call (between steps: nothing of it was sent). The task
          // goes on from where it stands on a local tier, when there is one and the user did not pick the tier.
          const local = this.budgetFallback(toHobError(thrown), state);
          if (!local) throw thrown;
          run.publish({ type: "model-fallback", from: state.tier, to: local, error: toHobError(thrown).toJSON() });
          state.tier = local;
          state.step = Math.max(0, state.step - 1); // the refused turn was never taken
          budgetLimited = true;
          continue;
        }
        if (outcome.kind === "paused") {
          run.stream.checkpoint(state);
          const result = summarise(
            store,
            taskId,
            {
              status: "awaiting_approval",
              output: run.output,
              duration_ms: this.now() - started,
              approval: outcome.approval,
            },
            run.served,
          );
          run.publish({ type: "task-paused", result });
          return result;
        }
        output = outcome.text;
        const escalation =
          state.sideEffects || !firstMessages || budgetLimited
            ? undefined
            : await this.escalation(state.messages, output, outcome.finishReason, run, request);
        if (escalation) {
          run.publish({ type: "task-escalated", ...escalation, model: run.served?.model ?? "" });
          state = newLoopState(escalation.to, structuredClone(firstMessages as Message[]));
          continue;
        }
        const validation = await agent.validateResult({ text: output }, context);
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
    } catch (thrown) {
      const error = noModelAvailable(run.failures, config) ?? toHobError(thrown);
      return this.fail(run, error, started, output || run.output);
    } finally {
      await closeMcp?.();
    }
    const served = run.served ?? { tier: state.tier, model: "", cached: false };
    const result = summarise(
      store,
      taskId,
      { status: "succeeded", output, duration_ms: this.now() - started, tier: served.tier, model: served.model },
      run.served,
    );
    run.publish({ type: "task-finished", result, ...(run.fallback ? { fallback: run.fallback } : {}) });
    return result;
  }

  /**
   * The local tier a task moves to when a spend budget refuses its next cloud call: `local`,
   * else `local-fast`, whichever a local model answers. Undefined when the error is not E_BUDGET,
   * the user chose the tier, the task is already there, or no local tier is configured.
   */
  private budgetFallback(error: HobError, state: LoopState): string | undefined {
    const { router } = this.deps;
    if (error.code !== "E_BUDGET" || state.tierForced) return undefined;
    return (["local", "local-fast"] as const).find(
      (tier) => tier !== state.tier && router.has(tier) && router.isLocal(tier) && !router.isLocal(state.tier),
    );
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

  private fail(run: TaskRun, error: HobError, started: number, output = ""): TaskSummary {
    const status = error.code === "E_CANCELLED" ? "cancelled" : "failed";
    const result = summarise(
      this.deps.store,
      run.taskId,
      { status, output, duration_ms: this.now() - started, error: error.toJSON() },
      run.served,
    );
    run.publish({ type: "task-failed", error: error.toJSON(), result });
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
    run: TaskRun,
    request: ResumeRequest,
  ): Promise<{ from: string; to: string; reason: string } | undefined> {
    const { config, router } = this.deps;
    const served = run.served;
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
      const score = await selfCheckScore(router.forTask(run.taskId), input, output, {
        signal: request.signal,
        onAttempt: (attempt) => run.publish(modelCallEvent(attempt, "self-check")),
      }).catch(() => undefined);
      const threshold = config.config.escalation.self_check_threshold;
      if (score !== undefined && score < threshold)
        return { from: served.tier, to, reason: `the self-check scored it ${score} (< ${threshold})` };
    }
    return undefined;
  }
}
