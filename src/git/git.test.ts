import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure } from "../../test/helpers.js";
import {
  applyPatch,
  changedFiles,
  commitAll,
  commitStaged,
  diffSinceHead,
  ensureRepository,
  findCommit,
  head,
  log,
  resetHard,
  revert,
} from "./index.js";

describe("git room against real repositories", () => {
  let root: string;
  let dir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "hob-git-"));
    dir = join(root, "repo");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  const gitConfig = (key: string) => {
    try {
      return execFileSync("git", ["-C", dir, "config", "--local", "--get", key], { encoding: "utf8" }).trim();
    } catch {
      return undefined;
    }
  };

  it("creates a repository once, commits, and reads head and log", async () => {
    await ensureRepository(dir);
    await ensureRepository(dir); // idempotent
    expect(existsSync(join(dir, ".git"))).toBe(true);
    expect(await head(dir)).toBeUndefined();
    expect(await log(dir, 10)).toEqual([]);

    write("a.txt", "one\n");
    const first = await commitAll(dir, "First");
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(first.changed).toBe(true);
    write("b.txt", "two\n");
    const second = await commitAll(dir, "Second", { name: "Agent", email: "agent@hob.test" });
    expect(await head(dir)).toBe(second.commit);

    const entries = await log(dir, 10);
    expect(entries.map((e) => e.subject)).toEqual(["Second", "First"]);
    expect(entries[0]).toMatchObject({ commit: second.commit, author: "Agent", email: "agent@hob.test" });
    expect(entries[1]).toMatchObject({ commit: first.commit, author: "hob", email: "hob@localhost" });
    expect(Math.abs((entries[0]?.at ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await log(dir, 1)).toHaveLength(1);
    // The identity is given per call: nothing is written to the repository's config.
    expect(gitConfig("user.name")).toBeUndefined();
    expect(gitConfig("user.email")).toBeUndefined();
  });

  it("is no-op safe: nothing to commit returns HEAD and makes no empty commit", async () => {
    await ensureRepository(dir);
    const initial = await commitAll(dir, "Empty start"); // a new repository gets a first commit
    expect(initial.changed).toBe(true);
    const again = await commitAll(dir, "Nothing changed");
    expect(again).toEqual({ commit: initial.commit, changed: false });
    expect(await log(dir, 10)).toHaveLength(1);
  });

  it("commits deletions too", async () => {
    await ensureRepository(dir);
    write("gone.txt", "x");
    await commitAll(dir, "Add");
    rmSync(join(dir, "gone.txt"));
    expect((await commitAll(dir, "Remove")).changed).toBe(true);
    expect(execFileSync("git", ["-C", dir, "ls-files"], { encoding: "utf8" })).toBe("");
  });

  it("reverts a commit with a new commit", async () => {
    await ensureRepository(dir);
    write("a.txt", "one\n");
    await commitAll(dir, "First");
    write("a.txt", "two\n");
    const change = await commitAll(dir, "Change");
    const undone = await revert(dir, change.commit);
    expect(undone.commit).not.toBe(change.commit);
    expect(await head(dir)).toBe(undone.commit);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("one\n");
    expect((await log(dir, 1))[0]?.subject).toContain('Revert "Change"');
  });

  it("a conflicting revert is aborted cleanly and names the files", async () => {
    await ensureRepository(dir);
    write("a.txt", "one\n");
    write("b.txt", "keep\n");
    await commitAll(dir, "First");
    write("a.txt", "two\n");
    const change = await commitAll(dir, "Change");
    write("a.txt", "three\n");
    const later = await commitAll(dir, "Later");

    const error = await failure(revert(dir, change.commit));
    expect(error.code).toBe("E_CONFLICT");
    expect(error.message).toContain("a.txt");
    expect(error.message).not.toContain("b.txt");
    expect(error.hint).toBeTruthy();
    // Nothing half done: HEAD, the file and the index are as before.
    expect(await head(dir)).toBe(later.commit);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("three\n");
    expect(execFileSync("git", ["-C", dir, "status", "--porcelain"], { encoding: "utf8" })).toBe("");
  });

  it("reports an unknown commit and a folder that is not a repository", async () => {
    await ensureRepository(dir);
    await commitAll(dir, "Start");
    expect((await failure(revert(dir, "0".repeat(40)))).code).toBe("E_NOT_FOUND");
    const plain = join(root, "plain");
    mkdirSync(plain);
    expect((await failure(commitAll(plain, "x"))).code).toBe("E_NOT_FOUND");
  });

  it("never commits into a parent repository", async () => {
    await ensureRepository(root);
    await commitAll(root, "Parent");
    mkdirSync(dir);
    writeFileSync(join(dir, "child.txt"), "x");
    expect((await failure(commitAll(dir, "Child"))).code).toBe("E_NOT_FOUND");
    expect(await log(root, 10)).toHaveLength(1);
  });

  it("runs no hook, fsmonitor or signing program a repository's config names", async () => {
    await ensureRepository(dir);
    const marker = join(root, "marker");
    const script = join(root, "evil.sh");
    writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 0\n`);
    chmodSync(script, 0o755);
    const hooks = join(root, "hooks");
    mkdirSync(hooks);
    for (const hook of ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-index-change"]) {
      for (const folder of [hooks, join(dir, ".git", "hooks")]) {
        writeFileSync(join(folder, hook), `#!/bin/sh\n'${script}' ${hook}\n`);
        chmodSync(join(folder, hook), 0o755);
      }
    }
    const set = (key: string, value: string) => execFileSync("git", ["-C", dir, "config", key, value]);
    set("core.hooksPath", hooks);
    set("core.fsmonitor", script);
    set("commit.gpgSign", "true");
    set("gpg.program", script);

    // Control: plain git in this repository does run them.
    const control = join(root, "control");
    execFileSync("cp", ["-r", dir, control]);
    writeFileSync(join(control, "c.txt"), "c");
    execFileSync("git", ["-C", control, "add", "-A"], { stdio: "pipe" });
    try {
      execFileSync("git", ["-C", control, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], {
        stdio: "pipe",
      });
    } catch {
      // the fake signing program signs nothing, so the commit itself fails; the hooks ran first
    }
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);

    write("a.txt", "one\n");
    await commitAll(dir, "First");
    write("a.txt", "two\n");
    const change = await commitAll(dir, "Change");
    await revert(dir, change.commit);
    await log(dir, 5);
    expect(existsSync(marker)).toBe(false);
    expect(await log(dir, 10)).toHaveLength(3);
  });

  it("carries a change from one repository to another as a diff, all or nothing, and finds it by trailer", async () => {
    await ensureRepository(dir);
    write("agents/a.yaml", "name: a\n");
    await commitAll(dir, "base");
    const copy = join(root, "copy");
    await ensureRepository(copy);
    mkdirSync(join(copy, "agents"), { recursive: true });
    writeFileSync(join(copy, "agents", "a.yaml"), "name: a\n");
    await commitAll(copy, "base");
    writeFileSync(join(copy, "agents", "a.yaml"), "name: a\nmax_steps: 20\n");
    writeFileSync(join(copy, "routing.yaml"), "classifier_threshold: 0.6\n");
    const { diff, files } = await diffSinceHead(copy);
    expect(files.sort()).toEqual(["agents/a.yaml", "routing.yaml"]);

    await applyPatch(dir, diff, { check: true });
    expect(readFileSync(join(dir, "agents", "a.yaml"), "utf8")).toBe("name: a\n"); // --check changes nothing
    await applyPatch(dir, diff);
    const commit = await commitStaged(dir, "Raise a's steps\n\nHob-Proposal: p1");
    expect(readFileSync(join(dir, "routing.yaml"), "utf8")).toBe("classifier_threshold: 0.6\n");
    expect(await findCommit(dir, "Hob-Proposal: p1")).toBe(commit);
    expect(await findCommit(dir, "Hob-Proposal: p2")).toBeUndefined();
    expect((await changedFiles(dir, commit)).sort()).toEqual(["agents/a.yaml", "routing.yaml"]);

    // Applied again, it no longer fits: refused whole, nothing half-written.
    const error = await failure(applyPatch(dir, diff));
    expect(error.code).toBe("E_CONFLICT");
    expect(readFileSync(join(dir, "agents", "a.yaml"), "utf8")).toBe("name: a\nmax_steps: 20\n");

    const reverted = await revert(dir, commit, undefined, "Roll back\n\nHob-Rollback-Of: p1");
    expect(await findCommit(dir, "Hob-Rollback-Of: p1")).toBe(reverted.commit);
    expect(existsSync(join(dir, "routing.yaml"))).toBe(false);
    writeFileSync(join(dir, "stray.txt"), "left by a crash");
    await resetHard(dir);
    expect(existsSync(join(dir, "stray.txt"))).toBe(false);
  });

  it("ignores the user's git config: diff.noprefix and excludes cannot change what a diff names", async () => {
    const fakeHome = join(root, "home");
    mkdirSync(fakeHome);
    writeFileSync(join(fakeHome, ".gitconfig"), "[diff]\n\tnoprefix = true\n[core]\n\texcludesFile = ~/.ignore\n");
    writeFileSync(join(fakeHome, ".ignore"), "*.yaml\n");
    const saved = process.env.HOME;
    process.env.HOME = fakeHome;
    try {
      await ensureRepository(dir);
      await commitAll(dir, "base");
      write("agents/litellm.yaml", "name: x\n");
      const { diff, files } = await diffSinceHead(dir);
      expect(files).toEqual(["agents/litellm.yaml"]);
      expect(diff).toContain("diff --git a/agents/litellm.yaml b/agents/litellm.yaml");
    } finally {
      process.env.HOME = saved;
    }
  });
});
