/**
 * Routing quality per evaluation set, none of which is read in training (scripts/train-router.ts
 * reads train-*.tsv only; how each set was made is in data/routing/README.md):
 *   in-distribution  eval.tsv               written with the first training data, same style
 *   apart            eval-apart.tsv         written later by someone who never saw the training data
 *   paraphrase       eval-paraphrase.tsv    three rewordings of 40 eval.tsv tasks, same labels
 *   multilingual     eval-multilingual.tsv  11 languages, written apart from the training data
 *
 * For each: agent accuracy, complexity accuracy, local/cloud accuracy (a task should run locally
 * exactly when it is simple), the share sent to the cloud, the cost saved against sending every task
 * to `smart`, and a reliability table (calibrated confidence → how often agent and complexity were
 * both right). Three ways of running the cascade:
 *   embedded   the embedded classifier's verdict alone, taken whatever its confidence
 *   no-model   hob as shipped on a machine without a local model: unsure tasks go to the cloud
 *   +local     the unsure tasks handed to the local model, bounded: as if it were always right
 *              (upper) and always wrong (lower) — no model weights can be run here, so its real
 *              accuracy is not measured
 * Cost, at list prices, under two token models (both stated so they can be argued with):
 *   single     one call: the task's length ÷ 4 + a 60-token system prompt in; 150 tokens out for a
 *              simple task, 700 for a complex one
 *   loop       an agent loop: 2 calls for a simple task, 6 for a complex one; each call sends an
 *              800-token system prompt with tool definitions, the task, and 600 tokens more of tool
 *              results than the call before; 250 tokens out per call
 * Usage: npx tsx bench/routing-quality.ts [--json]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configSchema, LOCAL_TIERS, type Tier } from "../src/config/index.js";
import { PriceTable } from "../src/models/index.js";
import { type LabelledTask, parseTsv, RoutingCascade } from "../src/routing/index.js";

const SETS: Array<[string, string]> = [
  ["in-distribution", "eval.tsv"],
  ["apart", "eval-apart.tsv"],
  ["paraphrase", "eval-paraphrase.tsv"],
  ["multilingual", "eval-multilingual.tsv"],
];
const routing = configSchema.parse({}).routing;
const cascade = new RoutingCascade({ routing }); // no router: step 2 (the local model) is unavailable
const prices = new PriceTable();
const MODEL: Record<Tier, string | undefined> = {
  "local-fast": undefined,
  local: undefined,
  fast: "claude-haiku-4-5",
  smart: "claude-sonnet-4-5",
};

type TokenModel = (task: LabelledTask) => Array<{ input: number; output: number }>;
const TOKEN_MODELS: Record<string, TokenModel> = {
  single: (task) => [{ input: Math.ceil(task.text.length / 4) + 60, output: task.complexity === "simple" ? 150 : 700 }],
  loop: (task) =>
    Array.from({ length: task.complexity === "simple" ? 2 : 6 }, (_, step) => ({
      input: 800 + Math.ceil(task.text.length / 4) + 600 * step,
      output: 250,
    })),
};
const costOf = (tier: Tier, calls: Array<{ input: number; output: number }>) => {
  const model = MODEL[tier];
  if (!model) return 0;
  return calls.reduce(
    (sum, c) =>
      sum +
      (prices.cost(model, { inputTokens: c.input, outputTokens: c.output, cacheReadTokens: 0, cacheWriteTokens: 0 }) ??
        0),
    0,
  );
};
const isLocal = (tier: Tier) => LOCAL_TIERS.includes(tier);
const tierOf = (agent: string, complexity: "simple" | "complex"): Tier =>
  routing.tiers[complexity][agent as keyof typeof routing.tiers.simple] ?? routing.tiers[complexity].general;

interface SetReport {
  set: string;
  file: string;
  tasks: number;
  agent: { embedded: number; no_model: number };
  complexity: number;
  local_cloud: { embedded: number; no_model: number; with_local_upper: number; with_local_lower: number };
  handed_to_local_model: number;
  low_evidence: number;
  cloud_share: { embedded: number; no_model: number };
  complex_kept_local: number;
  saved_vs_all_smart: Record<string, { embedded: number; no_model: number }>;
  reliability: Array<{ from: number; to: number; tasks: number; right: number }>;
  confusions: Record<string, number>;
}

async function evaluate(name: string, file: string): Promise<SetReport> {
  const tasks = parseTsv(
    readFileSync(fileURLToPath(new URL(`../data/routing/${file}`, import.meta.url)), "utf8"),
    file,
  );
  const n = tasks.length;
  let agentEmbedded = 0;
  let agentCascade = 0;
  let complexityOk = 0;
  let lcEmbedded = 0;
  let lcNoModel = 0;
  let lcUpper = 0;
  let lcLower = 0;
  let handed = 0;
  let lowEvidence = 0;
  let cloudEmbedded = 0;
  let cloudNoModel = 0;
  let complexKeptLocal = 0;
  const spent: Record<string, { embedded: number; no_model: number; baseline: number }> = {};
  for (const model of Object.keys(TOKEN_MODELS)) spent[model] = { embedded: 0, no_model: 0, baseline: 0 };
  const points: Array<{ confidence: number; correct: boolean }> = [];
  const confusions: Record<string, number> = {};
  for (const task of tasks) {
    const verdict = cascade.embedded(task.text);
    const decision = await cascade.decide(task.text);
    const shouldBeLocal = task.complexity === "simple";
    const embeddedTier = tierOf(verdict.agent, verdict.complexity);
    if (verdict.agent === task.agent) agentEmbedded++;
    else confusions[`${task.agent}→${verdict.agent}`] = (confusions[`${task.agent}→${verdict.agent}`] ?? 0) + 1;
    if (decision.agent === task.agent) agentCascade++;
    if (verdict.complexity === task.complexity) complexityOk++;
    if (isLocal(embeddedTier) === shouldBeLocal) lcEmbedded++;
    if (isLocal(decision.tier) === shouldBeLocal) lcNoModel++;
    if (!isLocal(embeddedTier)) cloudEmbedded++;
    if (!isLocal(decision.tier)) cloudNoModel++;
    if (task.complexity === "complex" && isLocal(decision.tier)) complexKeptLocal++;
    if (decision.classifier === "cloud-fallback") {
      handed++;
      lcUpper++;
      if (decision.reason.includes("but ")) lowEvidence++;
    } else {
      const ok = isLocal(decision.tier) === shouldBeLocal ? 1 : 0;
      lcUpper += ok;
      lcLower += ok;
    }
    points.push({
      confidence: verdict.confidence,
      correct: verdict.agent === task.agent && verdict.complexity === task.complexity,
    });
    for (const [model, calls] of Object.entries(TOKEN_MODELS)) {
      const c = calls(task);
      const s = spent[model] as { embedded: number; no_model: number; baseline: number };
      s.embedded += costOf(embeddedTier, c);
      s.no_model += costOf(decision.tier, c);
      s.baseline += costOf("smart", c);
    }
  }
  const share = (k: number) => Math.round((k / n) * 1000) / 1000;
  const edges = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];
  let from = 0;
  const reliability: SetReport["reliability"] = [];
  for (const to of edges) {
    const inside = points.filter((p) => p.confidence >= from && p.confidence < to);
    if (inside.length > 0)
      reliability.push({
        from,
        to: Math.min(1, to),
        tasks: inside.length,
        right: inside.filter((p) => p.correct).length,
      });
    from = to;
  }
  const saved: SetReport["saved_vs_all_smart"] = {};
  for (const [model, s] of Object.entries(spent))
    saved[model] = { embedded: 1 - s.embedded / s.baseline, no_model: 1 - s.no_model / s.baseline };
  return {
    set: name,
    file,
    tasks: n,
    agent: { embedded: share(agentEmbedded), no_model: share(agentCascade) },
    complexity: share(complexityOk),
    local_cloud: {
      embedded: share(lcEmbedded),
      no_model: share(lcNoModel),
      with_local_upper: share(lcUpper),
      with_local_lower: share(lcLower),
    },
    handed_to_local_model: share(handed),
    low_evidence: share(lowEvidence),
    cloud_share: { embedded: share(cloudEmbedded), no_model: share(cloudNoModel) },
    complex_kept_local: complexKeptLocal,
    saved_vs_all_smart: saved,
    reliability,
    confusions,
  };
}

const reports: SetReport[] = [];
for (const [name, file] of SETS) reports.push(await evaluate(name, file));

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(reports, null, 2));
} else {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log(
    `routing quality (embedded classifier, no model reachable; routing.classifier_threshold ${routing.classifier_threshold})`,
  );
  for (const r of reports) {
    console.log(`\n${r.set} — ${r.file}, ${r.tasks} tasks`);
    console.log(
      `  agent accuracy          embedded ${pct(r.agent.embedded)}   no-model cascade ${pct(r.agent.no_model)}`,
    );
    console.log(`  complexity accuracy     ${pct(r.complexity)}`);
    console.log(
      `  local/cloud right       embedded ${pct(r.local_cloud.embedded)}   no-model ${pct(r.local_cloud.no_model)}   +local model ${pct(r.local_cloud.with_local_lower)}–${pct(r.local_cloud.with_local_upper)}`,
    );
    console.log(
      `  handed to local model   ${pct(r.handed_to_local_model)} (low evidence: ${pct(r.low_evidence)})   complex tasks kept local: ${r.complex_kept_local}`,
    );
    console.log(
      `  sent to the cloud       embedded ${pct(r.cloud_share.embedded)}   no-model ${pct(r.cloud_share.no_model)}`,
    );
    for (const [model, s] of Object.entries(r.saved_vs_all_smart))
      console.log(
        `  saved vs all-smart      ${model.padEnd(6)} embedded ${pct(s.embedded)}   no-model ${pct(s.no_model)}`,
      );
    console.log("  calibration (confidence → agent and complexity both right):");
    for (const b of r.reliability)
      console.log(
        `    ${b.from.toFixed(2)}–${b.to.toFixed(2)}  ${String(b.tasks).padStart(4)} tasks  ${pct(b.right / b.tasks)}`,
      );
    const confusions = Object.entries(r.confusions).sort((a, b) => b[1] - a[1]);
    console.log(`  agent confusions        ${confusions.map(([k, v]) => `${k} ×${v}`).join(", ") || "none"}`);
  }
  const unseen = reports.filter((r) => r.set !== "in-distribution");
  const agentMin = Math.min(...unseen.map((r) => r.agent.embedded));
  const lcMin = Math.min(...unseen.map((r) => r.local_cloud.embedded));
  console.log(
    `\ntargets on the sets not like the training data (embedded verdict): agent ≥ 95% -> ${agentMin >= 0.95 ? "met" : `NOT met (lowest ${pct(agentMin)})`}; local/cloud ≥ 90% -> ${lcMin >= 0.9 ? "met" : `NOT met (lowest ${pct(lcMin)})`}`,
  );
}
