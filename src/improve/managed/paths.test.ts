import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkManagedPath } from "./index.js";

describe("checkManagedPath", () => {
  it.each([
    "agents/code.yaml",
    "agents/pdf-helper.yaml",
    "skills/word-count/SKILL.md",
    "skills/word-count/scripts/main.py",
    "skills/perf-guide/references/rules/async-await-late.md",
    "skills/x/tests/cases.json",
    "routing.yaml",
    "litellm.yaml",
  ])("allows %j", (path) => {
    expect(checkManagedPath(path)).toEqual({ ok: true });
  });

  it.each([
    // git's own files, in every spelling a file system might equate with them
    [".git/config", "git's own"],
    [".git/hooks/pre-commit", "git's own"],
    [".git", "git's own"],
    [".GIT/config", "git's own"],
    [".git./config", "git's own"],
    [".git /config", "git's own"],
    ["GIT~1/config", "git's own"],
    [".gitattributes", "git's own"],
    [".gitmodules", "git's own"],
    [".gitignore", "git's own"],
    ["skills/x/.git/config", "git's own"],
    ["skills/x/.gitattributes", "git's own"],
    ["skills/x/.gitmodules", "git's own"],
    ["agents/.git/hooks/post-checkout", "git's own"],
    ["hooks/pre-commit", "only agents/, skills/"],
    // escaping the repository
    ["../hob.yaml", "`..`"],
    ["skills/x/../../hob.yaml", "`..`"],
    ["agents/../../approvals.key", "`..`"],
    ["/etc/passwd", "absolute"],
    ["/home/u/.hob/managed/routing.yaml", "absolute"],
    ["C:/Windows/system.ini", "absolute"],
    ["~/.hob/hob.yaml", "absolute"],
    ["skills\\x\\..\\..\\hob.yaml", "backslash"],
    ["./routing.yaml", "`.` part"],
    ["skills//x/SKILL.md", "empty or `.` part"],
    ["skills/x/", "empty or `.` part"],
    ["", "empty"],
    // control and invisible characters
    ["routing.yaml\0.txt", "control"],
    ["skills/x/a\nb", "control"],
    ["skills/x/\u001b[31m", "control"],
    [".git\u200c/config", "control or invisible"],
    ["agents/code\u202e.yaml", "control or invisible"],
    // hob's own files and source
    ["hob.yaml", "hob.yaml is the user's own"],
    ["approvals.key", "approvals.key seals approval records"],
    ["hob.db", "approval store"],
    ["src/orchestrator/orchestrator.ts", "hob's own source"],
    ["src", "hob's own source"],
    ["README.md", "README"],
    ["config/litellm.yaml", "only agents/, skills/"],
    ["sandbox/policy.yaml", "only agents/, skills/"],
    // shapes that are close but not allowed
    ["agents/code.yml", "agents/<name>.yaml"],
    ["agents/Code.yaml", "not an agent name"],
    ["agents/sub/code.yaml", "agents/<name>.yaml"],
    ["agents", "only routing.yaml and litellm.yaml"],
    ["skills/Word-Count/SKILL.md", "not a skill name"],
    ["skills/-x/SKILL.md", "not a skill name"],
    ["skills/word-count", "a file inside"],
    ["skills/x/.env", "hidden"],
    ["skills/x/scripts/run me.sh", "not an allowed name"],
    ["skills/x/a/b/c/d/e/f/g.md", "levels deep"],
    [`skills/x/${"a".repeat(300)}`, "longer than"],
  ])("refuses %j (%s)", (path, why) => {
    const result = checkManagedPath(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(JSON.stringify(path));
    expect(result.reason).toContain(why);
  });

  describe("on disk", () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "hob-managed-paths-"));
      mkdirSync(join(root, "skills", "real", "scripts"), { recursive: true });
      writeFileSync(join(root, "skills", "real", "SKILL.md"), "---\nname: real\n---\n");
      symlinkSync("/etc", join(root, "skills", "linked"));
      symlinkSync("/etc/passwd", join(root, "skills", "real", "scripts", "main.py"));
      symlinkSync(join(root, "..", "hob.yaml"), join(root, "routing.yaml"));
      mkdirSync(join(root, "agents"));
      mkdirSync(join(root, "agents", "code.yaml"));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("allows new and existing regular files", () => {
      expect(checkManagedPath("skills/real/SKILL.md", { root })).toEqual({ ok: true });
      expect(checkManagedPath("skills/new-one/SKILL.md", { root })).toEqual({ ok: true });
      expect(checkManagedPath("litellm.yaml", { root })).toEqual({ ok: true });
    });

    it.each([
      ["skills/linked/passwd", "symbolic link"],
      ["skills/real/scripts/main.py", "symbolic link"],
      ["routing.yaml", "symbolic link"],
      ["skills/real/SKILL.md/x", "not a folder"],
      ["agents/code.yaml", "not a regular file"],
    ])("refuses %j (%s)", (path, why) => {
      const result = checkManagedPath(path, { root });
      expect(result).toMatchObject({ ok: false });
      if (!result.ok) expect(result.reason).toContain(why);
    });
  });
});
