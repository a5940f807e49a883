/**
 * A pending proposal as `hob improve run` leaves it, made without a model: a routing change
 * (`tiers.<complexity>.<agent>` becomes `tier`) drafted by hob, validated, stored, and queued
 * with the approval owner. For tests and benchmarks.
 */
import { loadConfig } from "../src/config/index.js";
import { draftChange, queueProposal, validateDraft } from "../src/improve/index.js";
import { ensureManagedRepo } from "../src/improve/managed/index.js";
import { createOrchestrator, hobPaths } from "../src/orchestrator/index.js";
import type { Store } from "../src/store/index.js";

export async function pendingRoutingProposal(
  store: Store,
  env: NodeJS.ProcessEnv,
  change: { key: string; complexity: "simple" | "complex"; agent: string; tier: string; ttlMs?: number },
): Promise<string> {
  const config = loadConfig(env);
  const home = config.paths.home;
  const orchestrator = createOrchestrator(config, store);
  const managedRepo = await ensureManagedRepo(home);
  const finding = {
    key: change.key,
    kind: "optimisation" as const,
    summary: change.key,
    evidence: { task_ids: [], count: 0 },
    action: { kind: "routing_change" as const, complexity: change.complexity, agent: change.agent, tier: change.tier },
  };
  const draft = await draftChange({ finding, managedRepo, config, orchestrator });
  if (!draft) throw new Error(`nothing to change for ${change.key}`);
  const validation = await validateDraft({ ...draft, managedRepo, config, hobPaths: hobPaths(config) });
  const activity = orchestrator.startActivity("test proposal", "improve", "made by a test");
  const proposal = queueProposal({
    store,
    approvals: orchestrator.approvals,
    runId: null,
    taskId: activity.taskId,
    findingKey: finding.key,
    draft,
    evidence: finding.evidence,
    validation,
    expiresAt: Date.now() + (change.ttlMs ?? 3_600_000),
  });
  if (!proposal) throw new Error(`an open proposal exists for ${change.key}`);
  activity.finish("proposal queued");
  return proposal.id;
}
