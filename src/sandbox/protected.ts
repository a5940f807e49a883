import { relative, sep } from "node:path";
import { isInside } from "./paths.js";

/**
 * Paths an agent may never write, even inside the workspace: git hooks and config
 * (code that runs on the next `git commit`), and hob's own config, agents, skills
 * and database if a user puts the workspace around HOB_HOME. hob's own files are
 * not readable either: hob.yaml may hold an API key.
 */
export interface ProtectedPaths {
  /** Patterns relative to the workspace, matched on normalised names. */
  workspacePatterns: RegExp[];
  /** Absolute paths of hob's own state (HOB_HOME parts). */
  hobPaths: string[];
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

export const DEFAULT_WORKSPACE_PATTERNS = [
  /^(.*\/)?\.git\/hooks(\/|$)/,
  /^(.*\/)?\.git\/config$/,
  /^(.*\/)?\.hob(\/|$)/,
];

export function protectedReason(
  root: string,
  realPath: string,
  protect: ProtectedPaths,
  write: boolean,
): string | undefined {
  for (const hobPath of protect.hobPaths) {
    // Writing (moving, deleting) a folder that holds hob's files counts as touching them.
    if (isInside(hobPath, realPath) || (write && isInside(realPath, hobPath))) {
      return "it is part of hob's own configuration or data";
    }
  }
  if (!write) return undefined;
  const rel = normaliseName(relative(root, realPath).split(sep).join("/"));
  if (protect.workspacePatterns.some((pattern) => pattern.test(rel))) {
    return "it is protected (git hooks and config, hob's files): agents may not change it";
  }
  return undefined;
}
