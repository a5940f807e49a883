import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { HobError } from "../errors/index.js";

/** Who a commit is by; set per call with `-c user.name/-c user.email`, never in any config file. */
export interface GitAuthor {
  name: string;
  email: string;
}

export interface LogEntry {
  commit: string;
  subject: string;
  author: string;
  email: string;
  /** Commit time, ms since the epoch. */
  at: number;
}

const HOB: GitAuthor = { name: "hob", email: "hob@localhost" };

/**
 * Options on every call. A repository's own config (or one copied in from elsewhere) may
 * name commands git would run: hooks, an fsmonitor program, a signing program. Config
 * given with `-c` wins over every file, so none of them runs.
 */
const SAFE = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "commit.gpgSign=false",
  "-c",
  "tag.gpgSign=false",
  // Diffs always name paths as a/… and b/…: a user's diff.noprefix would make `git apply -p1` strip a real folder.
  "-c",
  "diff.noprefix=false",
  "-c",
  "diff.mnemonicPrefix=false",
  "--no-pager",
];

const TIMEOUT_MS = 30_000;

/** The environment without GIT_* variables, which could point git at another repository or config. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  env.GIT_TERMINAL_PROMPT = "0";
  // hob's repositories follow hob's rules, not the user's or the system's git config (excludes, filters, prefixes).
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.GIT_CONFIG_NOSYSTEM = "1";
  return env;
}

interface GitFailure {
  code: number | string | undefined;
  stdout: string;
  stderr: string;
  message: string;
}

/** Runs git on `dir` (its own .git only: never a parent's). Resolves with stdout; rejects with a GitFailure. */
function run(dir: string, args: string[], author?: GitAuthor, input?: string): Promise<string> {
  const identity = author ? ["-c", `user.name=${author.name}`, "-c", `user.email=${author.email}`] : [];
  const location = ["--git-dir", join(dir, ".git"), "--work-tree", dir];
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      [...SAFE, ...identity, ...location, ...args],
      { cwd: dir, env: cleanEnv(), timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const failure: GitFailure = {
          code: (error as { code?: number | string }).code,
          stdout,
          stderr,
          message: (stderr.trim() || error.message).split("\n")[0] ?? error.message,
        };
        reject(failure);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function storeError(dir: string, what: string, failure: unknown): HobError {
  const { code, message } = failure as GitFailure;
  const missing = code === "ENOENT";
  return new HobError(
    "E_STORE",
    `Could not ${what} in ${dir} with git: ${missing ? "git is not installed" : message}.`,
    {
      hint: missing
        ? "Install git: skills are kept as git repositories."
        : "Check that git is installed and the folder is writable; `git -C <folder> status` shows its state.",
      cause: failure,
    },
  );
}

function requireRepository(dir: string): void {
  if (!existsSync(join(dir, ".git"))) {
    throw new HobError("E_NOT_FOUND", `${dir} is not a git repository.`, {
      hint: "Create it with ensureRepository first (hob does this when it writes a skill).",
    });
  }
}

/** Makes `dir` (created if missing) a git repository of its own; does nothing if it already is one. */
export async function ensureRepository(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, ".git"))) return;
  try {
    await run(dir, ["init", "-q"]);
  } catch (error) {
    throw storeError(dir, "create a repository", error);
  }
}

/** The commit HEAD points at, or undefined in a repository without commits. */
export async function head(dir: string): Promise<string | undefined> {
  requireRepository(dir);
  try {
    return (await run(dir, ["rev-parse", "--verify", "-q", "HEAD"])).trim() || undefined;
  } catch (error) {
    // `rev-parse --verify -q` exits 1 without output when HEAD does not exist yet.
    if ((error as GitFailure).code === 1) return undefined;
    throw storeError(dir, "read HEAD", error);
  }
}

/**
 * Stages everything and commits it. Safe to call with nothing to commit: no empty commit is
 * made and the current HEAD comes back with `changed: false` (only the first commit of a new
 * repository may be empty, so that there is always a HEAD).
 */
export async function commitAll(
  dir: string,
  message: string,
  author: GitAuthor = HOB,
): Promise<{ commit: string; changed: boolean }> {
  requireRepository(dir);
  try {
    await run(dir, ["add", "-A"]);
    const current = await head(dir);
    const staged = (await run(dir, ["status", "--porcelain", "--untracked-files=no"])).trim() !== "";
    if (current && !staged) return { commit: current, changed: false };
    await run(dir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", message], author);
  } catch (error) {
    if (error instanceof HobError) throw error;
    throw storeError(dir, "commit", error);
  }
  return { commit: (await head(dir)) as string, changed: true };
}

/** Files git left unmerged in the index (during a conflicted revert). */
async function unmerged(dir: string): Promise<string[]> {
  const out = await run(dir, ["diff", "--name-only", "--diff-filter=U", "-z"]).catch(() => "");
  return out.split("\0").filter(Boolean);
}

/**
 * Commits the inverse of `sha`. When it conflicts with later changes nothing is left half
 * done (the revert is aborted) and an E_CONFLICT error names the conflicting files.
 */
export async function revert(
  dir: string,
  sha: string,
  author: GitAuthor = HOB,
  message?: string,
): Promise<{ commit: string }> {
  requireRepository(dir);
  try {
    await run(dir, ["rev-parse", "--verify", "-q", `${sha}^{commit}`]);
  } catch {
    throw new HobError("E_NOT_FOUND", `There is no commit ${sha} in ${dir}.`, {
      hint: "log() lists the commits that can be reverted.",
    });
  }
  try {
    if (message === undefined) await run(dir, ["revert", "--no-edit", sha], author);
    else {
      await run(dir, ["revert", "--no-edit", "--no-commit", sha], author);
      await run(dir, ["commit", "-q", "--no-verify", "-m", message], author);
    }
  } catch (error) {
    const files = await unmerged(dir);
    if (files.length > 0) {
      await run(dir, ["revert", "--abort"]).catch(() => undefined);
      throw new HobError(
        "E_CONFLICT",
        `Reverting ${sha.slice(0, 12)} conflicts with later changes in ${files.join(", ")}.`,
        {
          hint: "Later commits changed the same lines: revert those first (newest first), or edit the files by hand.",
          cause: error,
        },
      );
    }
    throw storeError(dir, `revert ${sha.slice(0, 12)}`, error);
  }
  return { commit: (await head(dir)) as string };
}

/** The newest `limit` commits, newest first (empty for a repository without commits). */
export async function log(dir: string, limit: number): Promise<LogEntry[]> {
  if ((await head(dir)) === undefined) return [];
  let out: string;
  try {
    out = await run(dir, [
      "log",
      `--max-count=${Math.max(1, Math.floor(limit))}`,
      "--format=%H%x1f%an%x1f%ae%x1f%ct%x1f%s%x1e",
    ]);
  } catch (error) {
    throw storeError(dir, "read the log", error);
  }
  return out
    .split("\x1e")
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [commit = "", author = "", email = "", seconds = "0", subject = ""] = record.split("\x1f");
      return { commit, author, email, at: Number(seconds) * 1000, subject };
    });
}

/**
 * Everything changed in the working tree since HEAD (new files included) as one unified
 * diff with paths relative to the repository, ready for `applyPatch` elsewhere.
 */
export async function diffSinceHead(dir: string): Promise<{ diff: string; files: string[] }> {
  requireRepository(dir);
  try {
    await run(dir, ["add", "-A"]);
    const diff = await run(dir, [
      "diff",
      "--cached",
      "--no-color",
      "--no-ext-diff",
      "--no-renames",
      "--src-prefix=a/",
      "--dst-prefix=b/",
      "--full-index",
      "--binary",
      "HEAD",
    ]);
    const files = (await stagedChanges(dir)).map((change) => change.path);
    return { diff, files };
  } catch (error) {
    throw storeError(dir, "compute a diff", error);
  }
}

/**
 * Applies a unified diff to the working tree and index, all or nothing (git apply never
 * leaves a half-applied patch); `check` only tests that it would apply.
 */
export async function applyPatch(dir: string, patch: string, options: { check?: boolean } = {}): Promise<void> {
  requireRepository(dir);
  try {
    await run(
      dir,
      ["apply", "--index", "--whitespace=nowarn", ...(options.check ? ["--check"] : []), "-"],
      undefined,
      patch,
    );
  } catch (error) {
    const failure = error as GitFailure;
    throw new HobError("E_CONFLICT", `The change does not apply to ${dir}: ${failure.message}.`, {
      hint: "The files changed since it was made; make it again from the current state.",
      cause: error,
    });
  }
}

/** Commits what is staged (after applyPatch), with a message; the new HEAD. */
export async function commitStaged(dir: string, message: string, author: GitAuthor = HOB): Promise<string> {
  requireRepository(dir);
  try {
    await run(dir, ["commit", "-q", "--no-verify", "-m", message], author);
  } catch (error) {
    throw storeError(dir, "commit", error);
  }
  return (await head(dir)) as string;
}

/**
 * The newest commit whose message ends with the line `trailer` (e.g. `Hob-Proposal: <id>`):
 * the same text anywhere else in a message (a quoted rationale) does not count.
 */
export async function findCommit(dir: string, trailer: string): Promise<string | undefined> {
  if ((await head(dir)) === undefined) return undefined;
  let out: string;
  try {
    out = await run(dir, ["log", "--fixed-strings", `--grep=${trailer}`, "--max-count=50", "--format=%H%x1f%B%x1e"]);
  } catch (error) {
    throw storeError(dir, "search the log", error);
  }
  for (const record of out.split("\x1e")) {
    const [commit = "", message = ""] = record.trim().split("\x1f");
    if (commit && message.trimEnd().split("\n").at(-1) === trailer) return commit;
  }
  return undefined;
}

/** Discards uncommitted changes (after a failed step), back to HEAD. */
export async function resetHard(dir: string): Promise<void> {
  requireRepository(dir);
  try {
    await run(dir, ["reset", "-q", "--hard", "HEAD"]);
    await run(dir, ["clean", "-q", "-fd"]);
  } catch (error) {
    throw storeError(dir, "reset", error);
  }
}

/** Files a commit changed. */
export async function changedFiles(dir: string, sha: string): Promise<string[]> {
  try {
    return (await run(dir, ["show", "--name-only", "--format=", "-z", sha])).split("\0").filter(Boolean);
  } catch (error) {
    throw storeError(dir, `read commit ${sha.slice(0, 12)}`, error);
  }
}

/** One staged change against HEAD, as git will commit it: the path and its new mode (000000: deleted). */
export interface StagedChange {
  path: string;
  mode: string;
  status: string;
}

/** What is staged against HEAD, from git itself (no renames or copies: each path on its own). */
export async function stagedChanges(dir: string): Promise<StagedChange[]> {
  requireRepository(dir);
  let out: string;
  try {
    out = await run(dir, ["diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "HEAD"]);
  } catch (error) {
    throw storeError(dir, "list staged changes", error);
  }
  // -z --raw: ":<old mode> <new mode> <old sha> <new sha> <status>\0<path>\0" per change.
  const parts = out.split("\0");
  const changes: StagedChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const fields = (parts[i] ?? "").replace(/^:/, "").split(" ");
    if (fields.length < 5) continue;
    changes.push({ path: parts[i + 1] as string, mode: fields[1] as string, status: fields[4] as string });
  }
  return changes;
}
