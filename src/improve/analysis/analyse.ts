/**
 * The analysis of task history: read-only SQL over the store, no model, deterministic.
 * Four detectors (novel patterns, repeated failures, optimisations, skill declines), each
 * finding carrying the task ids and figures that make it, and a key stable across runs.
 */
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { CLUSTER_DEFAULTS, clusterDocuments } from "./cluster.js";
import { PLACEHOLDERS, termSet, terms, tokenise } from "./text.js";
import {
  type AnalysisOptions,
  type Complexity,
  FINDING_KINDS,
  type Finding,
  type FindingAction,
  THRESHOLDS as T,
} from "./types.js";

interface TaskRow {
  id: string;
  created_at: number;
  input: string;
  status: string;
  agent: string;
  tier: string | null;
  complexity: string | null;
  escalated_from: string | null;
  error_code: string | null;
  error: string | null;
  session_id: string | null;
  duration_ms: number | null;
}

interface Task extends TaskRow {
  cost: number;
  latency: number;
  cached: boolean;
}

interface SkillRow {
  name: string;
  status: string;
  description: string;
}

/** What every detector reads: the window's tasks (oldest first) with their calls' totals. */
interface History {
  tasks: Task[];
  byId: Map<string, Task>;
  skills: SkillRow[];
}

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;
const FINISHED = new Set(["succeeded", "failed"]);

/** Most recent first, capped: the ids a finding lists. */
function recentIds(tasks: readonly { id: string; created_at: number }[]): string[] {
  return [...tasks]
    .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))
    .slice(0, T.maxEvidenceIds)
    .map((t) => t.id);
}

const sumCost = (tasks: readonly Task[]) => round(tasks.reduce((sum, t) => sum + t.cost, 0));

/** The commonest values first (ties alphabetical), with their counts. */
function tally(values: Iterable<string>): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function loadHistory(db: Database.Database, since: number, now: number): History {
  const rows = db
    .prepare(
      `SELECT id, created_at, input, status, agent, tier, complexity, escalated_from, error_code,
         CASE WHEN status = 'failed' THEN error END, session_id, duration_ms
       FROM tasks
       WHERE created_at >= ? AND created_at <= ?
         AND id NOT IN (SELECT task_id FROM improve_runs WHERE task_id IS NOT NULL)
         AND id NOT IN (SELECT task_id FROM proposals)
       ORDER BY created_at, id`,
    )
    .raw()
    .all(since, now) as Array<
    [
      string,
      number,
      string,
      string,
      string,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
      string | null,
      number | null,
    ]
  >;
  const byId = new Map<string, Task>();
  const tasks: Task[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as (typeof rows)[number];
    const task: Task = {
      id: r[0],
      created_at: r[1],
      input: r[2],
      status: r[3],
      agent: r[4],
      tier: r[5],
      complexity: r[6],
      escalated_from: r[7],
      error_code: r[8],
      error: r[9],
      session_id: r[10],
      duration_ms: r[11],
      cost: 0,
      latency: 0,
      cached: false,
    };
    tasks[i] = task;
    byId.set(task.id, task);
  }
  const calls = db
    .prepare("SELECT task_id, cost_usd, latency_ms, cached FROM model_calls WHERE created_at >= ?")
    .raw()
    .all(since) as Array<[string, number, number | null, number]>;
  for (const [taskId, cost, latency, cached] of calls) {
    const task = byId.get(taskId);
    if (!task) continue;
    task.cost += cost;
    task.latency += latency ?? 0;
    if (cached === 1) task.cached = true;
  }
  const skills = db.prepare("SELECT name, status, description FROM skills ORDER BY name").all() as SkillRow[];
  return { tasks, byId, skills };
}

// ---------------------------------------------------------------------------------------------
// Novel patterns

/** A distinct normalised input and the tasks that had it. */
interface Doc {
  terms: string[];
  tasks: Task[];
}

function novelPatterns(db: Database.Database, history: History, options: AnalysisOptions, since: number): Finding[] {
  // One document per distinct normalised input, in order of its first task.
  const docs = new Map<string, Doc>();
  for (const task of history.tasks) {
    if (!FINISHED.has(task.status)) continue;
    const list = terms(task.input);
    let content = 0;
    for (const term of list) if (!PLACEHOLDERS.has(term)) content++;
    if (content < 2) continue;
    const normal = list.join(" ");
    const doc = docs.get(normal);
    if (doc) doc.tasks.push(task);
    else docs.set(normal, { terms: list, tasks: [task] });
  }
  const docList = [...docs.values()];
  const { clusters } = clusterDocuments(
    docList.map((d) => d.terms),
    { ...CLUSTER_DEFAULTS, threshold: T.similarity },
  );

  const activeSkills = history.skills
    .filter((s) => s.status === "active")
    .map((s) => ({ name: s.name, terms: termSet(`${s.name.replace(/[-_]/g, " ")} ${s.description}`) }));
  let skillRuns: Map<string, string> | undefined;
  const ranSkill = () => {
    if (!skillRuns) {
      skillRuns = new Map();
      const runRows = db
        .prepare(
          `SELECT r.task_id, r.skill FROM skill_runs r JOIN skills s ON s.name = r.skill
           WHERE r.at >= ? AND r.task_id IS NOT NULL AND s.status = 'active' ORDER BY r.id`,
        )
        .raw()
        .all(since) as Array<[string, string]>;
      for (const [taskId, skill] of runRows) skillRuns.set(taskId, skill);
    }
    return skillRuns;
  };

  const findings: Finding[] = [];
  for (const members of clusters) {
    let count = 0;
    for (const i of members) count += (docList[i] as Doc).tasks.length;
    if (count < options.minEvidence) continue;
    const clusterDocs = members.map((i) => docList[i] as Doc);
    const tasks = clusterDocs.flatMap((d) => d.tasks);

    // Top terms: in the most tasks, ties alphabetical. The key names those in at least half of
    // them (the core of the pattern, stable as the history grows), at most three.
    const coverage = new Map<string, number>();
    for (const doc of clusterDocs) {
      for (const term of new Set(doc.terms)) {
        if (!PLACEHOLDERS.has(term)) coverage.set(term, (coverage.get(term) ?? 0) + doc.tasks.length);
      }
    }
    const ranked = [...coverage].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const top = ranked.slice(0, 3).map(([term]) => term);
    const core = ranked.filter(([, n], k) => k < 3 && n * 2 >= tasks.length).map(([term]) => term);
    const keyTerms = core.length > 0 ? core : top.slice(0, 1);
    const surfaces = new Map<string, string[]>();
    for (const task of tasks) {
      for (const token of tokenise(task.input)) {
        if (!top.includes(token.term)) continue;
        const list = surfaces.get(token.term) ?? [];
        list.push(token.surface);
        surfaces.set(token.term, list);
      }
    }
    const words = top.map((term) => tally(surfaces.get(term) ?? [term])[0]?.[0] ?? term);

    // Served already? By a skill about these terms, or by the skills its tasks ran.
    const needed = Math.min(T.skillTermsMatched, top.length);
    const byDescription = activeSkills.find((s) => top.filter((term) => s.terms.has(term)).length >= needed);
    const runs = ranSkill();
    const ran = tally(tasks.flatMap((t) => (runs.has(t.id) ? [runs.get(t.id) as string] : [])));
    const byRuns = ran[0] && ran[0][1] / tasks.length >= T.skillRunShare ? ran[0][0] : undefined;
    if (byDescription || byRuns) continue;

    const examples: string[] = [];
    const seen = new Set<string>();
    for (const task of [...tasks].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))) {
      const text = clip(task.input.trim(), 500);
      if (seen.has(text)) continue;
      seen.add(text);
      examples.push(text);
      if (examples.length === T.maxExamples) break;
    }
    const succeeded = tasks.filter((t) => t.status === "succeeded").length;
    findings.push({
      key: `novel_pattern:${[...keyTerms].sort().join("+")}`,
      kind: "novel_pattern",
      summary: `${tasks.length} similar tasks (${words.map((w) => `"${w}"`).join(", ")}) that no skill serves`,
      evidence: {
        task_ids: recentIds(tasks),
        count: tasks.length,
        cost_usd: sumCost(tasks),
        terms: words,
        distinct_inputs: new Set(tasks.map((t) => t.input.trim())).size,
        succeeded,
        failed: tasks.length - succeeded,
        agents: Object.fromEntries(tally(tasks.map((t) => t.agent))),
        first_at: tasks.reduce((min, t) => Math.min(min, t.created_at), Number.POSITIVE_INFINITY),
        last_at: tasks.reduce((max, t) => Math.max(max, t.created_at), 0),
      },
      action: { kind: "new_skill", examples },
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Repeated failures

const AGENT_CODES = new Set(["E_MAX_STEPS", "E_VALIDATION"]);

function agentFailures(history: History, options: AnalysisOptions): Finding[] {
  const finished = new Map<string, number>();
  const groups = new Map<string, Task[]>();
  for (const task of history.tasks) {
    if (!FINISHED.has(task.status)) continue;
    finished.set(task.agent, (finished.get(task.agent) ?? 0) + 1);
    if (task.status !== "failed" || !task.error_code) continue;
    const key = `${task.agent}\u0000${task.error_code}`;
    const list = groups.get(key) ?? [];
    list.push(task);
    groups.set(key, list);
  }
  const findings: Finding[] = [];
  for (const [key, tasks] of groups) {
    const [agent, code] = key.split("\u0000") as [string, string];
    const total = finished.get(agent) ?? tasks.length;
    const share = tasks.length / total;
    if (tasks.length < options.minEvidence || share < T.agentFailureShare) continue;
    const messages = tally(tasks.flatMap((t) => (t.error ? [clip(t.error, 300)] : [])))
      .slice(0, T.maxExamples)
      .map(([message]) => message);
    const percent = `${Math.round(share * 1000) / 10}%`;
    const action: FindingAction = AGENT_CODES.has(code)
      ? {
          kind: "agent_change",
          agent,
          problem:
            `${tasks.length} of the ${agent} agent's ${total} tasks (${percent}) failed with ${code}` +
            (messages[0] ? `, e.g. "${messages[0]}"` : "."),
        }
      : { kind: "none" };
    findings.push({
      key: `repeated_failure:agent:${agent}:${code}`,
      kind: "repeated_failure",
      summary: `The ${agent} agent failed ${tasks.length} times with ${code} (${percent} of its tasks)`,
      evidence: {
        task_ids: recentIds(tasks),
        count: tasks.length,
        cost_usd: sumCost(tasks),
        agent,
        error_code: code,
        agent_tasks: total,
        share: round(share, 4),
        messages,
        inputs: [...new Set(tasks.map((t) => clip(t.input.trim(), 200)))].slice(0, T.maxExamples),
      },
      action,
    });
  }
  return findings;
}

function toolFailures(db: Database.Database, history: History, options: AnalysisOptions, since: number): Finding[] {
  // Steps of tasks in the window (a step is never older than its task); SQLite counts the tasks
  // using each tool, and only the failed steps come back.
  const usedBy = new Map(
    db
      .prepare("SELECT tool, COUNT(DISTINCT task_id) FROM task_steps WHERE created_at >= ? GROUP BY tool")
      .raw()
      .all(since) as Array<[string, number]>,
  );
  const rows = db
    .prepare(
      `SELECT task_id, tool, COALESCE(error_code, 'E_TOOL'), result FROM task_steps
       WHERE created_at >= ? AND status = 'error' ORDER BY id`,
    )
    .raw()
    .all(since) as Array<[string, string, string, string | null]>;
  const groups = new Map<string, { tasks: Map<string, Task>; steps: number; results: string[] }>();
  for (const [taskId, tool, code, result] of rows) {
    const task = history.byId.get(taskId);
    if (!task) continue;
    const key = `${tool}\u0000${code}`;
    const group = groups.get(key) ?? { tasks: new Map<string, Task>(), steps: 0, results: [] as string[] };
    group.tasks.set(taskId, task);
    group.steps++;
    if (result && group.results.length < 50) group.results.push(clip(result, 300));
    groups.set(key, group);
  }
  const findings: Finding[] = [];
  for (const [key, group] of groups) {
    const [tool, code] = key.split("\u0000") as [string, string];
    const tasks = [...group.tasks.values()];
    const users = Math.max(usedBy.get(tool) ?? 0, tasks.length);
    const share = tasks.length / users;
    if (tasks.length < options.minEvidence || share < T.toolFailureShare) continue;
    findings.push({
      key: `repeated_failure:tool:${tool}:${code}`,
      kind: "repeated_failure",
      summary: `The ${tool} tool failed with ${code} in ${tasks.length} tasks (${Math.round(share * 1000) / 10}% of those using it)`,
      evidence: {
        task_ids: recentIds(tasks),
        count: tasks.length,
        cost_usd: sumCost(tasks),
        tool,
        error_code: code,
        steps: group.steps,
        tasks_using_tool: users,
        share: round(share, 4),
        tasks_failed: tasks.filter((t) => t.status === "failed").length,
        messages: tally(group.results)
          .slice(0, T.maxExamples)
          .map(([m]) => m),
      },
      action: { kind: "none" },
    });
  }
  return findings;
}

interface RunRow {
  skill: string;
  task_id: string | null;
  at: number;
  ok: number;
  exit_code: number | null;
  error: string | null;
}

/** A failed run's message: its error, or its exit code. */
const runMessage = (run: RunRow) =>
  run.error ? clip(run.error, 300) : run.exit_code !== null ? `exit code ${run.exit_code}` : "failed";

function failureMessages(runs: readonly RunRow[]): string[] {
  return tally(runs.filter((r) => r.ok === 0).map(runMessage))
    .slice(0, T.maxExamples)
    .map(([message]) => message);
}

/** Run ids stand in for task ids when a run had no task (run by hand). */
function runTaskIds(runs: readonly RunRow[]): string[] {
  const ids: string[] = [];
  for (const run of [...runs].sort((a, b) => b.at - a.at)) {
    if (run.task_id && !ids.includes(run.task_id)) ids.push(run.task_id);
    if (ids.length === T.maxEvidenceIds) break;
  }
  return ids;
}

function skillFindings(db: Database.Database, history: History, options: AnalysisOptions, since: number): Finding[] {
  const patchable = new Set(
    history.skills.filter((s) => s.status !== "disabled" && s.status !== "rejected").map((s) => s.name),
  );
  const findings: Finding[] = [];

  // Declines: the success rate since the window's start against the skill's earlier runs.
  const recentStart = options.since ?? options.now - T.recentWindowMs;
  const rates = db
    .prepare(
      `SELECT skill, COALESCE(SUM(at < @recent), 0) AS earlier_runs,
         COALESCE(SUM(at < @recent AND ok = 1), 0) AS earlier_ok, COALESCE(SUM(at >= @recent), 0) AS recent_runs,
         COALESCE(SUM(at >= @recent AND ok = 1), 0) AS recent_ok
       FROM skill_runs WHERE at <= @now GROUP BY skill ORDER BY skill`,
    )
    .all({ recent: recentStart, now: options.now }) as Array<{
    skill: string;
    earlier_runs: number;
    earlier_ok: number;
    recent_runs: number;
    recent_ok: number;
  }>;
  const runsSince = db.prepare(
    "SELECT skill, task_id, at, ok, exit_code, error FROM skill_runs WHERE skill = ? AND at >= ? AND at <= ? ORDER BY at, id",
  );
  const declined = new Set<string>();
  for (const r of rates) {
    if (!patchable.has(r.skill) || r.recent_runs < options.minEvidence || r.earlier_runs < options.minEvidence)
      continue;
    const before = r.earlier_ok / r.earlier_runs;
    const after = r.recent_ok / r.recent_runs;
    const pooled = (r.earlier_ok + r.recent_ok) / (r.earlier_runs + r.recent_runs);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / r.earlier_runs + 1 / r.recent_runs));
    const z = se === 0 ? 0 : (before - after) / se;
    if (before - after < T.declineDrop || z < T.declineZ) continue;
    declined.add(r.skill);
    const runs = runsSince.all(r.skill, recentStart, options.now) as RunRow[];
    const failed = runs.filter((run) => run.ok === 0);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    findings.push({
      key: `skill_decline:${r.skill}`,
      kind: "skill_decline",
      summary: `The skill ${r.skill} now succeeds ${pct(after)} of the time (${r.recent_runs} runs), down from ${pct(before)} (${r.earlier_runs} runs)`,
      evidence: {
        task_ids: runTaskIds(failed),
        count: failed.length,
        skill: r.skill,
        earlier_runs: r.earlier_runs,
        earlier_success_rate: round(before, 4),
        recent_runs: r.recent_runs,
        recent_success_rate: round(after, 4),
        recent_since: recentStart,
        z: round(z, 2),
      },
      action: { kind: "skill_patch", skill: r.skill, failures: failureMessages(runs) },
    });
  }

  // Repeated failures in the window (a declining skill is reported once, as a decline).
  const runs = db
    .prepare(
      "SELECT skill, task_id, at, ok, exit_code, error FROM skill_runs WHERE at >= ? AND at <= ? ORDER BY skill, at, id",
    )
    .all(since, options.now) as RunRow[];
  const bySkill = new Map<string, RunRow[]>();
  for (const run of runs) {
    if (run.task_id && !history.byId.has(run.task_id)) continue;
    const list = bySkill.get(run.skill) ?? [];
    list.push(run);
    bySkill.set(run.skill, list);
  }
  for (const [skill, list] of bySkill) {
    if (!patchable.has(skill) || declined.has(skill)) continue;
    const failed = list.filter((run) => run.ok === 0);
    const rate = failed.length / list.length;
    if (failed.length < options.minEvidence || rate < T.skillFailureRate) continue;
    const tasks = runTaskIds(failed);
    findings.push({
      key: `repeated_failure:skill:${skill}`,
      kind: "repeated_failure",
      summary: `The skill ${skill} failed ${failed.length} of its ${list.length} runs`,
      evidence: {
        task_ids: tasks,
        count: failed.length,
        cost_usd: sumCost(tasks.flatMap((id) => history.byId.get(id) ?? [])),
        skill,
        runs: list.length,
        failure_rate: round(rate, 4),
      },
      action: { kind: "skill_patch", skill, failures: failureMessages(list) },
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Optimisation

function routingChanges(history: History, options: AnalysisOptions): Finding[] {
  const local = new Set(options.localTiers);
  interface Class {
    cloud: Task[];
    /** Local tier → tasks that started there (escalated ones included) and those it finished alone. */
    local: Map<string, { attempts: number; solved: number }>;
  }
  const classes = new Map<string, Class>();
  for (const task of history.tasks) {
    if (!FINISHED.has(task.status) || !task.tier) continue;
    if (task.complexity !== "simple" && task.complexity !== "complex") continue;
    const key = `${task.complexity}\u0000${task.agent}`;
    const entry: Class = classes.get(key) ?? { cloud: [], local: new Map() };
    classes.set(key, entry);
    const started = task.escalated_from ?? task.tier;
    if (local.has(started)) {
      const stats = entry.local.get(started) ?? { attempts: 0, solved: 0 };
      stats.attempts++;
      if (task.status === "succeeded" && task.escalated_from === null && local.has(task.tier)) stats.solved++;
      entry.local.set(started, stats);
    } else if (task.escalated_from === null) {
      entry.cloud.push(task);
    }
  }
  const findings: Finding[] = [];
  for (const [key, entry] of classes) {
    const [complexity, agent] = key.split("\u0000") as [Complexity, string];
    if (entry.cloud.length < options.minEvidence) continue;
    const best = [...entry.local]
      .filter(([, s]) => s.attempts >= options.minEvidence && s.solved / s.attempts >= T.localSuccessRate)
      .sort(
        (a, b) =>
          b[1].attempts - a[1].attempts ||
          b[1].solved / b[1].attempts - a[1].solved / a[1].attempts ||
          options.localTiers.indexOf(a[0]) - options.localTiers.indexOf(b[0]),
      )[0];
    if (!best) continue;
    const [tier, stats] = best;
    const configured = options.tiers[complexity]?.[agent];
    const cost = sumCost(entry.cloud);
    const rate = stats.solved / stats.attempts;
    const cloudTiers = Object.fromEntries(tally(entry.cloud.map((t) => t.tier as string)));
    // Only where routing sends the class to the cloud: a class already routed locally went to the
    // cloud by a forced tier, which no routing change fixes. An agent without a row is reported.
    if (configured !== undefined && local.has(configured)) continue;
    const canChange = configured !== undefined;
    findings.push({
      key: `optimisation:${complexity}:${agent}:${tier}`,
      kind: "optimisation",
      summary:
        `${complexity} ${agent} tasks: ${entry.cloud.length} ran in the cloud ($${cost.toFixed(4)}) while ` +
        `${stats.solved} of ${stats.attempts} on ${tier} succeeded without escalation (${Math.round(rate * 100)}%)`,
      evidence: {
        task_ids: recentIds(entry.cloud),
        count: entry.cloud.length,
        cost_usd: cost,
        complexity,
        agent,
        cloud_tiers: cloudTiers,
        configured_tier: configured ?? null,
        local_tier: tier,
        local_tasks: stats.attempts,
        local_succeeded: stats.solved,
        local_success_rate: round(rate, 4),
      },
      action: canChange ? { kind: "routing_change", complexity, agent, tier } : { kind: "none" },
    });
  }
  return findings;
}

function costHotspot(history: History, options: AnalysisOptions): Finding[] {
  const classes = new Map<string, Task[]>();
  let total = 0;
  for (const task of history.tasks) {
    if (task.cost <= 0) continue;
    total += task.cost;
    const key = `${task.agent}:${task.complexity ?? "unknown"}:${task.tier ?? "unknown"}`;
    const list = classes.get(key) ?? [];
    list.push(task);
    classes.set(key, list);
  }
  const ranked = [...classes]
    .map(([key, tasks]) => ({ key, tasks, cost: tasks.reduce((s, t) => s + t.cost, 0) }))
    .sort((a, b) => b.cost - a.cost || (a.key < b.key ? -1 : 1));
  const top = ranked[0];
  if (!top || top.tasks.length < options.minEvidence || top.cost / total < T.hotspotShare) return [];
  const [agent, complexity, tier] = top.key.split(":") as [string, string, string];
  const share = top.cost / total;
  const durations = top.tasks.flatMap((t) => (t.duration_ms === null ? [] : [t.duration_ms]));
  return [
    {
      key: `optimisation:hotspot:${top.key}`,
      kind: "optimisation",
      summary: `${complexity} ${agent} tasks on ${tier} cost $${top.cost.toFixed(4)}, ${Math.round(share * 100)}% of all spending (${top.tasks.length} tasks)`,
      evidence: {
        task_ids: recentIds(top.tasks),
        count: top.tasks.length,
        cost_usd: round(top.cost),
        total_cost_usd: round(total),
        share: round(share, 4),
        agent,
        complexity,
        tier,
        mean_cost_usd: round(top.cost / top.tasks.length),
        mean_model_latency_ms: Math.round(top.tasks.reduce((s, t) => s + t.latency, 0) / top.tasks.length),
        mean_duration_ms:
          durations.length === 0 ? null : Math.round(durations.reduce((s, d) => s + d, 0) / durations.length),
      },
      action: { kind: "none" },
    },
  ];
}

/** Errors after which another model group could have answered (the provider, not the request, failed). */
const OUTAGE_CODES = ["E_NETWORK", "E_UNAVAILABLE", "E_OVERLOADED", "E_RATE_LIMIT", "E_TIMEOUT", "E_PROVIDER"];

/**
 * A model group whose calls keep failing for reasons another group would not share, in
 * distinct tasks, while the router config gives it no fallback: propose the next tier up.
 */
function missingFallbacks(db: Database.Database, options: AnalysisOptions, since: number): Finding[] {
  if (!options.fallbacks || !options.tierOrder) return [];
  const rows = db
    .prepare(
      `SELECT c.tier AS grp, c.task_id AS task_id, c.error_code AS code, t.created_at AS created_at
       FROM model_calls c JOIN tasks t ON t.id = c.task_id
       WHERE c.ok = 0 AND c.tier IS NOT NULL AND c.error_code IN (${OUTAGE_CODES.map(() => "?").join(", ")})
         AND t.created_at >= ? AND t.created_at <= ?
         AND t.id NOT IN (SELECT task_id FROM improve_runs WHERE task_id IS NOT NULL)`,
    )
    .all(...OUTAGE_CODES, since, options.now) as Array<{
    grp: string;
    task_id: string;
    code: string;
    created_at: number;
  }>;
  const byGroup = new Map<string, typeof rows>();
  for (const row of rows) byGroup.set(row.grp, [...(byGroup.get(row.grp) ?? []), row]);
  const findings: Finding[] = [];
  for (const [group, failures] of byGroup) {
    if ((options.fallbacks[group] ?? []).length > 0) continue;
    const tasks = new Map(failures.map((f) => [f.task_id, { id: f.task_id, created_at: f.created_at }]));
    if (tasks.size < options.minEvidence) continue;
    const order = options.tierOrder;
    const fallback = order.slice(order.indexOf(group) + 1).find((tier) => tier !== group);
    if (!order.includes(group) || !fallback) continue;
    findings.push({
      key: `repeated_failure:model:${group}`,
      kind: "repeated_failure",
      summary: `Calls to ${group} failed in ${tasks.size} tasks (${[...new Set(failures.map((f) => f.code))].join(", ")}) and litellm.yaml gives it no fallback`,
      evidence: {
        task_ids: recentIds([...tasks.values()]),
        count: tasks.size,
        group,
        failed_calls: failures.length,
        error_codes: Object.fromEntries(tally(failures.map((f) => f.code))),
      },
      action: { kind: "litellm_fallback", group, fallback },
    });
  }
  return findings;
}

function cacheOpportunities(history: History, options: AnalysisOptions): Finding[] {
  // A chat turn's answer depends on the conversation before it: only standalone tasks.
  const groups = new Map<string, Task[]>();
  for (const task of history.tasks) {
    if (task.status !== "succeeded" || task.session_id !== null || task.cached) continue;
    const input = task.input.trim();
    const list = groups.get(input) ?? [];
    list.push(task);
    groups.set(input, list);
  }
  const findings: Finding[] = [];
  for (const [input, tasks] of groups) {
    if (tasks.length < options.minEvidence) continue;
    const hash = createHash("sha256").update(input).digest("hex").slice(0, 12);
    findings.push({
      key: `optimisation:cache:${hash}`,
      kind: "optimisation",
      summary: `The same task was asked ${tasks.length} times and answered by a model each time: "${clip(input, 80)}"`,
      evidence: {
        task_ids: recentIds(tasks),
        count: tasks.length,
        cost_usd: sumCost(tasks),
        input: clip(input, 300),
        tiers: Object.fromEntries(tally(tasks.map((t) => t.tier ?? "unknown"))),
      },
      action: { kind: "none" },
    });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------

/** Kind order, then the most evidence first, then key: the same history always lists the same way. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind) ||
      b.evidence.count - a.evidence.count ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/**
 * Analyses the history since `options.since` (read-only) and returns what it found, each
 * finding with its evidence. Takes the store's handle (`store.db`).
 */
export function analyseHistory(db: Database.Database, options: AnalysisOptions): Finding[] {
  const since = options.since ?? 0;
  const read = db.transaction(() => {
    const history = loadHistory(db, since, options.now);
    return [
      ...novelPatterns(db, history, options, since),
      ...agentFailures(history, options),
      ...toolFailures(db, history, options, since),
      ...skillFindings(db, history, options, since),
      ...routingChanges(history, options),
      ...costHotspot(history, options),
      ...cacheOpportunities(history, options),
      ...missingFallbacks(db, options, since),
    ];
  });
  // One read transaction: every detector sees the same snapshot while tasks keep being written.
  return sortFindings(read.deferred());
}
