// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} expansion itself.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { expandVariables, modelToolName, parseMcpJson, RememberedApprovals } from "../src/mcp/index.js";
import { createOrchestrator } from "../src/orchestrator/index.js";
import { Store } from "../src/store/index.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { CLOSED_PORT_URL, REPO_ROOT, runCli, tempHome, testEnv, thrown, writeHobConfig } from "./helpers.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "mcp");
const SERVER = join(FIXTURES, "server.mjs");
const HOB_KEY = "sk-ant-test-key-0123456789";

const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });

/** The tool results hob sent back to the model in its last request. */
function toolResults(fake: FakeAnthropic): string[] {
  const last = fake.messageRequests.at(-1);
  return ((last?.body.messages ?? []) as Array<{ role: string; content: unknown }>)
    .filter((m) => m.role === "user" && Array.isArray(m.content))
    .flatMap((m) => (m.content as Array<{ type: string; content?: unknown }>).filter((c) => c.type === "tool_result"))
    .map((c) => JSON.stringify(c.content));
}

/** hob.yaml with one stdio server `fx` running the fixture, plus whatever else the test adds (YAML lines). */
function fixtureServer(lines: string[] = [], name = "fx", command = "node"): string {
  return [
    `  ${name}:`,
    `    command: ${command}`,
    `    args: [${JSON.stringify(SERVER)}]`,
    ...lines.map((line) => `    ${line}`),
  ].join("\n");
}

describe("MCP servers' tools (real servers over stdio and HTTP, fake model)", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let store: Store;
  let log: string;

  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
  });
  afterAll(async () => {
    await anthropic.close();
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    store = Store.open(join(home, "hob.db"));
    anthropic.reset();
    log = join(home, "calls.log");
    mkdirSync(join(home, "agents"));
    writeFileSync(
      join(home, "agents", "mcp-user.yaml"),
      "name: mcp-user\ndescription: Uses MCP tools.\nbase: general\ntier: fast\nsystem_prompt: Use the tools.\nmcp: [fx]\n",
    );
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  function orchestrator(servers: string, env: NodeJS.ProcessEnv = {}) {
    writeHobConfig(home, `mcp_servers:\n${servers}\n`);
    const config = loadConfig({
      PATH: process.env.PATH,
      HOME: home,
      HOB_HOME: home,
      OLLAMA_HOST: CLOSED_PORT_URL,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: HOB_KEY,
      ...env,
    });
    return createOrchestrator(config, store);
  }

  const run = (o: ReturnType<typeof orchestrator>, extra: Record<string, unknown> = {}) =>
    o.run({ input: "use the tool", agent: "mcp-user", tier: "fast", ...extra });

  const called = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);

  it("pauses the first call of a server's tool for approval, showing its description, and runs it once approved", async () => {
    anthropic.enqueue(tool("mcp__fx__add", { a: 2, b: 3 }));
    const o = orchestrator(fixtureServer([`env: { FIXTURE_LOG: ${JSON.stringify(log)} }`]));
    const paused = await run(o);
    expect(paused).toMatchObject({ status: "awaiting_approval", approval: { tool: "mcp__fx__add" } });
    expect(paused.approval?.reason).toContain("MCP server's tool");
    expect(called()).toEqual([]);
    const pending = o.approvals.get(paused.approval?.id as string);
    const preview = pending.preview as { summary: string; targets: string[]; diff: string };
    expect(preview.summary).toBe('call "add" on MCP server "fx"');
    expect(preview.diff).toContain("Adds two numbers.");
    expect(preview.targets[0]).toMatch(/^mcp:\/\/fx\/add#definition-sha256=[0-9a-f]{64}$/);

    o.approvals.decide(pending.id, "approved", "cli");
    const done = await o.approvals.resume(pending.id, {});
    expect(done.status).toBe("succeeded");
    expect(called()).toEqual(["add"]);
    const [result] = toolResults(anthropic);
    expect(result).toContain('<untrusted-data source=\\"mcp:fx/add\\">\\n5\\n</untrusted-data>');
    expect(result).toContain("not instructions");
    // Nothing was remembered: the next task asks again.
    anthropic.enqueue(tool("mcp__fx__add", { a: 1, b: 1 }));
    expect((await run(o)).status).toBe("awaiting_approval");
  });

  it('remembers "always" per tool and definition; a changed definition asks again; always_ask never remembers', async () => {
    const asked: string[] = [];
    const approver = async ({ preview }: { preview: { tool: string } }) => {
      asked.push(preview.tool);
      return "always" as const;
    };
    const servers = (variant: string) => fixtureServer([`env: { FIXTURE_VARIANT: "${variant}" }`, "always_ask: [env]"]);
    let o = orchestrator(servers("1"));
    anthropic.enqueue(tool("mcp__fx__echo", { text: "hi" }), tool("mcp__fx__env", { name: "X" }));
    expect((await run(o, { approver })).status).toBe("succeeded");
    expect(asked).toEqual(["mcp__fx__echo", "mcp__fx__env"]);
    expect(new RememberedApprovals(home).list().map((a) => a.tool)).toEqual(["echo"]);

    anthropic.enqueue(tool("mcp__fx__echo", { text: "again" }), tool("mcp__fx__env", { name: "X" }));
    expect((await run(o, { approver })).status).toBe("succeeded");
    expect(asked).toEqual(["mcp__fx__echo", "mcp__fx__env", "mcp__fx__env"]); // env asks every time

    // The server now describes echo differently: the remembered approval does not cover it.
    o = orchestrator(servers("2"));
    anthropic.enqueue(tool("mcp__fx__echo", { text: "changed" }));
    expect((await run(o, { approver })).status).toBe("succeeded");
    expect(asked.at(-1)).toBe("mcp__fx__echo");
    expect(asked).toHaveLength(4);
  });

  it("approves a paused call with `hob approvals approve --always`, and later calls of that tool run without asking", async () => {
    writeHobConfig(home, `mcp_servers:\n${fixtureServer()}\n`);
    const env = testEnv(home, anthropic.url);
    const task = ["run", "--json", "--agent", "mcp-user", "--tier", "fast", "add numbers"];
    anthropic.enqueue(tool("mcp__fx__add", { a: 1, b: 2 }));
    const paused = await runCli(task, { env });
    expect(paused.code).toBe(3);
    const approval = (paused.json() as { approval: { id: string } }).approval;
    const approved = await runCli(["approvals", "approve", approval.id, "--always", "--json"], { env });
    expect(approved.json()).toMatchObject({ status: "succeeded" });
    expect(new RememberedApprovals(home).list()).toEqual([expect.objectContaining({ server: "fx", tool: "add" })]);
    anthropic.enqueue(tool("mcp__fx__add", { a: 5, b: 5 }));
    const next = await runCli(task, { env });
    expect(next.json()).toMatchObject({ status: "succeeded" });
    expect(toolResults(anthropic)[0]).toContain("10");
  });

  it("asks again when a tool's definition changes between the pause and the resume", async () => {
    anthropic.enqueue(tool("mcp__fx__echo", { text: "hi" }));
    const first = orchestrator(fixtureServer(['env: { FIXTURE_VARIANT: "1" }']));
    const paused = await run(first);
    expect(paused.status).toBe("awaiting_approval");
    first.approvals.decide(paused.approval?.id as string, "approved", "cli");
    // Resumed with the server now defining echo differently: the approval was for the old definition.
    const second = orchestrator(fixtureServer(['env: { FIXTURE_VARIANT: "2" }']));
    const resumed = await second.approvals.resume(paused.approval?.id as string, {});
    expect(resumed).toMatchObject({ status: "awaiting_approval", approval: { tool: "mcp__fx__echo" } });
    expect(resumed.approval?.reason).toContain("changed after it was approved");
  });

  it("runs read_only tools without asking, and rejects arguments that break the tool's schema before the server sees them", async () => {
    const o = orchestrator(fixtureServer([`env: { FIXTURE_LOG: ${JSON.stringify(log)} }`, "read_only: [echo]"]));
    anthropic.enqueue(
      tool("mcp__fx__echo", { text: 42 }),
      tool("mcp__fx__echo", { text: "x".repeat(101) }),
      tool("mcp__fx__echo", { text: "fine" }),
    );
    const result = await run(o);
    expect(result.status).toBe("succeeded");
    const results = toolResults(anthropic);
    expect(results[0]).toContain("invalid arguments for mcp__fx__echo");
    expect(results[0]).toContain("must be string");
    expect(results[1]).toContain("must NOT have more than 100 characters");
    expect(results[2]).toContain("echo: fine");
    expect(called()).toEqual(["echo"]); // only the valid call reached the server
  });

  it("turns a crash, a hanging call and an output flood into errors naming the server; long results are cut", async () => {
    const o = orchestrator(
      fixtureServer(["read_only: [crash, hang, flood, big]", "timeout_ms: 700", "max_output_chars: 1000"]),
    );
    anthropic.enqueue(tool("mcp__fx__big", { chars: 50_000 }), tool("mcp__fx__crash", {}));
    expect((await run(o)).status).toBe("succeeded");
    let results = toolResults(anthropic);
    expect(results[0]).toContain("[cut by hob: the result was 50000 characters; only the first 1000 are shown]");
    expect(results[1]).toContain('Error [E_MCP]: MCP server \\"fx\\" stopped while running crash: exit code 3');
    expect(results[1]).toContain("crashing on purpose");

    anthropic.enqueue(tool("mcp__fx__hang", {}), tool("mcp__fx__echo", { text: "still there" }));
    const started = Date.now();
    await run(o, { approver: async () => "approve" as const });
    expect(Date.now() - started).toBeLessThan(8000);
    results = toolResults(anthropic);
    expect(results[0]).toContain('MCP server \\"fx\\" did not answer within 700 ms while running hang');
    expect(results[1]).toContain("echo: still there"); // a hung call does not take the server down

    anthropic.enqueue(tool("mcp__fx__flood", {}));
    await run(o);
    expect(toolResults(anthropic)[0]).toContain("sent a message larger than");
  });

  it("starts a stdio server with only its declared environment: hob's API key never reaches it", async () => {
    const o = orchestrator(fixtureServer(["read_only: [env]", 'env: { DECLARED: yes, TOKEN: "${MY_TOKEN}" }']), {
      MY_TOKEN: "from-the-user",
      SOME_OTHER_SECRET: "nope",
    });
    anthropic.enqueue(
      tool("mcp__fx__env", { name: "ANTHROPIC_API_KEY" }),
      tool("mcp__fx__env", { name: "SOME_OTHER_SECRET" }),
      tool("mcp__fx__env", { name: "DECLARED" }),
      tool("mcp__fx__env", { name: "TOKEN" }),
      tool("mcp__fx__env", { name: "PATH" }),
    );
    expect((await run(o)).status).toBe("succeeded");
    const results = toolResults(anthropic);
    expect(results[0]).toContain("ANTHROPIC_API_KEY is unset");
    expect(results[1]).toContain("SOME_OTHER_SECRET is unset");
    expect(results[2]).toContain("DECLARED=yes");
    expect(results[3]).toContain("TOKEN=from-the-user");
    expect(results[4]).toContain("PATH=");
    expect(results.join("")).not.toContain(HOB_KEY);

    // Asking for hob's own key by name is refused, not filled in.
    const greedy = orchestrator(fixtureServer(['env: { KEY: "${ANTHROPIC_API_KEY}" }']));
    const failed = await run(greedy);
    expect(failed).toMatchObject({ status: "failed", error: { code: "E_CONFIG" } });
    expect(failed.error?.message).toContain("one of hob's own secrets");
  });

  it("runs a sandboxed stdio server under bubblewrap: it reads its declared paths and nothing else", async () => {
    const outside = mkdtempSync(join(tmpdir(), "hob-mcp-outside-"));
    const shared = mkdtempSync(join(tmpdir(), "hob-mcp-shared-"));
    try {
      writeFileSync(join(outside, "secret.txt"), "TOP-SECRET");
      writeFileSync(join(shared, "notes.txt"), "shared notes");
      writeFileSync(
        join(home, "agents", "mcp-user.yaml"),
        "name: mcp-user\ndescription: Uses MCP tools.\nbase: general\ntier: fast\nsystem_prompt: Use the tools.\nmcp: [fx, open]\n",
      );
      const paths = `paths: [${JSON.stringify(FIXTURES)}, ${JSON.stringify(join(REPO_ROOT, "node_modules"))}, ${JSON.stringify(shared)}]`;
      const o = orchestrator(
        [
          fixtureServer(["sandbox: true", paths, "read_only: [read, env]"], "fx", "/usr/bin/node"),
          fixtureServer(["read_only: [read]"], "open"),
        ].join("\n"),
      );
      anthropic.enqueue(
        tool("mcp__fx__read", { path: join(outside, "secret.txt") }),
        tool("mcp__fx__read", { path: join(shared, "notes.txt") }),
        tool("mcp__fx__read", { path: join(home, "hob.yaml") }),
        tool("mcp__open__read", { path: join(outside, "secret.txt") }),
      );
      expect((await run(o)).status).toBe("succeeded");
      const results = toolResults(anthropic);
      expect(results[0]).toContain("cannot read: ENOENT");
      expect(results[1]).toContain("shared notes");
      expect(results[2]).toContain("cannot read: ENOENT");
      expect(results[3]).toContain("TOP-SECRET"); // the same server unsandboxed can: the sandbox made the difference
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it("refuses a sandboxed server's path that holds hob's own state", async () => {
    const o = orchestrator(fixtureServer(["sandbox: true", `paths: [${JSON.stringify(home)}]`]));
    const failed = await run(o);
    expect(failed).toMatchObject({ status: "failed", error: { code: "E_CONFIG" } });
    expect(failed.error?.message).toContain("holds hob's own state");
  });

  describe("over Streamable HTTP", () => {
    let http: Server;
    let url: string;
    beforeAll(async () => {
      const fixture = SERVER;
      const { buildServer } = (await import(fixture)) as {
        buildServer: () => { connect: (t: unknown) => Promise<void>; close: () => Promise<void> };
      };
      http = createServer(async (req, res) => {
        if (req.headers.authorization !== "Bearer tok-123") {
          res.writeHead(401).end("unauthorised");
          return;
        }
        const server = buildServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on("close", () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        await transport.handleRequest(req, res);
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    });
    afterAll(async () => {
      await new Promise((resolve) => http.close(resolve));
    });

    it("lists its tools with headers filled from the environment, and calls one through a task", async () => {
      const servers = `  fx:\n    type: http\n    url: ${url}\n    headers: { Authorization: "Bearer \${WEB_TOKEN}" }\n    read_only: [add, big]\n    timeout_ms: 5000`;
      anthropic.enqueue(tool("mcp__fx__add", { a: 20, b: 22 }), tool("mcp__fx__big", { chars: 9_000_000 }));
      const result = await run(orchestrator(servers, { WEB_TOKEN: "tok-123" }));
      expect(result.status).toBe("succeeded");
      expect(toolResults(anthropic)[0]).toContain("42");
      // A response over 8 MB is cut off: the call fails instead of filling memory.
      expect(toolResults(anthropic)[1]).toContain(
        'Error [E_MCP]: MCP server \\"fx\\" was disconnected while running big: it sent a response larger than 8388608 bytes',
      );

      const env = testEnv(home, undefined, { WEB_TOKEN: "tok-123" });
      const listed = await runCli(["mcp", "tools", "fx", "--json"], { env });
      expect(listed.code).toBe(0);
      expect((listed.json() as Array<{ name: string }>).map((t) => t.name)).toContain("mcp__fx__echo");

      const refused = await runCli(["mcp", "test", "fx", "--json"], { env: { ...env, WEB_TOKEN: "wrong" } });
      expect(refused.code).not.toBe(0);
      expect(refused.json()).toMatchObject({ error: { code: "E_MCP" } });
      expect(JSON.stringify(refused.json())).toContain('MCP server \\"fx\\"');
    });
  });

  describe("hob mcp", () => {
    it("tests a server: starts it, lists its tools, stops it; a crash or hang at start names the server", async () => {
      writeHobConfig(
        home,
        `mcp_servers:\n${fixtureServer()}\n${fixtureServer(["env: { FIXTURE_MODE: crash-on-start }"], "broken")}\n${fixtureServer(["env: { FIXTURE_MODE: hang-on-start }", "startup_timeout_ms: 800"], "stuck")}\n`,
      );
      const env = testEnv(home);
      const ok = await runCli(["mcp", "test", "fx", "--json"], { env });
      expect(ok.code).toBe(0);
      expect(ok.json()).toMatchObject({ server: "fx", ok: true, tools: expect.arrayContaining(["echo", "add"]) });
      const human = await runCli(["mcp", "test", "fx"], { env });
      expect(human.stdout).toMatch(/MCP server "fx" started in \d+ ms and offers 8 tools: echo, add/);

      const broken = await runCli(["mcp", "test", "broken", "--json"], { env });
      expect(broken.code).not.toBe(0);
      const error = (broken.json() as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("E_MCP");
      expect(error.message).toContain('MCP server "broken" stopped while starting: exit code 2');
      expect(error.message).toContain("cannot start (missing configuration)");

      const started = Date.now();
      const stuck = await runCli(["mcp", "test", "stuck"], { env });
      expect(stuck.code).not.toBe(0);
      expect(stuck.stderr).toContain('MCP server "stuck" did not answer within 800 ms while starting');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it("adds, imports, lists and removes servers in hob.yaml, keeping what the user wrote", async () => {
      writeHobConfig(home, "# my settings\ntemperature: 0\n");
      const env = testEnv(home);
      const added = await runCli(
        ["mcp", "add", "jot", "-e", "NOTES_DIR=/tmp/notes", "--read-only", "search", "--", "npx", "-y", "notes-mcp"],
        { env },
      );
      expect(added.code).toBe(0);
      const imported = await runCli(["mcp", "import", join(FIXTURES, "claude-code.mcp.json"), "--json"], { env });
      expect(imported.code).toBe(0);
      const cursor = await runCli(["mcp", "import", join(FIXTURES, "cursor.mcp.json")], { env });
      expect(cursor.stdout).toContain("Imported 3 MCP servers");
      const again = await runCli(["mcp", "import", join(FIXTURES, "cursor.mcp.json"), "--json"], { env });
      expect(again.json()).toMatchObject({ error: { code: "E_CONFLICT" } });
      const bad = await runCli(["mcp", "import", join(FIXTURES, "bad.mcp.json"), "--json"], { env });
      expect(JSON.stringify(bad.json())).toContain('server \\"typo\\" is not one hob can use');

      const list = (await runCli(["mcp", "list", "--json"], { env })).json() as Array<Record<string, unknown>>;
      expect(list.map((s) => s.name)).toEqual(["jot", "notes", "tracker", "weather", "docs-search", "old-one"]);
      expect(list[0]).toMatchObject({
        type: "stdio",
        command: "npx",
        args: ["-y", "notes-mcp"],
        read_only: ["search"],
      });
      expect(list.find((s) => s.name === "old-one")).toMatchObject({ enabled: false });
      expect(list.find((s) => s.name === "tracker")).toMatchObject({
        type: "http",
        url: "https://mcp.tracker.example/mcp",
      });
      const yaml = readFileSync(join(home, "hob.yaml"), "utf8");
      expect(yaml).toContain("# my settings");
      expect(yaml).toContain("Bearer ${TRACKER_TOKEN}"); // kept as written: filled in only when the server starts

      new RememberedApprovals(home).add("jot", "search", "abc");
      const removed = await runCli(["mcp", "remove", "jot", "--json"], { env });
      expect(removed.json()).toEqual({ removed: "jot", forgotten_approvals: 1 });
      const help = await runCli(["mcp", "--help"], { env });
      expect(help.stdout).toContain("hob mcp import .mcp.json");
    });
  });
});

describe("MCP config pieces", () => {
  it("reads the shapes of Claude Code's, Cursor's and VS Code's MCP files", () => {
    const claude = parseMcpJson(readFileSync(join(FIXTURES, "claude-code.mcp.json"), "utf8"), "claude-code.mcp.json");
    expect(Object.keys(claude.parsed)).toEqual(["notes", "tracker"]);
    expect(claude.parsed.notes).toMatchObject({ command: "npx", sandbox: false, enabled: true, timeout_ms: 60_000 });
    const vscode = parseMcpJson('{"servers":{"gh":{"type":"http","url":"https://api.example/mcp/"}}}', "mcp.json");
    expect(vscode.parsed.gh).toMatchObject({ url: "https://api.example/mcp/" });
    expect(() => parseMcpJson('{"mcpServers":{"s":{"type":"sse","url":"http://x"}}}', "f")).toThrow(
      /not one hob can use/,
    );
  });

  it("names a misspelt or misplaced key of a server in hob.yaml", () => {
    const { home, cleanup } = tempHome();
    try {
      writeHobConfig(
        home,
        "mcp_servers:\n  x:\n    comand: node\n  y:\n    url: http://127.0.0.1:1/mcp\n    sandbox: true\n",
      );
      const error = thrown(() => loadConfig({ HOB_HOME: home }));
      expect(error.code).toBe("E_CONFIG");
      expect(error.message).toContain("hob.yaml:3: unknown key `mcp_servers.x.comand`");
      expect(error.message).toContain("a server needs `command` (stdio) or `url` (Streamable HTTP)");
      expect(error.message).toContain("hob.yaml:6: `mcp_servers.y.sandbox`: `sandbox` is for stdio servers");
    } finally {
      cleanup();
    }
  });

  it("fills ${VAR} and ${VAR:-default} from the given environment only, never with hob's secrets", () => {
    const env = { TOKEN: "t", ANTHROPIC_API_KEY: "k" };
    expect(expandVariables("Bearer ${TOKEN}", env, "s", "headers.Authorization")).toBe("Bearer t");
    expect(expandVariables("${MISSING:-/tmp/x}", env, "s", "args[0]")).toBe("/tmp/x");
    expect(() => expandVariables("${MISSING}", env, "s", "env.X")).toThrow('MCP server "s": env.X uses ${MISSING}');
    expect(() => expandVariables("${ANTHROPIC_API_KEY}", env, "s", "env.X")).toThrow("one of hob's own secrets");
  });

  it("names tools the way model APIs accept: mcp__<server>__<tool>, sanitised, at most 64 characters, unique", () => {
    expect(modelToolName("fx", "echo", new Set())).toBe("mcp__fx__echo");
    expect(modelToolName("git-hub", "repo.search/v2", new Set())).toBe("mcp__git-hub__repo_search_v2");
    const long = modelToolName("server", "a".repeat(100), new Set());
    expect(long).toMatch(/^mcp__server__a+_[0-9a-f]{8}$/);
    expect(long.length).toBe(64);
    const clash = modelToolName("s", "a.b", new Set(["mcp__s__a_b"]));
    expect(clash).not.toBe("mcp__s__a_b");
    expect(clash).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
