import { join } from "node:path";
import { AgentRegistry } from "../agents/index.js";
import { type LoadedConfig, loadConfig, TIERS } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import { createOrchestrator, createRouter, hobPaths } from "../orchestrator/index.js";
import type { ImproveTrigger, ProposalRecord, Store } from "../store/index.js";
import { analyseHistory, type Finding } from "./analysis/index.js";
import type { ApplyDeps } from "./apply.js";
import { draftChange } from "./draft.js";
import { ensureManagedRepo } from "./managed/index.js";
import { queueProposal } from "./queue.js";
import { acquireImproveLock } from "./scheduler/index.js";
import { validateDraft } from "./validate.js";

/** What `hob improve run --json` prints. */
export interface ImprovementReport {
  run_id: string;
  task_id: string;
  trigger: ImproveTrigger;
  /** The history analysed: tasks since this time (ISO), or all of it. */
  since: string | null;
  findings: Array<Pick<Finding, "key" | "kind" | "summary" | "evidence"> & { action: Finding["action"]["kind"] }>;
  proposals: Array<{ id: string; kind: string; title: string; status: string; diff_sha256: string; reason?: string }>;
  /** Findings no proposal was made for, and why (one is already open, the budget ran out, nothing to change…). */
  skipped: Array<{ finding: string; reason: string }>;
  cost_usd: number;
}

export interface ImprovementDeps {
  config: LoadedConfig;
  store: Store;
  trigger: ImproveTrigger;
  signal?: AbortSignal;
  /** The caller already holds the improve lock (`hob serve`'s scheduler does). */
  lockHeld?: boolean;
  /** A line of progress for a human (the CLI prints it on stderr). */
  progress?: (message: string) => void;
  now?: () => number;
}

/** The tiers this config serves on this machine: a routing change may only move tasks to one of these. */
function localTiers(config: LoadedConfig, store: Store): string[] {
  const router = createRouter(config, store);
  return TIERS.filter((tier) => router.has(tier) && router.isLocal(tier));
}

/**
 * One self-improvement run: analyse the history since the last good run, draft a change
 * for each finding worth acting on (hob writes routing changes itself; the improver agent
 * writes skill and agent changes, within the run's budget), validate each, and queue it
 * for a human through the approval owner. Nothing is applied here. The run is recorded as
 * a task (its cost and its approvals hang on it) and as an `improve_runs` row.
 */
export async function runImprovement(deps: ImprovementDeps): Promise<ImprovementReport> {
  const { config, store } = deps;
  const now = deps.now ?? Date.now;
  const settings = config.config.improve;
  const lock = deps.lockHeld ? { release: () => undefined } : acquireImproveLock(config.paths.home);
  if ("heldBy" in lock) {
    throw new HobError("E_USAGE", `An analysis is already running (process ${lock.heldBy.pid}).`, {
      hint: "Wait for it to finish; `hob improve status` shows it.",
    });
  }
  try {
    const managedRepo = await ensureManagedRepo(config.paths.home);
    const since = store.improveRuns.lastSucceeded()?.startedAt ?? null;
    const run = store.improveRuns.start({ trigger: deps.trigger, since });
    const orchestrator = createOrchestrator(config, store);
    const activity = orchestrator.startActivity(
      `hob improve run (${deps.trigger})`,
      "improve",
      since === null
        ? "analysis of the whole history"
        : `analysis of the history since ${new Date(since).toISOString()}`,
    );
    store.improveRuns.setTask(run.id, activity.taskId);
    const findings: Finding[] = [];
    const proposals: ProposalRecord[] = [];
    const skipped: ImprovementReport["skipped"] = [];
    let spent = 0;
    try {
      deps.progress?.("Analysing the history…");
      findings.push(
        ...analyseHistory(store.db, {
          since,
          now: now(),
          minEvidence: settings.min_evidence,
          tiers: config.config.routing.tiers as never,
          localTiers: localTiers(config, store),
          fallbacks: config.router.settings.fallbacks,
          tierOrder: TIERS,
        }),
      );
      deps.progress?.(`${findings.length} finding(s).`);
      const agents = AgentRegistry.load(config.paths.home);
      for (const finding of findings) {
        if (deps.signal?.aborted) throw new HobError("E_CANCELLED", "The analysis was stopped.");
        if (finding.action.kind === "none") continue;
        if (store.proposals.hasOpen(finding.key)) {
          skipped.push({ finding: finding.key, reason: "a proposal for it is already open" });
          continue;
        }
        if (proposals.length >= settings.max_proposals_per_run) {
          skipped.push({
            finding: finding.key,
            reason: `max_proposals_per_run (${settings.max_proposals_per_run}) reached`,
          });
          continue;
        }
        const needsModel = finding.action.kind !== "routing_change" && finding.action.kind !== "litellm_fallback";
        if (needsModel && spent >= settings.max_cost_usd_per_run) {
          skipped.push({
            finding: finding.key,
            reason: `the run's budget ($${settings.max_cost_usd_per_run}) is spent`,
          });
          continue;
        }
        deps.progress?.(`Drafting a change for: ${finding.summary}`);
        const draft = await draftChange({
          finding,
          managedRepo,
          config,
          orchestrator,
          agentSource: (name) => {
            try {
              return agents.definition(name).source;
            } catch {
              return undefined;
            }
          },
          ...(deps.signal ? { signal: deps.signal } : {}),
        }).catch((error: unknown) => {
          const hobError = toHobError(error);
          if (hobError.code === "E_CANCELLED") throw hobError;
          skipped.push({ finding: finding.key, reason: hobError.message });
          return undefined;
        });
        if (!draft) {
          if (!skipped.some((s) => s.finding === finding.key))
            skipped.push({ finding: finding.key, reason: "nothing to change" });
          continue;
        }
        spent += draft.costUsd;
        const validation = await validateDraft({
          diff: draft.diff,
          files: draft.files,
          managedRepo,
          config,
          hobPaths: hobPaths(config),
        });
        const proposal = queueProposal({
          store,
          approvals: orchestrator.approvals,
          runId: run.id,
          taskId: activity.taskId,
          findingKey: finding.key,
          draft,
          evidence: {
            ...finding.evidence,
            finding: finding.summary,
            ...(draft.taskId ? { drafted_by_task: draft.taskId } : {}),
          },
          validation,
          expiresAt: now() + settings.approval_ttl_hours * 3_600_000,
        });
        if (!proposal) {
          skipped.push({ finding: finding.key, reason: "a proposal for it is already open" });
          continue;
        }
        proposals.push(proposal);
      }
      activity.finish(
        `${findings.length} finding(s), ${proposals.length} proposal(s)` +
          (proposals.length ? `: ${proposals.map((p) => `${p.id} ${p.title} (${p.status})`).join("; ")}` : "."),
      );
      store.improveRuns.finish(run.id, {
        status: "succeeded",
        findings,
        proposals: proposals.length,
        costUsd: spent,
      });
    } catch (error) {
      const hobError = toHobError(error);
      activity.fail(hobError);
      store.improveRuns.finish(run.id, {
        status: "failed",
        findings,
        proposals: proposals.length,
        costUsd: spent,
        error: hobError.message,
      });
      throw hobError;
    }
    return {
      run_id: run.id,
      task_id: activity.taskId,
      trigger: deps.trigger,
      since: since === null ? null : new Date(since).toISOString(),
      findings: findings.map((f) => ({
        key: f.key,
        kind: f.kind,
        summary: f.summary,
        evidence: f.evidence,
        action: f.action.kind,
      })),
      proposals: proposals.map((p) => ({
        id: p.id,
        kind: p.kind,
        title: p.title,
        status: p.status,
        diff_sha256: p.diffSha256,
        ...(p.error ? { reason: p.error } : {}),
      })),
      skipped,
      cost_usd: Math.round(spent * 1e9) / 1e9,
    };
  } finally {
    lock.release();
  }
}

/** What applying and rolling back need, for the CLI (and later the web API). */
export async function applyDeps(config: LoadedConfig, store: Store, env: NodeJS.ProcessEnv): Promise<ApplyDeps> {
  const orchestrator = createOrchestrator(config, store);
  return {
    store,
    approvals: orchestrator.approvals,
    managedRepo: await ensureManagedRepo(config.paths.home),
    lockFile: join(config.paths.home, "managed.lock"),
    // Re-read what the managed repository feeds: a change that does not load is reported at once.
    reload: () => {
      const fresh = loadConfig(env);
      AgentRegistry.load(fresh.paths.home);
    },
  };
}
