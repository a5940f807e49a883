import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, tempHome, thrown } from "../../test/helpers.js";
import { loadConfig, normalizeOllamaHost, parseRouterConfig, resolvePaths } from "./index.js";

describe("hob.yaml", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  const write = (text: string) => writeFileSync(join(home, "hob.yaml"), text);

  it("uses defaults when there is no file", () => {
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.source).toBe("defaults");
    expect(loaded.config.routing.default_tier).toBe("auto");
    expect(loaded.config.temperature).toBe(0);
    expect(loaded.anthropic.baseUrl).toBe("https://api.anthropic.com");
    expect(loaded.anthropic.apiKey).toBeUndefined();
    expect(loaded.ollama).toEqual({ host: "http://127.0.0.1:11434", hostSource: "default" });
    expect(loaded.paths.database).toBe(join(home, "hob.db"));
    expect(loaded.router.source).toBe("default");
    expect(loaded.router.deployments.map((d) => d.modelName)).toEqual(["local-fast", "local", "fast", "smart"]);
  });

  it("reads the file and merges partial sections with defaults", () => {
    write("routing:\n  classifier_threshold: 0.5\ncache:\n  ttl_hours: 1\n");
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.source).toBe("file");
    expect(loaded.config.routing.classifier_threshold).toBe(0.5);
    expect(loaded.config.routing.llm_threshold).toBe(0.6);
    expect(loaded.config.cache).toEqual({ enabled: true, ttl_hours: 1, semantic: { enabled: false, threshold: 0.95 } });
  });

  it("names an unknown key, the file and the line", () => {
    write("routing:\n  default_tier: auto\n  treshold: 3\n");
    const error = thrown(() => loadConfig({ HOB_HOME: home }));
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toContain(`${join(home, "hob.yaml")}:3`);
    expect(error.message).toContain("routing.treshold");
  });

  it("names a wrong value's key and line", () => {
    write("cache:\n  enabled: true\n  ttl_hours: -4\n");
    expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toMatch(/hob\.yaml:3: `cache\.ttl_hours`/);
    write("routing:\n  default_tier: huge\n");
    expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toMatch(/hob\.yaml:2: `routing\.default_tier`/);
  });

  it("reports YAML syntax errors with line and column", () => {
    write("routing:\n  default_tier: [unclosed\n");
    expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toMatch(/hob\.yaml:\d+:\d+: invalid YAML/);
  });

  it("rejects a top level that is not a mapping", () => {
    write("- just\n- a list\n");
    expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toContain("top level must be a mapping");
  });

  it("lets the environment win over the file", () => {
    write(
      "anthropic:\n  api_key: sk-ant-from-file\n  base_url: https://gateway.example.com/\nollama:\n  host: gpu-box\n",
    );
    const fromFile = loadConfig({ HOB_HOME: home });
    expect(fromFile.anthropic).toMatchObject({
      apiKey: "sk-ant-from-file",
      apiKeySource: "config",
      baseUrl: "https://gateway.example.com",
    });
    expect(fromFile.ollama).toEqual({ host: "http://gpu-box:11434", hostSource: "config" });
    const fromEnv = loadConfig({
      HOB_HOME: home,
      ANTHROPIC_API_KEY: "sk-ant-from-env",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:47/",
      OLLAMA_HOST: "0.0.0.0:11500",
    });
    expect(fromEnv.anthropic).toMatchObject({
      apiKey: "sk-ant-from-env",
      apiKeySource: "env",
      baseUrl: "http://127.0.0.1:47",
    });
    expect(fromEnv.ollama).toEqual({ host: "http://127.0.0.1:11500", hostSource: "env" });
  });

  it("rejects a malformed ANTHROPIC_BASE_URL or OLLAMA_HOST", () => {
    expect(thrown(() => loadConfig({ HOB_HOME: home, ANTHROPIC_BASE_URL: "not a url" })).message).toContain(
      "ANTHROPIC_BASE_URL",
    );
    expect(thrown(() => loadConfig({ HOB_HOME: home, OLLAMA_HOST: "http://[bad" })).message).toContain("OLLAMA_HOST");
  });

  it("normalises Ollama's host forms", () => {
    expect(normalizeOllamaHost("127.0.0.1")).toBe("http://127.0.0.1:11434");
    expect(normalizeOllamaHost("https://ollama.example.com/")).toBe("https://ollama.example.com");
    expect(normalizeOllamaHost("http://box:8080")).toBe("http://box:8080");
  });

  it("puts HOB_HOME under the home directory by default", () => {
    expect(resolvePaths({}).home).toMatch(/\.hob$/);
  });
});

describe("litellm.yaml", () => {
  const env = {
    OPENAI_COMPATIBLE_BASE: "http://127.0.0.1:4000/v1",
    OPENAI_API_KEY: "sk-openai",
    AZURE_API_KEY_EU: "x",
  };

  it("loads a LiteLLM config from the docs unchanged, with one warning per unimplemented key", () => {
    const file = join(REPO_ROOT, "test/fixtures/litellm-docs.yaml");
    const config = parseRouterConfig(readFileSync(file, "utf8"), file, env);
    // azure/ is not a provider hob speaks: that deployment is skipped with a warning.
    expect(config.deployments.map((d) => [d.modelName, d.provider, d.model])).toEqual([
      ["gpt-4o", "openai", "gpt-4o"],
      ["llama3", "ollama", "llama3.1"],
      ["claude", "anthropic", "claude-sonnet-4-5"],
      ["vllm-model", "openai", "facebook/opt-125m"],
    ]);
    const openai = config.deployments[0];
    expect(openai).toMatchObject({ id: "openai-direct", rpm: 1440 });
    expect(openai?.apiBase).toEqual({ value: "http://127.0.0.1:4000/v1", envVar: "OPENAI_COMPATIBLE_BASE" });
    expect(openai?.apiKey).toEqual({ value: "sk-openai", envVar: "OPENAI_API_KEY" });
    expect(config.deployments[1]?.timeoutMs).toBe(300_000);
    expect(config.deployments[2]?.rpm).toBe(100);
    expect(config.deployments[2]?.apiKey).toEqual({ value: undefined, envVar: "ANTHROPIC_API_KEY" });
    expect(config.deployments[3]?.inputCostPerToken).toBe(0.0000001);
    expect(config.settings).toEqual({
      routingStrategy: "simple-shuffle",
      numRetries: 2,
      timeoutMs: 30_000,
      fallbacks: { llama3: ["claude"], "gpt-4o": ["claude"] },
      contextWindowFallbacks: { llama3: ["claude"] },
      allowedFails: 3,
      cooldownMs: 60_000,
      modelGroupAlias: {},
      hiddenAliases: [],
    });
    const text = config.warnings.join("\n");
    for (const key of [
      "general_settings",
      "environment_variables",
      "litellm_settings.drop_params",
      "litellm_settings.set_verbose",
      "litellm_settings.success_callback",
      "router_settings.redis_host",
      "router_settings.redis_port",
      "model_list[0].litellm_params.api_version",
      "model_list[1].litellm_params.tpm",
      "model_list[1].litellm_params.stream_timeout",
      "model_list[1].model_info.mode",
    ]) {
      expect(text).toContain(`\`${key}\``);
    }
    expect(text).toContain('"azure/gpt-4o-eu" uses the azure/ provider, which hob does not speak');
    expect(text).toContain('routing_strategy "usage-based-routing-v2" is not implemented');
    // Each warning names the line of its key.
    expect(text).toMatch(/litellm-docs\.yaml:\d+: `general_settings`/);
  });

  it("ships a default that defines the four tiers with fallbacks from local to cloud", () => {
    const config = loadConfig({ HOB_HOME: tempHome().home }).router;
    expect(config.warnings).toEqual([]);
    expect(config.deployments.map((d) => d.litellmModel)).toEqual([
      "ollama_chat/qwen3:1.7b",
      "ollama_chat/qwen3:8b",
      "anthropic/claude-haiku-4-5",
      "anthropic/claude-sonnet-4-5",
    ]);
    expect(config.settings.fallbacks).toMatchObject({ "local-fast": ["fast"], local: ["smart"] });
  });

  it("prefers the user's copy in $HOB_HOME/config", () => {
    const { home, cleanup } = tempHome();
    mkdirSync(join(home, "config"));
    writeFileSync(
      join(home, "config", "litellm.yaml"),
      "model_list:\n  - model_name: fast\n    litellm_params:\n      model: openai/x\n      api_base: http://127.0.0.1:1/v1\n",
    );
    const config = loadConfig({ HOB_HOME: home }).router;
    expect(config.source).toBe("user");
    expect(config.deployments).toHaveLength(1);
    cleanup();
  });

  it("names the file, line and key of a malformed entry", () => {
    const text =
      "model_list:\n  - model_name: fast\n    litellm_params:\n      model: anthropic/claude-haiku-4-5\n      timeout: soon\n";
    const error = thrown(() => parseRouterConfig(text, "/x/litellm.yaml", {}));
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toBe(
      "/x/litellm.yaml:5: `model_list[0].litellm_params.timeout`: Invalid input: expected number, received string.",
    );
    // Changed deliberately: openai/<model> without api_base is OpenAI's API, as in LiteLLM (no error).
    const noBase = parseRouterConfig(
      "model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/gpt-4o\n",
      "/x/l.yaml",
      {},
    );
    expect(noBase.deployments[0]).toMatchObject({ provider: "openai", model: "gpt-4o", apiBase: undefined });
    expect(thrown(() => parseRouterConfig("model_list: []\n", "/x/l.yaml", {})).message).toContain("model_list");
    expect(thrown(() => parseRouterConfig("model_list:\n  - model_name: [\n", "/x/l.yaml", {})).message).toContain(
      "invalid YAML",
    );
  });

  it("warns about fallbacks that name unknown models", () => {
    const text =
      "model_list:\n  - model_name: a\n    litellm_params:\n      model: ollama/x\nrouter_settings:\n  fallbacks:\n    - a: [b]\n";
    const config = parseRouterConfig(text, "/x/l.yaml", {});
    expect(config.settings.fallbacks).toEqual({ a: [] });
    expect(config.warnings[0]).toContain('"b", which is not a model_name');
  });
});

describe("hob config init's template", () => {
  it("is valid and every value in it is the default", async () => {
    const { parse } = await import("yaml");
    const { CONFIG_TEMPLATE, configSchema } = await import("./index.js");
    expect(configSchema.parse(parse(CONFIG_TEMPLATE))).toEqual(configSchema.parse({}));
  });
});
