import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readlinkSync,
  type Stats,
  writeSync,
} from "node:fs";
import { lstat, mkdir, open, readdir, realpath, rename, rmdir, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import picomatch from "picomatch";
import { HobError } from "../errors/index.js";
import { type Intent, isInside, type Resolved, resolveInside, sandboxError } from "./paths.js";
import { DEFAULT_WORKSPACE_PATTERNS, type ProtectedPaths, protectedReason } from "./protected.js";

export interface AuditEntry {
  operation: string;
  path: string;
  resolved: string | null;
  allowed: boolean;
  reason: string | null;
}

export interface SandboxOptions {
  /** hob's own state (HOB_HOME parts) that must stay untouched if it lies inside the workspace. */
  hobPaths?: string[];
  maxReadBytes?: number;
  maxWriteBytes?: number;
  /** Called for every access, allowed or denied. */
  audit?: (entry: AuditEntry) => void;
}

export interface DirectoryEntry {
  name: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
}

export interface SearchMatch {
  path: string;
  line?: number;
  text?: string;
}

const SEARCH_LIMIT = 200;
const SEARCH_FILE_LIMIT = 1_000_000;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/**
 * The only way tools touch files. Every path is resolved inside the workspace by
 * components (see paths.ts), special and protected files are refused, and every
 * open is re-checked after the fact: the opened file's real path (via /proc/self/fd)
 * must still be inside, so swapping a directory for a symlink between check and use
 * does not help. Every access is audited.
 */
export class SandboxedFileSystem {
  private readonly protect: ProtectedPaths;
  private readonly maxReadBytes: number;
  private readonly maxWriteBytes: number;

  private constructor(
    readonly root: string,
    private readonly options: SandboxOptions,
  ) {
    this.protect = { workspacePatterns: DEFAULT_WORKSPACE_PATTERNS, hobPaths: options.hobPaths ?? [] };
    this.maxReadBytes = options.maxReadBytes ?? 1_000_000;
    this.maxWriteBytes = options.maxWriteBytes ?? 1_000_000;
  }

  /** Creates the workspace if needed and anchors the sandbox at its real path. */
  static async create(root: string, options: SandboxOptions = {}): Promise<SandboxedFileSystem> {
    await mkdir(root, { recursive: true });
    const real = await realpath(root);
    for (const special of ["/proc", "/sys", "/dev"]) {
      if (isInside(special, real) || real === "/") {
        throw new HobError("E_SANDBOX", `The workspace cannot be ${real}.`, {
          hint: "Choose a project folder as --workspace.",
        });
      }
    }
    const hobPaths = await Promise.all((options.hobPaths ?? []).map((p) => realpath(p).catch(() => p)));
    return new SandboxedFileSystem(real, { ...options, hobPaths });
  }

  /** Resolves and checks a path for an intent; throws E_SANDBOX (audited) when refused. */
  check(path: string, intent: Intent): Resolved {
    try {
      const resolved = resolveInside(this.root, path, intent);
      const write = intent !== "read" && intent !== "list";
      const reason = protectedReason(this.root, resolved.path, this.protect, write);
      if (reason) throw sandboxError(path, reason);
      return resolved;
    } catch (error) {
      if (error instanceof HobError) this.audit(intent, path, null, false, error.message);
      throw error;
    }
  }

  async readFile(path: string): Promise<string> {
    const resolved = this.check(path, "read");
    if (!resolved.exists) throw this.missing("read", path, resolved);
    // Synchronous on purpose: open, prove and read are single cheap syscalls (reads are
    // capped), and a thread-pool hop per step would cost more than the checks themselves.
    const fd = this.openChecked(path, resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, "read");
    try {
      const stats = fstatSync(fd);
      this.requireRegular(path, resolved, stats, "read");
      if (stats.size > this.maxReadBytes) {
        throw this.denied(
          "read",
          path,
          resolved,
          `the file is ${stats.size} bytes, over the ${this.maxReadBytes}-byte limit`,
        );
      }
      const text = readFileSync(fd, "utf8");
      this.audit("read", path, resolved.path, true, null);
      return text;
    } finally {
      closeSync(fd);
    }
  }

  /** Writes a file; never through a symlink, never into a hard-linked file. */
  async writeFile(path: string, content: string): Promise<{ created: boolean; bytes: number }> {
    const bytes = Buffer.byteLength(content);
    const resolved = this.check(path, "write");
    if (bytes > this.maxWriteBytes)
      throw this.denied("write", path, resolved, `the content is over the ${this.maxWriteBytes}-byte limit`);
    if (resolved.finalIsLink)
      throw this.denied("write", path, resolved, "it is a symbolic link, and writes never follow links");
    if (!resolved.exists) await this.makeParents(path, resolved);
    const flags = resolved.exists ? O_WRONLY | O_NOFOLLOW | O_NONBLOCK : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
    const fd = this.openChecked(path, resolved, flags, "write");
    try {
      const stats = fstatSync(fd);
      this.requireRegular(path, resolved, stats, "write");
      if (stats.nlink > 1)
        throw this.denied("write", path, resolved, "it has other hard links, and writing it would change them too");
      ftruncateSync(fd, 0);
      writeSync(fd, content, 0, "utf8");
      this.audit("write", path, resolved.path, true, null);
      return { created: !resolved.exists, bytes };
    } finally {
      closeSync(fd);
    }
  }

  async listDirectory(path: string): Promise<DirectoryEntry[]> {
    const resolved = this.check(path, "list");
    if (!resolved.exists) throw this.missing("list", path, resolved);
    closeSync(this.openChecked(path, resolved, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, "list"));
    const names = await readdir(resolved.path, { withFileTypes: true });
    const entries: DirectoryEntry[] = [];
    for (const entry of names.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(resolved.path, entry.name);
      if (protectedReason(this.root, full, this.protect, false)) continue; // hob's own files stay invisible
      const stats = await lstat(full).catch(() => undefined);
      entries.push({
        name: entry.name,
        type: entry.isSymbolicLink()
          ? "symlink"
          : entry.isDirectory()
            ? "directory"
            : entry.isFile()
              ? "file"
              : "other",
        size: stats?.size ?? 0,
      });
    }
    this.audit("list", path, resolved.path, true, null);
    return entries;
  }

  /**
   * Walks the tree under `path` without following symlinks (so a link loop cannot
   * trap it), matching file names against `glob` and contents against `pattern`
   * (a regular expression; empty lists the matching files).
   */
  async searchFiles(
    pattern: string,
    path = ".",
    glob?: string,
  ): Promise<{ matches: SearchMatch[]; truncated: boolean }> {
    const resolved = this.check(path, "list");
    if (!resolved.exists) throw this.missing("search", path, resolved);
    // The pattern comes from a model: bound it, and the lines it runs on, so a
    // catastrophically backtracking expression cannot stall the task for long.
    if (pattern.length > 200) throw new HobError("E_TOOL", "The search pattern is longer than 200 characters.");
    let regex: RegExp | undefined;
    try {
      regex = pattern ? new RegExp(pattern, "i") : undefined;
    } catch (error) {
      throw new HobError(
        "E_TOOL",
        `The search pattern is not a valid regular expression: ${(error as Error).message}.`,
      );
    }
    const isMatch = glob ? picomatch(glob, { dot: false, basename: !glob.includes("/") }) : () => true;
    const matches: SearchMatch[] = [];
    const stack = [resolved.path];
    while (stack.length > 0 && matches.length < SEARCH_LIMIT) {
      const dir = stack.pop() as string;
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries.sort((a, b) => b.name.localeCompare(a.name))) {
        const full = join(dir, entry.name);
        if (protectedReason(this.root, full, this.protect, false)) continue;
        if (entry.isDirectory()) {
          if (entry.name !== ".git" && entry.name !== "node_modules") stack.push(full);
          continue;
        }
        if (!entry.isFile()) continue; // symlinks are never followed here
        const rel = relative(this.root, full).split(sep).join("/");
        if (!isMatch(rel)) continue;
        if (!regex) {
          matches.push({ path: rel });
        } else {
          for (const match of await this.grep(full, rel, regex)) {
            matches.push(match);
            if (matches.length >= SEARCH_LIMIT) break;
          }
        }
        if (matches.length >= SEARCH_LIMIT) break;
      }
    }
    this.audit("search", path, resolved.path, true, null);
    matches.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
    return { matches, truncated: matches.length >= SEARCH_LIMIT };
  }

  async moveFile(source: string, destination: string): Promise<void> {
    const from = this.check(source, "move-from");
    const to = this.check(destination, "move-to");
    if (!from.exists) throw this.missing("move", source, from);
    if (to.exists) {
      const stats = await lstat(to.path);
      if (stats.isDirectory()) throw this.denied("move", destination, to, "the destination is a directory");
    }
    await this.makeParents(destination, to);
    await rename(from.path, to.path);
    this.audit("move", `${source} -> ${destination}`, `${from.path} -> ${to.path}`, true, null);
  }

  /** Deletes a file, a symlink (not its target) or an empty directory. */
  async deleteFile(path: string): Promise<void> {
    const resolved = this.check(path, "delete");
    if (!resolved.exists) throw this.missing("delete", path, resolved);
    if (resolved.relative === ".")
      throw this.denied("delete", path, resolved, "the workspace itself cannot be deleted");
    const stats = await lstat(resolved.path);
    if (stats.isDirectory()) {
      await rmdir(resolved.path).catch((error: NodeJS.ErrnoException) => {
        throw this.denied(
          "delete",
          path,
          resolved,
          error.code === "ENOTEMPTY" ? "the directory is not empty" : String(error.code),
        );
      });
    } else {
      await unlink(resolved.path);
    }
    this.audit("delete", path, resolved.path, true, null);
  }

  /** What a path is now: for approvals (diffs, "does it exist") and their re-checks. */
  async inspect(path: string, intent: Intent): Promise<{ resolved: Resolved; content?: string; size?: number }> {
    const resolved = this.check(path, intent);
    if (!resolved.exists || resolved.finalIsLink) return { resolved };
    const stats = await lstat(resolved.path);
    if (!stats.isFile()) return { resolved, size: stats.size };
    if (stats.size > this.maxReadBytes) return { resolved, size: stats.size };
    return { resolved, size: stats.size, content: await this.readFile(path) };
  }

  private async grep(full: string, rel: string, regex: RegExp): Promise<SearchMatch[]> {
    const handle = await open(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch(() => undefined);
    if (!handle) return [];
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.size > SEARCH_FILE_LIMIT) return [];
      const text = await handle.readFile("utf8");
      if (text.includes("\0")) return []; // binary
      const found: SearchMatch[] = [];
      text.split("\n").forEach((line, i) => {
        if (regex.test(line.slice(0, 2_000))) found.push({ path: rel, line: i + 1, text: line.slice(0, 200) });
      });
      return found;
    } finally {
      await handle.close();
    }
  }

  private async makeParents(path: string, resolved: Resolved): Promise<void> {
    await mkdir(dirname(resolved.path), { recursive: true });
    // mkdir follows links a racing process may have planted: resolve again to be sure.
    const again = resolveInside(this.root, relative(this.root, dirname(resolved.path)) || ".", "list");
    if (!again.exists) throw this.denied("write", path, resolved, "its folder could not be created");
  }

  /** Opens, then proves the opened file is the one we checked and is still inside the workspace. */
  private openChecked(path: string, resolved: Resolved, flags: number, operation: string): number {
    let fd: number;
    try {
      fd = openSync(resolved.path, flags, 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "ELOOP"
          ? "it became a symbolic link"
          : code === "EEXIST"
            ? "it appeared while writing"
            : `cannot open it (${code})`;
      throw this.denied(operation, path, resolved, reason);
    }
    let real: string | undefined;
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      real = undefined; // no /proc (not Linux): the no-follow open is the guard
    }
    if (real !== undefined && (!isInside(this.root, real) || real !== resolved.path)) {
      closeSync(fd);
      throw this.denied(operation, path, resolved, "it changed between the check and the open (a swapped symlink?)");
    }
    return fd;
  }

  private requireRegular(path: string, resolved: Resolved, stats: Stats, operation: string): void {
    if (!stats.isFile()) throw this.denied(operation, path, resolved, "it is not a regular file");
  }

  private denied(operation: string, path: string, resolved: Resolved, reason: string): HobError {
    const error = sandboxError(path, reason);
    this.audit(operation, path, resolved.path, false, error.message);
    return error;
  }

  /** Not a refusal: the path is allowed but nothing is there. */
  private missing(operation: string, path: string, resolved: Resolved): HobError {
    this.audit(operation, path, resolved.path, false, "not found");
    return new HobError("E_TOOL", `"${resolved.relative}" does not exist in the workspace.`, {
      hint: "List the directory first to see what is there.",
    });
  }

  private audit(
    operation: string,
    path: string,
    resolved: string | null,
    allowed: boolean,
    reason: string | null,
  ): void {
    this.options.audit?.({ operation, path, resolved, allowed, reason });
  }
}
