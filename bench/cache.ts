/**
 * Response cache: hit latency through the Router (goal < 2 ms), and bytes of
 * database per 1,000 cached responses of a typical size (a 600-character answer).
 * Usage: npx tsx bench/cache.ts
 */
import { statSync } from "node:fs";
import { PriceTable, Router } from "../src/models/index.js";
import { storeCache } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { drain, fakeOllamaHome } from "./fake-ollama-setup.js";
import { median, ms, percentile } from "./stats.js";

const answer = "A monad is a design pattern that chains computations. ".repeat(11).slice(0, 600);
const { ollama, config, dispose } = await fakeOllamaHome(answer);
try {
  const store = Store.open(config.paths.database);
  const router = new Router({ config, prices: new PriceTable(), cache: storeCache(store) });
  const request = (i: number) => ({
    system: "You are hob, a personal assistant.",
    messages: [{ role: "user" as const, content: `question number ${i}: what is a monad?` }],
    maxOutputTokens: 4096,
    temperature: 0,
  });

  const pagesBefore =
    (store.db.pragma("page_count", { simple: true }) as number) *
    (store.db.pragma("page_size", { simple: true }) as number);
  for (let i = 0; i < 1000; i++) await drain(router.stream("local-fast", request(i)));
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  const pagesAfter =
    (store.db.pragma("page_count", { simple: true }) as number) *
    (store.db.pragma("page_size", { simple: true }) as number);
  const stats = store.responseCache.stats(Date.now());

  const hits: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 1000; i++) {
      const start = performance.now();
      await drain(router.stream("local-fast", request(i)));
      hits.push(performance.now() - start);
    }
  }
  console.log(`response cache (SQLite, WAL) with 1,000 entries of a ${answer.length}-character answer`);
  console.log(`  hit latency through the router  p50 ${ms(median(hits), 3)}  p99 ${ms(percentile(hits, 99), 3)}`);
  console.log(`  network calls during the hits   ${ollama.chatRequests.length - 1000}`);
  console.log(
    `  database growth per 1,000       ${(pagesAfter - pagesBefore).toLocaleString("en-US")} bytes (payload ${stats.bytes.toLocaleString("en-US")} bytes)`,
  );
  console.log(
    `  db file now                     ${statSync(config.paths.database).size.toLocaleString("en-US")} bytes`,
  );
  console.log(`  goal hit < 2 ms -> ${median(hits) < 2 ? "met" : "NOT met"}`);
  store.close();
} finally {
  await dispose();
}
