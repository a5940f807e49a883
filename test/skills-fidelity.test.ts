import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { REPO_ROOT, runCli, tempHome, testEnv } from "./helpers.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "skills");
const tool = (name: string, input: Record<string, unknown>): FakeReply => ({ kind: "tool_use", name, input });
const say = (text: string): FakeReply => ({ kind: "text", text });

interface Listed {
  name: string;
  status: string;
  kind: string | null;
  error?: string;
}
interface Report {
  ok: boolean;
  findings: Array<{ rule: string; severity: string; message: string; file?: string }>;
}

/**
 * Each fixture has the shape of a real skill (anthropics/skills, vercel-labs/agent-skills,
 * OpenClaw), and the outcome it should have: its state in `hob skills list`, and a finding
 * or a reason that explains it.
 */
const TABLE: Array<{ folder: string; status: string; rule?: string; severity?: string; reason?: RegExp }> = [
  // anthropics/skills pdf: license, a body over 2,000 characters, FORMS.md, reference.md, scripts/
  { folder: "pdf-forms", status: "active" },
  { folder: "bom-skill", status: "active" },
  { folder: "folder-mismatch", status: "active", rule: "manifest-warning", severity: "warning", reason: /folder is "folder-mismatch" but SKILL.md names "other-name"/ },
  { folder: "long-description", status: "invalid", reason: /`description`: is longer than 1024 characters/ },
  { folder: "Upper-Case", status: "invalid", reason: /`name` "Upper-Case": use 1–64 lowercase letters/ },
  { folder: "leading-hyphen", status: "invalid", reason: /`name` "-leading-hyphen": .*no hyphen at the start/ },
  { folder: "double--hyphen", status: "invalid", reason: /`name` "double--hyphen": .*no two in a row/ },
  { folder: "no-front-matter", status: "invalid", reason: /must start with YAML front matter/ },
  { folder: "colon-description", status: "invalid", reason: /invalid front matter: .*quote a value/ },
  { folder: "legacy-hob", status: "active", rule: "manifest-warning", severity: "warning", reason: /top level \(language, entrypoint, version\) are deprecated/ },
  { folder: "hob-metadata", status: "active" },
  // mcp-builder: its script starts the server through stdio_client
  { folder: "mcp-client", status: "rejected", rule: "process-spawn", severity: "blocking", reason: /mcp\.client\.stdio/ },
  // vercel-labs deploy shape: "$TEMP_DIR/…" and --exclude='.env' are not findings
  { folder: "package-site", status: "active" },
  { folder: "unused-import", status: "active", rule: "F401", severity: "warning" },
  { folder: "xlsx-recalc", status: "active" },
];

describe("real-shape skills: nothing vanishes, every outcome is explained", () => {
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home);
    cpSync(FIXTURES, join(home, "skills"), { recursive: true });
  });
  afterAll(() => cleanup());

  it("lists every fixture folder with its state", async () => {
    const run = await runCli(["skills", "list", "--json"], { env });
    expect(run.code).toBe(0);
    const listed = run.json() as Listed[];
    expect(listed.map((s) => s.name).sort()).toEqual(TABLE.map((t) => t.folder).sort());
    for (const row of TABLE) {
      const entry = listed.find((s) => s.name === row.folder) as Listed;
      expect({ name: entry.name, status: entry.status }).toEqual({ name: row.folder, status: row.status });
      if (row.status === "invalid") expect(entry.error).toMatch(row.reason as RegExp);
    }
    const text = await runCli(["skills", "list"], { env });
    expect(text.stdout).toMatch(/long-description\s+invalid/);
  });

  it.each(TABLE)("explains $folder ($status) in show and validate", async (row) => {
    const validated = await runCli(["skills", "validate", "--json", row.folder], { env });
    const report = validated.json() as Report;
    expect(report.ok).toBe(row.status === "active");
    expect(validated.code).toBe(row.status === "active" ? 0 : 1);
    if (row.status === "invalid") {
      expect(report.findings).toEqual([expect.objectContaining({ rule: "invalid-skill", severity: "blocking" })]);
      expect(report.findings[0]?.message).toMatch(row.reason as RegExp);
      const shown = await runCli(["skills", "show", "--json", row.folder], { env });
      expect(shown.json()).toMatchObject({ name: row.folder, status: "invalid", validation: { ok: false } });
      expect((await runCli(["skills", "show", row.folder], { env })).stdout).toContain("invalid-skill");
      expect((await runCli(["skills", "enable", row.folder], { env })).stderr).toContain("is invalid");
    } else if (row.rule) {
      const finding = report.findings.find((f) => f.rule === row.rule);
      expect(finding).toMatchObject({ severity: row.severity });
      if (row.reason) expect(finding?.message).toMatch(row.reason);
    } else {
      expect(report.findings.filter((f) => f.severity === "blocking")).toEqual([]);
    }
  });

  it("does not re-validate a folder/name mismatch on every command", async () => {
    await runCli(["skills", "list"], { env });
    const before = (await runCli(["skills", "show", "--json", "folder-mismatch"], { env })).json() as {
      validation: { at: string };
      updated_at: string;
    };
    await runCli(["skills", "list"], { env });
    const after = (await runCli(["skills", "show", "--json", "folder-mismatch"], { env })).json() as typeof before;
    expect(after.validation.at).toBe(before.validation.at);
    expect(after.updated_at).toBe(before.updated_at);
  });
});

/** Anthropic's skill-creator/scripts/quick_validate.py, re-implemented: its rules for SKILL.md. */
function quickValidate(skillMd: string): string | true {
  if (!skillMd.startsWith("---")) return "No YAML frontmatter found";
  const match = /^---\n([\s\S]*?)\n---/.exec(skillMd);
  if (!match) return "Invalid frontmatter format";
  const front = parse(match[1] as string) as Record<string, unknown>;
  if (!front || typeof front !== "object" || Array.isArray(front)) return "Frontmatter must be a YAML dictionary";
  const allowed = new Set(["name", "description", "license", "allowed-tools", "metadata", "compatibility"]);
  const unexpected = Object.keys(front).filter((k) => !allowed.has(k));
  if (unexpected.length) return `Unexpected key(s) in SKILL.md frontmatter: ${unexpected.sort().join(", ")}`;
  if (!("name" in front)) return "Missing 'name' in frontmatter";
  if (!("description" in front)) return "Missing 'description' in frontmatter";
  if (typeof front.name !== "string") return "Name must be a string";
  const name = front.name.trim();
  if (name) {
    if (!/^[a-z0-9-]+$/.test(name)) return `Name '${name}' should be kebab-case`;
    if (name.startsWith("-") || name.endsWith("-") || name.includes("--"))
      return `Name '${name}' cannot start/end with hyphen or contain consecutive hyphens`;
    if (name.length > 64) return "Name is too long";
  }
  if (typeof front.description !== "string") return "Description must be a string";
  const description = front.description.trim();
  if (/[<>]/.test(description)) return "Description cannot contain angle brackets (< or >)";
  if (description.length > 1024) return "Description is too long";
  if ("compatibility" in front) {
    const c = front.compatibility;
    if (typeof c !== "string" || !c || c.length > 500) return "Compatibility must be a string of 1–500 characters";
  }
  return true;
}

describe("hob's own skills pass Anthropic's quick_validate rules", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => ({ home, cleanup } = tempHome()));
  afterEach(() => cleanup());

  it("rejects the old shape (hob's fields at the top level), so the rules are really applied", () => {
    expect(quickValidate(readFileSync(join(FIXTURES, "legacy-hob", "SKILL.md"), "utf8"))).toMatch(/Unexpected key/);
    expect(quickValidate(readFileSync(join(FIXTURES, "double--hyphen", "SKILL.md"), "utf8"))).toMatch(/consecutive/);
  });

  it.each(["python", "javascript", "bash"])("the %s template from `hob skills new` passes unchanged", async (lang) => {
    const env = testEnv(home);
    const created = await runCli(["skills", "new", "--json", `hello-${lang}`, "--lang", lang], { env });
    expect(created.json()).toMatchObject({ validation: { ok: true } });
    const skillMd = readFileSync(join(home, "skills", `hello-${lang}`, "SKILL.md"), "utf8");
    expect(quickValidate(skillMd)).toBe(true);
    expect(parse(skillMd.split("---")[1] as string)).toMatchObject({ metadata: { hob: { language: lang } } });
    const report = (await runCli(["skills", "validate", "--json", `hello-${lang}`], { env })).json() as Report;
    expect(report.findings.filter((f) => f.rule === "manifest-warning")).toEqual([]);
  });

  it("`hob skills new` refuses a name the spec refuses", async () => {
    const run = await runCli(["skills", "new", "bad--name", "--lang", "bash"], { env: testEnv(home) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no two in a row");
  });
});
