import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inferProvider, loadConfig, matchWildcard, parseRouterConfig } from "../src/config/index.js";
import { PriceTable, Router, unpricedWarnings } from "../src/models/index.js";
import { FakeAnthropic } from "./fakes/anthropic.js";
import { FakeOllama } from "./fakes/ollama.js";
import { FakeOpenAI } from "./fakes/openai.js";
import { REPO_ROOT, runCli, tempHome, writeHobConfig } from "./helpers.js";

const DIR = join(REPO_ROOT, "test/fixtures/litellm");
const OPENAI_KEY = "sk-openai-test";

interface Expected {
  deployments: number;
  /** A substring of each warning, in any order; the count must match exactly. */
  warnings: string[];
  /** tier -> "model_name (tier_source)" */
  tiers: Record<"local-fast" | "local" | "fast" | "smart", string>;
  /** What `hob run "hello"` calls (provider, model id), or undefined when no provider hob speaks is left. */
  run?: { provider: "anthropic" | "openai" | "ollama"; model: string };
}

/** The expected outcome of each real-shape LiteLLM config. */
const TABLE: Record<string, Expected> = {
  "aliases.yaml": {
    deployments: 2,
    warnings: ["litellm_params.temperature", "litellm_params.max_tokens", 'model_group_alias "gpt-4o"'],
    tiers: {
      "local-fast": "text-davinci-003 (nearest)",
      local: "llama-big (nearest)",
      fast: "llama-big (nearest)",
      smart: "llama-big (nearest)",
    },
    run: { provider: "ollama", model: "qwen3:1.7b" },
  },
  "azure-only.yaml": {
    deployments: 0,
    warnings: ["api_version", "litellm_params.tpm", "stream_timeout", "max_retries", "azure/ provider"],
    tiers: { "local-fast": "-", local: "-", fast: "-", smart: "-" },
  },
  "cooldowns.yaml": {
    deployments: 1,
    warnings: [],
    tiers: {
      "local-fast": "claude-3-5-haiku (nearest)",
      local: "claude-3-5-haiku (nearest)",
      fast: "claude-3-5-haiku (nearest)",
      smart: "claude-3-5-haiku (nearest)",
    },
    run: { provider: "anthropic", model: "claude-3-5-haiku-20241022" },
  },
  "fallbacks.yaml": {
    deployments: 3,
    warnings: [],
    tiers: {
      "local-fast": "claude-haiku (nearest)",
      local: "claude-haiku (nearest)",
      fast: "claude-haiku (nearest)",
      smart: "claude-sonnet (nearest)",
    },
    run: { provider: "anthropic", model: "claude-haiku-4-5" },
  },
  "load-balancing.yaml": {
    deployments: 2,
    warnings: [
      "environment_variables",
      "model_list[0].tpm",
      "model_list[1].tpm",
      "drop_params",
      "openrouter/",
      "mistralai/",
    ],
    tiers: {
      "local-fast": "gpt-4o-mini (nearest)",
      local: "gpt-4o-mini (nearest)",
      fast: "gpt-4o-mini (nearest)",
      smart: "gpt-4o-mini (nearest)",
    },
    run: { provider: "openai", model: "gpt-4o-mini" },
  },
  "mixed-providers.yaml": {
    deployments: 1,
    warnings: [
      "api_version",
      "aws_region_name",
      "vertex_project",
      "vertex_location",
      "azure/",
      "bedrock/",
      "vertex_ai/",
      "gemini/",
      'fallbacks names "gpt-4o"',
    ],
    tiers: {
      "local-fast": "claude (nearest)",
      local: "claude (nearest)",
      fast: "claude (nearest)",
      smart: "claude (nearest)",
    },
    run: { provider: "anthropic", model: "claude-haiku-4-5" },
  },
  "model-id.yaml": {
    deployments: 2,
    warnings: ["model_info.mode"],
    tiers: {
      "local-fast": "claude (nearest)",
      local: "claude (nearest)",
      fast: "claude (nearest)",
      smart: "claude (nearest)",
    },
    // least-busy picks the first idle deployment: model_info.id anthropic-direct.
    run: { provider: "anthropic", model: "claude-sonnet-4-5" },
  },
  "ollama-gateway.yaml": {
    // TEAM_OLLAMA_BASE is the fake, on loopback: local. A remote one is tested below.
    deployments: 2,
    warnings: [],
    tiers: {
      "local-fast": "team-llama (nearest)",
      local: "team-llama (nearest)",
      fast: "gpt-4.1-mini (nearest)",
      smart: "gpt-4.1-mini (nearest)",
    },
    run: { provider: "ollama", model: "qwen3:8b" },
  },
  "quick-start.yaml": {
    deployments: 1,
    warnings: ["general_settings"],
    tiers: {
      "local-fast": "gpt-4o (nearest)",
      local: "gpt-4o (nearest)",
      fast: "gpt-4o (nearest)",
      smart: "gpt-4o (nearest)",
    },
    run: { provider: "openai", model: "gpt-4o" },
  },
  "unprefixed.yaml": {
    deployments: 1,
    warnings: [],
    tiers: {
      "local-fast": "gpt-3.5-turbo (nearest)",
      local: "gpt-3.5-turbo (nearest)",
      fast: "gpt-3.5-turbo (nearest)",
      smart: "gpt-3.5-turbo (nearest)",
    },
    run: { provider: "openai", model: "gpt-5-mini" },
  },
  "wildcard-all.yaml": {
    deployments: 1,
    warnings: ["check_provider_endpoint"],
    tiers: {
      "local-fast": "gpt-5-nano (nearest)",
      local: "gpt-5-nano (nearest)",
      fast: "gpt-5-nano (nearest)",
      smart: "gpt-4 (nearest)",
    },
    run: { provider: "openai", model: "gpt-5-nano" },
  },
  "wildcard-provider.yaml": {
    deployments: 2,
    warnings: ["groq/ provider"],
    tiers: {
      "local-fast": "openai/gpt-5-nano (nearest)",
      local: "openai/gpt-5-nano (nearest)",
      fast: "openai/gpt-5-nano (nearest)",
      smart: "anthropic/claude-opus-4-1 (nearest)",
    },
    run: { provider: "openai", model: "gpt-5-nano" },
  },
  "yaml11.yaml": {
    deployments: 2,
    warnings: ["enable_pre_call_checks", "drop_params", "set_verbose"],
    tiers: {
      "local-fast": "local (nearest)",
      local: "local (same-name)",
      fast: "haiku (nearest)",
      smart: "haiku (nearest)",
    },
    run: { provider: "ollama", model: "qwen3:8b" },
  },
};

describe("real-shape LiteLLM configs (test/fixtures/litellm) load, route and run against the fakes", () => {
  let ollama: FakeOllama;
  let anthropic: FakeAnthropic;
  let openai: FakeOpenAI;
  let home: string;
  let cleanup: () => void;

  beforeAll(async () => {
    [ollama, anthropic, openai] = await Promise.all([
      FakeOllama.start(),
      FakeAnthropic.start(),
      FakeOpenAI.start(OPENAI_KEY),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), anthropic.close(), openai.close()]);
  });
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    for (const fake of [ollama, anthropic, openai]) fake.reset();
  });
  afterEach(() => cleanup());

  const envFor = (fixture: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOB_HOME: home,
    NO_COLOR: "1",
    HOB_ROUTER_CONFIG: join(DIR, fixture),
    OLLAMA_HOST: ollama.url,
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: "sk-ant-test-key-0123456789",
    OPENAI_BASE_URL: `${openai.url}/v1`,
    OPENAI_API_KEY: OPENAI_KEY,
    GATEWAY_API_BASE: `${openai.url}/v1`,
    GATEWAY_API_KEY: OPENAI_KEY,
    TEAM_OLLAMA_BASE: ollama.url,
    TEAM_OLLAMA_KEY: "team-secret",
  });

  it("has an expected outcome for every fixture file", () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(TABLE).sort());
  });

  for (const [fixture, expected] of Object.entries(TABLE)) {
    it(`${fixture}: loads with the expected warnings and maps the four tiers`, () => {
      const config = loadConfig(envFor(fixture));
      expect(config.router.source).toBe("explicit");
      expect(config.router.deployments).toHaveLength(expected.deployments);
      expect(config.router.warnings).toHaveLength(expected.warnings.length);
      for (const part of expected.warnings) {
        expect(
          config.router.warnings.some((w) => w.includes(part)),
          part,
        ).toBe(true);
      }
      // Every located warning names the fixture file and a line.
      for (const w of config.router.warnings.filter((w) => /\.yaml:\d/.test(w))) expect(w).toContain(fixture);
      const router = new Router({ config, prices: new PriceTable() });
      const tiers = Object.fromEntries(
        (["local-fast", "local", "fast", "smart"] as const).map((tier) => {
          const resolved = router.resolve(tier);
          return [tier, resolved ? `${resolved.group} (${resolved.source})` : "-"];
        }),
      );
      expect(tiers).toEqual(expected.tiers);
      // Never a model the config does not have, and never the literal "*".
      for (const tier of ["local-fast", "local", "fast", "smart"]) {
        for (const d of router.deployments(tier)) expect(d.model).not.toContain("*");
      }
    });

    it(`${fixture}: hob route --json and hob run "hello" --json`, async () => {
      const env = envFor(fixture);
      const route = await runCli(["route", "--json", "hello"], { env });
      if (!expected.run) {
        const run = await runCli(["run", "--json", "hello"], { env });
        expect(run.code).not.toBe(0);
        expect((run.json() as { error: { message: string; hint: string } }).error.hint).toMatch(/provider hob speaks/);
        return;
      }
      expect(route.code).toBe(0);
      const decision = route.json() as { tier: keyof Expected["tiers"]; model: string; tier_source: string };
      expect(`${decision.model} (${decision.tier_source})`).toBe(expected.tiers[decision.tier]);
      const run = await runCli(["run", "--json", "hello"], { env });
      expect(run.stderr).not.toContain("No model named");
      expect(run.code).toBe(0);
      const result = run.json() as { status: string; model: string; cost_usd: number; cost_unknown?: boolean };
      expect(result).toMatchObject({ status: "succeeded", model: expected.run.model });
      const fake = { ollama, anthropic, openai }[expected.run.provider];
      const calls = fake.requests.filter((r) => r.method === "POST" && !r.body.format);
      expect(calls.map((r) => r.body.model)).toContain(expected.run.model);
      if (expected.run.provider === "openai") expect(calls[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      if (expected.run.provider !== "ollama") {
        expect(result.cost_usd).toBeGreaterThan(0);
        expect(result.cost_unknown).toBeUndefined();
      }
    });
  }

  it("routing.models maps a tier to any model_name, and hob route says so", async () => {
    const env = envFor("fallbacks.yaml");
    writeHobConfig(home, "routing:\n  default_tier: fast\n  models:\n    fast: gpt-4.1\n");
    const route = (await runCli(["route", "--json", "hello"], { env })).json();
    expect(route).toMatchObject({ tier: "fast", model: "gpt-4.1", tier_source: "mapped" });
    const run = (await runCli(["run", "--json", "hello"], { env })).json();
    expect(run).toMatchObject({ tier: "fast", model: "gpt-4.1", status: "succeeded" });
    expect(openai.chatRequests).toHaveLength(1);
    writeHobConfig(home, "routing:\n  models:\n    smart: gpt-5\n");
    const bad = await runCli(["route", "--json", "hello"], { env });
    expect(bad.code).toBe(2);
    expect((bad.json() as { error: { message: string } }).error.message).toMatch(
      /hob\.yaml:3: `routing\.models\.smart` names "gpt-5", which .*fallbacks\.yaml does not have/,
    );
  });

  it("--router-config uses a file in place, and a missing one is an error", async () => {
    const env = { ...envFor("quick-start.yaml"), HOB_ROUTER_CONFIG: "" };
    const route = await runCli(["--router-config", join(DIR, "unprefixed.yaml"), "route", "--json", "hello"], { env });
    expect(route.json()).toMatchObject({ model: "gpt-3.5-turbo", tier_source: "nearest" });
    const missing = await runCli(["--router-config", join(DIR, "nope.yaml"), "route", "--json", "x"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("does not exist");
  });

  it("hob doctor checks each tier's deployments the way they are called, and exits by them", async () => {
    const ok = await runCli(["doctor", "--json"], { env: envFor("quick-start.yaml") });
    const checks = (ok.json() as { checks: Array<{ name: string; status: string; detail: string }> }).checks;
    expect(checks.filter((c) => c.name.startsWith("tier "))).toHaveLength(4);
    expect(checks.find((c) => c.name === "tier smart")).toMatchObject({ status: "pass" });
    expect(checks.find((c) => c.name === "tier smart")?.detail).toContain("gpt-4o (nearest)");
    expect(openai.requests.some((r) => r.method === "GET" && r.path === "/v1/models")).toBe(true);
    expect(ok.code).toBe(0);
    const badKey = await runCli(["doctor", "--json"], {
      env: { ...envFor("quick-start.yaml"), OPENAI_API_KEY: "wrong" },
    });
    expect(badKey.code).toBe(1);
    const none = await runCli(["doctor", "--json"], { env: envFor("azure-only.yaml") });
    expect(none.code).toBe(1);
  });

  it("an Ollama deployment with an api_key sends it as a bearer token", async () => {
    const env = { ...envFor("ollama-gateway.yaml") };
    writeHobConfig(home, "routing:\n  default_tier: local\n  models:\n    local: team-llama\n");
    const run = await runCli(["run", "--json", "hello"], { env });
    expect(run.code).toBe(0);
    const chat = ollama.chatRequests.at(-1);
    expect(chat?.headers.authorization).toBe("Bearer team-secret");
    // On loopback (the fake) it is local; see the unit test below for a remote api_base.
    expect(run.json()).toMatchObject({ model: "qwen3:8b", cost_usd: 0 });
  });
});

describe("LiteLLM semantics (units)", () => {
  it("infers providers from unprefixed names as LiteLLM does", () => {
    expect(inferProvider("gpt-4o")).toMatchObject({ provider: "openai", model: "gpt-4o", source: "inferred" });
    expect(inferProvider("o3-mini").provider).toBe("openai");
    expect(inferProvider("o1").provider).toBe("openai");
    expect(inferProvider("claude-3-5-haiku-20241022").provider).toBe("anthropic");
    expect(inferProvider("openai/gpt-4o")).toMatchObject({ provider: "openai", model: "gpt-4o", source: "prefix" });
    expect(inferProvider("mistral-7b-instruct").provider).toBeUndefined();
    expect(inferProvider("bedrock/anthropic.claude").provider).toBeUndefined();
    expect(inferProvider("o1x").provider).toBeUndefined();
  });

  it("matches wildcards and passes the requested model through", () => {
    expect(matchWildcard("anthropic/*", "anthropic/claude-haiku-4-5")).toEqual(["claude-haiku-4-5"]);
    expect(matchWildcard("anthropic/*", "openai/gpt-4o")).toBeUndefined();
    expect(matchWildcard("*", "gpt-4o")).toEqual(["gpt-4o"]);
    const config = parseRouterConfig(
      'model_list:\n  - model_name: "*"\n    litellm_params: { model: "openai/*" }\n  - model_name: "anthropic/*"\n    litellm_params: { model: "anthropic/*" }\n',
      "/x/c.yaml",
      {},
    );
    const loaded = { router: config, config: { routing: { models: {} } } } as unknown as Parameters<
      typeof loadConfig
    > extends never
      ? never
      : ReturnType<typeof loadConfig>;
    const router = new Router({ config: loaded, prices: new PriceTable() });
    expect(router.deployments("gpt-4o-mini").map((d) => [d.provider, d.model])).toEqual([["openai", "gpt-4o-mini"]]);
    expect(router.deployments("anthropic/claude-haiku-4-5").map((d) => [d.provider, d.model])).toEqual([
      ["anthropic", "claude-haiku-4-5"],
    ]);
  });

  it("reads model_group_alias in both forms and YAML 1.1 scalars as PyYAML does", () => {
    const config = parseRouterConfig(
      [
        "model_list:",
        "  - model_name: big",
        "    litellm_params: { model: ollama/qwen3:8b, rpm: 1_000, timeout: '30' }",
        "router_settings:",
        "  model_group_alias: { gpt-4: big, gpt-3.5: { model: big, hidden: true } }",
        "  allowed_fails: 0",
        "litellm_settings:",
        "  cooldown_time: 1_5",
        "  num_retries: 4",
        "  drop_params: yes",
      ].join("\n"),
      "/x/c.yaml",
      {},
    );
    expect(config.settings.modelGroupAlias).toEqual({ "gpt-4": "big", "gpt-3.5": "big" });
    expect(config.settings.hiddenAliases).toEqual(["gpt-3.5"]);
    expect(config.deployments[0]).toMatchObject({ rpm: 1000, timeoutMs: 30_000 });
    expect(config.settings).toMatchObject({ allowedFails: 0, cooldownMs: 15_000, numRetries: 4 });
  });

  it("never records a remote model without a price as free", () => {
    const prices = new PriceTable();
    const usage = { inputTokens: 1000, outputTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(prices.cost("my-private-model", usage)).toBeNull();
    expect(prices.cost("gpt-4o-mini", usage)).toBeCloseTo(0.00075, 9);
    // A config price still wins over the list.
    expect(new PriceTable({ "gpt-4o-mini": { input: 1, output: 1 } }).cost("gpt-4o-mini", usage)).toBeCloseTo(0.002, 9);
    // An Ollama deployment elsewhere is remote and unpriced, so it is warned about.
    const { home, cleanup } = tempHome();
    try {
      const config = loadConfig({
        HOB_HOME: home,
        HOB_ROUTER_CONFIG: join(DIR, "ollama-gateway.yaml"),
        TEAM_OLLAMA_BASE: "http://10.0.0.5:11434",
      });
      const router = new Router({ config, prices });
      expect(router.isLocal("team-llama")).toBe(false);
      const team = router.deployments("team-llama")[0];
      expect(team && router.cost(team, usage)).toBeNull();
      expect(unpricedWarnings(config.router, prices).join("\n")).toContain("recorded with an unknown cost, not $0");
    } finally {
      cleanup();
    }
  });
});
