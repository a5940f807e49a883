/**
 * A fileops task end to end over a zero-latency fake model (fake Ollama): the model
 * asks for `steps` tool calls (list, search, read), then answers. Real orchestrator,
 * router, sandbox, approval gate, SQLite rows for every step and call.
 * Reports tool steps per second. Usage: npx tsx bench/fileops-steps.ts [tasks] [steps]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { createOrchestrator } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { FakeOllama } from "../test/fakes/ollama.js";

const tasks = Number(process.argv[2] ?? 20);
const steps = Number(process.argv[3] ?? 10);
const ollama = await FakeOllama.start();
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
try {
  const ws = join(home, "workspace");
  mkdirSync(join(ws, "notes"), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(ws, "notes", `note-${i}.md`), `# Note ${i}\ndentist on day ${i}\n`);
  const config = loadConfig({ HOB_HOME: home, OLLAMA_HOST: ollama.url, ANTHROPIC_API_KEY: "x" });
  const store = Store.open(config.paths.database);
  const orchestrator = createOrchestrator(config, store);
  const calls = [
    { name: "list_directory", arguments: { path: "notes" } },
    { name: "search_files", arguments: { pattern: "dentist", glob: "**/*.md" } },
    { name: "read_file", arguments: { path: "notes/note-3.md" } },
  ];
  const script = () => {
    for (let s = 0; s < steps; s++)
      ollama.enqueue({ kind: "tool_call", ...(calls[s % calls.length] as (typeof calls)[number]) });
    ollama.enqueue({ kind: "text", text: "The dentist is on day 3." });
  };
  script();
  await orchestrator.run({ input: "when is the dentist?", agent: "fileops", tier: "local-fast", cache: false }); // warm-up
  const started = performance.now();
  for (let t = 0; t < tasks; t++) {
    script();
    const result = await orchestrator.run({
      input: "when is the dentist?",
      agent: "fileops",
      tier: "local-fast",
      cache: false,
    });
    if (result.status !== "succeeded") throw new Error(JSON.stringify(result.error));
  }
  const seconds = (performance.now() - started) / 1000;
  const total = tasks * steps;
  console.log(
    `fileops agent over a zero-latency fake model: ${tasks} tasks × ${steps} tool steps (+1 answer turn each)`,
  );
  console.log(
    `  ${(total / seconds).toFixed(0)} tool steps/s · ${((seconds * 1000) / tasks).toFixed(1)} ms per task · ${((seconds * 1000) / (total + tasks)).toFixed(2)} ms per model turn`,
  );
  store.close();
} finally {
  await ollama.close();
  rmSync(home, { recursive: true, force: true });
}
