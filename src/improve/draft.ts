import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSeq, parseDocument, stringify } from "yaml";
import type { LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { commitAll, diffSinceHead, ensureRepository } from "../git/index.js";
import type { Orchestrator } from "../orchestrator/index.js";
import type { ProposalKind } from "../store/index.js";
import type { Finding, FindingAction } from "./analysis/index.js";

/** A change drafted for a finding, not yet validated or stored. */
export interface Draft {
  kind: ProposalKind;
  title: string;
  rationale: string;
  diff: string;
  files: string[];
  /** The task that wrote it (a model-written draft), for its cost. */
  taskId?: string;
  costUsd: number;
}

/**
 * A throwaway copy of the managed repository at `dir`: its files (never its .git) and a
 * fresh history of one commit, so that a diff against it applies to the real one.
 */
export async function copyManagedRepo(managedRepo: string, dir: string): Promise<string> {
  cpSync(managedRepo, dir, { recursive: true, filter: (source) => !source.split("/").includes(".git") });
  await ensureRepository(dir);
  await commitAll(dir, "base");
  return dir;
}

const scratchCopy = (managedRepo: string) => copyManagedRepo(managedRepo, mkdtempSync(join(tmpdir(), "hob-proposal-")));

/**
 * Drafts the change a finding asks for, in a scratch copy of the managed repository:
 * a routing change is written by hob itself (no model, no tokens); a skill or agent
 * change is written by the improver agent, as a recorded task. The diff is what changed
 * in the copy, relative to the managed repository.
 */
export async function draftChange(deps: {
  finding: Finding;
  managedRepo: string;
  config: LoadedConfig;
  orchestrator: Orchestrator;
  /** Where an agent's current definition is (its YAML file), to start an agent change from. */
  agentSource?: (name: string) => string | undefined;
  signal?: AbortSignal;
}): Promise<Draft | undefined> {
  const { finding } = deps;
  const action = finding.action;
  if (action.kind === "none") return undefined;
  const dir = await scratchCopy(deps.managedRepo);
  try {
    if (action.kind === "routing_change") {
      writeRoutingChange(dir, action);
      const { diff, files } = await diffSinceHead(dir);
      if (!diff.trim()) return undefined; // already so
      return {
        kind: "routing_change",
        title: `Route ${action.complexity} ${action.agent} tasks to ${action.tier}`,
        rationale: `${finding.summary}\n\nrouting.tiers.${action.complexity}.${action.agent} becomes ${action.tier}: the evidence shows that tier answers this class of task without escalation, at lower cost.`,
        diff,
        files,
        costUsd: 0,
      };
    }
    if (action.kind === "agent_change") {
      // Not committed in the copy: the diff then carries the whole file, which is new to the managed repository.
      const target = join(dir, "agents", `${action.agent}.yaml`);
      const source = deps.agentSource?.(action.agent);
      if (source && !existsSync(target)) {
        mkdirSync(join(dir, "agents"), { recursive: true });
        copyFileSync(source, target);
      }
    }
    if (action.kind === "litellm_fallback") {
      writeFallback(dir, deps.config.router.file, action);
      const { diff, files } = await diffSinceHead(dir);
      if (!diff.trim()) return undefined;
      return {
        kind: "routing_change",
        title: `Fall back from ${action.group} to ${action.fallback} when ${action.group} fails`,
        rationale: `${finding.summary}.\n\nWith router_settings.fallbacks ${action.group} → ${action.fallback}, a call that fails on ${action.group} after its retries is answered by ${action.fallback} instead of failing the task. ${action.fallback} may cost more per token.`,
        diff,
        files,
        costUsd: 0,
      };
    }
    const result = await deps.orchestrator.run({
      input: instructionsFor(finding, action),
      agent: "improver",
      tier: deps.config.config.improve.tier as never,
      workspace: dir,
      scratch: true,
      cache: false,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    if (result.status !== "succeeded") {
      throw new HobError(
        "E_VALIDATION",
        `The improver could not draft a change for "${finding.summary}": ${(result.error?.message ?? result.status).replace(/\.$/, "")}.`,
        { hint: `See the task with \`hob show ${result.id}\`.` },
      );
    }
    const { diff, files } = await diffSinceHead(dir);
    if (!diff.trim()) return undefined;
    const { title, rationale } = splitTitle(result.output, finding.summary);
    return {
      kind: action.kind === "new_skill" ? "new_skill" : action.kind === "skill_patch" ? "skill_patch" : "agent_change",
      title,
      rationale,
      diff,
      files,
      taskId: result.id,
      costUsd: result.cost_usd,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** routing.yaml holds the `routing:` keys hob.yaml would; this sets one tier of the map, keeping the rest. */
function writeRoutingChange(dir: string, action: Extract<FindingAction, { kind: "routing_change" }>): void {
  const file = join(dir, "routing.yaml");
  let current: Record<string, unknown> = {};
  try {
    current = (parseDocument(readFileSync(file, "utf8")).toJSON() as Record<string, unknown> | null) ?? {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const tiers = (current.tiers ?? {}) as Record<string, Record<string, string>>;
  tiers[action.complexity] = { ...(tiers[action.complexity] ?? {}), [action.agent]: action.tier };
  writeFileSync(file, stringify({ ...current, tiers }));
}

/**
 * The managed litellm.yaml with one more fallback: started from the router config in use
 * (so the user's deployments and comments carry over) when the repository has none yet.
 */
function writeFallback(
  dir: string,
  current: string,
  action: Extract<FindingAction, { kind: "litellm_fallback" }>,
): void {
  const file = join(dir, "litellm.yaml");
  if (!existsSync(file)) copyFileSync(current, file);
  // LiteLLM reads its config as YAML 1.1; the document API keeps the file's comments and layout.
  const doc = parseDocument(readFileSync(file, "utf8"), { version: "1.1" });
  const list = doc.getIn(["router_settings", "fallbacks"]);
  const entry = doc.createNode({ [action.group]: [action.fallback] });
  if (isSeq(list)) list.add(entry);
  else doc.setIn(["router_settings", "fallbacks"], doc.createNode([{ [action.group]: [action.fallback] }]));
  writeFileSync(file, doc.toString());
}

function instructionsFor(
  finding: Finding,
  action: Exclude<FindingAction, { kind: "none" | "routing_change" | "litellm_fallback" }>,
): string {
  const evidence = JSON.stringify(finding.evidence);
  switch (action.kind) {
    case "new_skill":
      return [
        `Finding: ${finding.summary}`,
        `Evidence: ${evidence}`,
        "Write a new skill under skills/<name>/ that serves tasks like these:",
        ...action.examples.map((example) => `- ${example}`),
        "The skill needs SKILL.md (front matter: name, description) and a script under scripts/ with at least one test.",
      ].join("\n");
    case "skill_patch":
      return [
        `Finding: ${finding.summary}`,
        `Evidence: ${evidence}`,
        `Fix the skill in skills/${action.skill}/ so these failures stop:`,
        ...action.failures.map((failure) => `- ${failure}`),
      ].join("\n");
    case "agent_change":
      return [
        `Finding: ${finding.summary}`,
        `Evidence: ${evidence}`,
        `Change agents/${action.agent}.yaml (its prompt, tools, tier or max_steps) so this stops: ${action.problem}`,
        "Keep every other field of the file as it is.",
      ].join("\n");
  }
}

/** "Title: …" on the first line of the improver's answer; the rest is the rationale. */
function splitTitle(output: string, fallback: string): { title: string; rationale: string } {
  const lines = output.trim().split("\n");
  const match = /^\s*Title:\s*(.+)$/i.exec(lines[0] ?? "");
  const title = (match?.[1] ?? fallback).trim().slice(0, 120);
  const rationale = (match ? lines.slice(1) : lines).join("\n").trim() || fallback;
  return { title, rationale: rationale.slice(0, 4000) };
}
