import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, tempHome } from "../../test/helpers.js";
import { SandboxedFileSystem } from "./index.js";

const SECRET = "TOP-SECRET-0451";

/** Hard links (B), runaway patterns (E), and the binary-safe write API (G). */
describe("SandboxedFileSystem content", () => {
  let base: string;
  let cleanup: () => void;
  let ws: string;
  let outside: string;

  beforeEach(() => {
    ({ home: base, cleanup } = tempHome());
    ws = join(base, "ws");
    outside = join(base, "outside");
    mkdirSync(join(ws, "notes"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), `${SECRET}\n`);
    writeFileSync(join(ws, "notes", "a.md"), "# hello\nline two\n");
  });
  afterEach(() => cleanup());

  describe("hard links", () => {
    it("refuses to read a file whose other name may be outside, and says why", async () => {
      linkSync(join(outside, "secret.txt"), join(ws, "notes", "hard.txt"));
      const fs = await SandboxedFileSystem.create(ws);
      const error = await failure(fs.readFile("notes/hard.txt"));
      expect(error.code).toBe("E_SANDBOX");
      expect(error.message).toMatch(/other hard links, which may be files outside the workspace/);
      expect(error.message).not.toContain(SECRET);
      const inspected = await fs.inspect("notes/hard.txt", "delete");
      expect(inspected.content).toBeUndefined(); // not even for an approval diff
    });

    it("search skips them, reports how many, and never returns their content", async () => {
      linkSync(join(outside, "secret.txt"), join(ws, "notes", "hard.txt"));
      const fs = await SandboxedFileSystem.create(ws);
      const result = await fs.searchFiles("SECRET|hello", ".");
      expect(result.matches).toEqual([{ path: "notes/a.md", line: 1, text: "# hello" }]);
      expect(result.skipped).toBe(1);
      expect(JSON.stringify(result)).not.toContain(SECRET);
    });

    it("can be allowed by option, off by default", async () => {
      linkSync(join(outside, "secret.txt"), join(ws, "notes", "hard.txt"));
      const fs = await SandboxedFileSystem.create(ws, { allowHardLinkReads: true });
      expect(await fs.readFile("notes/hard.txt")).toContain(SECRET);
      expect((await fs.searchFiles("SECRET", ".")).skipped).toBe(0);
    });
  });

  describe("catastrophic patterns", () => {
    it("stops (a+)+$ at the deadline with a reason, while the main thread stays responsive", async () => {
      writeFileSync(join(ws, "notes", "evil.txt"), `${"a".repeat(40)}!\n`);
      const fs = await SandboxedFileSystem.create(ws, { searchTimeoutMs: 300 });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const started = Date.now();
      const error = await failure(fs.searchFiles("(a+)+$", "."));
      clearInterval(timer);
      expect(error.code).toBe("E_TOOL");
      expect(error.message).toMatch(/took too long/);
      expect(error.hint).toMatch(/Simplify the pattern/);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(ticks).toBeGreaterThan(5); // timers kept firing: hob (and Ctrl-C) stay alive
      // The sandbox is still usable afterwards.
      expect((await fs.searchFiles("hello", ".")).matches).toHaveLength(1);
    });

    it("gives up at once when the task is cancelled", async () => {
      writeFileSync(join(ws, "notes", "evil.txt"), `${"a".repeat(40)}!\n`);
      const fs = await SandboxedFileSystem.create(ws, { searchTimeoutMs: 60_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const error = await failure(fs.searchFiles("(a+)+$", ".", undefined, { signal: controller.signal }));
      expect(error.code).toBe("E_CANCELLED");
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("keeps ordinary searches fast across many files (one worker per search)", async () => {
      for (let i = 0; i < 300; i++) writeFileSync(join(ws, "notes", `n${i}.txt`), `line\nneedle ${i}\n`);
      const fs = await SandboxedFileSystem.create(ws);
      const started = Date.now();
      const result = await fs.searchFiles("needle 1\\d\\d$", "notes");
      expect(result.matches).toHaveLength(100);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it("searches a single file when given one, and still refuses links outside", async () => {
      symlinkSync(join(outside, "secret.txt"), join(ws, "out"));
      const fs = await SandboxedFileSystem.create(ws);
      expect((await fs.searchFiles("two", "notes/a.md")).matches).toEqual([
        { path: "notes/a.md", line: 2, text: "line two" },
      ]);
      expect((await failure(fs.searchFiles("SECRET", "out"))).code).toBe("E_SANDBOX");
    });
  });

  describe("writeFile with bytes, maxBytes, and makeDirectory", () => {
    it("writes bytes exactly as given, and text as UTF-8", async () => {
      const fs = await SandboxedFileSystem.create(ws);
      const bytes = new Uint8Array([0, 255, 254, 10, 0xc3, 0x28, 1, 2, 3]);
      expect(await fs.writeFile("bin/blob.dat", bytes)).toEqual({ created: true, bytes: 9 });
      expect(new Uint8Array(readFileSync(join(ws, "bin", "blob.dat")))).toEqual(bytes);
      const slice = new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3); // a view: only its own bytes
      expect(await fs.writeFile("bin/blob.dat", slice)).toEqual({ created: false, bytes: 2 });
      expect([...readFileSync(join(ws, "bin", "blob.dat"))]).toEqual([8, 7]);
      expect(await fs.writeFile("bin/text.txt", "héllo")).toEqual({ created: true, bytes: 6 });
    });

    it("honours a per-call maxBytes in both directions", async () => {
      const fs = await SandboxedFileSystem.create(ws, { maxWriteBytes: 10 });
      const small = await failure(fs.writeFile("a.txt", "12345", { maxBytes: 4 }));
      expect(small.message).toMatch(/over the 4-byte limit/);
      expect((await failure(fs.writeFile("a.txt", "x".repeat(11)))).message).toMatch(/over the 10-byte limit/);
      expect(await fs.writeFile("big.bin", new Uint8Array(50), { maxBytes: 100 })).toMatchObject({ bytes: 50 });
    });

    it("makes folders (like mkdir -p) with the same protections as writes", async () => {
      symlinkSync(outside, join(ws, "out-link"));
      const fs = await SandboxedFileSystem.create(ws);
      expect(await fs.makeDirectory("a/b/c")).toEqual({ created: true });
      expect(await fs.makeDirectory("a/b")).toEqual({ created: false });
      expect((await fs.listDirectory("a/b")).map((e) => e.name)).toEqual(["c"]);
      expect((await failure(fs.makeDirectory("out-link/x"))).message).toMatch(/points outside/);
      expect((await failure(fs.makeDirectory("out-link"))).message).toMatch(/symbolic link/);
      expect((await failure(fs.makeDirectory("../outside/x"))).message).toMatch(/outside the workspace/);
      expect((await failure(fs.makeDirectory("a/.git/hooks"))).message).toMatch(/git runs code/);
      expect((await failure(fs.makeDirectory("notes/a.md"))).message).toMatch(/not a directory/);
    });
  });
});

describe("search patterns without regular-expression syntax", () => {
  it("are matched as text on the calling thread, case-insensitively", async () => {
    const { RegexMatcher } = await import("./regex-worker.js");
    const matcher = new RegexMatcher("Dentist", "i", 2_000);
    expect(await matcher.match("call the DENTIST\nnothing\ndentist at 3", 10)).toEqual([
      { line: 1, text: "call the DENTIST" },
      { line: 3, text: "dentist at 3" },
    ]);
    // No worker was started for it (a worker keeps a handle open until closed).
    expect((matcher as unknown as { worker?: unknown }).worker).toBeUndefined();
    await matcher.close();
  });
});
