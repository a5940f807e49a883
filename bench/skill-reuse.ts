/**
 * Task 2 with the skill against task 2 without it: model tokens and wall time.
 * The model is a fake Anthropic server scripted like a real run: without the skill the
 * agent writes the script, lints it and answers; with it, it runs the skill and answers.
 * Token counts are the fake server's (about four characters a token, as it reports usage),
 * so they compare the two runs rather than predict a real bill.
 * Usage: npx tsx bench/skill-reuse.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { createOrchestrator } from "../src/orchestrator/index.js";
import { SkillRegistry } from "../src/skills/index.js";
import { Store } from "../src/store/index.js";
import { FakeAnthropic } from "../test/fakes/anthropic.js";
import { WORD_COUNT_CODE, WORD_COUNT_SKILL } from "../test/fixtures/word-count.js";

const CODE = WORD_COUNT_CODE;
const fake = await FakeAnthropic.start();
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
try {
  mkdirSync(join(home, "workspace"));
  writeFileSync(join(home, "workspace", "notes.txt"), "alpha beta gamma delta\n");
  const config = loadConfig({
    HOB_HOME: home,
    ANTHROPIC_API_KEY: "sk-ant-bench-0123456789",
    ANTHROPIC_BASE_URL: fake.url,
  });
  const store = Store.open(config.paths.database);
  const run = async (label: string, replies: Parameters<FakeAnthropic["enqueue"]>) => {
    fake.enqueue(...replies);
    const started = performance.now();
    const result = await createOrchestrator(config, store).run({
      input: "count the words in notes.txt",
      agent: "code",
      tier: "fast",
      cache: false,
    });
    const ms = performance.now() - started;
    if (result.status !== "succeeded") throw new Error(`${label}: ${JSON.stringify(result.error)}`);
    const calls = store.modelCalls.forTask(result.id).filter((c) => c.ok);
    return { label, turns: calls.length, input: result.usage.input_tokens, output: result.usage.output_tokens, ms };
  };
  const without = await run("without the skill", [
    {
      kind: "tool_use",
      name: "write_file",
      input: {
        path: "count_words.py",
        content: CODE.replace("data = json.load(sys.stdin)", 'data = {"path": sys.argv[1]}'),
      },
    },
    { kind: "tool_use", name: "lint_file", input: { path: "count_words.py" } },
    { kind: "text", text: "I wrote count_words.py; notes.txt has 4 words." },
  ]);
  const registry = new SkillRegistry({
    dir: join(home, "skills"),
    store,
    settings: config.config.skills,
    mode: "bubblewrap",
  });
  await registry.create(WORD_COUNT_SKILL, "agent");
  const withSkill = await run("with the skill", [
    { kind: "tool_use", name: "run_skill", input: { name: "word-count", args: { path: "notes.txt" } } },
    { kind: "text", text: "notes.txt has 4 words." },
  ]);
  console.log("task 2 (count the words in notes.txt), code agent over a fake model");
  for (const r of [without, withSkill]) {
    console.log(
      `  ${r.label.padEnd(18)} ${r.turns} model turns · ${r.input} in / ${r.output} out tokens · ${r.ms.toFixed(0)} ms`,
    );
  }
  const saved = 1 - (withSkill.input + withSkill.output) / (without.input + without.output);
  console.log(`  tokens saved by the skill: ${(saved * 100).toFixed(0)}%`);
  store.close();
} finally {
  await fake.close();
  rmSync(home, { recursive: true, force: true });
}
