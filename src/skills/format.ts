import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { HobError } from "../errors/index.js";

export const SKILL_LANGUAGES = ["python", "javascript", "bash"] as const;
export type SkillLanguage = (typeof SKILL_LANGUAGES)[number];

const jsonSchema = z.record(z.string(), z.unknown());

/**
 * SKILL.md front matter: the Agent Skills standard's `name` and `description`, plus
 * hob's fields. Other standard or foreign keys (license, allowed-tools, metadata, …)
 * are kept and ignored, so skills written for other agents load.
 */
export const manifestSchema = z.looseObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "use 1–64 lowercase letters, digits and dashes"),
  description: z.string().min(1).max(1024),
  language: z.enum(SKILL_LANGUAGES).optional(),
  entrypoint: z.string().min(1).optional(),
  inputs: jsonSchema.optional(),
  output_schema: jsonSchema.optional(),
  permissions: z
    .object({ network: z.union([z.literal(false), z.array(z.string())]).default(false) })
    .default({ network: false }),
  version: z.union([z.string(), z.number()]).transform(String).default("1"),
});

export type Manifest = z.infer<typeof manifestSchema>;

export const testCaseSchema = z.object({
  name: z.string().optional(),
  args: z.array(z.string()).default([]),
  input: z.unknown().optional(),
  exit_code: z.number().int().default(0),
  /** A regular expression the output must match. */
  output: z.string().optional(),
});
export type TestCase = z.infer<typeof testCaseSchema>;

export interface SkillFolder {
  dir: string;
  manifest: Manifest;
  /** The Markdown after the front matter. */
  instructions: string;
  /** The raw SKILL.md (scanned for hidden characters too). */
  skillMd: string;
  /** Present for script skills: the entrypoint's source. */
  code?: string;
  tests: TestCase[];
  contentHash: string;
}

export function kindOf(manifest: Manifest): "script" | "instructions" {
  return manifest.language && manifest.entrypoint ? "script" : "instructions";
}

/** Splits `---\nyaml\n---\nmarkdown`. */
export function splitFrontMatter(text: string, file: string): { data: unknown; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new HobError("E_CONFIG", `${file}: SKILL.md must start with YAML front matter between --- lines.`);
  const doc = parseDocument(match[1] as string);
  if (doc.errors[0])
    throw new HobError("E_CONFIG", `${file}: invalid front matter: ${doc.errors[0].message.split("\n")[0]}.`);
  return { data: doc.toJS(), body: (match[2] as string).trim() };
}

/** Loads and checks a skill folder (SKILL.md, the entrypoint, tests/cases.json). */
export function readSkillFolder(dir: string): SkillFolder {
  const file = join(dir, "SKILL.md");
  let skillMd: string;
  try {
    skillMd = readFileSync(file, "utf8");
  } catch {
    throw new HobError("E_CONFIG", `${dir} has no SKILL.md.`, { hint: "`hob skills new <name>` writes one." });
  }
  const { data, body } = splitFrontMatter(skillMd, file);
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new HobError("E_CONFIG", `${file}: \`${issue.path.join(".") || "front matter"}\`: ${issue.message}.`);
  }
  const manifest = parsed.data;
  if ((manifest.language === undefined) !== (manifest.entrypoint === undefined)) {
    throw new HobError("E_CONFIG", `${file}: a script skill needs both \`language\` and \`entrypoint\`.`);
  }
  let code: string | undefined;
  if (manifest.entrypoint) {
    const entry = join(dir, manifest.entrypoint);
    if (relative(dir, entry).startsWith(".."))
      throw new HobError("E_CONFIG", `${file}: the entrypoint must be inside the skill folder.`);
    try {
      code = readFileSync(entry, "utf8");
    } catch {
      throw new HobError("E_CONFIG", `${file}: the entrypoint ${manifest.entrypoint} does not exist.`);
    }
  }
  let tests: TestCase[] = [];
  try {
    const raw = JSON.parse(readFileSync(join(dir, "tests", "cases.json"), "utf8"));
    tests = z.array(testCaseSchema).parse(raw);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new HobError(
        "E_CONFIG",
        `${join(dir, "tests", "cases.json")}: ${(error as Error).message.split("\n")[0]}.`,
      );
    }
  }
  return { dir, manifest, instructions: body, skillMd, code, tests, contentHash: hashFolder(dir) };
}

/** SHA-256 over every file's path and bytes (git's own files excluded). */
export function hashFolder(dir: string): string {
  const hash = createHash("sha256");
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (name === ".git") continue;
      const full = join(current, name);
      const stats = statSync(full);
      if (stats.isDirectory()) walk(full);
      else if (stats.isFile())
        hash
          .update(`${relative(dir, full).split(sep).join("/")}\0`)
          .update(readFileSync(full))
          .update("\0");
    }
  };
  walk(dir);
  return hash.digest("hex");
}

// The template sources contain ${…} of their own languages, not of this file.
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: JavaScript and Bash templates
const TEMPLATES: Record<SkillLanguage, { file: string; code: string }> = {
  python: {
    file: "scripts/main.py",
    code: 'import json\nimport sys\n\n\ndef main() -> None:\n    data = json.load(sys.stdin) if not sys.stdin.isatty() else {}\n    name = data.get("name", "world")\n    print(f"Hello, {name}!")\n\n\nif __name__ == "__main__":\n    main()\n',
  },
  javascript: {
    file: "scripts/main.mjs",
    code: 'import { readFileSync } from "node:fs";\n\nconst raw = readFileSync(0, "utf8");\nconst data = raw.trim() ? JSON.parse(raw) : {};\nconsole.log(`Hello, ${data.name ?? "world"}!`);\n',
  },
  bash: {
    file: "scripts/main.sh",
    code: '#!/usr/bin/env bash\nset -euo pipefail\n\nname="${1:-world}"\necho "Hello, ${name}!"\n',
  },
};

// biome-ignore-end lint/suspicious/noTemplateCurlyInString: JavaScript and Bash templates

/** The files `hob skills new` writes: SKILL.md with the standard header, a script, and a test. */
export function skillTemplate(name: string, language: SkillLanguage): Record<string, string> {
  const template = TEMPLATES[language];
  const skillMd = `---
name: ${name}
description: Says hello. Replace this with one sentence on what the skill does and when to use it.
language: ${language}
entrypoint: ${template.file}
version: 1
inputs:
  type: object
  properties:
    name: { type: string, description: who to greet }
permissions:
  network: false
---

# ${name}

Explain here, for the agent, when to use this skill and what it returns.
`;
  const cases =
    language === "bash"
      ? [{ args: ["Ada"], exit_code: 0, output: "Hello, Ada!" }]
      : [{ input: { name: "Ada" }, exit_code: 0, output: "Hello, Ada!" }];
  return {
    "SKILL.md": skillMd,
    [template.file]: template.code,
    "tests/cases.json": `${JSON.stringify(cases, null, 2)}\n`,
  };
}
