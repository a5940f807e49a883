import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HobError } from "../errors/index.js";

/** `$HOB_HOME/web.token`: the one secret of the web API (mode 0600). */
export function tokenPath(home: string): string {
  return join(home, "web.token");
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

function writeToken(home: string, token: string, exclusive: boolean): void {
  mkdirSync(home, { recursive: true });
  const path = tokenPath(home);
  if (exclusive) {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
    return;
  }
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

function readToken(home: string): string | undefined {
  const path = tokenPath(home);
  if (!existsSync(path)) return undefined;
  // Whoever loosened the file's mode made the secret readable by others: tighten it again.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const token = readFileSync(path, "utf8").trim();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

/** The current token, created (mode 0600) on first start. A damaged file is replaced. */
export function loadOrCreateToken(home: string): string {
  const existing = readToken(home);
  if (existing) return existing;
  const token = newToken();
  try {
    writeToken(home, token, !existsSync(tokenPath(home)));
  } catch (error) {
    // Another process created it first: use that one.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      const other = readToken(home);
      if (other) return other;
    }
    throw new HobError("E_STORE", `Cannot write ${tokenPath(home)}: ${(error as Error).message}.`, {
      hint: "Check that hob's home folder is writable.",
    });
  }
  return token;
}

/** Replaces the token; every session made with the old one ends (a running server notices the file change). */
export function rotateToken(home: string): string {
  const token = newToken();
  writeToken(home, token, false);
  return token;
}

/**
 * The token as the file says now, for a long-running server: re-read when the file
 * changes (`hob serve token --rotate` in another terminal), cached otherwise.
 */
export function tokenFromFile(home: string): () => string {
  let cached = loadOrCreateToken(home);
  let stamp = fileStamp(home);
  return () => {
    const now = fileStamp(home);
    if (now !== stamp) {
      stamp = now;
      cached = loadOrCreateToken(home);
      stamp = fileStamp(home);
    }
    return cached;
  };
}

function fileStamp(home: string): string {
  try {
    const s = statSync(tokenPath(home));
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return "missing";
  }
}

/** Constant-time comparison of two secrets (lengths may differ). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  if (a.length !== b.length) {
    // Compare anyway, so a wrong length takes the same time as a wrong value.
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}
