import { type Dirent, lstatSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { HobError } from "../errors/index.js";
import { isInside } from "./paths.js";
import { normaliseName } from "./protected.js";

/**
 * What a sandboxed process may not change although it lies in the writable workspace:
 * whatever git runs commands from — a `.git` folder or file, `.gitattributes`,
 * `.gitmodules`, and any folder git would take for a repository (HEAD, objects/, refs/),
 * whatever its name — on the user's next `git status` or shell prompt, as the user.
 *
 * Before the run, every such entry is found and bound read-only into the sandbox. A bind
 * cannot stop the process from renaming a parent folder and putting a new entry where the
 * old one was, so after the run every entry is matched to the ones from before by device
 * and inode, not by path: an original that moved stays (and is reported), anything new is
 * removed (and reported), and a replaced symbolic link is put back. Both walks fail closed:
 * a workspace too large to walk is refused before the run, and one made too large during
 * the run is reported as unchecked.
 *
 * hob's own state is not guarded here but refused: a process that can rename the folders
 * around HOB_HOME can swap hob's configuration, whatever is bound or masked.
 */
const GUARDED_NAMES = new Set([".git", ".gitattributes", ".gitmodules"]);
/** A bound on each walk (about a second on a large tree): beyond it, the run is refused or reported unchecked. */
export const MAX_GUARD_ENTRIES = 1_000_000;

export interface GuardedEntry {
  /** Relative to the workspace, forward slashes. */
  relative: string;
  kind: "directory" | "file" | "symlink" | "other";
  /** `${dev}:${ino}`: what identifies it across renames. */
  identity: string;
  linkTarget?: string;
}

export interface WorkspaceGuard {
  /** Existing real files and folders to bind read-only (symlinks are not bound: inside, they resolve in the sandbox). */
  readOnly: string[];
  entries: GuardedEntry[];
  limit: number;
}

export interface GuardReport {
  /** Entries the run created or replaced, removed again (links restored). */
  undone: string[];
  /** Original entries the run moved (kept where they are now): `from -> to`. */
  moved: string[];
  /** The workspace grew past MAX_GUARD_ENTRIES during the run: it could not be checked. */
  unchecked: boolean;
}

const isGuardedName = (name: string) => GUARDED_NAMES.has(normaliseName(name));

/** A folder git would open as a repository: HEAD, objects/ and refs/ (how git itself recognises one). */
function looksLikeRepository(entries: Dirent[]): boolean {
  const has = (name: string, dir: boolean) =>
    entries.some((e) => e.name === name && (dir ? e.isDirectory() : e.isFile() || e.isSymbolicLink()));
  return has("HEAD", false) && has("objects", true) && has("refs", true);
}

function describe(workspace: string, path: string): GuardedEntry | undefined {
  try {
    const stats = lstatSync(path);
    const kind = stats.isSymbolicLink()
      ? "symlink"
      : stats.isDirectory()
        ? "directory"
        : stats.isFile()
          ? "file"
          : "other";
    return {
      relative: relative(workspace, path).split(sep).join("/"),
      kind,
      identity: `${stats.dev}:${stats.ino}`,
      ...(kind === "symlink" ? { linkTarget: readlinkSync(path) } : {}),
    };
  } catch {
    return undefined; // gone between the listing and the look: nothing to guard
  }
}

/** Guarded entries under the workspace; never follows symlinks, never descends into what it guards. */
function walk(workspace: string, limit: number): { entries: GuardedEntry[]; incomplete: boolean } {
  const entries: GuardedEntry[] = [];
  const stack = [workspace];
  let seen = 0;
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable to root as well: nothing git could read either
    }
    if (dir !== workspace && looksLikeRepository(names)) {
      const entry = describe(workspace, dir);
      if (entry) entries.push(entry);
      continue;
    }
    for (const entry of names) {
      if (++seen > limit) return { entries, incomplete: true };
      const full = join(dir, entry.name);
      if (isGuardedName(entry.name)) {
        const described = describe(workspace, full);
        if (described) entries.push(described);
        continue;
      }
      if (entry.isDirectory()) stack.push(full);
    }
  }
  return { entries, incomplete: false };
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Before a run: refuses a workspace that holds hob's own state or is too large to guard,
 * and lists what to bind read-only.
 */
export function guardWorkspace(
  workspace: string,
  hobPaths: string[],
  limit: number = MAX_GUARD_ENTRIES,
): WorkspaceGuard {
  for (const path of hobPaths) {
    // HOB_HOME may be a symlink (~/.hob -> ~/dotfiles/hob): compare both forms.
    const inside = [path, real(path)].find((p) => p !== undefined && p !== workspace && isInside(workspace, p));
    if (inside) {
      throw new HobError(
        "E_SANDBOX",
        `The workspace ${workspace} contains hob's own state (${inside}); code cannot run in the sandbox there.`,
        {
          hint: "A process that can rename folders in the workspace could swap hob's configuration or approval key. Use a project folder that does not contain HOB_HOME as the workspace (--workspace DIR).",
        },
      );
    }
  }
  const { entries, incomplete } = walk(workspace, limit);
  if (incomplete) {
    throw new HobError(
      "E_SANDBOX",
      `The workspace ${workspace} holds more than ${limit} entries; hob cannot check it for git's control files, so code cannot run in the sandbox there.`,
      { hint: "Use a smaller project folder as the workspace (--workspace DIR)." },
    );
  }
  return {
    readOnly: entries.filter((e) => e.kind === "directory" || e.kind === "file").map((e) => e.relative),
    entries,
    limit,
  };
}

/** After the run: keeps originals (even moved), removes what is new, restores replaced links. */
export function undoGuardedChanges(workspace: string, before: WorkspaceGuard): GuardReport {
  const originals = new Map(before.entries.map((e) => [e.identity, e]));
  const atPath = new Map(before.entries.map((e) => [e.relative, e]));
  const after = walk(workspace, before.limit);
  const report: GuardReport = { undone: [], moved: [], unchecked: after.incomplete };
  for (const entry of after.entries) {
    const original = originals.get(entry.identity);
    if (original && original.kind === entry.kind && original.linkTarget === entry.linkTarget) {
      if (original.relative !== entry.relative) report.moved.push(`${original.relative} -> ${entry.relative}`);
      continue;
    }
    const full = join(workspace, ...entry.relative.split("/"));
    rmSync(full, { recursive: true, force: true });
    const previous = atPath.get(entry.relative);
    if (previous?.kind === "symlink" && previous.linkTarget !== undefined) symlinkSync(previous.linkTarget, full);
    report.undone.push(entry.relative);
  }
  return report;
}
