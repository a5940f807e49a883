/** create_skill over an existing skill is a replacement: said so, shown as a diff, and gated as an overwrite. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { createSkillRegistry, skillsAccess } from "../src/orchestrator/skills-access.js";
import { Store } from "../src/store/index.js";
import { createSkill } from "../src/tools/skill-tools.js";
import type { ToolContext } from "../src/tools/types.js";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { WORD_COUNT_SKILL } from "./fixtures/word-count.js";
import { runCli, tempHome, testEnv, writeHobConfig } from "./helpers.js";

const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });

describe("create_skill over an existing skill", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
  });
  afterAll(() => anthropic.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, anthropic.url);
    anthropic.reset();
    mkdirSync(join(home, "workspace"), { recursive: true });
  });
  afterEach(() => cleanup());

  it("says replace, not create, and the overwrite policy applies", async () => {
    expect((await runCli(["skills", "new", "word-count", "--lang", "python"], { env })).code).toBe(0);
    const before = readFileSync(join(home, "skills", "word-count", "SKILL.md"), "utf8");
    anthropic.enqueue(tool("create_skill", WORD_COUNT_SKILL));
    const run = await runCli(["run", "--json", "--agent", "code", "--tier", "fast", "save the word counter"], { env });
    expect(run.code).toBe(3);
    const paused = run.json() as { approval: { id: string; summary: string } };
    expect(paused.approval.summary).toBe("replace the existing skill word-count (python)");
    expect((await runCli(["approvals", "show", paused.approval.id], { env })).stdout).toContain(
      "Action   create_skill: replace the existing skill word-count",
    );
    // The overwrite rule applies too: where overwriting is denied, replacing a skill is.
    writeHobConfig(home, "approvals:\n  overwrite: deny\n");
    anthropic.enqueue(tool("create_skill", WORD_COUNT_SKILL), { kind: "text", text: "Left it alone." });
    const denied = await runCli(["run", "--json", "--agent", "code", "--tier", "fast", "save it again"], { env });
    expect(denied.json()).toMatchObject({ status: "succeeded" });
    const shown = (await runCli(["show", "--json", (denied.json() as { id: string }).id], { env })).json() as {
      steps: Array<{ tool: string; status: string; result: string }>;
    };
    expect(shown.steps[0]).toMatchObject({ tool: "create_skill", status: "denied" });
    expect(shown.steps[0]?.result).toContain("it overwrites a file this task did not create");
    expect(readFileSync(join(home, "skills", "word-count", "SKILL.md"), "utf8")).toBe(before);
  });

  it("shows what changes as a diff of SKILL.md and the script", async () => {
    expect((await runCli(["skills", "new", "word-count", "--lang", "python"], { env })).code).toBe(0);
    const config = loadConfig(env);
    const store = Store.open(config.paths.database);
    try {
      const registry = createSkillRegistry(config, store);
      await registry.sync();
      // The access the orchestrator builds, plus the current files (what skills-access should offer).
      const access = {
        ...skillsAccess(registry, join(home, "workspace"), "t1"),
        current(name: string) {
          const { folder } = registry.get(name);
          return { "SKILL.md": folder.skillMd, [folder.manifest.entrypoint as string]: folder.code ?? "" };
        },
      };
      const assessment = await createSkill.assess(WORD_COUNT_SKILL, { skills: access } as unknown as ToolContext);
      expect(assessment.preview.summary).toBe("replace the existing skill word-count (python)");
      expect(assessment.situations).toEqual(["self_modification", "overwrite"]);
      expect(assessment.preview.diff).toContain("--- a/SKILL.md");
      expect(assessment.preview.diff).toContain("+++ b/scripts/main.py");
      expect(assessment.preview.diff).toContain("+        words = handle.read().split()");
      expect(assessment.preview.diff).toMatch(/^-.*$/m);
    } finally {
      store.close();
    }
  });
});
