/**
 * What MCP servers cost in hob. (1) Start time of the test fixture server (node + the SDK's
 * server side) until its tools are listed: plain stdio, under bubblewrap (hob's sandbox), and the
 * SDK's own StdioClientTransport for reference. (2) Per call: the same tool called straight
 * through an SDK client, and through hob's path (Ajv validation of the arguments, the approval
 * check with a remembered "always", the gate's policy, the call, result formatting).
 * Usage: npx tsx bench/mcp-overhead.ts [starts] [calls]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { toolCallGate } from "../src/approvals/index.js";
import { configSchema, loadConfig, mcpServerSchema } from "../src/config/index.js";
import { McpConnection, McpSession } from "../src/mcp/index.js";
import type { ToolContext } from "../src/tools/index.js";
import { median, ms, percentile } from "./stats.js";

const starts = Number(process.argv[2] ?? 10);
const calls = Number(process.argv[3] ?? 500);
const root = fileURLToPath(new URL("..", import.meta.url));
const server = join(root, "test", "fixtures", "mcp", "server.mjs");
const home = mkdtempSync(join(tmpdir(), "hob-bench-mcp-"));
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, HOB_HOME: home };
const hobPaths = [home];

const plain = mcpServerSchema.parse({ command: "node", args: [server] });
const sandboxed = mcpServerSchema.parse({
  command: "/usr/bin/node",
  args: [server],
  sandbox: true,
  paths: [join(root, "test", "fixtures", "mcp"), join(root, "node_modules")],
});

function summary(label: string, times: number[]): void {
  console.log(
    `${label.padEnd(44)} p50 ${ms(median(times)).padStart(10)}   p90 ${ms(percentile(times, 90)).padStart(10)}`,
  );
}

async function timeStarts(label: string, open: () => Promise<() => Promise<void>>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < starts + 1; i++) {
    const started = performance.now();
    const close = await open();
    const took = performance.now() - started;
    await close();
    if (i > 0) times.push(took); // the first warms the disk cache
  }
  summary(label, times);
  return times;
}

try {
  console.log(`MCP server start until tools are listed (${starts} runs each):`);
  const sdk = await timeStarts("SDK StdioClientTransport (reference)", async () => {
    const client = new Client({ name: "bench", version: "1" });
    await client.connect(new StdioClientTransport({ command: "node", args: [server] }));
    await client.listTools();
    return () => client.close();
  });
  const stdio = await timeStarts("hob stdio (minimal env, bounded output)", async () => {
    const connection = await McpConnection.open("bench", plain, { env, hobPaths });
    return () => connection.close();
  });
  const boxed = await timeStarts("hob stdio under bubblewrap (sandbox: true)", async () => {
    const connection = await McpConnection.open("bench", sandboxed, { env, hobPaths });
    return () => connection.close();
  });
  console.log(
    `  sandbox adds ${ms(median(boxed) - median(stdio))} at p50 (x${(median(boxed) / median(stdio)).toFixed(2)}); hob stdio vs SDK: ${ms(median(stdio) - median(sdk))}`,
  );

  console.log(`\nPer call of the fixture's "add" tool (${calls} calls each, after 20 warm-up calls):`);
  const direct = new Client({ name: "bench", version: "1" });
  await direct.connect(new StdioClientTransport({ command: "node", args: [server] }));
  const directTimes: number[] = [];
  for (let i = 0; i < calls + 20; i++) {
    const started = performance.now();
    await direct.callTool({ name: "add", arguments: { a: i, b: 1 } });
    if (i >= 20) directTimes.push(performance.now() - started);
  }
  await direct.close();
  summary("SDK client.callTool (direct)", directTimes);

  const config = loadConfig(env);
  const { session, tools } = await McpSession.open(config, [["bench", plain]], { env });
  const add = tools.find(({ tool }) => tool.name === "mcp__bench__add")?.tool;
  if (!add) throw new Error("no add tool");
  const info = session.infos.find((i) => i.tool === "add");
  session.remembered.add("bench", "add", info?.definitionSha256 ?? "");
  const gate = toolCallGate({
    owner: {
      decisionFor: () => undefined,
      consume: () => false,
      request: () => {
        throw new Error("the bench expects no approval request");
      },
      decide: () => {
        throw new Error("unused");
      },
    },
    policy: configSchema.parse({}).approvals,
    now: Date.now,
  });
  const ctx = {} as ToolContext;
  const checkTimes: number[] = [];
  const hobTimes: number[] = [];
  for (let i = 0; i < calls + 20; i++) {
    const started = performance.now();
    const parsed = add.params.safeParse({ a: i, b: 1 });
    if (!parsed.success) throw new Error("invalid");
    const assessment = await add.assess(parsed.data as never, ctx);
    const verdict = await gate.check({
      taskId: "bench",
      callId: String(i),
      tool: add.name,
      args: parsed.data,
      preview: assessment.preview,
      situations: assessment.situations,
      fingerprint: assessment.fingerprint,
      sensitive: false,
      agentRules: {},
    });
    if (verdict.kind !== "run") throw new Error(`expected run, got ${verdict.kind}`);
    const checked = performance.now();
    await add.execute(parsed.data as never, ctx);
    if (i >= 20) {
      checkTimes.push(checked - started);
      hobTimes.push(performance.now() - started);
    }
  }
  await session.close();
  summary("hob: validate + approval check only", checkTimes);
  summary("hob: whole call (check + call + format)", hobTimes);
  console.log(`  hob adds ${ms(median(hobTimes) - median(directTimes), 3)} per call at p50`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
