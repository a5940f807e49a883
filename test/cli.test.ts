import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Database } from "../src/store/index.js";
import { BAD_KEY, FakeAnthropic } from "./fakes/anthropic.js";
import { runCli, tempHome, testEnv, writeHobConfig, writeRouterConfig } from "./helpers.js";

/** Only the two Anthropic tiers, no fallbacks: for tests about one provider's failures. */
function anthropicOnly(home: string, settings = "num_retries: 2") {
  writeRouterConfig(
    home,
    `model_list:\n  - model_name: fast\n    litellm_params: { model: anthropic/claude-haiku-4-5 }\n  - model_name: smart\n    litellm_params: { model: anthropic/claude-sonnet-4-5 }\nrouter_settings: { ${settings} }\n`,
  );
}

describe("hob CLI (in-process, against the fake Anthropic server)", () => {
  let fake: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, fake.url);
    fake.reset();
    // These tests are about the CLI over one provider: pin routing to the fast (Anthropic) tier.
    writeHobConfig(home, "routing:\n  default_tier: fast\n");
  });
  afterEach(() => cleanup());

  describe("run", () => {
    it("streams the answer to stdout and a summary to stderr", async () => {
      fake.enqueue({ kind: "text", text: "A monad is a way to chain computations.", chunks: 5 });
      const run = await runCli(["run", "summarise", "what", "a", "monad", "is"], { env });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("A monad is a way to chain computations.\n");
      expect(run.stderr).toMatch(/✓ fast · claude-haiku-4-5 · \d+ in \/ \d+ out · \$0\.\d+ · [\d.]+ m?s · \w+/);
      expect(fake.messageRequests[0]?.body.messages?.[0]?.content).toEqual([
        { type: "text", text: "summarise what a monad is" },
      ]);
    });

    it("prints exactly one JSON object with --json", async () => {
      fake.enqueue({ kind: "text", text: "Canberra.", usage: { input_tokens: 30, output_tokens: 3 } });
      const run = await runCli(["run", "--json", "capital of Australia?"], { env });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      const result = run.json() as Record<string, unknown>;
      expect(Object.keys(result).sort()).toEqual(
        ["agent", "cached", "cost_usd", "duration_ms", "id", "model", "output", "status", "tier", "usage"].sort(),
      );
      expect(result).toMatchObject({
        status: "succeeded",
        agent: "general",
        tier: "fast",
        model: "claude-haiku-4-5",
        output: "Canberra.",
        usage: { input_tokens: 30, output_tokens: 3 },
        cached: false,
      });
      expect(result.cost_usd).toBeCloseTo((30 * 1 + 3 * 5) / 1e6, 12);
    });

    it("honours --tier and reads the task from stdin with -", async () => {
      const run = await runCli(["run", "--tier", "smart", "--json", "-"], { env, stdin: "task from a pipe\n" });
      expect(run.json()).toMatchObject({
        tier: "smart",
        model: "claude-sonnet-4-5",
        output: "You said: task from a pipe",
      });
    });

    it("rejects an unknown tier with a usage error", async () => {
      const run = await runCli(["run", "--tier", "huge", "--json", "x"], { env });
      expect(run.code).toBe(2);
      expect(run.json()).toMatchObject({ error: { code: "E_USAGE" } });
    });

    const failures: Array<[string, () => void, NodeJS.ProcessEnv | undefined, string, RegExp]> = [
      ["no API key", () => undefined, { ANTHROPIC_API_KEY: "" }, "E_NO_API_KEY", /No Anthropic API key/],
      ["a rejected key", () => undefined, { ANTHROPIC_API_KEY: BAD_KEY }, "E_AUTH", /rejected the API key \(401\)/],
      [
        "rate limiting that outlasts the retries and the fallback",
        () =>
          fake.enqueue(
            ...Array(2).fill({ kind: "error", status: 429, headers: { "retry-after": "0" }, message: "slow down" }),
          ),
        undefined,
        "E_RATE_LIMIT",
        /rate limiting this key \(429\): slow down \(tried fast, then smart\)/,
      ],
      [
        "an unreachable network",
        () => undefined,
        { ANTHROPIC_BASE_URL: "http://127.0.0.1:47" },
        "E_NETWORK",
        /Cannot reach/,
      ],
    ];
    for (const [name, arrange, overrides, code, message] of failures) {
      it(`explains ${name} in one sentence and records the failed task`, async () => {
        const runEnv = { ...env, ...overrides };
        anthropicOnly(home, "num_retries: 2, fallbacks: [{ fast: [smart] }]");
        arrange();
        const json = await runCli(["run", "--json", "hello"], { env: runEnv });
        expect(json.code).toBe(1);
        const body = json.json() as {
          error: { code: string; message: string; hint: string };
          id: string;
          status: string;
        };
        expect(body.error.code).toBe(code);
        expect(body.error.message).toMatch(message);
        expect(body.error.hint.length).toBeGreaterThan(10);
        expect(body.status).toBe("failed");

        const shown = await runCli(["show", "--json", body.id], { env: runEnv });
        expect(shown.json()).toMatchObject({ status: "failed", error: { code } });

        arrange();
        const human = await runCli(["run", "hello"], { env: runEnv });
        expect(human.code).toBe(1);
        expect(human.stderr).toMatch(new RegExp(`^error \\[${code}\\]`, "m"));
        expect(human.stderr).toContain("→");
        expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
      });
    }

    it("times out a hanging provider", async () => {
      anthropicOnly(home, "num_retries: 0, timeout: 0.2");
      fake.enqueue({ kind: "hang" });
      const run = await runCli(["run", "--json", "hello"], { env });
      expect(run.json()).toMatchObject({ error: { code: "E_TIMEOUT" }, status: "failed" });
    });

    it("shows the stack trace only with --verbose", async () => {
      const run = await runCli(["--verbose", "run", "hello"], { env: { ...env, ANTHROPIC_API_KEY: "" } });
      expect(run.stderr).toMatch(/\n\s+at /);
    });

    it("cancels on Ctrl-C, keeps the partial answer, and exits 130", async () => {
      fake.enqueue({ kind: "text", text: "a b c d e f g h", chunks: 8, chunkDelayMs: 100 });
      let press: () => void = () => undefined;
      const pending = runCli(["run", "--json", "count slowly"], { env, interrupt: (p) => (press = p) });
      // Press once the answer is streaming (the first command of a process spends a while loading modules).
      while (fake.messageRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 250));
      press();
      const run = await pending;
      expect(run.code).toBe(130);
      const body = run.json() as { id: string; status: string; error: { code: string } };
      expect(body).toMatchObject({ status: "cancelled", error: { code: "E_CANCELLED" } });
      const shown = (await runCli(["show", "--json", body.id], { env })).json() as { output: string; status: string };
      expect(shown.status).toBe("cancelled");
      expect(shown.output.length).toBeGreaterThan(0);
      // message_start had reported the input tokens: the cancelled call is billed for them, and recorded so.
      const calls = new Database(join(home, "hob.db"), { readonly: true })
        .prepare("SELECT ok, error_code, input_tokens, cost_usd FROM model_calls WHERE task_id = ?")
        .all(body.id) as Array<{ ok: number; error_code: string; input_tokens: number; cost_usd: number }>;
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ ok: 0, error_code: "E_CANCELLED" });
      expect(calls[0]?.input_tokens).toBeGreaterThan(0);
      expect(calls[0]?.cost_usd).toBeGreaterThan(0);
    });
  });

  describe("history, show and stats", () => {
    beforeEach(async () => {
      fake.enqueue({ kind: "text", text: "first answer", usage: { input_tokens: 100, output_tokens: 10 } });
      await runCli(["run", "first task"], { env });
      fake.enqueue({ kind: "text", text: "second answer", usage: { input_tokens: 200, output_tokens: 20 } });
      await runCli(["run", "--tier", "smart", "second task"], { env });
    });

    it("lists tasks newest first, as a table or JSON", async () => {
      const table = await runCli(["history"], { env });
      expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+WHEN \(UTC\)\s+STATUS\s+TIER\s+COST\s+TASK$/);
      expect(table.stdout).toMatch(/second task[\s\S]*first task/);
      const json = (await runCli(["history", "--json", "--limit", "1"], { env })).json() as Array<
        Record<string, unknown>
      >;
      expect(json).toHaveLength(1);
      expect(json[0]).toMatchObject({ input: "second task", tier: "smart", status: "succeeded", calls: 1 });
      const bad = await runCli(["history", "--limit", "0"], { env });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("positive whole number");
    });

    it("shows one task with its model calls", async () => {
      const [latest] = (await runCli(["history", "--json"], { env })).json() as Array<{ id: string }>;
      const json = (await runCli(["show", "--json", latest?.id ?? ""], { env })).json() as Record<string, unknown>;
      expect(json).toMatchObject({ input: "second task", output: "second answer", usage: { input_tokens: 200 } });
      expect(json.model_calls).toEqual([
        expect.objectContaining({ model: "claude-sonnet-4-5", ok: true, input_tokens: 200 }),
      ]);
      const human = await runCli(["show", latest?.id ?? ""], { env });
      expect(human.stdout).toContain("second answer");
      expect(human.stdout).toContain("anthropic/claude-sonnet-4-5");
      const missing = await runCli(["show", "--json", "nope"], { env });
      expect(missing.code).toBe(1);
      expect(missing.json()).toMatchObject({ error: { code: "E_NOT_FOUND" } });
    });

    it("summarises tasks, tokens and cost per model and tier", async () => {
      const stats = (await runCli(["stats", "--json"], { env })).json() as {
        tasks: { total: number; success_rate: number };
        totals: { cost_usd: number; input_tokens: number };
        by_model: Array<{ model: string }>;
        by_tier: Array<{ tier: string; tasks: number }>;
      };
      expect(stats.tasks).toMatchObject({ total: 2, success_rate: 1 });
      expect(stats.totals.input_tokens).toBe(300);
      expect(stats.totals.cost_usd).toBeCloseTo((100 * 1 + 10 * 5 + 200 * 3 + 20 * 15) / 1e6, 12);
      expect(stats.by_model.map((m) => m.model).sort()).toEqual(["claude-haiku-4-5", "claude-sonnet-4-5"]);
      expect(stats.by_tier.map((t) => [t.tier, t.tasks])).toEqual([
        ["fast", 1],
        ["smart", 1],
      ]);
      const human = await runCli(["stats", "--since", "7d"], { env });
      expect(human.stdout).toContain("By model");
      expect(human.stdout).toContain("success rate 100%");
      const bad = await runCli(["stats", "--json", "--since", "last tuesday"], { env });
      expect(bad.code).toBe(2);
      expect(bad.json()).toMatchObject({ error: { code: "E_USAGE" } });
    });
  });

  it("has friendly empty states", async () => {
    expect((await runCli(["history"], { env })).stdout).toContain("No tasks yet");
    expect((await runCli(["stats"], { env })).stdout).toContain("No tasks yet");
    expect((await runCli(["history", "--json"], { env })).json()).toEqual([]);
  });

  describe("doctor", () => {
    it("passes with a reachable provider and a valid key", async () => {
      const run = await runCli(["doctor", "--json"], { env });
      expect(run.code).toBe(0);
      const body = run.json() as { ok: boolean; checks: Array<{ name: string; status: string }> };
      expect(body.ok).toBe(true);
      expect(body.checks.map((c) => [c.name, c.status])).toEqual([
        ["config", "pass"],
        ["router", "pass"],
        ["database", "pass"],
        ["ollama", "warn"], // nothing listens at OLLAMA_HOST in this test: local tiers fall back
        ["api key", "pass"],
        ["anthropic", "pass"],
        // Added deliberately: each tier's deployments, checked as they are called.
        ["tier local-fast", "warn"],
        ["tier local", "warn"],
        ["tier fast", "pass"],
        ["tier smart", "pass"],
        ["pricing", "pass"],
        ["sandbox", "pass"],
      ]);
    });

    it("gives a fix for each problem", async () => {
      writeRouterConfig(
        home,
        "model_list:\n  - model_name: fast\n    litellm_params: { model: anthropic/my-private-haiku }\n",
      );
      const run = await runCli(["doctor"], { env: { ...env, ANTHROPIC_API_KEY: BAD_KEY } });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✗ anthropic .*401/);
      expect(run.stdout).toMatch(/! pricing .*my-private-haiku/);
      expect(run.stdout).toContain("Fix the problems above");
      const keyless = (await runCli(["doctor", "--json"], { env: { ...env, ANTHROPIC_API_KEY: "" } })).json() as {
        checks: Array<{ name: string; status: string; hint?: string }>;
      };
      expect(keyless.checks.find((c) => c.name === "api key")).toMatchObject({ status: "fail" });
      expect(keyless.checks.find((c) => c.name === "anthropic")).toBeUndefined();
    });

    it("reports a malformed config file", async () => {
      writeFileSync(join(home, "hob.yaml"), "anthropic:\n  base_url: [\n");
      const run = await runCli(["doctor", "--json"], { env });
      expect(run.code).toBe(1);
      expect((run.json() as { checks: Array<{ name: string; status: string }> }).checks[0]).toMatchObject({
        name: "config",
        status: "fail",
      });
    });
  });

  describe("config", () => {
    it("inits, refuses to overwrite without --force, shows and locates", async () => {
      rmSync(join(home, "hob.yaml"));
      const init = await runCli(["config", "init", "--json"], { env });
      expect(init.json()).toEqual({ written: join(home, "hob.yaml") });
      expect(readFileSync(join(home, "hob.yaml"), "utf8")).toContain("tiers:");
      const again = await runCli(["config", "init"], { env });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain("--force");
      expect((await runCli(["config", "init", "--force"], { env })).code).toBe(0);

      const show = (await runCli(["config", "show", "--json"], { env })).json() as {
        config: { anthropic: { api_key: string; base_url: string } };
        sources: { api_key: string };
      };
      expect(show.config.anthropic.api_key).toBe("(set)"); // never the secret itself
      expect(show.config.anthropic.base_url).toBe(fake.url);
      expect(show.sources.api_key).toBe("env");
      const yaml = await runCli(["config", "show"], { env });
      expect(yaml.stdout).not.toContain("sk-ant-test");
      expect(yaml.stdout).toContain("default_tier: auto");
      expect(yaml.stdout).toContain("litellm.yaml");

      const paths = (await runCli(["config", "path", "--json"], { env })).json();
      expect(paths).toMatchObject({ home, database: join(home, "hob.db") });
      expect((await runCli(["config", "path"], { env })).stdout).toContain(join(home, "hob.db"));
    });

    it("rejects a malformed config with the file, line and key", async () => {
      writeFileSync(join(home, "hob.yaml"), "routing:\n  default_tier: fast\n  turbo: b\n");
      const run = await runCli(["run", "--json", "x"], { env });
      expect(run.code).toBe(2);
      const body = run.json() as { error: { code: string; message: string } };
      expect(body.error.code).toBe("E_CONFIG");
      expect(body.error.message).toContain(`${join(home, "hob.yaml")}:3`);
      expect(body.error.message).toContain("routing.turbo");
    });
  });

  describe("chat", () => {
    it("carries context between turns and handles /stats, /clear and /exit", async () => {
      const stdin = new PassThrough();
      const pending = runCli(["chat"], { env, stdin });
      stdin.write("my name is Ada\n");
      stdin.write("/stats\n");
      stdin.write("what is my name?\n");
      stdin.write("/clear\n");
      stdin.write("/bogus\n");
      stdin.write("fresh start\n");
      stdin.write("/exit\n");
      stdin.write("never sent\n");
      const run = await pending;
      expect(run.code).toBe(0);
      const sent = fake.messageRequests.map((r) => r.body.messages?.length);
      expect(sent).toEqual([1, 3, 1]);
      expect(run.stdout).toContain("You said: my name is Ada");
      expect(run.stderr).toContain("This session: 1 turn ·");
      expect(run.stderr).toContain("Unknown command /bogus");
      const history = (await runCli(["history", "--json"], { env })).json() as Array<{ session_id: string }>;
      expect(history).toHaveLength(3);
      // /clear starts a new session: a session is one context, so --continue never revives cleared turns.
      expect(new Set(history.map((t) => t.session_id)).size).toBe(2);
    });

    it("cancels the running answer on Ctrl-C and goes on", async () => {
      fake.enqueue({ kind: "text", text: "a b c d e f", chunks: 6, chunkDelayMs: 100 });
      const stdin = new PassThrough();
      let press: () => void = () => undefined;
      const pending = runCli(["chat"], { env, stdin, interrupt: (p) => (press = p) });
      stdin.write("slow one\n");
      await new Promise((resolve) => setTimeout(resolve, 250));
      press();
      await new Promise((resolve) => setTimeout(resolve, 50));
      stdin.end("after the cancel\n");
      const run = await pending;
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("(cancelled; the conversation goes on)");
      expect(run.stdout).toContain("You said: after the cancel");
      // The cancelled turn is not part of the context of the next one.
      expect(fake.messageRequests.at(-1)?.body.messages).toHaveLength(1);
    });

    it("reports a failed turn and keeps going", async () => {
      const stdin = new PassThrough();
      const pending = runCli(["chat"], { env: { ...env, ANTHROPIC_API_KEY: BAD_KEY }, stdin });
      stdin.end("hello\n");
      const run = await pending;
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("[E_AUTH]");
    });
  });

  it("prints help and version, and fails cleanly on an unknown command", async () => {
    const help = await runCli(["--help"], { env });
    expect(help.code).toBe(0);
    for (const command of ["run", "chat", "history", "show", "stats", "doctor", "config"]) {
      expect(help.stdout).toContain(command);
    }
    const runHelp = await runCli(["run", "--help"], { env });
    expect(runHelp.stdout).toContain("--tier");
    expect((await runCli(["--version"], { env })).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await runCli(["rnu"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Did you mean run?");
  });
});

describe("hob behind an HTTP proxy", () => {
  it("sends provider traffic through HTTP_PROXY and skips it for NO_PROXY hosts", async () => {
    const { FakeProxy } = await import("./fakes/proxy.js");
    const fake = await FakeAnthropic.start();
    const proxy = await FakeProxy.start();
    const { home, cleanup } = tempHome();
    writeHobConfig(home, "routing:\n  default_tier: fast\n");
    try {
      const env = testEnv(home, fake.url, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
      const run = await runCli(["run", "--json", "through the proxy"], { env });
      expect(run.json()).toMatchObject({ status: "succeeded", output: "You said: through the proxy" });
      const doctor = await runCli(["doctor", "--json"], { env });
      expect(doctor.code).toBe(0);
      const host = new URL(fake.url).host;
      expect(proxy.seen.some((line) => line.includes(host))).toBe(true);

      const before = proxy.seen.length;
      const direct = await runCli(["run", "--json", "not through it"], { env: { ...env, NO_PROXY: "127.0.0.1" } });
      expect(direct.json()).toMatchObject({ status: "succeeded" });
      expect(proxy.seen.length).toBe(before);
    } finally {
      cleanup();
      await proxy.close();
      await fake.close();
    }
  });
});
