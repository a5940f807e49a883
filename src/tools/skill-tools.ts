import { z } from "zod";
import { HobError } from "../errors/index.js";
import type { SkillProposal, SkillsAccess, Tool, ToolContext } from "./types.js";

function skills(ctx: ToolContext) {
  if (!ctx.skills) throw new HobError("E_TOOL", "Skills are not available in this task.");
  return ctx.skills;
}

/**
 * Optional on the skills access: one skill in full (its whole instructions and the list of its
 * files), or undefined when no active skill has that exact name.
 */
type WithRead = SkillsAccess & { read?(name: string): string | undefined };

export const findSkills: Tool<{ query: string }> = {
  name: "find_skills",
  description:
    "Search the validated skills (reusable scripts and instructions) for one that fits the task. With a skill's exact name as the query, returns that skill's full instructions and the list of its files (readable with read_file as skill://<name>/<file>).",
  params: z.object({ query: z.string().min(1) }),
  readOnly: true,
  async assess(args) {
    return {
      preview: { tool: "find_skills", summary: `find skills for "${args.query}"`, targets: [] },
      situations: [],
      fingerprint: "",
    };
  },
  async execute(args, ctx) {
    const access = skills(ctx) as WithRead;
    const exact = typeof access.read === "function" ? access.read(args.query.trim()) : undefined;
    if (exact !== undefined) return exact;
    const found = access.find(args.query);
    if (found.length === 0) return "No matching skills.";
    const list = found
      .map(
        (s) => `- ${s.name} (${s.kind}): ${s.description}${s.inputs ? `\n  inputs: ${JSON.stringify(s.inputs)}` : ""}`,
      )
      .join("\n");
    return `${list}\nA skill's full instructions: find_skills with its exact name as the query.`;
  },
};

export const runSkillTool: Tool<{ name: string; args?: string[] | Record<string, unknown> }> = {
  name: "run_skill",
  description:
    "Run a skill by name in the sandbox, on the workspace. `args` is an object matching the skill's inputs (given on stdin as JSON) or a list of command-line arguments.",
  params: z.object({
    name: z.string().min(1),
    args: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
  }),
  readOnly: false,
  async assess(args) {
    return {
      preview: { tool: "run_skill", summary: `run the skill ${args.name}`, targets: [args.name] },
      situations: [],
      fingerprint: "",
    };
  },
  async execute(args, ctx) {
    return skills(ctx).run(args.name, args.args);
  },
};

const proposal = z.object({
  // The Agent Skills name rule (as SKILL_NAME in src/skills/format.ts).
  name: z.string().regex(/^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$/),
  description: z.string().min(1).max(1024),
  language: z.enum(["python", "javascript", "bash"]),
  code: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()).optional(),
  tests: z
    .array(
      z.object({
        name: z.string().optional(),
        args: z.array(z.string()).optional(),
        input: z.unknown().optional(),
        exit_code: z.number().int().optional(),
        output: z.string().optional(),
      }),
    )
    .optional(),
});

export const createSkill: Tool<z.infer<typeof proposal>> = {
  name: "create_skill",
  description:
    "Save a script that worked as a reusable skill: name (lowercase-dashes), description, language (python|javascript|bash), code, inputs (JSON Schema of the input object), tests ([{input or args, exit_code, output regex}]). It is validated, then a human approves it.",
  params: proposal,
  readOnly: false,
  async assess(args, ctx) {
    const access = skills(ctx);
    const checked = await access.check(args);
    if (checked.blocking.length > 0) {
      throw new HobError("E_VALIDATION", `The skill was rejected by validation:\n- ${checked.blocking.join("\n- ")}`, {
        hint: "Fix these and propose it again.",
      });
    }
    const existing = await currentSkill(access, args);
    if (!existing) {
      return {
        preview: {
          tool: "create_skill",
          summary: `create the skill ${args.name} (${args.language})`,
          targets: [args.name],
          diff: checked.preview,
        },
        situations: ["self_modification"],
        fingerprint: checked.fingerprint,
      };
    }
    // Replacing a skill someone relies on is an overwrite as well as self-modification:
    // the human sees "replace" and what changes, and the overwrite policy applies.
    const diff = existing.files ? await filesDiff(existing.files, checked.preview) : undefined;
    return {
      preview: {
        tool: "create_skill",
        summary: `replace the existing skill ${args.name} (${args.language})`,
        targets: [args.name],
        diff: diff
          ? `${diff}\n=== the proposal as validated\n${checked.preview}`
          : `(the current files of ${args.name} could not be read for a diff)\n${checked.preview}`,
      },
      situations: ["self_modification", "overwrite"],
      // The approval is void if the skill on disk changes before it is replaced.
      fingerprint: `${checked.fingerprint}:${existing.files ? JSON.stringify(existing.files) : "exists"}`,
    };
  },
  async execute(args, ctx) {
    return skills(ctx).create(args);
  },
};

/**
 * Optional on the skills access: the current files of a skill (path → content), so a
 * replacement can be shown as a diff. Where the access does not offer it, an existing
 * skill is still recognised by its exact name among the searchable ones.
 */
type WithCurrent = SkillsAccess & { current?(name: string): Record<string, string> | undefined };

async function currentSkill(
  access: SkillsAccess,
  proposal: SkillProposal,
): Promise<{ files: Record<string, string> | undefined } | undefined> {
  const withCurrent = access as WithCurrent;
  if (typeof withCurrent.current === "function") {
    const files = withCurrent.current(proposal.name);
    return files ? { files } : undefined;
  }
  return access.find(proposal.name).some((s) => s.name === proposal.name) ? { files: undefined } : undefined;
}

/** A unified diff of each file the proposal writes against the skill's current file. */
async function filesDiff(current: Record<string, string>, preview: string): Promise<string> {
  const proposed = proposedFiles(preview);
  const { createTwoFilesPatch } = await import("diff");
  const paths = [...new Set([...Object.keys(current), ...Object.keys(proposed)])].sort();
  return paths
    .filter((path) => current[path] !== proposed[path])
    .map((path) => createTwoFilesPatch(`a/${path}`, `b/${path}`, current[path] ?? "", proposed[path] ?? "", "", ""))
    .join("\n");
}

/** The files of a proposal, read back from the validated preview (`=== path` blocks, until `=== validation`). */
function proposedFiles(preview: string): Record<string, string> {
  const files: Record<string, string> = {};
  const blocks = preview.split(/^=== /m).slice(1);
  for (const block of blocks) {
    const newline = block.indexOf("\n");
    const path = block.slice(0, newline);
    if (path === "validation") break;
    files[path] = block.slice(newline + 1).replace(/\n$/, "");
  }
  return files;
}
