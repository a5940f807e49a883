import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acquireImproveLock,
  acquireServeLock,
  type HeldLock,
  isHeld,
  isStale,
  type LockAttempt,
  liveHolder,
  pidIsAlive,
  readLock,
} from "./lock.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "hob-lock-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function mustHold(attempt: LockAttempt): HeldLock {
  if (!isHeld(attempt)) throw new Error(`expected to hold the lock, held by ${attempt.heldBy.pid}`);
  return attempt;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(child.stdout);
  expect(pidIsAlive(pid)).toBe(false);
  return pid;
}

describe("the improve lock", () => {
  it("is exclusive, and free again once released", () => {
    const lock = mustHold(acquireImproveLock(home));
    const path = join(home, "improve.lock");
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, hostname: hostname() });
    // Another holder (a live pid that is not ours) is refused.
    const other = acquireImproveLock(home, { pid: process.pid + 1, isAlive: () => true });
    expect(isHeld(other)).toBe(false);
    expect(!isHeld(other) && other.heldBy.pid).toBe(process.pid);
    lock.release();
    lock.release(); // twice is harmless
    expect(existsSync(path)).toBe(false);
    mustHold(acquireImproveLock(home)).release();
    // No temp or aside files are left behind.
    expect(readdirSync(home)).toEqual([]);
  });

  it("is separate from the serve lock", () => {
    const improve = mustHold(acquireImproveLock(home));
    const serve = mustHold(acquireServeLock(home));
    expect(readdirSync(home).sort()).toEqual(["improve.lock", "serve.lock"]);
    improve.release();
    serve.release();
  });

  it("takes over a lock whose process died", () => {
    const path = join(home, "improve.lock");
    const pid = deadPid();
    writeFileSync(path, JSON.stringify({ pid, started_at: Date.now() - 1000, hostname: hostname(), token: "old" }));
    expect(liveHolder(path)).toBeUndefined();
    const lock = mustHold(acquireImproveLock(home));
    expect(readLock(path)?.pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(home)).toEqual([]);
  });

  it("takes over a lock from an earlier boot, even if its pid is alive now", () => {
    const path = join(home, "improve.lock");
    const live = { isAlive: () => true };
    const byBootId = { pid: 1, started_at: Date.now(), hostname: hostname(), boot_id: "earlier-boot", token: "a" };
    expect(isStale(byBootId, { ...live, bootId: () => "this-boot" })).toBe(true);
    const byTime = { pid: 1, started_at: Date.now() - 3_600_000, hostname: hostname(), token: "b" };
    expect(isStale(byTime, { ...live, bootId: () => undefined, bootTime: () => Date.now() - 60_000 })).toBe(true);
    writeFileSync(path, JSON.stringify(byBootId));
    mustHold(acquireImproveLock(home, { ...live, bootId: () => "this-boot" })).release();
  });

  it("never judges a lock from another host stale, nor a live one", () => {
    const pid = deadPid();
    expect(isStale({ pid, started_at: Date.now(), hostname: "elsewhere", token: "x" })).toBe(false);
    expect(isStale({ pid: process.pid, started_at: Date.now(), hostname: hostname(), token: "x" })).toBe(false);
  });

  it("takes over a torn or foreign file", () => {
    writeFileSync(join(home, "improve.lock"), "not json");
    mustHold(acquireImproveLock(home)).release();
  });

  it("release() leaves alone a lock that is no longer its own", () => {
    const path = join(home, "improve.lock");
    const lock = mustHold(acquireImproveLock(home));
    // Someone judged it stale and took it over (say, after a pid check went wrong).
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, started_at: Date.now(), hostname: hostname(), token: "t2" }),
    );
    lock.release();
    expect(readLock(path)?.token).toBe("t2");
  });

  it("reports the live holder for status displays", () => {
    const lock = mustHold(acquireServeLock(home));
    expect(liveHolder(join(home, "serve.lock"))?.pid).toBe(process.pid);
    lock.release();
    expect(liveHolder(join(home, "serve.lock"))).toBeUndefined();
  });
});
