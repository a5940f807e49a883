import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

/**
 * Directory-fd walking: every file operation happens relative to a directory fd we
 * opened and checked ourselves, never to a path string the kernel resolves again
 * later (which a racing process can redirect by swapping a folder for a symlink).
 *
 * Node has no openat(2). On Linux `/proc/self/fd/<fd>/<name>` does the same: the
 * kernel follows the magic link to exactly the directory the fd holds (whatever it is
 * called now) and looks `name` up there; with O_NOFOLLOW `name` itself is never
 * followed. mkdir, rename, unlink and rmdir never follow a final component anyway.
 */

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;
const DIRECTORY_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/**
 * Without /proc (not Linux) we fall back to path strings: each component is still
 * opened no-follow, so a swap before the walk is caught, but one between the walk
 * and the operation is not.
 */
export const HAS_PROC_FD = existsSync("/proc/self/fd");

export interface DirHandle {
  fd: number;
  /** The real path it had when opened: for messages, and the no-/proc fallback. */
  path: string;
}

/** The path that means `name` inside the directory `dir` holds (or the directory itself). */
export function at(dir: DirHandle, name?: string): string {
  const base = HAS_PROC_FD ? `/proc/self/fd/${dir.fd}` : dir.path;
  return name === undefined ? base : `${base}/${name}`;
}

/** swapped: a symlink (or nothing) where a directory was checked; not-directory: a file is there. */
export type WalkFailure = "swapped" | "missing" | "not-directory" | "other";

export class WalkError extends Error {
  constructor(
    readonly failure: WalkFailure,
    readonly code: string,
    readonly component: string,
  ) {
    super(`${failure} at "${component}" (${code})`);
  }
}

/** Opens the workspace root and proves it is still the folder the sandbox was made for. */
export function openRoot(root: string, identity: { dev: number; ino: number }): DirHandle {
  let fd: number;
  try {
    fd = openSync(root, DIRECTORY_FLAGS);
  } catch (error) {
    throw classify(undefined, root, error);
  }
  const stats = fstatSync(fd);
  if (stats.dev !== identity.dev || stats.ino !== identity.ino) {
    closeSync(fd);
    throw new WalkError("swapped", "EXDEV", root);
  }
  return { fd, path: root };
}

/** openat(dir, name, O_DIRECTORY | O_NOFOLLOW), creating the directory first if asked. */
export function openChildDirectory(dir: DirHandle, name: string, create = false): DirHandle {
  if (create) {
    try {
      mkdirSync(at(dir, name), 0o755);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EIO";
      if (code !== "EEXIST") throw new WalkError(code === "ENOENT" ? "swapped" : "other", code, name);
    }
  }
  try {
    return { fd: openSync(at(dir, name), DIRECTORY_FLAGS), path: join(dir.path, name) };
  } catch (error) {
    throw classify(dir, name, error);
  }
}

/**
 * Walks `parts` (names, no `..`, no links expected) down from `start`, which it takes
 * over: every fd but the returned one is closed, also on failure.
 */
export function walk(start: DirHandle, parts: string[], create = false): DirHandle {
  let current = start;
  try {
    for (const part of parts) {
      const next = openChildDirectory(current, part, create);
      closeSync(current.fd);
      current = next;
    }
    return current;
  } catch (error) {
    closeSync(current.fd);
    throw error;
  }
}

function classify(dir: DirHandle | undefined, name: string, error: unknown): WalkError {
  const code = (error as NodeJS.ErrnoException).code ?? "EIO";
  if (code === "ENOENT") return new WalkError("missing", code, name);
  if (code === "ELOOP" || code === "ENOTDIR") {
    // O_NOFOLLOW | O_DIRECTORY fails the same way on a symlink and on a file: look.
    let isLink = true;
    try {
      isLink = lstatSync(dir ? at(dir, name) : name).isSymbolicLink();
    } catch {
      isLink = true;
    }
    return new WalkError(isLink ? "swapped" : "not-directory", code, name);
  }
  return new WalkError("other", code, name);
}
