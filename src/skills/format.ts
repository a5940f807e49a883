import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, sep } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { HobError } from "../errors/index.js";

export const SKILL_LANGUAGES = ["python", "javascript", "bash"] as const;
export type SkillLanguage = (typeof SKILL_LANGUAGES)[number];

const jsonSchema = z.record(z.string(), z.unknown());

/** The Agent Skills name rule: lowercase letters, digits and single hyphens inside, at most 64 characters. */
export const SKILL_NAME = /^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$/;
export const SKILL_NAME_RULE =
  "use 1–64 lowercase letters, digits and hyphens, with no hyphen at the start or end and no two in a row";

/** The top-level keys of the Agent Skills specification (agentskills.io); anything else is someone's extension. */
export const STANDARD_KEYS = ["name", "description", "license", "allowed-tools", "metadata", "compatibility"] as const;

/** hob's own fields. They live under `metadata.hob`; at the top level they still load, with a warning. */
const HOB_KEYS = ["language", "entrypoint", "version", "inputs", "output_schema", "permissions"] as const;

const hobFields = z.object({
  language: z.enum(SKILL_LANGUAGES).optional(),
  entrypoint: z.string().min(1).optional(),
  inputs: jsonSchema.optional(),
  output_schema: jsonSchema.optional(),
  permissions: z
    .object({ network: z.union([z.literal(false), z.array(z.string())]).default(false) })
    .default({ network: false }),
  version: z.union([z.string(), z.number()]).transform(String).default("1"),
});

/** The standard front matter, as the specification words it. */
const standard = z.looseObject({
  name: z.string({ error: "is required (a string)" }).regex(SKILL_NAME, SKILL_NAME_RULE),
  description: z
    .string({ error: "is required (a string)" })
    .trim()
    .min(1, "must not be empty")
    .max(1024, "is longer than 1024 characters"),
  license: z.string().optional(),
  "allowed-tools": z.union([z.string(), z.array(z.string())]).optional(),
  compatibility: z.string().min(1).max(500, "is longer than 500 characters").optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A loaded SKILL.md: the standard's `name` and `description` (plus license and the other
 * standard keys, kept in `extra`), and hob's fields, read from `metadata.hob`.
 */
export const manifestSchema = hobFields.extend({
  name: z.string(),
  description: z.string(),
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

/** A script file in the skill's folder (the entrypoint or one under scripts/), scanned like the entrypoint. */
export interface SkillScript {
  /** Relative to the skill folder, with forward slashes. */
  path: string;
  language: SkillLanguage;
  code: string;
}

export interface SkillFolder {
  dir: string;
  manifest: Manifest;
  /** The Markdown after the front matter, whole. */
  instructions: string;
  /** The raw SKILL.md (scanned for hidden characters too), without a byte-order mark. */
  skillMd: string;
  /** Present for script skills: the entrypoint's source. */
  code?: string;
  /** Every script in the folder: the entrypoint and the files under scripts/. */
  scripts: SkillScript[];
  tests: TestCase[];
  contentHash: string;
  /** Problems that do not stop the skill from loading (deprecated keys, a folder/name mismatch…). */
  warnings: string[];
}

export function kindOf(manifest: Manifest): "script" | "instructions" {
  return manifest.language && manifest.entrypoint ? "script" : "instructions";
}

const SCRIPT_EXTENSIONS: Record<string, SkillLanguage> = {
  ".py": "python",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".sh": "bash",
  ".bash": "bash",
};

/** The language of a script file by its extension, or undefined for anything else. */
export function scriptLanguage(path: string): SkillLanguage | undefined {
  return SCRIPT_EXTENSIONS[extname(path).toLowerCase()];
}

/** Splits `---\nyaml\n---\nmarkdown` (a leading UTF-8 byte-order mark is dropped). */
export function splitFrontMatter(text: string, file: string): { data: unknown; body: string } {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n([\s\S]*))?$/.exec(text);
  if (!match) throw new HobError("E_CONFIG", `${file}: SKILL.md must start with YAML front matter between --- lines.`);
  const doc = parseDocument(match[1] as string);
  if (doc.errors[0])
    throw new HobError(
      "E_CONFIG",
      `${file}: invalid front matter: ${(doc.errors[0].message.split("\n")[0] as string).replace(/:$/, "")} (quote a value that holds ": ")`,
      {
        hint: 'Quote values that contain a colon followed by a space (description: "Use when: …").',
      },
    );
  return { data: doc.toJS(), body: (match[2] ?? "").trim() };
}

function issueText(file: string, error: z.ZodError, prefix = "", data?: unknown): string {
  const issue = error.issues[0] as z.core.$ZodIssue;
  const where = [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "front matter";
  const value = issue.path.length === 1 && issue.path[0] === "name" ? (data as { name?: unknown }).name : undefined;
  return `${file}: \`${where}\`${typeof value === "string" ? ` "${value}"` : ""}: ${issue.message.replace(/^Invalid input: /, "")}.`;
}

/**
 * Reads SKILL.md's front matter by the Agent Skills specification: `name` and `description`
 * (the spec's rules), the other standard keys, and hob's own fields under `metadata.hob`.
 * hob's fields at the top level still load, with a deprecation warning; unknown keys are
 * kept and named in a warning. `folderName`: the name the folder should carry.
 */
export function parseManifest(
  data: unknown,
  file: string,
  folderName: string,
): { manifest: Manifest; warnings: string[] } {
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new HobError("E_CONFIG", `${file}: the front matter must be a YAML mapping (name: …, description: …).`);
  const parsed = standard.safeParse(data);
  if (!parsed.success) throw new HobError("E_CONFIG", issueText(file, parsed.error, "", data));
  const front = parsed.data as Record<string, unknown> & { name: string; description: string };
  const warnings: string[] = [];
  const legacy = HOB_KEYS.filter((key) => key in front);
  const meta = (front.metadata ?? {}) as Record<string, unknown>;
  const nested = meta.hob;
  if (nested !== undefined && (typeof nested !== "object" || nested === null || Array.isArray(nested)))
    throw new HobError("E_CONFIG", `${file}: \`metadata.hob\` must be a mapping of hob's fields.`);
  if (legacy.length > 0) {
    warnings.push(
      `hob's fields at the top level (${legacy.join(", ")}) are deprecated: move them under \`metadata: { hob: … }\` (other agents reject unknown top-level keys)`,
    );
  }
  const unknown = Object.keys(front).filter(
    (key) => !(STANDARD_KEYS as readonly string[]).includes(key) && !(HOB_KEYS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) warnings.push(`${unknown.join(", ")}: not keys of the Agent Skills specification; ignored`);
  if (/[<>]/.test(front.description))
    warnings.push("the description contains < or >, which Anthropic's skill validator rejects");
  const fields = { ...Object.fromEntries(legacy.map((key) => [key, front[key]])), ...(nested as object) };
  const hob = hobFields.safeParse(fields);
  if (!hob.success)
    throw new HobError("E_CONFIG", issueText(file, hob.error, nested === undefined ? "" : "metadata.hob"));
  if (front.name !== folderName) {
    warnings.push(
      `the folder is "${folderName}" but SKILL.md names "${front.name}"; hob calls it "${folderName}" (rename one so they match)`,
    );
  }
  return { manifest: { ...hob.data, name: front.name, description: front.description }, warnings };
}

/** Script files of a folder (the entrypoint first, then scripts/ in order), relative paths. */
function scriptFiles(dir: string, entrypoint: string | undefined): string[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory() && depth < 8 && entry.name !== "__pycache__" && entry.name !== "node_modules")
        walk(path, depth + 1);
      else if (entry.isFile() && scriptLanguage(entry.name)) found.push(path);
    }
  };
  walk("scripts", 0);
  const entry = entrypoint?.split(sep).join("/").replace(/^\.\//, "");
  return entry ? [entry, ...found.filter((path) => path !== entry)] : found;
}

/** Loads and checks a skill folder (SKILL.md, the entrypoint, scripts/, tests/cases.json). */
export function readSkillFolder(dir: string, options: { folderName?: string } = {}): SkillFolder {
  const file = join(dir, "SKILL.md");
  let skillMd: string;
  try {
    skillMd = readFileSync(file, "utf8");
  } catch {
    throw new HobError("E_CONFIG", `${dir} has no SKILL.md.`, { hint: "`hob skills new <name>` writes one." });
  }
  if (skillMd.startsWith("\uFEFF")) skillMd = skillMd.slice(1);
  const { data, body } = splitFrontMatter(skillMd, file);
  const { manifest, warnings } = parseManifest(data, file, options.folderName ?? basename(dir));
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
  const scripts: SkillScript[] = [];
  const entryPath = manifest.entrypoint?.split(sep).join("/").replace(/^\.\//, "");
  for (const path of scriptFiles(dir, manifest.entrypoint)) {
    const language = path === entryPath && manifest.language ? manifest.language : scriptLanguage(path);
    if (!language) continue;
    try {
      scripts.push({ path, language, code: readFileSync(join(dir, path), "utf8") });
    } catch {
      warnings.push(`${path} could not be read`);
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
  return {
    dir,
    manifest,
    instructions: body,
    skillMd,
    code,
    scripts,
    tests,
    contentHash: hashFolder(dir),
    warnings,
  };
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
metadata:
  hob:
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
