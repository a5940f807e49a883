import { lstatSync, readlinkSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { HobError } from "../errors/index.js";

/** Limits on paths a tool may name (Linux's own are PATH_MAX 4096, NAME_MAX 255). */
export const MAX_PATH_LENGTH = 4096;
export const MAX_NAME_LENGTH = 255;
const MAX_SYMLINK_HOPS = 40;

export type Intent = "read" | "list" | "write" | "delete" | "move-from" | "move-to";

export function sandboxError(path: string, reason: string): HobError {
  return new HobError("E_SANDBOX", `Refused "${printable(path)}": ${reason}.`, {
    hint: "Tools may only touch files inside the workspace; paths are relative to it.",
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters we escape
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Shows control and invisible characters escaped, so a refusal message cannot hide them. */
export function printable(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).slice(0, 300);
}

/** Inside by path components, never by string prefix (so /ws-evil is not inside /ws). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

export interface Resolved {
  /** The real, symlink-free absolute path (or where a new file would be). */
  path: string;
  /** Relative to the workspace root, with forward slashes. */
  relative: string;
  exists: boolean;
  /** The final component is a symlink (only possible for intents that do not follow it). */
  finalIsLink: boolean;
}

/**
 * Resolves a tool's path inside `root` (itself a real path), walking every component:
 * each symlink hop is followed by hand and refused the moment it points outside, so a
 * chain that leaves and comes back is refused too. For write-like intents the final
 * component is not followed. Throws E_SANDBOX with the reason.
 */
export function resolveInside(root: string, userPath: string, intent: Intent): Resolved {
  if (typeof userPath !== "string") throw sandboxError(String(userPath), "the path is not text");
  if (userPath.includes("\0")) throw sandboxError(userPath, "the path contains a NUL byte");
  if (userPath.length > MAX_PATH_LENGTH)
    throw sandboxError(userPath, `the path is longer than ${MAX_PATH_LENGTH} characters`);
  const lexical = resolve(root, userPath === "" ? "." : userPath);
  if (!isInside(root, lexical)) {
    throw sandboxError(
      userPath,
      isAbsolute(userPath) ? "absolute paths outside the workspace are not allowed" : "it leads outside the workspace",
    );
  }
  const followFinal = intent === "read" || intent === "list";
  const queue = relative(root, lexical)
    .split(sep)
    .filter((part) => part !== "" && part !== ".");
  for (const part of queue) {
    if (part.length > MAX_NAME_LENGTH)
      throw sandboxError(userPath, `a name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  let current = root;
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift() as string;
    if (part === "..") {
      current = dirname(current);
      if (!isInside(root, current)) throw sandboxError(userPath, "it leads outside the workspace");
      continue;
    }
    const next = join(current, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return done(root, join(next, ...queue), false, false);
      if (code === "ENOTDIR") throw sandboxError(userPath, `"${relative(root, current)}" is not a directory`);
      throw sandboxError(userPath, `cannot inspect it (${code})`);
    }
    if (isLink) {
      if (queue.length === 0 && !followFinal) return done(root, next, true, true);
      if (++hops > MAX_SYMLINK_HOPS) throw sandboxError(userPath, "too many symbolic links (a loop?)");
      let target: string;
      try {
        target = readlinkSync(next);
      } catch {
        // It was a link a moment ago: something is swapping it under us.
        throw sandboxError(userPath, "it changed while being checked (a swapped symbolic link?)");
      }
      const absolute = resolve(dirname(next), target);
      if (!isInside(root, absolute)) {
        throw sandboxError(userPath, `the symbolic link "${relative(root, next)}" points outside the workspace`);
      }
      queue.unshift(
        ...relative(root, absolute)
          .split(sep)
          .filter((p) => p !== "" && p !== "."),
      );
      current = root;
      continue;
    }
    current = next;
  }
  return done(root, current, true, false);
}

function done(root: string, path: string, exists: boolean, finalIsLink: boolean): Resolved {
  return { path, relative: relative(root, path).split(sep).join("/") || ".", exists, finalIsLink };
}
