/**
 * Routing quality on the held-out evaluation set (data/routing/eval.tsv, never used
 * in training or tuning). Goals: ≥ 90% agent accuracy, ≥ 50% cost saved against
 * sending everything to the smart tier, with complex tasks still going to the cloud.
 *
 * Measured as hob runs on a machine without a local model server: the cascade's
 * step 2 is unavailable, so an unsure embedded verdict goes straight to the cloud.
 * Cost uses estimated tokens: the task's length (÷4) plus a 60-token system prompt in,
 * 150 tokens out for a simple task and 700 for a complex one, at list prices.
 * Usage: npx tsx bench/routing-quality.ts
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configSchema, LOCAL_TIERS, type Tier } from "../src/config/index.js";
import { PriceTable } from "../src/models/index.js";
import { parseTsv, RoutingCascade } from "../src/routing/index.js";

const tasks = parseTsv(readFileSync(fileURLToPath(new URL("../data/routing/eval.tsv", import.meta.url)), "utf8"));
const routing = configSchema.parse({}).routing;
const cascade = new RoutingCascade({ routing }); // no router: step 2 (local model) is unavailable
const prices = new PriceTable();
const MODEL: Record<Tier, string | undefined> = {
  "local-fast": undefined,
  local: undefined,
  fast: "claude-haiku-4-5",
  smart: "claude-sonnet-4-5",
};
const cost = (tier: Tier, input: number, output: number) => {
  const model = MODEL[tier];
  return model
    ? (prices.cost(model, { inputTokens: input, outputTokens: output, cacheReadTokens: 0, cacheWriteTokens: 0 }) ?? 0)
    : 0;
};

let agentOk = 0;
let embeddedAgentOk = 0;
let complexityOk = 0;
let decisionOk = 0;
let toCloud = 0;
let complexTotal = 0;
let complexToCloud = 0;
let spent = 0;
let baseline = 0;
const confusion = new Map<string, number>();
for (const task of tasks) {
  const embedded = cascade.embedded(task.text);
  const decision = await cascade.decide(task.text);
  if (embedded.agent === task.agent) embeddedAgentOk++;
  if (decision.agent === task.agent) agentOk++;
  else confusion.set(`${task.agent}→${decision.agent}`, (confusion.get(`${task.agent}→${decision.agent}`) ?? 0) + 1);
  if (decision.complexity === task.complexity) complexityOk++;
  const local = LOCAL_TIERS.includes(decision.tier);
  const shouldBeLocal = task.complexity === "simple";
  if (local === shouldBeLocal) decisionOk++;
  if (!local) toCloud++;
  if (task.complexity === "complex") {
    complexTotal++;
    if (!local) complexToCloud++;
  }
  const input = Math.ceil(task.text.length / 4) + 60;
  const output = task.complexity === "simple" ? 150 : 700;
  spent += cost(decision.tier, input, output);
  baseline += cost("smart", input, output);
}
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
console.log(`routing quality on ${tasks.length} held-out tasks (embedded classifier, no local model server)`);
console.log(
  `  agent accuracy                 ${pct(agentOk, tasks.length)}  (embedded verdict alone ${pct(embeddedAgentOk, tasks.length)})`,
);
console.log(`  complexity accuracy            ${pct(complexityOk, tasks.length)}`);
console.log(`  local-vs-cloud decision right  ${pct(decisionOk, tasks.length)}`);
console.log(`  tasks sent to the cloud        ${pct(toCloud, tasks.length)}`);
console.log(
  `  complex tasks sent to cloud    ${pct(complexToCloud, complexTotal)} (${complexToCloud}/${complexTotal})`,
);
console.log(
  `  estimated cost                 $${spent.toFixed(4)} vs $${baseline.toFixed(4)} all-smart -> ${pct(baseline - spent, baseline)} saved`,
);
console.log(`  agent confusions               ${[...confusion].map(([k, v]) => `${k} ×${v}`).join(", ") || "none"}`);
console.log(
  `  goals: agent ≥ 90% -> ${agentOk / tasks.length >= 0.9 ? "met" : "NOT met"}; saved ≥ 50% -> ${(baseline - spent) / baseline >= 0.5 ? "met" : "NOT met"}`,
);
