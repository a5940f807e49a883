/**
 * Cross-process locks that survive crashes: a file created with O_EXCL holding
 * `{ pid, started_at, hostname, boot_id, token }`.
 *
 * - `improve.lock` is held for the length of one analysis run, by `hob serve` on a slot
 *   and by `hob improve run`: never two analyses at once, whichever process starts them.
 * - `serve.lock` is held by `hob serve` for its whole life: never two schedulers, and
 *   `hob improve status` can tell whether one runs.
 *
 * A lock is stale, and taken over, when its process is gone: same host and the pid is
 * dead (`kill(pid, 0)` → ESRCH), or the lock was written during an earlier boot (its
 * `boot_id` differs, or it predates the boot time) so the pid means nothing any more.
 * A lock from another host (a HOB_HOME on a shared disk) is never judged stale: its pid
 * cannot be checked from here. Limit: a dead holder's pid reused by an unrelated process
 * in the same boot makes the lock look held; `hob improve status` shows the pid, and
 * deleting the file by hand frees it.
 *
 * The takeover race. Two processes may judge the same lock stale at once. Naively both
 * would unlink it and create their own, and the slower unlink could delete the faster
 * one's fresh lock, so both would run. Instead a taker first creates a short takeover
 * mutex (`<lock>.takeover`, exclusively), re-reads the lock under it, and unlinks it only
 * if it is still exactly the one judged stale (same token, pid and start). Nothing else
 * can remove that stale lock meanwhile (removing needs the mutex) and no new lock can
 * appear while it exists (creation is exclusive), so a live lock is never removed or
 * moved, whatever the interleaving; then everyone competes to create the lock with O_EXCL.
 * A mutex left by a process that died inside those few syscalls is stale after 10 s.
 * (An earlier rename-aside scheme had a window with three racing processes; a loaded
 * test machine hit it once.) `release()` only ever deletes a lock carrying its own token.
 */
import { randomBytes } from "node:crypto";
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname as osHostname, uptime } from "node:os";
import { dirname, join } from "node:path";
import { HobError } from "../../errors/index.js";

export interface LockInfo {
  pid: number;
  /** Epoch milliseconds. */
  started_at: number;
  hostname: string;
  /** Linux's per-boot id, when there is one. */
  boot_id?: string;
  /** Random: tells this holder's lock from a later one with a reused pid. */
  token: string;
}

export interface HeldLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Deletes the lock if it is still ours; safe to call twice. */
  release(): void;
}

export type LockAttempt = HeldLock | { heldBy: LockInfo };

export interface LockOptions {
  /** Injected by tests. */
  pid?: number;
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  bootId?: () => string | undefined;
  bootTime?: () => number;
  hostname?: () => string;
}

export const IMPROVE_LOCK_FILE = "improve.lock";
export const SERVE_LOCK_FILE = "serve.lock";

/** The analysis lock: held during one run by `hob serve` or `hob improve run`. */
export function acquireImproveLock(home: string, options: LockOptions = {}): LockAttempt {
  return acquireLock(join(home, IMPROVE_LOCK_FILE), options);
}

/** The scheduler lock: held by `hob serve` while it runs. */
export function acquireServeLock(home: string, options: LockOptions = {}): LockAttempt {
  return acquireLock(join(home, SERVE_LOCK_FILE), options);
}

export function isHeld(attempt: LockAttempt): attempt is HeldLock {
  return "release" in attempt;
}

/** `kill(pid, 0)`: ESRCH means gone; EPERM means alive but someone else's. */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function currentBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

const currentBootTime = () => Date.now() - uptime() * 1000;

/** Reads a lock file; undefined when there is none (or it is unreadable garbage: see `isStale`). */
export function readLock(path: string): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseLock(text);
}

function parseLock(text: string): LockInfo {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (typeof value.pid === "number" && typeof value.started_at === "number") {
      return {
        pid: value.pid,
        started_at: value.started_at,
        hostname: typeof value.hostname === "string" ? value.hostname : "",
        ...(typeof value.boot_id === "string" ? { boot_id: value.boot_id } : {}),
        token: typeof value.token === "string" ? value.token : "",
      };
    }
  } catch {
    // fall through: a torn or foreign file
  }
  // Unparseable: written by a process that died mid-write (we write before linking, so
  // this should not happen) or by something else. Treated as stale by `isStale`.
  return { pid: 0, started_at: 0, hostname: "", token: "" };
}

/** Whether a lock's holder is gone (see the file comment for the rules). */
export function isStale(info: LockInfo, options: LockOptions = {}): boolean {
  if (info.pid <= 0) return true;
  const host = (options.hostname ?? osHostname)();
  if (info.hostname && info.hostname !== host) return false;
  const bootId = (options.bootId ?? currentBootId)();
  if (info.boot_id && bootId && info.boot_id !== bootId) return true;
  // A clock a few seconds off must not make a fresh lock look older than the boot.
  if (!info.boot_id && info.started_at < (options.bootTime ?? currentBootTime)() - 60_000) return true;
  if (info.pid === (options.pid ?? process.pid)) return false;
  return !(options.isAlive ?? pidIsAlive)(info.pid);
}

/** Tries once (with takeover of a stale lock); never waits for a live holder. */
export function acquireLock(path: string, options: LockOptions = {}): LockAttempt {
  mkdirSync(dirname(path), { recursive: true });
  const bootId = (options.bootId ?? currentBootId)();
  const info: LockInfo = {
    pid: options.pid ?? process.pid,
    started_at: (options.now ?? Date.now)(),
    hostname: (options.hostname ?? osHostname)(),
    ...(bootId ? { boot_id: bootId } : {}),
    token: randomBytes(8).toString("hex"),
  };
  const content = `${JSON.stringify(info)}\n`;
  // A few rounds: each lost race (a rename that found nothing, a lock that came back) retries.
  for (let round = 0; round < 200; round++) {
    if (createExclusive(path, content)) return held(path, info);
    const current = readLock(path);
    if (current === undefined) continue; // released between our create and our read
    if (!isStale(current, options)) return { heldBy: current };
    takeOver(path, current);
  }
  throw new HobError("E_CONFLICT", `Could not take the lock ${path}: other processes kept racing for it.`, {
    hint: "Try again in a moment; `hob improve status` shows who holds it.",
  });
}

/**
 * Writes the whole content to a private temp file, then links it into place: `link()`
 * fails with EEXIST like O_EXCL, and nobody ever sees a half-written lock.
 */
function createExclusive(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/** A takeover mutex older than this was left by a process that died inside its few syscalls. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes a stale lock, but only while holding a short takeover mutex (`<lock>.takeover`,
 * created exclusively) and only if the lock is still exactly the one judged stale. So a
 * live lock is never moved or removed, whatever the interleaving: nothing else removes
 * the stale one meanwhile (that needs the mutex), and a new lock cannot appear while it
 * exists (creation is exclusive). The caller's loop then creates its own lock.
 */
function takeOver(path: string, judged: LockInfo): void {
  const mutex = `${path}.takeover`;
  if (!createExclusive(mutex, `${process.pid}\n`)) {
    try {
      if (Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(mutex);
    } catch {
      // released meanwhile
    }
    sleepSync(2); // another process is taking over: let it finish
    return;
  }
  try {
    const current = readLock(path);
    if (
      current !== undefined &&
      current.token === judged.token &&
      current.pid === judged.pid &&
      current.started_at === judged.started_at
    ) {
      unlinkSync(path);
    }
  } finally {
    unlinkSync(mutex);
  }
}

/** A short synchronous pause (the lock API is synchronous). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function held(path: string, info: LockInfo): HeldLock {
  let released = false;
  return {
    path,
    info,
    release() {
      if (released) return;
      released = true;
      try {
        if (readLock(path)?.token === info.token) unlinkSync(path);
      } catch {
        // gone already, or HOB_HOME went away: nothing left to release
      }
    },
  };
}

/** The holder of a lock if it is live, for status displays; never takes anything over. */
export function liveHolder(path: string, options: LockOptions = {}): LockInfo | undefined {
  const info = readLock(path);
  return info && !isStale(info, options) ? info : undefined;
}
