/**
 * Validation pipeline time per skill, by language: lint, the security scan on the
 * syntax tree, path and hidden-character checks, and the skill's test in the sandbox.
 * Uses the `hob skills new` templates. Usage: npx tsx bench/skill-validation.ts [rounds]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.js";
import { readSkillFolder, SKILL_LANGUAGES, SkillRegistry, validateSkill } from "../src/skills/index.js";
import { Store } from "../src/store/index.js";
import { median, ms } from "./stats.js";

const rounds = Number(process.argv[2] ?? 10);
const home = mkdtempSync(join(tmpdir(), "hob-bench-"));
try {
  const config = loadConfig({ HOB_HOME: home });
  const store = Store.open(config.paths.database);
  const registry = new SkillRegistry({
    dir: join(home, "skills"),
    store,
    settings: config.config.skills,
    mode: "bubblewrap",
  });
  console.log(`validation pipeline per skill (template skills, ${rounds} rounds after a warm-up)`);
  for (const language of SKILL_LANGUAGES) {
    await registry.scaffold(`bench-${language}`, language);
    const folder = readSkillFolder(join(home, "skills", `bench-${language}`));
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const report = await validateSkill(folder);
      if (!report.ok) throw new Error(`${language} template does not validate: ${JSON.stringify(report.findings)}`);
      times.push(report.durationMs);
    }
    console.log(
      `  ${language.padEnd(10)} p50 ${ms(median(times), 0)}  (min ${ms(Math.min(...times), 0)}, max ${ms(Math.max(...times), 0)})`,
    );
  }
  store.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
