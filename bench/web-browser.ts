/**
 * The dashboard as a browser feels it (real headless Chromium from Debian via playwright-core,
 * the real server on loopback, a real orchestrator streaming from the fake Anthropic server
 * over HTTP/SSE — the fake stands in for the model, which these machines cannot reach):
 * 1. latency from an orchestrator event (the moment the recorder publishes it on the bus) to
 *    the page's WebSocket `onmessage`, for a task streaming 300 text deltas and for single
 *    events on an idle server. Both clocks are this machine's wall clock (performance.timeOrigin
 *    + performance.now() on each side), so the figures are comparable to ~0.1 ms;
 * 2. page weight: every file of the built dashboard, raw, gzip and brotli, and what a first
 *    load transfers; time to the first rendered data.
 * Usage: npm run build && npx tsx bench/web-browser.ts
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { loadConfig } from "../src/config/index.js";
import { EventBus } from "../src/events/index.js";
import { createOrchestrator, createRouter } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { createWebServer, defaultUiDir, loadOrCreateToken } from "../src/web/index.js";
import { FakeAnthropic } from "../test/fakes/anthropic.js";
import { median, percentile } from "./stats.js";

const wallNow = () => performance.timeOrigin + performance.now();
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const uiDir = defaultUiDir();
if (!existsSync(join(uiDir, "index.html"))) {
  console.error(`The dashboard is not built (${uiDir}): run npm run build first.`);
  process.exit(2);
}

console.log("## Page weight (the built dashboard)");
console.log("| file | raw | gzip | brotli |\n|---|---:|---:|---:|");
const files = [
  "index.html",
  ...readdirSync(join(uiDir, "assets"))
    .filter((f) => !f.endsWith(".map"))
    .map((f) => `assets/${f}`),
];
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const file of files) {
  const body = readFileSync(join(uiDir, file));
  const sizes = {
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body).length,
  };
  total.raw += sizes.raw;
  total.gzip += sizes.gzip;
  total.brotli += sizes.brotli;
  console.log(`| ${file} | ${kb(sizes.raw)} | ${kb(sizes.gzip)} | ${kb(sizes.brotli)} |`);
}
console.log(`| **all** | ${kb(total.raw)} | ${kb(total.gzip)} | ${kb(total.brotli)} |`);

const home = mkdtempSync(join(tmpdir(), "hob-bench-browser-"));
const anthropic = await FakeAnthropic.start();
const env = {
  HOB_HOME: home,
  OLLAMA_HOST: "http://127.0.0.1:47",
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_API_KEY: "sk-ant-bench",
};
const store = Store.open(join(home, "hob.db"));
const bus = new EventBus();
// Registered before the server's WebSocket listener: the moment each event is published.
const published = new Map<string, number>();
bus.on((event) => {
  published.set(`${event.task_id}:${event.seq}`, wallNow());
});
const config = loadConfig(env);
const orchestrator = createOrchestrator(config, store, createRouter(config, store), bus);
const token = loadOrCreateToken(home);
const server = createWebServer({ config, store, orchestrator, bus, token, port: 0, env });
const { url } = await server.listen();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  // First load as a user gets it: the login link, then the overview with its data.
  const page = await browser.newPage();
  let transferred = 0;
  page.on("response", async (response) => {
    const body = await response.body().catch(() => Buffer.alloc(0));
    transferred += body.length;
  });
  const loadStart = Date.now();
  await page.goto(`${url}#token=${token}`, { waitUntil: "load" });
  const loaded = Date.now() - loadStart;
  await page.waitForLoadState("networkidle");
  const settled = Date.now() - loadStart;
  console.log(
    `\nfirst load: load event ${loaded} ms, network idle (overview data shown) ${settled} ms, ${kb(transferred)} transferred (uncompressed; the server sends no compression on loopback)`,
  );

  // The page's own socket, opened the way the dashboard opens it (cookie from the login above).
  await page.evaluate(() => {
    const w = globalThis as unknown as { __arrivals: Array<[string, number]>; __ws: WebSocket };
    w.__arrivals = [];
    w.__ws = new WebSocket(
      `ws://${(globalThis as unknown as { location: { host: string } }).location.host}/api/events`,
    );
    w.__ws.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as { task_id?: string; seq?: number };
      w.__arrivals.push([`${e.task_id}:${e.seq}`, performance.timeOrigin + performance.now()]);
    };
    return new Promise((resolve) => {
      w.__ws.onopen = resolve;
    });
  });
  const arrivals = async () =>
    new Map(await page.evaluate(() => (globalThis as unknown as { __arrivals: Array<[string, number]> }).__arrivals));
  const latencies = async (taskId: string) => {
    const seen = await arrivals();
    const out: number[] = [];
    for (const [key, at] of published)
      if (key.startsWith(`${taskId}:`) && seen.has(key)) out.push((seen.get(key) as number) - at);
    return out;
  };

  /** Waits until the page has the task's last published event. */
  const arrivedAll = async (taskId: string) => {
    const keys = [...published.keys()].filter((k) => k.startsWith(`${taskId}:`));
    const last = keys.at(-1) as string;
    await page.waitForFunction(
      (key) => (globalThis as unknown as { __arrivals: Array<[string, number]> }).__arrivals.some(([k]) => k === key),
      last,
    );
  };

  anthropic.enqueue({ kind: "text", text: "word ".repeat(300), chunks: 300 });
  const streaming = await orchestrator.run({ input: "stream 300 deltas", agent: "general", tier: "fast" });
  await arrivedAll(streaming.id);
  const burst = await latencies(streaming.id);
  console.log(
    `\nevent → browser, a task streaming 300 deltas: ${burst.length} events, p50 ${median(burst).toFixed(2)} ms, p95 ${percentile(burst, 95).toFixed(2)} ms, max ${Math.max(...burst).toFixed(2)} ms`,
  );

  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    anthropic.enqueue({ kind: "text", text: "ok", chunks: 1 });
    const one = await orchestrator.run({ input: `idle ${i}`, agent: "general", tier: "fast" });
    await arrivedAll(one.id);
    const first = (await latencies(one.id))[0];
    if (first !== undefined) idle.push(first);
  }
  console.log(
    `event → browser, idle server (task-created of 20 single tasks): p50 ${median(idle).toFixed(2)} ms, max ${Math.max(...idle).toFixed(2)} ms`,
  );
} finally {
  await browser.close();
  await server.close();
  await anthropic.close();
  store.close();
  rmSync(home, { recursive: true, force: true });
}
