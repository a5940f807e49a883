import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { isInside } from "./paths.js";

/**
 * Paths an agent may never write, even inside the workspace: git's control files
 * (code that runs on the user's next `git status`), and hob's own config, agents,
 * skills and database if a user puts the workspace around HOB_HOME. hob's own files
 * are not readable either: hob.yaml may hold an API key.
 */
export interface ProtectedPaths {
  /** Patterns relative to the workspace, matched on normalised names. */
  workspacePatterns: ProtectedPattern[];
  /** Absolute paths of hob's own state, each in every form it may be reached by (see resolveHobPaths). */
  hobPaths: string[];
}

export interface ProtectedPattern {
  pattern: RegExp;
  /** Why: shown to the model and the user, so it must name the risk. */
  reason: string;
}

// biome-ignore lint/suspicious/noMisleadingCharacterClass: a set of single invisible code points, removed one by one
const INVISIBLE = /[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** Folds case, Unicode compatibility forms and invisible characters, so `.GIT`, `.gıt` and `.g\u200bit` match. */
export function normaliseName(path: string): string {
  return path
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .toLowerCase()
    .replace(/ı/g, "i")
    .split("/")
    .map((part) => part.replace(/[. ]+$/, "")) // Windows ignores trailing dots and spaces
    .join("/");
}

/**
 * Git runs code named in files it reads on every `git status`: hooks, `core.fsmonitor`
 * and friends in config, filters in .gitattributes, URLs in .gitmodules; and a `.git`
 * FILE (`gitdir: …`) or `.git/commondir` points it at a folder whose config it then
 * trusts. So the whole class is closed, not the files known so far: nothing named
 * `.git` (file or folder), nothing under one, no .gitattributes or .gitmodules.
 */
export const GIT_REASON =
  "it is protected: git runs code named in its control files: hooks, config (core.fsmonitor, core.hooksPath), " +
  "a .git file or .git/commondir that points it at another folder, filters in .gitattributes and URLs in .gitmodules, " +
  "so agents may not create, change, move or delete anything named .git, inside a .git folder, .gitattributes or .gitmodules";

export const HOB_REASON = "it is protected (hob's own files): agents may not change it";

export const DEFAULT_WORKSPACE_PATTERNS: ProtectedPattern[] = [
  { pattern: /(^|\/)\.git(\/|$)/, reason: GIT_REASON },
  { pattern: /(^|\/)\.git(attributes|modules)(\/|$)/, reason: GIT_REASON },
  { pattern: /(^|\/)\.hob(\/|$)/, reason: HOB_REASON },
];

/**
 * Whether `dir` is a git directory whatever its name (a bare `x.git`, the target of a
 * `.git` symlink or `gitdir:` file): git itself recognises one by HEAD, objects/ and refs/.
 */
export function looksLikeGitDirectory(names: { isDir(name: string): boolean; isFile(name: string): boolean }) {
  return names.isFile("HEAD") && names.isDir("objects") && names.isDir("refs");
}

function isGitDirectoryAt(dir: string): boolean {
  const kind = (name: string) => {
    try {
      return lstatSync(join(dir, name));
    } catch {
      return undefined;
    }
  };
  return looksLikeGitDirectory({
    isFile: (name) => kind(name)?.isFile() ?? false,
    isDir: (name) => kind(name)?.isDirectory() ?? false,
  });
}

/** The reason a single entry name is protected wherever it appears (used to look inside folders being moved). */
export function protectedNameReason(name: string, protect: ProtectedPaths): string | undefined {
  const normalised = normaliseName(name);
  return protect.workspacePatterns.find(({ pattern }) => pattern.test(normalised))?.reason;
}

/**
 * Every form a hob path may be reached by: as given, and fully resolved. A path that
 * does not exist yet (hob.yaml before the first `hob init`) is resolved through its
 * nearest existing ancestor, so `~/.hob -> ~/dotfiles/hob` protects
 * `dotfiles/hob/hob.yaml` before it exists. Done once, when the sandbox is made.
 */
export function resolveHobPaths(paths: string[]): string[] {
  const forms = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(path);
    forms.add(absolute);
    forms.add(realpathOfNearest(absolute));
  }
  return [...forms];
}

function realpathOfNearest(absolute: string): string {
  let head = absolute;
  const tail: string[] = [];
  for (let hops = 0; hops < 40; hops++) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      // A dangling symlink is where the file would be created: follow it by hand.
      let target: string | undefined;
      try {
        if (lstatSync(head).isSymbolicLink()) target = resolve(dirname(head), readlinkSync(head));
      } catch {
        target = undefined;
      }
      if (target !== undefined) {
        head = target;
        continue;
      }
      const parent = dirname(head);
      if (parent === head) break;
      tail.unshift(basename(head));
      head = parent;
    }
  }
  return absolute;
}

/**
 * Why `candidates` (the real path, and for writes also the path as named) may not be
 * touched, or undefined. Reads are only refused for hob's own files.
 */
export function protectedReason(
  root: string,
  candidates: string | string[],
  protect: ProtectedPaths,
  write: boolean,
): string | undefined {
  for (const candidate of typeof candidates === "string" ? [candidates] : candidates) {
    for (const hobPath of protect.hobPaths) {
      // Writing (moving, deleting) a folder that holds hob's files counts as touching them.
      if (isInside(hobPath, candidate) || (write && isInside(candidate, hobPath))) {
        return "it is part of hob's own configuration or data";
      }
    }
    if (!write) continue;
    const rel = normaliseName(relative(root, candidate).split(sep).join("/"));
    const hit = protect.workspacePatterns.find(({ pattern }) => pattern.test(rel));
    if (hit) return hit.reason;
    // The same risk under another name: the candidate or a folder above it is a git directory.
    for (let dir = candidate; isInside(root, dir); dir = dirname(dir)) {
      if (isGitDirectoryAt(dir)) return GIT_REASON;
      if (dir === root) break;
    }
  }
  return undefined;
}
