import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import type { SkillsAccess } from "../tools/index.js";
import { hobPaths } from "./hob-paths.js";

/** The tools' view of the skills room for one task: its workspace, and runs recorded against the task. */
export function skillsAccess(registry: SkillRegistry, workspace: string, taskId: string): SkillsAccess {
  return {
    find(query) {
      return registry.search(query, 5).map((record) => {
        const { folder } = registry.get(record.name);
        return {
          name: record.name,
          description: record.description,
          kind: record.kind,
          ...(folder.manifest.inputs ? { inputs: folder.manifest.inputs } : {}),
        };
      });
    },
    async run(name, args) {
      const request = Array.isArray(args) ? { args: args as string[] } : { input: args ?? {} };
      const outcome = await registry.run(name, request, { workspace, taskId });
      if (!outcome.ok) {
        throw new HobError(
          "E_TOOL",
          `The skill ${name} failed (${outcome.error}).${outcome.result.stderr ? ` stderr: ${outcome.result.stderr.slice(-500)}` : ""}`,
        );
      }
      const unconfined =
        outcome.result.isolation === "none" ? "warning: sandbox.mode is none: this skill ran with no isolation.\n" : "";
      return `${unconfined}${name} succeeded (${outcome.result.durationMs} ms).\n${outcome.result.stdout}`;
    },
    async check(proposal) {
      const { report, files } = await registry.prepare(proposal);
      const blocking = report.findings
        .filter((f) => f.severity === "blocking")
        .map((f) => `${f.check}/${f.rule}${f.line ? ` (line ${f.line})` : ""}: ${f.message}`);
      const warnings = report.findings
        .filter((f) => f.severity === "warning")
        .map((f) => `warning ${f.rule}: ${f.message}`);
      const tests = report.tests.map((t) => `test ${t.name}: ${t.ok ? "passed" : `FAILED (${t.reason})`}`);
      const preview = [
        ...Object.entries(files).map(([path, content]) => `=== ${path}\n${content}`),
        "=== validation",
        ...tests,
        ...warnings,
        tests.length === 0 ? "no tests" : "",
      ]
        .filter(Boolean)
        .join("\n");
      return { blocking, preview, fingerprint: createHash("sha256").update(JSON.stringify(files)).digest("hex") };
    },
    current(name) {
      let dir: string;
      try {
        dir = registry.get(name).folder.dir;
      } catch {
        return undefined; // no such skill: a proposal for it creates it
      }
      // The files a proposal writes (see the registry's filesFor), as they are now.
      const files: Record<string, string> = {};
      for (const path of readdirRecursive(dir)) files[path] = readFileSync(join(dir, path), "utf8");
      return files;
    },
    async create(proposal) {
      const { record, report } = await registry.create(proposal, "agent");
      if (!report.ok)
        throw new HobError(
          "E_VALIDATION",
          `The skill ${proposal.name} failed validation after it was written; it is ${record.status}.`,
        );
      return `Created the skill ${record.name} (v${record.version}, ${record.status}); later tasks can run it with run_skill.`;
    },
  };
}

/** A system-prompt addendum naming the few skills most relevant to a task. */
export function skillContext(registry: SkillRegistry, input: string, limit: number, canRun: boolean): string {
  if (limit === 0) return "";
  const relevant = registry.search(input, limit).filter((s) => canRun || s.kind === "instructions");
  if (relevant.length === 0) return "";
  const lines = relevant.map((s) => {
    if (s.kind === "instructions")
      return `- ${s.name} (instructions): ${s.description}\n${s.instructions.slice(0, 2000)}`;
    const inputs = registry.get(s.name).folder.manifest.inputs;
    return `- ${s.name}: ${s.description}${inputs ? ` Inputs: ${JSON.stringify(inputs)}` : ""}`;
  });
  return `\n\nValidated skills that fit this task (prefer running one with run_skill over writing new code):\n${lines.join("\n")}`;
}

/** The skills under $HOB_HOME/skills, with the limits and sandbox mode from config. */
export function createSkillRegistry(config: LoadedConfig, store: Store, now?: () => number): SkillRegistry {
  return new SkillRegistry({
    dir: `${config.paths.home}/skills`,
    store,
    settings: config.config.skills,
    mode: config.config.sandbox.mode,
    hobPaths: [config.paths.home, ...hobPaths(config)],
    ...(now ? { now } : {}),
  });
}

/** A skill folder's text files, relative, without its git metadata. */
function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split("/").includes(".git"));
}
