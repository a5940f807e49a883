import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { LoadedConfig } from "../config/index.js";
import {
  type ContextPiece,
  type ContextQuery,
  type ContextSource,
  contextPiece,
  layoutsOf,
  packContext,
} from "../context/index.js";
import { HobError } from "../errors/index.js";
import { SkillRegistry } from "../skills/index.js";
import type { Store } from "../store/index.js";
import type { SkillsAccess } from "../tools/index.js";
import { hobPaths } from "./hob-paths.js";

/** The tools' view of the skills room for one task: its workspace, and runs recorded against the task. */
export function skillsAccess(
  registry: SkillRegistry,
  workspace: string,
  taskId: string,
): SkillsAccess & { read(name: string): string | undefined } {
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
    read(name: string) {
      if (!registry.readableFolder(name)) return undefined;
      return skillText(registry, name);
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

/**
 * One active skill in full (progressive disclosure: its whole SKILL.md body, loaded when it is
 * used), with the files of its folder, readable as skill://<name>/….
 */
function skillText(registry: SkillRegistry, name: string): string {
  const { record, folder } = registry.get(name);
  const files = readdirRecursive(folder.dir).sort().slice(0, 200);
  const inputs = folder.manifest.inputs;
  const run =
    record.kind === "script"
      ? `\nRun it with run_skill {"name": "${name}", "args": …}${inputs ? `; inputs: ${JSON.stringify(inputs)}` : ""}.`
      : "";
  return [
    `Skill ${name} (${record.kind}): ${record.description}${run}`,
    `Its files (read-only; read them with read_file when the instructions point to them):`,
    ...files.map((file) => `- skill://${name}/${file}`),
    "",
    `=== skill://${name}/SKILL.md (instructions, in full)`,
    folder.instructions,
  ].join("\n");
}

/** The skills section's heading and closing line, as the model has seen them since skills began. */
const SKILLS_HEADING = "Validated skills that fit this task (prefer running one with run_skill over writing new code):";
const SKILLS_FOOTER =
  "Before you follow a skill, read its full instructions with read_file skill://<name>/SKILL.md; the files they mention are under skill://<name>/ (read-only).";

/** The skills source gathers at once (a local full-text search), so skillContext can stay synchronous. */
export interface SkillsContextSource extends ContextSource {
  gather(query: ContextQuery): ContextPiece[];
}

/**
 * The few skills most relevant to a task, as context: each one's name and description only, one
 * piece per skill, most relevant first (the registry's search order). The full instructions
 * load when a skill is used (find_skills with its exact name, or read_file
 * skill://<name>/SKILL.md), as the Agent Skills format intends. `limit` (skills.context_limit)
 * caps how many are searched for; an agent without run_skill is told only of instruction skills.
 */
export function skillsContextSource(
  registry: Pick<SkillRegistry, "search" | "get">,
  limit: number,
  canRun: boolean,
): SkillsContextSource {
  return {
    name: "skills",
    section: "skills",
    heading: SKILLS_HEADING,
    footer: SKILLS_FOOTER,
    gather({ task }) {
      if (limit === 0) return [];
      const relevant = registry.search(task, limit).filter((s) => canRun || s.kind === "instructions");
      return relevant.map((s, i) => {
        const inputs = s.kind === "instructions" ? undefined : registry.get(s.name).folder.manifest.inputs;
        const text =
          s.kind === "instructions"
            ? `- ${s.name} (instructions): ${s.description}`
            : `- ${s.name}: ${s.description}${inputs ? ` Inputs: ${JSON.stringify(inputs)}` : ""}`;
        return contextPiece({ source: "skills", section: "skills", id: s.name, text, score: relevant.length - i });
      });
    },
  };
}

/**
 * The skills section alone, with no budget: what the system prompt gained before context was
 * budgeted. Kept until the orchestrator gathers context through gatherContext.
 */
export function skillContext(
  registry: Pick<SkillRegistry, "search" | "get">,
  input: string,
  limit: number,
  canRun: boolean,
): string {
  const source = skillsContextSource(registry, limit, canRun);
  const pieces = source.gather({ task: input, agent: "" });
  return packContext(pieces, { total: Number.POSITIVE_INFINITY, sections: {} }, layoutsOf([source])).text;
}

/** The skills under $HOB_HOME/skills and the managed repository's skills/, with the limits and sandbox mode from config. */
export function createSkillRegistry(config: LoadedConfig, store: Store, now?: () => number): SkillRegistry {
  return new SkillRegistry({
    dir: `${config.paths.home}/skills`,
    managedDir: join(config.paths.managedRepo, "skills"),
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
