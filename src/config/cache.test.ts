import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { HobError } from "../errors/index.js";
import { CONFIG_CACHE_FILE } from "./cache.js";
import { loadConfig } from "./index.js";

describe("the config cache", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  const cacheFile = () => join(home, CONFIG_CACHE_FILE);
  const write = (text: string) => writeFileSync(join(home, "hob.yaml"), text);
  /** Edits the stored value (keeping its key), so a load that returns the edit came from the cache. */
  const tamper = (edit: (value: { config: { temperature: number } }) => void) => {
    const entry = JSON.parse(readFileSync(cacheFile(), "utf8"));
    edit(entry.value);
    writeFileSync(cacheFile(), JSON.stringify(entry));
  };

  it("is written after a load and serves the next one while the files are unchanged", () => {
    write("temperature: 0.3\n");
    expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0.3);
    expect(existsSync(cacheFile())).toBe(true);
    tamper((value) => {
      value.config.temperature = 0.7;
    });
    expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0.7);
  });

  it("reads a changed file again, even one of the same size", () => {
    write("temperature: 0.3\n");
    loadConfig({ HOB_HOME: home });
    tamper((value) => {
      value.config.temperature = 0.7;
    });
    write("temperature: 0.4\n");
    expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0.4);
    // A removed file means the defaults again.
    write("");
    expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0);
  });

  it("reads a changed router config or managed routing.yaml again", () => {
    loadConfig({ HOB_HOME: home });
    mkdirSync(join(home, "config"), { recursive: true });
    writeFileSync(
      join(home, "config", "litellm.yaml"),
      "model_list:\n  - model_name: fast\n    litellm_params:\n      model: anthropic/claude-haiku-4-5\n",
    );
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.router.source).toBe("user");
    expect(loaded.router.deployments.map((d) => d.modelName)).toEqual(["fast"]);
    mkdirSync(join(home, "managed"), { recursive: true });
    writeFileSync(join(home, "managed", "routing.yaml"), "classifier_threshold: 0.42\n");
    expect(loadConfig({ HOB_HOME: home }).config.routing.classifier_threshold).toBe(0.42);
  });

  it("applies the environment on every load and never stores a secret from it", () => {
    mkdirSync(join(home, "config"), { recursive: true });
    writeFileSync(
      join(home, "config", "litellm.yaml"),
      "model_list:\n  - model_name: fast\n    litellm_params:\n      model: anthropic/claude-haiku-4-5\n      api_key: os.environ/MY_KEY\n",
    );
    const first = loadConfig({ HOB_HOME: home, ANTHROPIC_API_KEY: "sk-ant-first", MY_KEY: "secret-one" });
    expect(first.anthropic.apiKey).toBe("sk-ant-first");
    expect(first.router.deployments[0]?.apiKey).toEqual({ value: "secret-one", envVar: "MY_KEY" });
    const stored = readFileSync(cacheFile(), "utf8");
    expect(stored).not.toContain("sk-ant-first");
    expect(stored).not.toContain("secret-one");

    const second = loadConfig({
      HOB_HOME: home,
      ANTHROPIC_API_KEY: "sk-ant-second",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9/",
      OLLAMA_HOST: "gpu-box",
      MY_KEY: "secret-two",
      BRAVE_API_KEY: "brave",
    });
    expect(second.anthropic).toMatchObject({
      apiKey: "sk-ant-second",
      baseUrl: "http://127.0.0.1:9",
      baseUrlSource: "env",
    });
    expect(second.ollama).toEqual({ host: "http://gpu-box:11434", hostSource: "env" });
    expect(second.router.deployments[0]?.apiKey).toEqual({ value: "secret-two", envVar: "MY_KEY" });
    expect(second.search.apiKey).toBe("brave");
    expect(loadConfig({ HOB_HOME: home }).router.deployments[0]?.apiKey).toEqual({
      value: undefined,
      envVar: "MY_KEY",
    });
    // An environment override that is wrong is still an error, cache or not.
    expect(() => loadConfig({ HOB_HOME: home, ANTHROPIC_BASE_URL: "not a url" })).toThrowError(/ANTHROPIC_BASE_URL/);
  });

  it("is not served when HOB_ROUTER_CONFIG names another router config", () => {
    loadConfig({ HOB_HOME: home });
    const other = join(home, "other.yaml");
    writeFileSync(
      other,
      "model_list:\n  - model_name: smart\n    litellm_params:\n      model: anthropic/claude-sonnet-4-5\n",
    );
    const loaded = loadConfig({ HOB_HOME: home, HOB_ROUTER_CONFIG: other });
    expect(loaded.router.source).toBe("explicit");
    expect(loaded.router.deployments.map((d) => d.modelName)).toEqual(["smart"]);
    expect(loadConfig({ HOB_HOME: home }).router.source).toBe("default");
  });

  it("ignores a corrupt cache and writes a good one again", () => {
    write("temperature: 0.3\n");
    loadConfig({ HOB_HOME: home });
    for (const junk of ["{ not json", "null", '{"format":1,"key":"x","value":{}}', "[]"]) {
      writeFileSync(cacheFile(), junk);
      expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0.3);
      expect(JSON.parse(readFileSync(cacheFile(), "utf8")).value.config.temperature).toBe(0.3);
    }
    // The right key with a broken value is ignored too.
    tamper((value) => {
      (value as { config: unknown }).config = null;
    });
    expect(loadConfig({ HOB_HOME: home }).config.temperature).toBe(0.3);
  });

  it("never caches a file that does not validate, nor hides it behind an older entry", () => {
    write("temperature: 0.3\n");
    loadConfig({ HOB_HOME: home });
    const before = readFileSync(cacheFile(), "utf8");
    write("temperature: hot\n");
    expect(() => loadConfig({ HOB_HOME: home })).toThrowError(HobError);
    expect(readFileSync(cacheFile(), "utf8")).toBe(before);
  });

  it("is neither read nor written for hob doctor, and never creates HOB_HOME", () => {
    write("temperature: 0.3\n");
    const problems: HobError[] = [];
    loadConfig({ HOB_HOME: home }, { onFileError: (e) => problems.push(e) });
    expect(existsSync(cacheFile())).toBe(false);
    const missing = join(home, "not-yet");
    loadConfig({ HOB_HOME: missing });
    expect(existsSync(missing)).toBe(false);
    expect(problems).toEqual([]);
  });
});
