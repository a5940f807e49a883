import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FakeAnthropic, type FakeReply } from "./fakes/anthropic.js";
import { HOB_BIN, REPO_ROOT, runCli, tempHome, testEnv } from "./helpers.js";

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
 * or a reason that explains it. The texts are our own; the shapes were read from:
 * - pdf-forms, mcp-client, unused-import: anthropics/skills (pdf/, mcp-builder/).
 * - package-site, xlsx-recalc: written from memory (vercel-labs deploy script, an OpenClaw-style
 *   spreadsheet skill), not checked against a real file.
 * - 2fa-vault: openclaw/openclaw skills/1password/SKILL.md (a name that starts with a digit, a
 *   top-level `homepage`, a references/ folder), skills/github/SKILL.md (a quoted description with
 *   backticks), skills/apple-notes/SKILL.md; the multi-line JSON `metadata: { "openclaw": … }` with
 *   `user-invocable` at the top level as OpenClaw skill-builder/skill-creator skills write it.
 * - web-a11y-rules: vercel-labs/agent-skills skills/accessibility-best-practices/ (license, metadata
 *   author/version, a rules/ folder of many .md files with _sections.md and _template.md, metadata.json,
 *   AGENTS.md) and skills/vercel-deploy-claimable/SKILL.md (a list under metadata: `features`).
 * - perf-guide: vercel-labs/agent-skills skills/react-best-practices/SKILL.md (no metadata, a
 *   multi-sentence description, references/ with references/rules/); `allowed-tools` as a YAML list
 *   with `Bash(…)` patterns, as Claude Code skills write it.
 */
const TABLE: Array<{ folder: string; status: string; rule?: string; severity?: string; reason?: RegExp }> = [
  // anthropics/skills pdf: license, a body over 2,000 characters, FORMS.md, reference.md, scripts/
  { folder: "pdf-forms", status: "active" },
  { folder: "bom-skill", status: "active" },
  {
    folder: "folder-mismatch",
    status: "active",
    rule: "manifest-warning",
    severity: "warning",
    reason: /folder is "folder-mismatch" but SKILL.md names "other-name"/,
  },
  { folder: "long-description", status: "invalid", reason: /`description`: is longer than 1024 characters/ },
  { folder: "Upper-Case", status: "invalid", reason: /`name` "Upper-Case": use 1–64 lowercase letters/ },
  { folder: "leading-hyphen", status: "invalid", reason: /`name` "-leading-hyphen": .*no hyphen at the start/ },
  { folder: "double--hyphen", status: "invalid", reason: /`name` "double--hyphen": .*no two in a row/ },
  { folder: "no-front-matter", status: "invalid", reason: /must start with YAML front matter/ },
  { folder: "colon-description", status: "invalid", reason: /invalid front matter: .*quote a value/ },
  {
    folder: "legacy-hob",
    status: "active",
    rule: "manifest-warning",
    severity: "warning",
    reason: /top level \(language, entrypoint, version\) are deprecated/,
  },
  { folder: "hob-metadata", status: "active" },
  // mcp-builder: its script starts the server through stdio_client
  {
    folder: "mcp-client",
    status: "rejected",
    rule: "process-spawn",
    severity: "blocking",
    reason: /mcp\.client\.stdio/,
  },
  // vercel-labs deploy shape: "$TEMP_DIR/…" and --exclude='.env' are not findings
  { folder: "package-site", status: "active" },
  { folder: "unused-import", status: "active", rule: "F401", severity: "warning" },
  { folder: "xlsx-recalc", status: "active" },
  // OpenClaw: other agents' top-level keys are a warning, not a refusal; a digit-led name is valid
  {
    folder: "2fa-vault",
    status: "active",
    rule: "manifest-warning",
    severity: "warning",
    reason: /^homepage, user-invocable: not keys of the Agent Skills specification; ignored$/,
  },
  { folder: "web-a11y-rules", status: "active" },
  { folder: "perf-guide", status: "active" },
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

describe("progressive disclosure through the real tool loop", () => {
  let anthropic: FakeAnthropic;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    anthropic = await FakeAnthropic.start();
  });
  afterAll(() => anthropic.close());
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home, anthropic.url);
    anthropic.reset();
    mkdirSync(join(home, "skills"), { recursive: true });
    cpSync(join(FIXTURES, "pdf-forms"), join(home, "skills", "pdf-forms"), { recursive: true });
    mkdirSync(join(home, "workspace"), { recursive: true });
  });
  afterEach(() => cleanup());

  it("names and describes the skill up front; the agent reads all of SKILL.md and FORMS.md through read_file", async () => {
    anthropic.enqueue(
      tool("read_file", { path: "skill://pdf-forms/SKILL.md" }),
      tool("read_file", { path: "skill://pdf-forms/FORMS.md" }),
      tool("list_directory", { path: "skill://pdf-forms/scripts" }),
      say("Run check_fields.py first."),
    );
    const run = await runCli(
      ["run", "--json", "--agent", "fileops", "--tier", "fast", "fill in the pdf form tax.pdf for me"],
      { env },
    );
    expect(run.json()).toMatchObject({ status: "succeeded" });
    const system = JSON.stringify(anthropic.messageRequests[0]?.body.system);
    expect(system).toContain(
      "pdf-forms (instructions): Use this skill whenever the user wants to do anything with PDF",
    );
    expect(system).toContain("skill://<name>/SKILL.md");
    expect(system).not.toContain("PDF Processing Guide"); // the body loads when the skill is used
    const messages = JSON.stringify(anthropic.messageRequests.at(-1)?.body.messages);
    expect(messages).toContain("END-OF-PDF-FORMS-INSTRUCTIONS"); // past the old 2,000-character cut
    expect(messages).toContain("FORMS-MARKER");
    expect(messages).toContain("check_fields.py");
  });

  it("find_skills with the exact name returns the whole body and the files; skill folders are never writable", async () => {
    anthropic.enqueue(
      tool("find_skills", { query: "pdf-forms" }),
      tool("write_file", { path: "skill://pdf-forms/FORMS.md", content: "changed" }),
      tool("read_file", { path: "skill://pdf-forms/../../hob.db" }),
      tool("read_file", { path: "skill://no-such-skill/SKILL.md" }),
      say("done"),
    );
    const run = await runCli(["run", "--json", "--agent", "code", "--tier", "fast", "fill the pdf form"], { env });
    expect(run.json()).toMatchObject({ status: "succeeded" });
    const messages = JSON.stringify(anthropic.messageRequests.at(-1)?.body.messages);
    expect(messages).toContain("END-OF-PDF-FORMS-INSTRUCTIONS");
    expect(messages).toContain("skill://pdf-forms/FORMS.md");
    expect(messages).toContain("skill://pdf-forms/scripts/check_fields.py");
    expect(messages).toContain("skill folders are read-only");
    expect(messages).toContain("leads outside the workspace");
    expect(messages).toContain('there is no skill named \\"no-such-skill\\"');
    expect(readFileSync(join(home, "skills", "pdf-forms", "FORMS.md"), "utf8")).toContain("FORMS-MARKER");
    expect(existsSync(join(home, "workspace", "skill:"))).toBe(false);
  });

  it("does not let the agent read a disabled skill's folder", async () => {
    expect((await runCli(["skills", "disable", "pdf-forms"], { env })).code).toBe(0);
    anthropic.enqueue(tool("read_file", { path: "skill://pdf-forms/FORMS.md" }), say("done"));
    await runCli(["run", "--json", "--agent", "fileops", "--tier", "fast", "fill the pdf form"], { env });
    const messages = JSON.stringify(anthropic.messageRequests.at(-1)?.body.messages);
    expect(messages).not.toContain("FORMS-MARKER");
    expect(messages).toContain('there is no skill named \\"pdf-forms\\"');
  });
});

describe("hob skills add", () => {
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home);
  });
  afterEach(() => cleanup());

  const expectInstalledDisabled = async (json: Record<string, unknown>, name: string) => {
    expect(json).toMatchObject({ installed: name, status: "disabled", enable: `hob skills enable ${name}` });
    const dir = join(home, "skills", name);
    expect(execFileSync("git", ["-C", dir, "log", "--oneline"], { encoding: "utf8" })).toContain(
      `Install skill ${name} from`,
    );
    const listed = (await runCli(["skills", "list", "--json"], { env })).json() as Listed[];
    expect(listed).toContainEqual(expect.objectContaining({ name, status: "disabled" }));
    expect((await runCli(["skills", "enable", "--json", name], { env })).json()).toMatchObject({ status: "active" });
  };

  it("installs a folder disabled, shows what it may do, and says how to enable it", async () => {
    const run = await runCli(["skills", "add", join(FIXTURES, "pdf-forms")], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("kind: instructions");
    expect(run.stdout).toContain("scripts: scripts/check_fields.py");
    expect(run.stdout).toContain("network: none");
    expect(run.stdout).toContain("Enable it with: hob skills enable pdf-forms");
    expect(existsSync(join(home, "skills", "pdf-forms", "FORMS.md"))).toBe(true);
    const again = await runCli(["skills", "add", join(FIXTURES, "pdf-forms")], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already installed");
  });

  it("installs a script skill from a file:// git repository (git clone --depth 1)", async () => {
    const repo = join(home, "src-repo");
    cpSync(join(FIXTURES, "hob-metadata"), repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "skill");
    const run = await runCli(["skills", "add", "--json", `file://${repo}`], { env });
    expect(run.code).toBe(0);
    const json = run.json() as Record<string, unknown>;
    expect(json).toMatchObject({ kind: "script", language: "bash", entrypoint: "scripts/main.sh", network: false });
    expect(existsSync(join(home, "skills", "hob-metadata", ".git", "config"))).toBe(true);
    await expectInstalledDisabled(json, "hob-metadata");
    expect((await runCli(["skills", "run", "hob-metadata", "Ada"], { env })).stdout).toBe("Hello, Ada!\n");
  });

  it("installs from a .zip whose skill sits in a top-level folder, leaving out symbolic links", async () => {
    const stage = join(home, "stage");
    cpSync(join(FIXTURES, "xlsx-recalc"), join(stage, "xlsx-recalc"), { recursive: true });
    execFileSync("ln", ["-s", "/etc/passwd", join(stage, "xlsx-recalc", "passwd")]);
    execFileSync("zip", ["-qry", join(home, "skill.zip"), "xlsx-recalc"], { cwd: stage });
    const run = await runCli(["skills", "add", "--json", join(home, "skill.zip")], { env });
    expect(run.code).toBe(0);
    const json = run.json() as Record<string, unknown>;
    expect(json.skipped).toEqual(["passwd (a symbolic link)"]);
    expect(existsSync(join(home, "skills", "xlsx-recalc", "passwd"))).toBe(false);
    await expectInstalledDisabled(json, "xlsx-recalc");
  });

  it("refuses a .zip with a path outside its folder, and a source that is none of the three", async () => {
    const zip = join(home, "evil.zip");
    execFileSync("python3", [
      "-c",
      "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w')\nz.writestr('../evil/SKILL.md', '---\\nname: evil\\ndescription: x\\n---\\n')\nz.close()",
      zip,
    ]);
    const run = await runCli(["skills", "add", zip], { env });
    expect(run.stderr).toContain("holds a path outside its folder");
    expect(existsSync(join(home, "evil"))).toBe(false);
    const nothing = await runCli(["skills", "add", join(home, "nope")], { env });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("is not a folder, a .zip file or a git URL");
  });

  it("picks one skill out of a folder that holds several with --path, and refuses paths out of it", async () => {
    const stage = join(home, "many");
    for (const name of ["pdf-forms", "xlsx-recalc"]) {
      cpSync(join(FIXTURES, name), join(stage, "skills", name), { recursive: true });
    }
    const several = await runCli(["skills", "add", stage], { env });
    expect(several.code).toBe(2);
    expect(several.stderr).toContain("holds several skills: skills/pdf-forms, skills/xlsx-recalc.");
    expect(several.stderr).toContain(`hob skills add ${stage} --path skills/pdf-forms`);
    execFileSync("ln", ["-s", join(FIXTURES, "hob-metadata"), join(stage, "outside")]);
    const refused: Array<[string, string]> = [
      ["../many/skills/pdf-forms", '--path must be a relative folder inside the source, without ".."'],
      [join(stage, "skills", "pdf-forms"), "--path must be a relative folder inside the source"],
      ["skills/nope", "has no folder skills/nope"],
      ["skills", `skills in ${stage} holds no SKILL.md`],
      ["outside", "--path outside leads out of"],
    ];
    for (const [path, message] of refused) {
      const run = await runCli(["skills", "add", "--json", stage, "--path", path], { env });
      expect(run.code, path).toBe(2);
      const { error } = run.json() as { error: { code: string; message: string } };
      expect(error.code).toBe("E_USAGE");
      expect(error.message, path).toContain(message);
    }
    expect(existsSync(join(home, "skills", "hob-metadata"))).toBe(false);
    const run = await runCli(["skills", "add", "--json", stage, "--path", "skills/xlsx-recalc"], { env });
    expect(run.code).toBe(0);
    await expectInstalledDisabled(run.json() as Record<string, unknown>, "xlsx-recalc");
    expect(existsSync(join(home, "skills", "pdf-forms"))).toBe(false);
  });

  it("picks one skill out of a file:// git repository with --path; one skill under skills/ needs none", async () => {
    const repo = join(home, "skills-repo");
    cpSync(join(FIXTURES, "hob-metadata"), join(repo, "skills", "hob-metadata"), { recursive: true });
    cpSync(join(FIXTURES, "pdf-forms"), join(repo, "skills", "pdf-forms"), { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "skills");
    const several = await runCli(["skills", "add", `file://${repo}`], { env });
    expect(several.code).toBe(2);
    expect(several.stderr).toContain("--path skills/hob-metadata");
    const run = await runCli(["skills", "add", "--json", `file://${repo}`, "--path", "skills/hob-metadata"], { env });
    expect(run.code).toBe(0);
    await expectInstalledDisabled(run.json() as Record<string, unknown>, "hob-metadata");
    expect((await runCli(["skills", "run", "hob-metadata", "Ada"], { env })).stdout).toBe("Hello, Ada!\n");
    git("rm", "-rq", "skills/hob-metadata");
    git("commit", "-qm", "one skill left");
    const single = await runCli(["skills", "add", "--json", `file://${repo}`], { env });
    expect(single.code).toBe(0);
    expect(single.json()).toMatchObject({ installed: "pdf-forms" });
  });

  // The built binary under a pseudo-terminal (util-linux `script`), so the question is really asked
  // (stdin and stdout are a TTY); the answer is typed, ending with Enter (\r). The built binary takes
  // seconds to start and validate (in-process runs do not), hence the longer timeout.
  it.each([
    ["y", "active", "pdf-forms is active."],
    ["n", "disabled", "Enable it with: hob skills enable pdf-forms"],
    ["", "disabled", "Enable it with: hob skills enable pdf-forms"],
  ])(
    'on a terminal, answering %j to "enable it? [y/N]" leaves the skill %s',
    async (answer, status, said) => {
      const child = spawn(
        "script",
        ["-qec", `${process.execPath} ${HOB_BIN} skills add ${join(FIXTURES, "pdf-forms")}`, "/dev/null"],
        { env: { ...env, TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] },
      );
      let screen = "";
      const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d) => {
          screen += d;
          if (screen.includes("Enable pdf-forms so agents can use it? [y/N]")) resolve();
        });
        child.on("close", () => reject(new Error(`no prompt on the terminal:\n${screen}`)));
      });
      child.stdin.write(`${answer}\r`);
      expect(await closed).toBe(0);
      expect(screen).toContain(said);
      const listed = (await runCli(["skills", "list", "--json"], { env })).json() as Listed[];
      expect(listed).toContainEqual(expect.objectContaining({ name: "pdf-forms", status }));
    },
    60_000,
  );

  it("installs a skill that fails validation as rejected, with the reasons", async () => {
    const run = await runCli(["skills", "add", "--json", join(FIXTURES, "mcp-client")], { env });
    expect(run.code).toBe(1);
    expect(run.json()).toMatchObject({ status: "rejected", validation: { ok: false } });
    expect(JSON.stringify(run.json())).toContain("process-spawn");
  });
});

describe("scanner false positives", () => {
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    ({ home, cleanup } = tempHome());
    env = testEnv(home);
  });
  afterEach(() => cleanup());

  const write = (name: string, file: string, code: string) => {
    const dir = join(home, "skills", name);
    mkdirSync(join(dir, "scripts"), { recursive: true });
    writeFileSync(join(dir, "SKILL.md"), `---\nname: ${name}\ndescription: A helper.\n---\n\nSee ${file}.\n`);
    writeFileSync(join(dir, file), code);
  };
  // The scripts contain ${…} of their own languages.
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Bash and JavaScript sources
  const cases: Array<[string, string, string, string | null]> = [
    [
      "sh-quoted-var",
      "scripts/a.sh",
      '#!/usr/bin/env bash\nD="$(mktemp -d)"\ncp x "$D/out.txt"\necho "${D}/y"\n',
      null,
    ],
    ["sh-exclude-env", "scripts/a.sh", "#!/usr/bin/env bash\ntar -czf out.tgz --exclude='.env' .\n", null],
    ["py-fstring-path", "scripts/a.py", 'import sys\n\nout = sys.argv[1]\nprint(f"{out}/report.json")\n', null],
    ["js-template-path", "scripts/a.mjs", "const dir = process.argv[2];\nconsole.log(`${dir}/report.json`);\n", null],
    ["py-unused-import", "scripts/a.py", "import os\n\nprint(1)\n", null],
    // still found:
    ["sh-literal-prefix", "scripts/a.sh", '#!/usr/bin/env bash\ncat "/etc/$NAME"\n', "path-outside-workspace"],
    ["sh-home-ssh", "scripts/a.sh", '#!/usr/bin/env bash\ncat "$HOME/.ssh/id_rsa"\n', "secret-file"],
    [
      "py-fstring-ssh",
      "scripts/a.py",
      'import sys\n\nprint(open(f"{sys.argv[1]}/.ssh/id_rsa").read())\n',
      "secret-file",
    ],
    ["py-subprocess", "scripts/a.py", "import subprocess\n\nsubprocess.run(['ls'], check=True)\n", "process-spawn"],
    [
      "js-mcp-stdio",
      "scripts/a.mjs",
      'import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";\n\nconsole.log(StdioClientTransport);\n',
      "process-spawn",
    ],
  ];
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: Bash and JavaScript sources
  it.each(cases)("%s", async (name, file, code, rule) => {
    write(name, file, code);
    const report = (await runCli(["skills", "validate", "--json", name], { env })).json() as Report;
    const blocking = report.findings.filter((f) => f.severity === "blocking");
    if (rule === null) expect(blocking).toEqual([]);
    else expect(blocking).toContainEqual(expect.objectContaining({ rule }));
    if (name === "py-unused-import")
      expect(report.findings).toContainEqual(expect.objectContaining({ rule: "F401", severity: "warning" }));
  });
});
