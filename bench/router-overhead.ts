/**
 * Router overhead: a call through the Router (strategy, cooldown bookkeeping,
 * attempt records) against the same provider called directly, both against a
 * zero-latency fake Ollama server. Goal: < 1 ms added. Cache off (it is measured
 * in bench/cache.ts). Usage: npx tsx bench/router-overhead.ts [calls]
 */
import { createOllamaProvider, PriceTable, Router } from "../src/models/index.js";
import { drain, fakeOllamaHome } from "./fake-ollama-setup.js";
import { median, ms } from "./stats.js";

const calls = Number(process.argv[2] ?? 500);
const { ollama, config, dispose } = await fakeOllamaHome("ok, done.");
try {
  const router = new Router({ config, prices: new PriceTable() });
  const provider = await createOllamaProvider({ host: ollama.url, timeoutMs: 10_000 });
  const request = { messages: [{ role: "user" as const, content: "hi" }], maxOutputTokens: 50, temperature: 0 };
  for (let i = 0; i < 50; i++) {
    await drain(provider.stream({ ...request, model: "qwen3:1.7b" }));
    await drain(router.stream("local-fast", request, { cache: false }));
  }
  const direct: number[] = [];
  const routed: number[] = [];
  for (let i = 0; i < calls; i++) {
    let start = performance.now();
    await drain(provider.stream({ ...request, model: "qwen3:1.7b" }));
    direct.push(performance.now() - start);
    start = performance.now();
    await drain(router.stream("local-fast", request, { cache: false, onAttempt: () => undefined }));
    routed.push(performance.now() - start);
  }
  const added = median(routed) - median(direct);
  console.log(`router overhead over ${calls} calls each, zero-latency fake Ollama`);
  console.log(`  direct provider  p50 ${ms(median(direct), 3)}`);
  console.log(`  through router   p50 ${ms(median(routed), 3)}`);
  console.log(`  p50 ratio ${(median(routed) / median(direct)).toFixed(3)}  added ${ms(added, 3)}`);
  console.log(`  goal < 1 ms added -> ${added < 1 ? "met" : "NOT met"}`);
} finally {
  await dispose();
}
