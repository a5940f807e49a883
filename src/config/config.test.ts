import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import type { HobError } from "../errors/index.js";
import { loadConfig, resolvePaths } from "./index.js";

describe("config", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  const write = (text: string) => writeFileSync(join(home, "hob.yaml"), text);
  const loadError = (env: NodeJS.ProcessEnv = {}) => {
    try {
      loadConfig({ HOB_HOME: home, ...env });
    } catch (error) {
      return error as HobError;
    }
    throw new Error("expected loadConfig to throw");
  };

  it("uses defaults when there is no file", () => {
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.source).toBe("defaults");
    expect(loaded.config.tiers.fast).toMatch(/haiku/);
    expect(loaded.config.tiers.smart).toMatch(/sonnet/);
    expect(loaded.anthropic.baseUrl).toBe("https://api.anthropic.com");
    expect(loaded.anthropic.apiKey).toBeUndefined();
    expect(loaded.paths.database).toBe(join(home, "hob.db"));
  });

  it("reads the file and merges partial sections with defaults", () => {
    write("tiers:\n  fast: claude-3-5-haiku-latest\nanthropic:\n  timeout_ms: 1234\n");
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.source).toBe("file");
    expect(loaded.config.tiers).toEqual({ fast: "claude-3-5-haiku-latest", smart: "claude-sonnet-4-5" });
    expect(loaded.config.anthropic.timeout_ms).toBe(1234);
    expect(loaded.config.anthropic.max_retries).toBe(3);
  });

  it("names an unknown key, the file and the line", () => {
    write("tiers:\n  fast: claude-haiku-4-5\n  fsat: oops\n");
    const error = loadError();
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toContain(`${join(home, "hob.yaml")}:3`);
    expect(error.message).toContain("tiers.fsat");
  });

  it("names a wrong value's key and line", () => {
    write("anthropic:\n  max_retries: lots\n");
    const error = loadError();
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toMatch(/hob\.yaml:2: `anthropic\.max_retries`/);
  });

  it("reports YAML syntax errors with line and column", () => {
    write("tiers:\n  fast: [unclosed\n");
    const error = loadError();
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toMatch(/hob\.yaml:\d+:\d+: invalid YAML/);
    expect(error.hint).toContain("hob config init --force");
  });

  it("rejects a top level that is not a mapping", () => {
    write("- just\n- a list\n");
    expect(loadError().message).toContain("top level must be a mapping");
  });

  it("lets the environment win over the file", () => {
    write("anthropic:\n  api_key: sk-ant-from-file\n  base_url: https://gateway.example.com/\n");
    const fromFile = loadConfig({ HOB_HOME: home });
    expect(fromFile.anthropic).toMatchObject({
      apiKey: "sk-ant-from-file",
      apiKeySource: "config",
      baseUrl: "https://gateway.example.com",
      baseUrlSource: "config",
    });
    const fromEnv = loadConfig({
      HOB_HOME: home,
      ANTHROPIC_API_KEY: "sk-ant-from-env",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9/",
    });
    expect(fromEnv.anthropic).toMatchObject({
      apiKey: "sk-ant-from-env",
      apiKeySource: "env",
      baseUrl: "http://127.0.0.1:9",
      baseUrlSource: "env",
    });
  });

  it("rejects a malformed ANTHROPIC_BASE_URL", () => {
    const error = loadError({ ANTHROPIC_BASE_URL: "not a url" });
    expect(error.code).toBe("E_CONFIG");
    expect(error.message).toContain("ANTHROPIC_BASE_URL");
  });

  it("puts HOB_HOME under the home directory by default", () => {
    expect(resolvePaths({}).home).toMatch(/\.hob$/);
  });
});
