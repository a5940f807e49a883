import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempHome } from "../../test/helpers.js";
import { SandboxedFileSystem } from "./index.js";

const SECRET = "TOP-SECRET-0451";
const OUTSIDE_NAME = "OUTSIDE-ONLY-NAME.txt";

/**
 * A real racer, no mocks: a child process swaps ws/swap between the real folder and a
 * symlink to a folder outside, as fast as bash can, while every tool runs in a loop.
 * Before the fd walk, listing, searching, creating (through mkdir) and moving each
 * crossed the boundary within a second or so.
 */
describe("SandboxedFileSystem against a folder swapped for a symlink mid-operation", () => {
  let base: string;
  let cleanup: () => void;
  let ws: string;
  let outside: string;

  beforeEach(() => {
    ({ home: base, cleanup } = tempHome());
    ws = join(base, "ws");
    outside = join(base, "outside");
    mkdirSync(join(ws, "swap"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(ws, "swap", "same.txt"), "harmless");
    writeFileSync(join(outside, "same.txt"), SECRET);
    writeFileSync(join(outside, OUTSIDE_NAME), SECRET);
  });
  afterEach(() => cleanup());

  /**
   * Swaps with renames only (each one atomic), so `swap` is nearly always there: about half
   * the time the real folder, half the time a symlink to outside. Runs for `seconds` at most.
   */
  function startRacer(seconds: number) {
    const script = `
      const fs = require("node:fs");
      const [ws, outside, seconds] = process.argv.slice(1);
      process.chdir(ws);
      fs.symlinkSync(outside, "swap.link");
      const end = Date.now() + Number(seconds) * 1000;
      // Hold each state for a random 0-500 µs (mostly short), so checks and uses land on both sides of a swap.
      const hold = () => { const until = performance.now() + Math.random() ** 3 * 0.5; while (performance.now() < until); };
      while (Date.now() < end) {
        try {
          fs.renameSync("swap", "swap.real");
          fs.renameSync("swap.link", "swap");
          hold();
          fs.renameSync("swap", "swap.link");
          fs.renameSync("swap.real", "swap");
          hold();
        } catch {}
      }`;
    const racer = spawn(process.execPath, ["-e", script, ws, outside, String(seconds)], { stdio: "ignore" });
    const exited = once(racer, "exit");
    return async () => {
      racer.kill("SIGKILL");
      await exited;
    };
  }

  it("never lists, searches, creates or moves anything outside while the racer runs", async () => {
    const fs = await SandboxedFileSystem.create(ws, { searchTimeoutMs: 10_000 });
    const stop = startRacer(4);
    const leaks: string[] = [];
    const outcomes = { ok: 0, refused: 0 };
    const attempt = async (label: string, run: () => Promise<unknown>) => {
      try {
        const value = await run();
        const text = JSON.stringify(value ?? "");
        if (text.includes(SECRET) || text.includes(OUTSIDE_NAME)) leaks.push(`${label}: ${text.slice(0, 200)}`);
        outcomes.ok++;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "E_SANDBOX" || code === "E_TOOL") outcomes.refused++;
        else throw error;
      }
    };
    // One loop per kind of operation, all at once, so their awaits interleave with the swaps.
    const started = Date.now();
    let i = 0;
    const loop = async (step: (n: number) => Promise<void>) => {
      while (Date.now() - started < 2_000) await step(++i);
    };
    try {
      await Promise.all([
        loop(() => attempt("list", () => fs.listDirectory("swap"))),
        loop(() => attempt("read", () => fs.readFile("swap/same.txt"))),
        loop(async (n) => {
          await attempt("search names", () => fs.searchFiles("", "."));
          if (n % 4 === 0) await attempt("search content", () => fs.searchFiles("SECRET|harmless", "."));
        }),
        loop(async (n) => {
          await attempt("write new folder", () => fs.writeFile(`swap/made-${n}/x.txt`, "made"));
          await attempt("write new file", () => fs.writeFile(`swap/new-${n}.txt`, "new"));
          await attempt("mkdir", () => fs.makeDirectory(`swap/dir-${n}/deeper`));
        }),
        // Shuttle a file out of the swapped folder and back in: each leg must stay inside.
        loop(async () => {
          if (existsSync(join(ws, "got.txt"))) await attempt("move in", () => fs.moveFile("got.txt", "swap/same.txt"));
          else await attempt("move out", () => fs.moveFile("swap/same.txt", "got.txt"));
        }),
      ]);
    } finally {
      await stop();
    }
    expect(leaks).toEqual([]);
    // Nothing was created in, moved into or taken out of the outside folder.
    expect(readdirSync(outside).sort()).toEqual([OUTSIDE_NAME, "same.txt"]);
    expect(readFileSync(join(outside, "same.txt"), "utf8")).toBe(SECRET);
    if (existsSync(join(ws, "got.txt"))) expect(readFileSync(join(ws, "got.txt"), "utf8")).toBe("harmless");
    // The loop really ran, and the race was really hit (refusals), yet work still got done.
    expect(i).toBeGreaterThan(20);
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
