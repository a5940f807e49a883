import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, tempHome } from "../../test/helpers.js";
import { SandboxedFileSystem } from "./index.js";

/** Git control files (C) and hob's own files behind a symlinked HOB_HOME (D). */
describe("protected files", () => {
  let base: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ home: base, cleanup } = tempHome());
  });
  afterEach(() => cleanup());

  async function refused(promise: Promise<unknown>, reason: RegExp): Promise<void> {
    const error = await failure(promise);
    expect(error.code).toBe("E_SANDBOX");
    expect(error.message).toMatch(reason);
  }
  const GIT = /git runs code named in its control files/;

  describe("git's control files", () => {
    let ws: string;
    let fs: SandboxedFileSystem;
    beforeEach(async () => {
      ws = join(base, "ws");
      mkdirSync(join(ws, "repo", ".git", "info"), { recursive: true });
      mkdirSync(join(ws, "plain"), { recursive: true });
      writeFileSync(join(ws, "repo", ".git", "config"), "[core]\n");
      writeFileSync(join(ws, "repo", ".gitattributes"), "*.txt text\n");
      writeFileSync(join(ws, "notes.md"), "# notes\n");
      fs = await SandboxedFileSystem.create(ws);
    });

    it.each([
      "repo/.git/commondir", // points git at a folder the agent writes, whose config has core.fsmonitor
      "repo/.git/info/attributes",
      "repo/.git/objects/info/alternates",
      "plain/.git", // a .git FILE (gitdir: …) makes a plain folder a repo the agent chose
      ".git",
      ".gitattributes",
      "plain/.gitmodules",
      "plain/.GITATTRIBUTES",
      "plain/.Git/commondir",
      "plain/.g\u200bit/HEAD",
      "plain/.git./commondir",
      "plain/\uff0egitmodules",
    ])("refuses writing, creating, or moving onto %j, and says why", async (path) => {
      await refused(fs.writeFile(path, "gitdir: ../evil\n"), GIT);
      await refused(fs.makeDirectory(path), GIT);
      await refused(fs.moveFile("notes.md", path), GIT);
      expect(readFileSync(join(ws, "notes.md"), "utf8")).toBe("# notes\n");
    });

    it("refuses deleting or moving away git files and folders, but lets them be read", async () => {
      await refused(fs.deleteFile("repo/.gitattributes"), GIT);
      await refused(fs.deleteFile("repo/.git/config"), GIT);
      await refused(fs.moveFile("repo/.git", "elsewhere"), GIT);
      await refused(fs.moveFile("repo/.gitattributes", "attrs.txt"), GIT);
      expect(await fs.readFile("repo/.git/config")).toBe("[core]\n");
      expect(await fs.readFile("repo/.gitattributes")).toContain("text");
    });

    it("refuses moving a folder that contains a .git, however deep", async () => {
      mkdirSync(join(ws, "outer", "inner", ".git"), { recursive: true });
      await refused(fs.moveFile("outer", "moved"), /contains "outer\/inner\/\.git".*git runs code/);
      await refused(fs.moveFile("repo", "repo2"), GIT);
      mkdirSync(join(ws, "clean", "sub"), { recursive: true });
      await fs.moveFile("clean", "moved-clean"); // a folder without git files moves fine
    });

    it("judges writes by the name used too: a .git symlink to the real git folder", async () => {
      mkdirSync(join(ws, "gitdir"));
      symlinkSync("../gitdir", join(ws, "plain", ".git"));
      await refused(fs.writeFile("plain/.git/config", "[core]\n\tfsmonitor = evil\n"), GIT);
    });
  });

  describe("git directories under other names", () => {
    it("protects a bare repository and the target of a .git symlink, and refuses moving one", async () => {
      const ws = join(base, "ws");
      for (const gitdir of ["bare.git", "elsewhere/realgit"]) {
        mkdirSync(join(ws, gitdir, "objects"), { recursive: true });
        mkdirSync(join(ws, gitdir, "refs"), { recursive: true });
        writeFileSync(join(ws, gitdir, "HEAD"), "ref: refs/heads/main\n");
      }
      mkdirSync(join(ws, "project"));
      symlinkSync("../elsewhere/realgit", join(ws, "project", ".git"));
      writeFileSync(join(ws, "notes.md"), "# notes\n");
      const fs = await SandboxedFileSystem.create(ws);
      await refused(fs.writeFile("bare.git/config", "[core]\n\tfsmonitor = evil\n"), GIT);
      await refused(fs.writeFile("bare.git/hooks/post-update", "evil"), GIT);
      await refused(fs.writeFile("elsewhere/realgit/config", "[core]\n\tfsmonitor = evil\n"), GIT);
      await refused(fs.moveFile("notes.md", "elsewhere/realgit/commondir"), GIT);
      await refused(fs.moveFile("bare.git", "renamed"), GIT);
      await refused(fs.moveFile("elsewhere", "renamed"), /"elsewhere\/realgit" is a git directory/);
      expect(await fs.readFile("bare.git/HEAD")).toContain("refs/heads/main");
      await fs.writeFile("elsewhere/notes.md", "fine"); // next to it is fine
    });
  });

  describe("hob's own files behind a symlinked HOB_HOME inside the workspace", () => {
    // ~/dotfiles/hob is the real HOB_HOME; hob is told about it by its link's name.
    it.each([".hob", "hobhome"])("protects them however they are named (HOB_HOME = ~/%s)", async (linkName) => {
      const ws = base;
      const real = join(ws, "dotfiles", "hob");
      mkdirSync(real, { recursive: true });
      symlinkSync(join("dotfiles", "hob"), join(ws, linkName));
      const home = join(ws, linkName);
      // hob.yaml and config/ do not exist yet: they are resolved through the nearest existing ancestor.
      const fs = await SandboxedFileSystem.create(ws, {
        hobPaths: [join(home, "hob.yaml"), join(home, "hob.db"), join(home, "config"), join(home, "skills")],
      });
      const HOB = /hob's own|protected/;
      await refused(fs.writeFile("dotfiles/hob/hob.yaml", "api_key: x"), HOB);
      await refused(fs.writeFile(`${linkName}/hob.yaml`, "api_key: x"), HOB);
      await refused(fs.writeFile("dotfiles/hob/config/litellm.yaml", "x"), HOB);
      await refused(fs.makeDirectory("dotfiles/hob/skills"), HOB);
      writeFileSync(join(real, "hob.yaml"), "anthropic:\n  api_key: sk-ant-secret\n");
      writeFileSync(join(real, "notes.txt"), "mine");
      await refused(fs.readFile("dotfiles/hob/hob.yaml"), HOB);
      await refused(fs.readFile(`${linkName}/hob.yaml`), HOB);
      await refused(fs.moveFile("dotfiles/hob", "stolen"), HOB);
      await refused(fs.moveFile("dotfiles", "stolen"), HOB);
      await refused(fs.deleteFile("dotfiles/hob/hob.yaml"), HOB);
      expect((await fs.listDirectory("dotfiles/hob")).map((e) => e.name)).toEqual(["notes.txt"]);
      expect((await fs.searchFiles("api_key", ".")).matches).toEqual([]);
      expect(readFileSync(join(real, "hob.yaml"), "utf8")).toContain("sk-ant-secret");
      expect(await fs.readFile("dotfiles/hob/notes.txt")).toBe("mine"); // the rest of the folder is the user's
    });
  });
});
