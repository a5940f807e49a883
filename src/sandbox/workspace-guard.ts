import { lstatSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { isInside } from "./paths.js";
import { normaliseName } from "./protected.js";

/**
 * What a sandboxed process may not change although it lies in the writable workspace:
 * git's control entries (a `.git` folder or file, `.gitattributes`, `.gitmodules` —
 * git runs commands named there, on the user's next `git status` or shell prompt) and
 * hob's own state when HOB_HOME lies inside the workspace. Existing git entries are
 * bound read-only into the sandbox; hob's folders are hidden under an empty tmpfs.
 * A bind cannot stop a new `.git` from being created, so after the run every guarded
 * entry that appeared or was replaced is removed (and a replaced link put back), and
 * the run reports what it undid.
 */
const GUARDED_NAMES = new Set([".git", ".gitattributes", ".gitmodules"]);
/** A bound on the walk, so a huge workspace costs bounded time; beyond it the result says so. */
const MAX_ENTRIES = 200_000;

export interface GuardedEntry {
  /** Relative to the workspace, forward slashes. */
  relative: string;
  kind: "directory" | "file" | "symlink" | "other";
  linkTarget?: string;
}

export interface WorkspaceGuard {
  /** Existing real files and folders to bind read-only (symlinks are not bound: inside, they resolve in the sandbox). */
  readOnly: string[];
  /** hob's own state inside the workspace, relative: folders get an empty tmpfs, files /dev/null. */
  masked: Array<{ relative: string; directory: boolean }>;
  entries: GuardedEntry[];
  /** The walk stopped at MAX_ENTRIES: entries deeper than that are not guarded. */
  incomplete: boolean;
}

const isGuarded = (name: string) => GUARDED_NAMES.has(normaliseName(name));

function kindOf(path: string): GuardedEntry["kind"] | undefined {
  try {
    const stats = lstatSync(path);
    return stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : stats.isFile() ? "file" : "other";
  } catch {
    return undefined;
  }
}

/** Guarded entries under the workspace; never follows symlinks, never descends into `.git`. */
function walk(workspace: string): { entries: GuardedEntry[]; incomplete: boolean } {
  const entries: GuardedEntry[] = [];
  const stack = [workspace];
  let seen = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let names: import("node:fs").Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of names) {
      if (++seen > MAX_ENTRIES) return { entries, incomplete: true };
      const full = join(dir, entry.name);
      if (isGuarded(entry.name)) {
        const kind = kindOf(full) ?? "other";
        const rel = relative(workspace, full).split(sep).join("/");
        entries.push(
          kind === "symlink" ? { relative: rel, kind, linkTarget: readlinkSync(full) } : { relative: rel, kind },
        );
        continue;
      }
      if (entry.isDirectory()) stack.push(full);
    }
  }
  return { entries, incomplete: false };
}

/** The real path (HOB_HOME may be a symlink, e.g. ~/.hob -> ~/dotfiles/hob); missing paths are skipped. */
function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function guardWorkspace(workspace: string, hobPaths: string[]): WorkspaceGuard {
  const { entries, incomplete } = walk(workspace);
  const masked = new Map<string, boolean>();
  for (const path of hobPaths.map(real)) {
    if (!path || path === workspace || !isInside(workspace, path)) continue;
    masked.set(relative(workspace, path).split(sep).join("/"), kindOf(path) === "directory");
  }
  return {
    readOnly: entries.filter((e) => e.kind === "directory" || e.kind === "file").map((e) => e.relative),
    // A folder already hidden hides what is inside it.
    masked: [...masked]
      .filter(([rel]) => ![...masked.keys()].some((other) => other !== rel && rel.startsWith(`${other}/`)))
      .map(([rel, directory]) => ({ relative: rel, directory })),
    entries,
    incomplete,
  };
}

/** After the run: removes guarded entries that appeared or changed kind, restores replaced links. */
export function undoGuardedChanges(workspace: string, before: WorkspaceGuard): string[] {
  const known = new Map(before.entries.map((e) => [e.relative, e]));
  const undone: string[] = [];
  for (const entry of walk(workspace).entries) {
    const previous = known.get(entry.relative);
    const same = previous !== undefined && previous.kind === entry.kind && previous.linkTarget === entry.linkTarget;
    if (same) continue;
    const full = join(workspace, ...entry.relative.split("/"));
    rmSync(full, { recursive: true, force: true });
    if (previous?.kind === "symlink" && previous.linkTarget !== undefined) symlinkSync(previous.linkTarget, full);
    undone.push(entry.relative);
  }
  return undone;
}
