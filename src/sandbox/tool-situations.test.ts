import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { TOOLS, type Tool, type ToolContext } from "../tools/index.js";
import { SandboxedFileSystem } from "./index.js";

/** F: "move the user's file aside, then create one at its path" is an overwrite, and asks. */
describe("file tools report replacing a user's file", () => {
  let cleanup: () => void;
  let ws: string;
  let ctx: ToolContext;
  const tool = (name: string) => TOOLS[name] as unknown as Tool<unknown>;
  const situations = async (name: string, args: unknown) => (await tool(name).assess(args, ctx)).situations;
  const run = (name: string, args: unknown) => tool(name).execute(args, ctx);

  beforeEach(async () => {
    let home: string;
    ({ home, cleanup } = tempHome());
    ws = join(home, "ws");
    mkdirSync(join(ws, "notes"), { recursive: true });
    writeFileSync(join(ws, "notes", "user.md"), "the user's words\n");
    writeFileSync(join(ws, "notes", "other.md"), "other\n");
    ctx = {
      fs: await SandboxedFileSystem.create(ws),
      created: new Set(),
      written: new Set(),
      sources: new Set(),
      fetchLimits: { allowPrivateHosts: [], maxBytes: 1_000, timeoutMs: 1_000 },
      domainApproved: () => false,
      approveDomain: () => undefined,
    };
  });
  afterEach(() => cleanup());

  it("asks before creating a file where the user's file was moved away from", async () => {
    expect(await situations("move_file", { source: "notes/user.md", destination: "notes/aside.md" })).toEqual([]);
    await run("move_file", { source: "notes/user.md", destination: "notes/aside.md" });
    expect(await situations("write_file", { path: "notes/user.md", content: "replaced" })).toEqual(["overwrite"]);
    expect(await situations("move_file", { source: "notes/other.md", destination: "notes/user.md" })).toEqual([
      "overwrite",
    ]);
  });

  it("asks before creating a file where the user's file was deleted", async () => {
    await run("delete_file", { path: "notes/user.md" });
    expect(await situations("write_file", { path: "notes/user.md", content: "replaced" })).toEqual(["overwrite"]);
  });

  it("does not ask for the task's own files, wherever it moved them", async () => {
    expect(await situations("write_file", { path: "notes/mine.md", content: "draft" })).toEqual([]);
    await run("write_file", { path: "notes/mine.md", content: "draft" });
    await run("move_file", { source: "notes/mine.md", destination: "notes/final.md" });
    expect(await situations("write_file", { path: "notes/final.md", content: "v2" })).toEqual([]);
    expect(await situations("write_file", { path: "notes/mine.md", content: "again" })).toEqual([]);
    await run("delete_file", { path: "notes/final.md" });
    expect(await situations("write_file", { path: "notes/final.md", content: "v3" })).toEqual([]);
  });

  it("still asks for a plain overwrite of a user's file", async () => {
    expect(await situations("write_file", { path: "notes/other.md", content: "x" })).toEqual(["overwrite"]);
  });
});
