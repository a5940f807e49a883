/**
 * How well example matching picks a user's own agent, and where `routing.agent_match_threshold`
 * should sit: five sample agents (one German, one Japanese) with a few examples each; tasks
 * written for them in other words must reach the threshold and pick the right agent; the
 * embedded classifier's evaluation tasks (never used as background) and some near misses must
 * stay below it. Prints both score distributions, the errors at each candidate threshold, and
 * the time per decision.
 * Usage: npx tsx bench/agent-match.ts
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AgentMatcher, loadBackground, parseTsv, type RoutableAgent } from "../src/routing/index.js";
import { median, percentile } from "./stats.js";

export const SAMPLE_AGENTS: RoutableAgent[] = [
  {
    name: "invoice-helper",
    description: "Reads invoices in the workspace and answers questions about amounts, due dates and vendors.",
    tier: "local",
    examples: [
      "what is the total of the invoice from ACME?",
      "which invoices are still unpaid?",
      "list invoices due this month with their amounts",
      "how much VAT did I pay on invoices last quarter?",
    ],
  },
  {
    name: "recipe-planner",
    description: "Plans meals and writes shopping lists from recipes.",
    tier: "fast",
    examples: [
      "plan dinners for the week with a shopping list",
      "suggest a vegetarian recipe with chickpeas and spinach",
      "turn these recipes into one grocery list",
    ],
  },
  {
    name: "commit-writer",
    description: "Writes git commit messages from a diff.",
    tier: "local-fast",
    examples: [
      "write a commit message for this diff",
      "summarise my staged changes as a conventional commit",
      "suggest a commit message for the changes to the parser",
    ],
  },
  {
    name: "steuer-helfer",
    description: "Beantwortet Fragen zur Steuererklärung.",
    tier: "smart",
    examples: [
      "welche Belege brauche ich für die Steuererklärung?",
      "kann ich das Arbeitszimmer von der Steuer absetzen?",
      "wie hoch ist die Werbungskostenpauschale?",
    ],
  },
  {
    name: "nihongo-tutor",
    description: "日本語の文法や単語を説明する。",
    tier: "fast",
    examples: ["この文の文法を説明してください", "「食べる」の過去形は何ですか", "敬語の使い方を教えて"],
  },
];

/** Tasks written for each agent without copying its examples. */
export const MATCHING: Array<[string, string]> = [
  ["invoice-helper", "how much is the ACME invoice in total?"],
  ["invoice-helper", "show me the unpaid invoices"],
  ["invoice-helper", "which invoices are due before the end of the month?"],
  ["invoice-helper", "total VAT on my invoices for Q3"],
  ["recipe-planner", "make a meal plan for next week and a shopping list"],
  ["recipe-planner", "a vegetarian recipe using chickpeas"],
  ["recipe-planner", "combine these three recipes into a grocery list"],
  ["commit-writer", "write a commit message for my staged diff"],
  ["commit-writer", "give me a conventional commit message for these changes"],
  ["steuer-helfer", "welche Belege brauche ich für meine Steuererklärung 2025?"],
  ["steuer-helfer", "kann ich mein Arbeitszimmer absetzen?"],
  ["steuer-helfer", "was ist die Werbungskostenpauschale?"],
  ["nihongo-tutor", "この文法を説明して"],
  ["nihongo-tutor", "「飲む」の過去形は？"],
  ["nihongo-tutor", "敬語について教えてください"],
];

/** Tasks that share a word or two with an agent's examples but are not its job. */
export const NEAR_MISSES: string[] = [
  "what is the capital of Germany?",
  "write a python function that reverses a string",
  "list the markdown files in my notes",
  "what's the weather in Tokyo this week?",
  "explain what a git rebase does",
  "how do I pay my phone bill online?",
  "what is the total population of Canada?",
  "write a short poem about spring",
  "wie spät ist es in New York?",
  "東京の天気は？",
  "summarise this pdf for me",
  "plan a trip to Lisbon for the week",
];

const evalTasks = parseTsv(
  readFileSync(fileURLToPath(new URL("../data/routing/eval.tsv", import.meta.url)), "utf8"),
).map((t) => t.text);
const built = performance.now();
const matcher = new AgentMatcher(SAMPLE_AGENTS, loadBackground());
const buildMs = performance.now() - built;

const positives = MATCHING.map(([agent, task]) => ({ agent, task, best: matcher.scores(task)[0] }));
const negatives = [...evalTasks, ...NEAR_MISSES].map((task) => ({ task, best: matcher.scores(task)[0] }));
const f = (n: number | undefined) => (n ?? 0).toFixed(3);

console.log(`agent matching: ${SAMPLE_AGENTS.length} agents, built in ${buildMs.toFixed(1)} ms (background included)`);
console.log("\nmatching tasks (lowest first):");
for (const p of [...positives].sort((a, b) => (a.best?.score ?? 0) - (b.best?.score ?? 0)))
  console.log(`  ${f(p.best?.score)} ${p.best?.agent === p.agent ? "  " : "✗ "}${p.agent}: ${p.task}`);
console.log("\nunrelated tasks (highest 12):");
for (const n of [...negatives].sort((a, b) => (b.best?.score ?? 0) - (a.best?.score ?? 0)).slice(0, 12))
  console.log(`  ${f(n.best?.score)} ${n.best?.agent}: ${n.task}`);

console.log(`\nthreshold  missed-matches  wrong-agent  false-matches (of ${positives.length} / ${negatives.length})`);
for (const t of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]) {
  const missed = positives.filter((p) => (p.best?.score ?? 0) < t).length;
  const wrong = positives.filter((p) => (p.best?.score ?? 0) >= t && p.best?.agent !== p.agent).length;
  const falses = negatives.filter((n) => (n.best?.score ?? 0) >= t).length;
  console.log(`  ${t.toFixed(2)}       ${missed}               ${wrong}            ${falses}`);
}

const tasks = [...MATCHING.map(([, t]) => t), ...evalTasks];
for (const task of tasks) matcher.scores(task); // warm-up
const times: number[] = [];
for (let r = 0; r < 20; r++)
  for (const task of tasks) {
    const start = performance.now();
    matcher.match(task, 0.42);
    times.push(performance.now() - start);
  }
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log(`\nper decision: p50 ${us(median(times))}  p99 ${us(percentile(times, 99))}`);
