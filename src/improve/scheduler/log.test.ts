import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerSecrets } from "../../errors/index.js";
import { FileLogger, serveLogPath } from "./log.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "hob-log-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

const lines = (path: string) =>
  readFileSync(path, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("the serve log", () => {
  it("writes JSON lines with time, level, message and fields under $HOB_HOME/logs", () => {
    const path = serveLogPath(home);
    expect(path).toBe(join(home, "logs", "serve.log"));
    const log = new FileLogger(path, { now: () => Date.parse("2026-03-01T10:00:00Z") });
    log.info("analysis finished", { trigger: "schedule", proposals: 2, error: new Error("boom") });
    log.debug("not written at the default level");
    log.warn("skipped");
    expect(lines(path)).toEqual([
      {
        time: "2026-03-01T10:00:00.000Z",
        level: "info",
        message: "analysis finished",
        trigger: "schedule",
        proposals: 2,
        error: "boom",
      },
      { time: "2026-03-01T10:00:00.000Z", level: "warn", message: "skipped" },
    ]);
  });

  it("never writes a secret", () => {
    registerSecrets("my-configured-secret-value-1234");
    const path = serveLogPath(home);
    const log = new FileLogger(path);
    log.error("provider said: invalid x-api-key sk-ant-api03-abcdefghijklmnop", {
      error: new Error("echo my-configured-secret-value-1234"),
      nested: { deeper: ["Bearer abcdefghijklmnopqrstuvwxyz"] },
      api_key: "plain-value-without-a-shape",
    });
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("abcdefghijklmnop");
    expect(text).not.toContain("my-configured-secret-value");
    expect(text).not.toContain("plain-value-without-a-shape");
    expect(lines(path)[0]).toMatchObject({ api_key: "[redacted]" });
  });

  it("rotates by size and keeps a bounded number of files", () => {
    const path = serveLogPath(home);
    const log = new FileLogger(path, { maxBytes: 300, keep: 2 });
    for (let i = 0; i < 40; i++) log.info("line", { i, pad: "x".repeat(40) });
    expect(readdirSync(join(home, "logs")).sort()).toEqual(["serve.log", "serve.log.1", "serve.log.2"]);
    for (const file of [path, `${path}.1`, `${path}.2`]) {
      expect(readFileSync(file).length).toBeLessThanOrEqual(300);
      expect(lines(file).length).toBeGreaterThan(0); // every line whole
    }
    // The newest line is in the current file, older ones in .1, the oldest kept in .2.
    const last = lines(path).at(-1);
    expect(last?.i).toBe(39);
    expect(Number(lines(`${path}.1`).at(-1)?.i)).toBeLessThan(Number(lines(path)[0]?.i));
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it("picks up the size of an existing file after a restart", () => {
    const path = serveLogPath(home);
    for (let i = 0; i < 10; i++) new FileLogger(path, { maxBytes: 400, keep: 1 }).info("restart", { i });
    expect(readdirSync(join(home, "logs")).sort()).toEqual(["serve.log", "serve.log.1"]);
    expect(readFileSync(path).length).toBeLessThanOrEqual(400);
  });
});
