import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli, tempHome, testEnv, thrown } from "../../../test/helpers.js";
import { AgentRegistry } from "../../agents/index.js";
import { hobStatePaths, loadConfig, managedRepoPath } from "../../config/index.js";
import { commitAll, log } from "../../git/index.js";
import { createSkillRegistry } from "../../orchestrator/index.js";
import { Store } from "../../store/index.js";
import { ensureManagedRepo, MANAGED_README } from "./index.js";

const LITELLM = (fastModel: string) => `model_list:
  - model_name: local-fast
    litellm_params: { model: ollama_chat/qwen3:1.7b }
  - model_name: local
    litellm_params: { model: ollama_chat/qwen3:8b }
  - model_name: fast
    litellm_params: { model: anthropic/${fastModel} }
  - model_name: smart
    litellm_params: { model: anthropic/claude-sonnet-4-5 }
router_settings:
  fallbacks:
    - local-fast: [smart]
`;

const AGENT = (prompt: string) => `name: general
description: Answers directly.
base: general
tier: fast
max_steps: 1
tools: []
system_prompt: ${JSON.stringify(prompt)}
`;

describe("the managed repository", () => {
  let home: string;
  let cleanup: () => void;
  let repo: string;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    repo = managedRepoPath(home);
  });
  afterEach(() => cleanup());

  /** Writes a file in the managed repository and commits it, as applying a proposal would. */
  async function apply(path: string, text: string): Promise<void> {
    await ensureManagedRepo(home);
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
    await commitAll(repo, `Apply: ${path}`);
  }

  it("is created once, with a README and a first commit, at the path `config path` prints", async () => {
    expect(await ensureManagedRepo(home)).toBe(join(home, "managed"));
    expect(await ensureManagedRepo(home)).toBe(join(home, "managed"));
    expect(readFileSync(join(repo, "README.md"), "utf8")).toBe(MANAGED_README);
    const entries = await log(repo, 10);
    expect(entries.map((e) => e.subject)).toEqual(["Create hob's managed repository"]);
    expect(execFileSync("git", ["-C", repo, "status", "--porcelain"], { encoding: "utf8" })).toBe("");

    const env = testEnv(home);
    const json = (await runCli(["config", "path", "--json"], { env })).json() as Record<string, unknown>;
    expect(json.managed_repo).toBe(repo);
    expect(json.router_source).toBe("default");
    expect((await runCli(["config", "path"], { env })).stdout).toContain(`managed    ${repo}`);
  });

  it("is not needed: without it every loader works as before", () => {
    const loaded = loadConfig({ HOB_HOME: home });
    expect(loaded.paths.managedRepo).toBe(repo);
    expect(loaded.managedRouting).toBeUndefined();
    expect(loaded.router.source).toBe("default");
    expect(existsSync(repo)).toBe(false);
  });

  it("is part of hob's state, out of reach of agents' file tools and the sandbox", () => {
    expect(hobStatePaths(loadConfig({ HOB_HOME: home }).paths)).toContain(repo);
  });

  describe("routing.yaml", () => {
    it("wins over hob.yaml's routing key by key, and a config loaded again sees a change", async () => {
      await ensureManagedRepo(home);
      writeFileSync(join(home, "hob.yaml"), "routing:\n  classifier_threshold: 0.5\n  llm_threshold: 0.3\n");
      await apply("routing.yaml", "classifier_threshold: 0.8\ntiers:\n  simple:\n    code: fast\n");
      const first = loadConfig({ HOB_HOME: home });
      expect(first.config.routing.classifier_threshold).toBe(0.8); // managed over hob.yaml
      expect(first.config.routing.llm_threshold).toBe(0.3); // hob.yaml where managed is silent
      expect(first.config.routing.agent_match_threshold).toBe(0.42); // the default where both are
      expect(first.config.routing.tiers.simple).toEqual({
        code: "fast",
        research: "local",
        fileops: "local-fast",
        general: "local-fast",
      });
      expect(first.managedRouting).toEqual({
        file: join(repo, "routing.yaml"),
        keys: ["classifier_threshold", "tiers.simple.code"],
      });

      await apply("routing.yaml", "classifier_threshold: 0.9\n");
      const second = loadConfig({ HOB_HOME: home });
      expect(second.config.routing.classifier_threshold).toBe(0.9);
      expect(second.config.routing.tiers.simple.code).toBe("local");

      const show = (await runCli(["config", "show", "--json"], { env: testEnv(home) })).json() as {
        config: { routing: { classifier_threshold: number } };
        sources: { routing: { file: string; keys: string[] } };
      };
      expect(show.config.routing.classifier_threshold).toBe(0.9);
      expect(show.sources.routing).toEqual({
        file: join(repo, "routing.yaml"),
        keys: ["routing.classifier_threshold"],
      });
    });

    it("is validated strictly; errors name routing.yaml and the line", async () => {
      await apply("routing.yaml", "# thresholds\nclassifier_threshold: 0.8\ntreshold: 2\n");
      let error = thrown(() => loadConfig({ HOB_HOME: home }));
      expect(error.code).toBe("E_CONFIG");
      expect(error.message).toContain(`${join(repo, "routing.yaml")}:3: unknown key \`treshold\``);

      await apply("routing.yaml", "tiers:\n  simple:\n    code: huge\n");
      error = thrown(() => loadConfig({ HOB_HOME: home }));
      expect(error.message).toMatch(/routing\.yaml:3: `tiers\.simple\.code`/);

      await apply("routing.yaml", "routing:\n  classifier_threshold: 0.8\n");
      expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toContain("routing.yaml:1: unknown key `routing`");

      await apply("routing.yaml", "models:\n  fast: no-such-model\n");
      expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toMatch(
        /routing\.yaml:2: `routing\.models\.fast` names "no-such-model"/,
      );

      await apply("routing.yaml", "__proto__:\n  classifier_threshold: 0.1\n");
      expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toContain("unknown key `__proto__`");
      expect(({} as Record<string, unknown>).classifier_threshold).toBeUndefined();

      await apply("routing.yaml", "- a list\n");
      expect(thrown(() => loadConfig({ HOB_HOME: home })).message).toContain("top level must be a mapping");
    });

    it("when broken, fails its own `hob doctor` check and is left out", async () => {
      await apply("routing.yaml", "classifier_threshold: 7\n");
      const errors: string[] = [];
      const loaded = loadConfig({ HOB_HOME: home }, { onFileError: (e) => errors.push(e.message) });
      expect(errors[0]).toContain("routing.yaml:1");
      expect(loaded.config.routing.classifier_threshold).toBe(0.8);
      const doctor = (await runCli(["doctor", "--json"], { env: testEnv(home) })).json() as {
        checks: Array<{ name: string; status: string; detail: string }>;
      };
      const config = doctor.checks.find((c) => c.name === "config");
      expect(config?.status).toBe("fail");
      expect(config?.detail).toContain("left out: hob.yaml's routing is used");
    });
  });

  describe("litellm.yaml", () => {
    it("comes after --router-config / HOB_ROUTER_CONFIG and before $HOB_HOME/config/litellm.yaml", async () => {
      mkdirSync(join(home, "config"));
      writeFileSync(join(home, "config", "litellm.yaml"), LITELLM("claude-user"));
      expect(loadConfig({ HOB_HOME: home }).router.source).toBe("user");

      await apply("litellm.yaml", LITELLM("claude-managed"));
      const managed = loadConfig({ HOB_HOME: home }).router;
      expect(managed.source).toBe("managed");
      expect(managed.file).toBe(join(repo, "litellm.yaml"));
      expect(managed.deployments.find((d) => d.modelName === "fast")?.model).toBe("claude-managed");
      expect(managed.settings.fallbacks).toEqual({ "local-fast": ["smart"] });
      expect(managed.warnings.join("\n")).toContain(`${join(home, "config", "litellm.yaml")} is not used`);

      const explicit = join(home, "explicit.yaml");
      writeFileSync(explicit, LITELLM("claude-explicit"));
      const flagged = loadConfig({ HOB_HOME: home, HOB_ROUTER_CONFIG: explicit }).router;
      expect(flagged.source).toBe("explicit");

      await apply("litellm.yaml", LITELLM("claude-changed"));
      const again = loadConfig({ HOB_HOME: home }).router;
      expect(again.deployments.find((d) => d.modelName === "fast")?.model).toBe("claude-changed");

      const env = testEnv(home);
      const path = (await runCli(["config", "path", "--json"], { env })).json() as Record<string, unknown>;
      expect(path).toMatchObject({ router_config: join(repo, "litellm.yaml"), router_source: "managed" });
      const doctor = (await runCli(["doctor", "--json"], { env })).json() as {
        checks: Array<{ name: string; detail: string }>;
      };
      expect(doctor.checks.find((c) => c.name === "router")?.detail).toContain(
        `${join(repo, "litellm.yaml")} (managed)`,
      );
    });
  });

  describe("agents", () => {
    it("managed agents/*.yaml win over $HOB_HOME/agents and the built-ins; a registry loaded again sees a change", async () => {
      mkdirSync(join(home, "agents"));
      writeFileSync(join(home, "agents", "general.yaml"), AGENT("from the user"));
      expect(AgentRegistry.load(home).definition("general").systemPrompt).toBe("from the user");
      await apply("agents/general.yaml", AGENT("from a proposal"));
      await apply("agents/helper.yaml", AGENT("helper").replace("name: general", "name: helper"));
      const registry = AgentRegistry.load(home);
      expect(registry.definition("general").systemPrompt).toBe("from a proposal");
      expect(registry.definition("general").source).toBe(join(repo, "agents", "general.yaml"));
      expect(registry.definition("helper").systemPrompt).toBe("helper");
      await apply("agents/general.yaml", AGENT("changed again"));
      expect(AgentRegistry.load(home).definition("general").systemPrompt).toBe("changed again");
    });
  });

  describe("skills", () => {
    let store: Store;
    beforeEach(() => {
      store = Store.open(join(home, "hob.db"));
    });
    afterEach(() => store.close());

    const fixture = (name: string) => join("test/fixtures/skills", name);
    const registry = () => createSkillRegistry(loadConfig({ HOB_HOME: home }), store);

    it("are loaded from managed/skills with the same validation; a managed skill wins over a user skill", async () => {
      await ensureManagedRepo(home);
      cpSync(fixture("perf-guide"), join(home, "skills", "perf-guide"), { recursive: true });
      cpSync(fixture("web-a11y-rules"), join(repo, "skills", "web-a11y-rules"), { recursive: true });
      await commitAll(repo, "Add web-a11y-rules");
      const first = registry();
      await first.sync();
      expect(
        first
          .list()
          .map((s) => [s.name, s.status, s.path])
          .sort(),
      ).toEqual([
        ["perf-guide", "active", join(home, "skills", "perf-guide")],
        ["web-a11y-rules", "active", join(repo, "skills", "web-a11y-rules")],
      ]);
      expect(first.readableFolder("web-a11y-rules")).toBe(join(repo, "skills", "web-a11y-rules"));
      expect(store.skills.get("web-a11y-rules")?.author).toBe("agent");

      // A proposal changes perf-guide: the managed copy now hides the user's, in a registry synced again.
      cpSync(fixture("perf-guide"), join(repo, "skills", "perf-guide"), { recursive: true });
      const skillMd = join(repo, "skills", "perf-guide", "SKILL.md");
      writeFileSync(skillMd, readFileSync(skillMd, "utf8").replace("# Performance guide", "# Performance guide v2"));
      await commitAll(repo, "Improve perf-guide");
      const second = registry();
      await second.sync();
      const record = second.get("perf-guide");
      expect(record.record.path).toBe(join(repo, "skills", "perf-guide"));
      expect(record.folder.instructions).toContain("Performance guide v2");
      expect(record.record.author).toBe("user"); // its record is the user's skill's, now in a newer version

      // No repository is made per managed skill (it would become a gitlink in the managed repository).
      expect(existsSync(join(repo, "skills", "perf-guide", ".git"))).toBe(false);
      expect(execFileSync("git", ["-C", repo, "status", "--porcelain"], { encoding: "utf8" })).toBe("");

      // Read-only here: not removed, not replaced by a user skill of the same name.
      expect(thrown(() => second.remove("perf-guide")).message).toContain("is managed");
      await expect(second.scaffold("web-a11y-rules", "python")).rejects.toThrow(/is managed/);
      expect(existsSync(join(home, "skills", "web-a11y-rules"))).toBe(false);

      // The managed copy goes (a proposal rolled back): the user's comes back.
      rmSync(join(repo, "skills", "perf-guide"), { recursive: true });
      await commitAll(repo, "Revert perf-guide");
      const third = registry();
      await third.sync();
      expect(third.get("perf-guide").record.path).toBe(join(home, "skills", "perf-guide"));
      expect(third.get("perf-guide").folder.instructions).not.toContain("v2");
    });

    it("an invalid managed skill is listed as invalid and hides the user's copy", async () => {
      cpSync(fixture("perf-guide"), join(home, "skills", "perf-guide"), { recursive: true });
      mkdirSync(join(repo, "skills", "perf-guide"), { recursive: true });
      writeFileSync(join(repo, "skills", "perf-guide", "SKILL.md"), "no front matter\n");
      const skills = registry();
      await skills.sync();
      expect(skills.invalid().map((s) => s.path)).toEqual([join(repo, "skills", "perf-guide")]);
      expect(skills.search("performance react", 3)).toEqual([]);
    });
  });
});
