import { z } from "zod";
import { HobError } from "../errors/index.js";
import type { Tool, ToolContext } from "./types.js";

function skills(ctx: ToolContext) {
  if (!ctx.skills) throw new HobError("E_TOOL", "Skills are not available in this task.");
  return ctx.skills;
}

export const findSkills: Tool<{ query: string }> = {
  name: "find_skills",
  description: "Search the validated skills (reusable scripts and instructions) for one that fits the task.",
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
    const found = skills(ctx).find(args.query);
    if (found.length === 0) return "No matching skills.";
    return found
      .map(
        (s) => `- ${s.name} (${s.kind}): ${s.description}${s.inputs ? `\n  inputs: ${JSON.stringify(s.inputs)}` : ""}`,
      )
      .join("\n");
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
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
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
    const checked = await skills(ctx).check(args);
    if (checked.blocking.length > 0) {
      throw new HobError("E_VALIDATION", `The skill was rejected by validation:\n- ${checked.blocking.join("\n- ")}`, {
        hint: "Fix these and propose it again.",
      });
    }
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
  },
  async execute(args, ctx) {
    return skills(ctx).create(args);
  },
};
