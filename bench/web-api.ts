/**
 * Requests per second of the web API over loopback with 10k tasks stored (a real SQLite file
 * written through the store by the history generator, the real server listening on 127.0.0.1,
 * a real orchestrator behind it). The load generator (autocannon) runs as a separate process
 * so it does not share this process's event loop; on a 2-core machine it still shares the CPU,
 * so the figures are a floor. Every request carries the bearer token, so the guard is measured.
 * Usage: npx tsx bench/web-api.ts [tasks] [seconds per endpoint]
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../src/config/index.js";
import { EventBus } from "../src/events/index.js";
import { createOrchestrator, createRouter } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { createWebServer, loadOrCreateToken } from "../src/web/index.js";
import { generateHistory } from "../test/history-generator.js";

const run = promisify(execFile);
const size = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 5);
const home = mkdtempSync(join(tmpdir(), "hob-bench-web-"));
const env = { HOB_HOME: home, OLLAMA_HOST: "http://127.0.0.1:47", ANTHROPIC_API_KEY: "sk-ant-bench" };

try {
  const store = Store.open(join(home, "hob.db"));
  generateHistory(store, { tasks: size, seed: 7 });
  const config = loadConfig(env);
  const bus = new EventBus();
  const orchestrator = createOrchestrator(config, store, createRouter(config, store), bus);
  const token = loadOrCreateToken(home);
  const server = createWebServer({ config, store, orchestrator, bus, token, port: 0, env });
  const { url } = await server.listen();
  const auth = { authorization: `Bearer ${token}` };

  // A cursor 100 pages deep, and one task's id, so those paths are measured where they are costly.
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await fetch(`${url}api/tasks?limit=50${cursor ? `&cursor=${cursor}` : ""}`, { headers: auth });
    cursor = ((await res.json()) as { next: string | null }).next;
  }
  const first = (await (await fetch(`${url}api/tasks?limit=1`, { headers: auth })).json()) as {
    items: Array<{ id: string }>;
  };
  const endpoints: Array<[string, string]> = [
    ["GET /api/health (no auth, baseline)", "api/health"],
    ["GET /api/tasks?limit=50 (first page)", "api/tasks?limit=50"],
    ["GET /api/tasks?limit=50 (page 101, keyset)", `api/tasks?limit=50&cursor=${cursor}`],
    ["GET /api/tasks?limit=50&status=failed", "api/tasks?limit=50&status=failed"],
    ["GET /api/tasks/:id (detail)", `api/tasks/${first.items[0]?.id}`],
    ["GET /api/stats (all 10k)", "api/stats"],
  ];
  console.log(`web API over loopback, ${size} tasks stored, ${seconds} s per endpoint, 10 connections`);
  console.log("| endpoint | req/s | p50 | p99 | errors |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [label, path] of endpoints) {
    // Asynchronously: the server answers from this process's event loop while autocannon runs.
    const { stdout } = await run(
      process.execPath,
      [
        "node_modules/autocannon/autocannon.js",
        "--json",
        "-c",
        "10",
        "-d",
        String(seconds),
        "-H",
        `authorization=Bearer ${token}`,
        `${url}${path}`,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as {
      requests: { average: number };
      latency: { p50: number; p99: number };
      errors: number;
      non2xx: number;
    };
    console.log(
      `| ${label} | ${Math.round(result.requests.average)} | ${result.latency.p50} ms | ${result.latency.p99} ms | ${result.errors + result.non2xx} |`,
    );
  }
  await server.close();
  store.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
