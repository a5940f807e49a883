import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UNCONFINED_ENV } from "../src/sandbox/index.js";
import { readSkillFolder, validateSkill } from "../src/skills/index.js";
import { tempHome } from "./helpers.js";

/**
 * A model-proposed skill's tests execute the model's code. Before a human approves, that
 * happens only in a sandbox proven unprivileged; otherwise the tests wait for approval.
 */
describe("unapproved skill code", () => {
  let home: string;
  let cleanup: () => void;
  let marker: string;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    marker = join(home, "ran-before-approval");
    const dir = join(home, "proposal");
    mkdirSync(join(dir, "scripts"), { recursive: true });
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(
      join(dir, "SKILL.md"),
      "---\nname: proposal\ndescription: A proposed skill.\nlanguage: python\nentrypoint: scripts/main.py\n---\n\nRun it.\n",
    );
    // The "test" leaves a mark outside any workspace: proof that it executed unconfined.
    writeFileSync(join(dir, "scripts", "main.py"), `open(${JSON.stringify(marker)}, "w").write("x")\nprint("yes")\n`);
    writeFileSync(join(dir, "tests", "cases.json"), '[{"exit_code": 0, "output": "yes"}]');
  });
  afterEach(() => cleanup());

  it("is not executed before approval when the sandbox is off", async () => {
    process.env[UNCONFINED_ENV] = "1";
    try {
      const folder = readSkillFolder(join(home, "proposal"));
      const report = await validateSkill(folder, { mode: "none", unapproved: true });
      expect(report.tests).toEqual([]);
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: "tests-after-approval" }));
      expect(existsSync(marker)).toBe(false);
      // Once approved, the same tests run.
      const approved = await validateSkill(folder, { mode: "none" });
      expect(approved.tests).toHaveLength(1);
      expect(existsSync(marker)).toBe(true);
    } finally {
      delete process.env[UNCONFINED_ENV];
    }
  });

  it("runs before approval only inside the proven sandbox, where it cannot reach outside", async () => {
    const report = await validateSkill(readSkillFolder(join(home, "proposal")), { unapproved: true });
    expect(report.tests).toHaveLength(1);
    expect(report.tests[0]?.ok).toBe(false); // the write outside fails in the sandbox
    expect(existsSync(marker)).toBe(false);
  });
});
