/**
 * Whole-process start-up of the commands people type, each run a new Node process as when a user
 * types the command, in the user's environment (NODE_EXTRA_CA_CERTS and all: it costs every Node
 * 20 start ~44 ms) with HOB_HOME set to a temp dir. Commands run in turn (A B C … A B C …), so
 * machine drift hits all alike, and ratios are taken run by run (their median is printed).
 *   node -e 0, hob --version, hob --help, hob route "…",
 *   hob run --json --tier fast --no-cache against the fake Anthropic server (test/fakes), and curl
 *   sending the same server one Messages request (the direct HTTP call hob adds its work to),
 *   a cache hit: the same `hob run --json --tier fast` again with the response cache on.
 * Goals: route p50 ≤ 2× --version; run ≤ curl + 120 ms; cache hit ≤ 1.5× --version; --help < 150 ms.
 * Usage: npx tsx bench/startup.ts [runs]   (needs the built CLI: npm run build; and curl)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeAnthropic } from "../test/fakes/anthropic.js";
import { median, ms, percentile } from "./stats.js";

const runs = Number(process.argv[2] ?? 20);
const bin = fileURLToPath(new URL("../bin/hob.js", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
const server = await FakeAnthropic.start();
server.setDefault(() => ({
  kind: "text",
  text: "Hello! How can I help?",
  usage: { input_tokens: 12, output_tokens: 7 },
}));
const key = "sk-ant-bench";
const env = { ...process.env, HOB_HOME: home, ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: server.url };
const node = process.execPath;
const request = JSON.stringify({
  model: "claude-haiku-4-5",
  max_tokens: 1024,
  messages: [{ role: "user", content: "hi" }],
});

interface Row {
  name: string;
  command: string[];
}
const rows: Row[] = [
  { name: "node -e 0", command: [node, "-e", "0"] },
  { name: "hob --version", command: [node, bin, "--version"] },
  { name: "hob --help", command: [node, bin, "--help"] },
  { name: 'hob route "…"', command: [node, bin, "route", "write a python function that parses a csv file"] },
  { name: "hob run (fake model)", command: [node, bin, "run", "--json", "--tier", "fast", "--no-cache", "hi"] },
  {
    name: "curl (same model)",
    command: [
      "curl",
      "-sf",
      "-X",
      "POST",
      `${server.url}/v1/messages`,
      "-H",
      "content-type: application/json",
      "-H",
      `x-api-key: ${key}`,
      "-H",
      "anthropic-version: 2023-06-01",
      "-d",
      request,
    ],
  },
  { name: "hob run (cache hit)", command: [node, bin, "run", "--json", "--tier", "fast", "cached question"] },
];

/** One run, timed from spawn to exit. Asynchronous: the fake server answers from this process. */
function time(row: Row): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(row.command[0] as string, row.command.slice(1), { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => {
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${row.name} exited ${code}`));
    });
  });
}

try {
  const times = rows.map(() => [] as number[]);
  for (let run = -3; run < runs; run++) {
    for (const [i, row] of rows.entries()) {
      const elapsed = await time(row);
      if (run >= 0) times[i]?.push(elapsed); // the first runs warm the OS file cache (and fill the response cache)
    }
  }
  const at = (name: string) => times[rows.findIndex((r) => r.name === name)] as number[];
  const paired = (a: number[], b: number[], f: (x: number, y: number) => number) =>
    median(a.map((x, i) => f(x, b[i] as number)));
  const version = at("hob --version");
  const bare = at("node -e 0");
  console.log(`whole process, ${runs} runs each, interleaved (after 3 warm-up rounds); ratios paired run by run`);
  console.log(
    `${"".padEnd(22)}${"p50".padStart(10)}${"p90".padStart(10)}${"/ --version".padStart(13)}${"/ node -e 0".padStart(13)}`,
  );
  rows.forEach((row, i) => {
    const t = times[i] as number[];
    console.log(
      `${row.name.padEnd(22)}${ms(median(t)).padStart(10)}${ms(percentile(t, 90)).padStart(10)}` +
        `${paired(t, version, (x, y) => x / y)
          .toFixed(2)
          .padStart(12)}x${paired(t, bare, (x, y) => x / y)
          .toFixed(2)
          .padStart(12)}x`,
    );
  });
  const route = paired(at('hob route "…"'), version, (x, y) => x / y);
  const added = paired(at("hob run (fake model)"), at("curl (same model)"), (x, y) => x - y);
  const hit = paired(at("hob run (cache hit)"), version, (x, y) => x / y);
  const help = median(at("hob --help"));
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(`goal: hob route ≤ 2× hob --version -> ${verdict(route <= 2)} (${route.toFixed(2)}x)`);
  console.log(`goal: hob run adds ≤ 120 ms over curl -> ${verdict(added <= 120)} (${ms(added)})`);
  console.log(`goal: cache hit ≤ 1.5× hob --version -> ${verdict(hit <= 1.5)} (${hit.toFixed(2)}x)`);
  console.log(`goal: hob --help median < 150 ms -> ${verdict(help < 150)} (${ms(help)})`);
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
