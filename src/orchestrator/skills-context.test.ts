/** The skills context source: what the model is told of skills, now through src/context/. */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../config/index.js";
import { checkContextSource, estimateTokens, gatherContext } from "../context/index.js";
import { SkillRegistry } from "../skills/index.js";
import { Store } from "../store/index.js";
import { skillContext, skillsContextSource } from "./skills-access.js";

type Registry = Pick<SkillRegistry, "search" | "get">;

/** skillContext as it was before src/context/ (commit ed82170), word for word: the reference. */
function legacySkillContext(registry: Registry, input: string, limit: number, canRun: boolean): string {
  if (limit === 0) return "";
  const relevant = registry.search(input, limit).filter((s) => canRun || s.kind === "instructions");
  if (relevant.length === 0) return "";
  const lines = relevant.map((s) => {
    if (s.kind === "instructions") return `- ${s.name} (instructions): ${s.description}`;
    const inputs = registry.get(s.name).folder.manifest.inputs;
    return `- ${s.name}: ${s.description}${inputs ? ` Inputs: ${JSON.stringify(inputs)}` : ""}`;
  });
  return (
    `\n\nValidated skills that fit this task (prefer running one with run_skill over writing new code):\n${lines.join("\n")}` +
    "\nBefore you follow a skill, read its full instructions with read_file skill://<name>/SKILL.md; the files they mention are under skill://<name>/ (read-only)."
  );
}

/** A registry of both kinds, one script with inputs and one without, searched by word overlap. */
function fakeRegistry(): Registry {
  const skills = [
    { name: "word-count", kind: "script", description: "Counts the words in a text file.", inputs: { type: "object" } },
    { name: "pdf-forms", kind: "instructions", description: "Fill in PDF forms; counts fields." },
    { name: "greet", kind: "script", description: "Greets someone by name and counts them." },
    { name: "tea", kind: "instructions", description: "How the user likes tea." },
  ];
  return {
    search(query: string, limit: number) {
      const words = query.toLowerCase().split(/\W+/).filter(Boolean);
      return skills
        .filter((s) => words.some((w) => s.description.toLowerCase().includes(w)))
        .slice(0, limit) as unknown as ReturnType<Registry["search"]>;
    },
    get(name: string) {
      const skill = skills.find((s) => s.name === name);
      return { folder: { manifest: skill?.inputs ? { inputs: skill.inputs } : {} } } as unknown as ReturnType<
        Registry["get"]
      >;
    },
  };
}

describe("the skills context source", () => {
  it("renders what skillContext always did, for any limit and with or without run_skill", () => {
    const registry = fakeRegistry();
    for (const task of ["count the words", "fill a pdf form", "counts", "nothing matches", "", "tea"])
      for (const limit of [0, 1, 2, 3, 10])
        for (const canRun of [true, false]) {
          const expected = legacySkillContext(registry, task, limit, canRun);
          expect(skillContext(registry, task, limit, canRun)).toBe(expected);
        }
    expect(skillContext(registry, "counts", 3, true)).toContain("- word-count: Counts the words in a text file.");
  });

  it("gathers one piece per skill, most relevant first, and packs them as skillContext does when they fit", async () => {
    const registry = fakeRegistry();
    const source = skillsContextSource(registry, 3, true);
    const pieces = source.gather({ task: "counts", agent: "code" });
    expect(pieces.map((p) => [p.id, p.score])).toEqual([
      ["word-count", 3],
      ["pdf-forms", 2],
      ["greet", 1],
    ]);
    const gathered = await gatherContext(
      [source],
      { task: "counts", agent: "code" },
      {
        total: 2000,
        sections: { skills: 800, memory: 1200 },
      },
    );
    expect(gathered.text).toBe(legacySkillContext(registry, "counts", 3, true));
    expect(gathered.sections[0]).toMatchObject({ section: "skills", included: ["word-count", "pdf-forms", "greet"] });
    expect(gathered.sections[1]).toEqual({ section: "memory", used: 0, budget: 1200, included: [], dropped: [] });
    // A tight budget leaves out the least relevant and says so.
    const tight = await gatherContext(
      [source],
      { task: "counts", agent: "code" },
      {
        total: 2000,
        sections: { skills: gathered.sections[0]?.used ? gathered.sections[0].used - 1 : 0 },
      },
    );
    expect(tight.sections[0]?.dropped).toEqual(["greet"]);
    expect(estimateTokens(tight.text)).toBeLessThan(gathered.sections[0]?.used ?? 0);
  });

  it("keeps the ContextSource contract", async () => {
    const registry = fakeRegistry();
    for (const canRun of [true, false])
      for (const task of ["counts", "", "tea"])
        expect(await checkContextSource(skillsContextSource(registry, 3, canRun), { task, agent: "code" })).toEqual([]);
  });

  describe("over a real registry", () => {
    let dir: string;
    let store: Store;
    let registry: SkillRegistry;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "hob-skills-context-"));
      for (const name of ["perf-guide", "web-a11y-rules", "xlsx-recalc"])
        cpSync(join("test/fixtures/skills", name), join(dir, "skills", name), { recursive: true });
      store = Store.open(join(dir, "hob.db"));
      registry = new SkillRegistry({
        dir: join(dir, "skills"),
        store,
        settings: configSchema.parse({}).skills,
        mode: "bubblewrap",
      });
      await registry.sync();
    });
    afterAll(() => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps the contract and renders as before", async () => {
      const task = "review the React form components and recalculate the spreadsheet";
      expect(registry.search(task, 3).length).toBeGreaterThan(1);
      for (const limit of [0, 1, 3])
        for (const canRun of [true, false]) {
          expect(skillContext(registry, task, limit, canRun)).toBe(legacySkillContext(registry, task, limit, canRun));
          expect(
            await checkContextSource(skillsContextSource(registry, limit, canRun), { task, agent: "code" }),
          ).toEqual([]);
        }
    });
  });
});
