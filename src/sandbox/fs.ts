import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { mkdir, open, readdir, realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import picomatch from "picomatch";
import { HobError } from "../errors/index.js";
import { at, type DirHandle, openChildDirectory, openRoot, WalkError, walk } from "./fd-walk.js";
import { type Intent, isInside, printable, type Resolved, resolveInside, sandboxError } from "./paths.js";
import {
  DEFAULT_WORKSPACE_PATTERNS,
  GIT_REASON,
  looksLikeGitDirectory,
  type ProtectedPaths,
  protectedNameReason,
  protectedReason,
  resolveHobPaths,
} from "./protected.js";
import { RegexMatcher } from "./regex-worker.js";

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
  /**
   * Read files that have other hard links (off by default): the other name may be a
   * file outside the workspace, and nothing inside says which.
   */
  allowHardLinkReads?: boolean;
  /** Total regex matching time per search_files call before it is stopped (default 2000 ms). */
  searchTimeoutMs?: number;
  /** Called for every access, allowed or denied. */
  audit?: (entry: AuditEntry) => void;
  /**
   * Skill folders readable (never writable) as `skill://<name>/<path>`: returns the folder of a
   * skill the task may read, or undefined. Each is a second root with the same protections.
   */
  skillFolder?: (name: string) => string | undefined;
}

const SKILL_PATH = /^skill:\/\/([^/]*)\/?(.*)$/s;

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

export interface SearchResult {
  matches: SearchMatch[];
  truncated: boolean;
  /** Files whose content was not searched because they have other hard links (see allowHardLinkReads). */
  skipped: number;
}

const SEARCH_LIMIT = 200;
const SEARCH_FILE_LIMIT = 1_000_000;
/** Deeper folders are not searched: each level holds one open directory fd. */
const SEARCH_DEPTH_LIMIT = 64;
/** How many entries a moved folder may hold before we stop looking for git control files in it. */
const MOVE_SCAN_LIMIT = 20_000;
const CHANGED = "it changed while being used (a swapped symbolic link?)";
const HARD_LINKED = "it has other hard links, which may be files outside the workspace";
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/**
 * The only way tools touch files. Every path is first resolved inside the workspace by
 * components (paths.ts) and checked against protected files (protected.ts). Then the
 * operation itself is done relative to directory fds opened one component at a time
 * with O_NOFOLLOW from the workspace root (fd-walk.ts): a folder swapped for a
 * symlink between the check and the use makes the open fail instead of leaving the
 * workspace. Every access is audited.
 */
export class SandboxedFileSystem {
  private readonly protect: ProtectedPaths;
  /**
   * Whether any of hob's paths lies inside the workspace. When none does, no entry met while
   * listing or searching (all inside, never followed through links) can be one, and the
   * per-entry check is skipped: it was most of the cost of a large listing.
   */
  private readonly hobInside: boolean;
  private readonly maxReadBytes: number;
  private readonly maxWriteBytes: number;
  private readonly skillViews = new Map<string, SandboxedFileSystem>();

  private constructor(
    readonly root: string,
    private readonly rootId: { dev: number; ino: number },
    private readonly options: SandboxOptions,
  ) {
    this.protect = { workspacePatterns: DEFAULT_WORKSPACE_PATTERNS, hobPaths: options.hobPaths ?? [] };
    this.hobInside = this.protect.hobPaths.some((hobPath) => isInside(root, hobPath));
    this.maxReadBytes = options.maxReadBytes ?? 1_000_000;
    this.maxWriteBytes = options.maxWriteBytes ?? 1_000_000;
  }

  /** Creates the workspace if needed and anchors the sandbox at its real path (and its inode). */
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
    const { dev, ino } = statSync(real);
    const hobPaths = resolveHobPaths(options.hobPaths ?? []);
    return new SandboxedFileSystem(real, { dev, ino }, { ...options, hobPaths });
  }

  /**
   * A `skill://<name>/…` path: the skill folder's own read-only file system and the path
   * inside it. Undefined for workspace paths; refused for anything but reading and listing.
   */
  private skillView(
    path: string,
    intent: Intent,
  ): { view: SandboxedFileSystem; inner: string; prefix: string } | undefined {
    if (typeof path !== "string" || !path.startsWith("skill://")) return undefined;
    const [, name = "", inner = ""] = SKILL_PATH.exec(path) ?? [];
    const refuse = (reason: string) => {
      const error = sandboxError(path, reason);
      this.audit(intent, path, null, false, error.message);
      return error;
    };
    if (intent !== "read" && intent !== "list") throw refuse("skill folders are read-only");
    const dir = name ? this.options.skillFolder?.(name) : undefined;
    if (!dir) throw refuse(`there is no skill named "${name}" to read`);
    let view = this.skillViews.get(dir);
    if (!view) {
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        throw refuse(`the folder of the skill "${name}" is gone`);
      }
      const { dev, ino } = statSync(real);
      view = new SandboxedFileSystem(
        real,
        { dev, ino },
        { ...this.options, hobPaths: [], skillFolder: undefined, allowHardLinkReads: false },
      );
      this.skillViews.set(dir, view);
    }
    return { view, inner: inner === "" ? "." : inner, prefix: `skill://${name}/` };
  }

  /** An entry of hob's own state, which listings and searches never show. */
  private hidden(path: string): boolean {
    return this.hobInside && protectedReason(this.root, path, this.protect, false) !== undefined;
  }

  /** Resolves and checks a path for an intent; throws E_SANDBOX (audited) when refused. */
  check(path: string, intent: Intent): Resolved {
    const skill = this.skillView(path, intent);
    if (skill) {
      const resolved = skill.view.check(skill.inner, intent);
      return { ...resolved, relative: `${skill.prefix}${resolved.relative === "." ? "" : resolved.relative}` };
    }
    try {
      const resolved = resolveInside(this.root, path, intent);
      const write = intent !== "read" && intent !== "list";
      // A write is judged by where it lands and by the name used: `.git` may be a symlink to the real git folder.
      const candidates = write ? [resolved.path, resolve(this.root, path)] : resolved.path;
      const reason = protectedReason(this.root, candidates, this.protect, write);
      if (reason) throw sandboxError(path, reason);
      return resolved;
    } catch (error) {
      if (error instanceof HobError) this.audit(intent, path, null, false, error.message);
      throw error;
    }
  }

  async readFile(path: string): Promise<string> {
    const skill = this.skillView(path, "read");
    if (skill) return skill.view.readFile(skill.inner);
    const resolved = this.check(path, "read");
    if (!resolved.exists) throw this.missing("read", path, resolved);
    // Synchronous on purpose: walk, open, prove and read are single cheap syscalls (reads
    // are capped), and a thread-pool hop per step would cost more than the checks themselves.
    const fd = this.openFile("read", path, resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const stats = fstatSync(fd);
      this.requireRegular(path, resolved, stats, "read");
      if (stats.nlink > 1 && !this.options.allowHardLinkReads) throw this.denied("read", path, resolved, HARD_LINKED);
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

  /**
   * Writes a file (text as UTF-8, or bytes as they are), creating missing folders;
   * never through a symlink, never into a hard-linked file. `maxBytes` replaces the
   * sandbox's write limit for this call (for trusted callers, e.g. applying a skill's files).
   */
  async writeFile(
    path: string,
    content: string | Uint8Array,
    options: { maxBytes?: number } = {},
  ): Promise<{ created: boolean; bytes: number }> {
    const data =
      typeof content === "string"
        ? Buffer.from(content, "utf8")
        : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const limit = options.maxBytes ?? this.maxWriteBytes;
    const resolved = this.check(path, "write");
    if (data.byteLength > limit)
      throw this.denied("write", path, resolved, `the content is over the ${limit}-byte limit`);
    if (resolved.finalIsLink)
      throw this.denied("write", path, resolved, "it is a symbolic link, and writes never follow links");
    const flags = resolved.exists ? O_WRONLY | O_NOFOLLOW | O_NONBLOCK : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
    const fd = this.openFile("write", path, resolved, flags, !resolved.exists);
    try {
      const stats = fstatSync(fd);
      this.requireRegular(path, resolved, stats, "write");
      if (stats.nlink > 1)
        throw this.denied("write", path, resolved, "it has other hard links, and writing it would change them too");
      ftruncateSync(fd, 0);
      let offset = 0;
      while (offset < data.byteLength) offset += writeSync(fd, data, offset, data.byteLength - offset);
      this.audit("write", path, resolved.path, true, null);
      return { created: !resolved.exists, bytes: data.byteLength };
    } finally {
      closeSync(fd);
    }
  }

  /** Creates a folder and any missing parents (like mkdir -p); an existing folder is fine. */
  async makeDirectory(path: string): Promise<{ created: boolean }> {
    const resolved = this.check(path, "write");
    if (resolved.finalIsLink) throw this.denied("mkdir", path, resolved, "it is a symbolic link");
    const dir = this.openDirectory("mkdir", path, resolved, parts(resolved), true);
    closeSync(dir.fd);
    this.audit("mkdir", path, resolved.path, true, null);
    return { created: !resolved.exists };
  }

  async listDirectory(path: string): Promise<DirectoryEntry[]> {
    const skill = this.skillView(path, "list");
    if (skill) return skill.view.listDirectory(skill.inner);
    const resolved = this.check(path, "list");
    if (!resolved.exists) throw this.missing("list", path, resolved);
    const dir = this.openDirectory("list", path, resolved, parts(resolved));
    try {
      const names = readdirSync(at(dir), { withFileTypes: true });
      const entries: DirectoryEntry[] = [];
      for (const entry of names.sort((a, b) => a.name.localeCompare(b.name))) {
        if (this.hidden(join(resolved.path, entry.name))) continue; // hob's own files stay invisible
        let size = 0;
        try {
          size = lstatSync(at(dir, entry.name)).size;
        } catch {
          size = 0; // gone since readdir
        }
        entries.push({
          name: entry.name,
          type: entry.isSymbolicLink()
            ? "symlink"
            : entry.isDirectory()
              ? "directory"
              : entry.isFile()
                ? "file"
                : "other",
          size,
        });
      }
      this.audit("list", path, resolved.path, true, null);
      return entries;
    } finally {
      closeSync(dir.fd);
    }
  }

  /**
   * Walks the tree under `path` by directory fds, never following symlinks (so a link
   * loop cannot trap it and a swapped folder cannot lead it out), matching file names
   * against `glob` and contents against `pattern` (a regular expression; empty lists
   * the matching files). The pattern runs in a worker under a deadline (regex-worker.ts).
   */
  async searchFiles(
    pattern: string,
    path = ".",
    glob?: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<SearchResult> {
    const skill = this.skillView(path, "list");
    if (skill) {
      const found = await skill.view.searchFiles(pattern, skill.inner, glob, options);
      return { ...found, matches: found.matches.map((m) => ({ ...m, path: `${skill.prefix}${m.path}` })) };
    }
    const resolved = this.check(path, "list");
    if (!resolved.exists) throw this.missing("search", path, resolved);
    if (pattern.length > 200) throw new HobError("E_TOOL", "The search pattern is longer than 200 characters.");
    try {
      new RegExp(pattern, "i"); // compiling is cheap and safe; only matching can run away
    } catch (error) {
      throw new HobError(
        "E_TOOL",
        `The search pattern is not a valid regular expression: ${(error as Error).message}.`,
      );
    }
    const matcher = pattern
      ? new RegexMatcher(pattern, "i", this.options.searchTimeoutMs ?? 2_000, options.signal)
      : undefined;
    const isMatch = glob ? picomatch(glob, { dot: false, basename: !glob.includes("/") }) : () => true;
    const result: SearchResult = { matches: [], truncated: false, skipped: 0 };
    const start = resolved.relative === "." ? "" : resolved.relative;
    const names = parts(resolved);
    let dir: DirHandle;
    try {
      dir = this.openDirectory("search", path, resolved, names);
    } catch (error) {
      // Searching a single file: walk to its folder and grep just it.
      if (!(error instanceof WalkError && error.failure === "not-directory" && names.length > 0)) throw error;
      dir = this.openDirectory("search", path, resolved, names.slice(0, -1));
      try {
        if (isMatch(start)) await this.grepAt(dir, names.at(-1) as string, start, matcher, result);
      } finally {
        closeSync(dir.fd);
        await matcher?.close();
      }
      return this.searched(path, resolved, result);
    }
    try {
      await this.searchDirectory(dir, start, 0, isMatch, matcher, result);
    } finally {
      closeSync(dir.fd);
      await matcher?.close();
    }
    return this.searched(path, resolved, result);
  }

  async moveFile(source: string, destination: string): Promise<void> {
    const from = this.check(source, "move-from");
    const to = this.check(destination, "move-to");
    if (!from.exists) throw this.missing("move", source, from);
    if (from.relative === ".") throw this.denied("move", source, from, "the workspace itself cannot be moved");
    if (to.relative === ".") throw this.denied("move", destination, to, "the destination is a directory");
    const [fromName, toName] = [parts(from).at(-1) as string, parts(to).at(-1) as string];
    const fromDir = this.openDirectory("move", source, from, parts(from).slice(0, -1));
    let toDir: DirHandle | undefined;
    try {
      const stats = this.lstatAt("move", source, from, fromDir, fromName);
      if (stats.isDirectory()) {
        // Moving a folder moves the .git (or .gitattributes…) inside it: the same risk as writing one.
        const reason = this.protectedInside(fromDir, fromName);
        if (reason) throw this.denied("move", source, from, reason);
      }
      toDir = this.openDirectory("move", destination, to, parts(to).slice(0, -1), true);
      if (to.exists && lstatIf(at(toDir, toName))?.isDirectory())
        throw this.denied("move", destination, to, "the destination is a directory");
      try {
        renameSync(at(fromDir, fromName), at(toDir, toName));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw this.denied("move", source, from, code === "ENOENT" ? CHANGED : `cannot move it (${code})`);
      }
    } finally {
      closeSync(fromDir.fd);
      if (toDir) closeSync(toDir.fd);
    }
    this.audit("move", `${source} -> ${destination}`, `${from.path} -> ${to.path}`, true, null);
  }

  /** Deletes a file, a symlink (not its target) or an empty directory. */
  async deleteFile(path: string): Promise<void> {
    const resolved = this.check(path, "delete");
    if (!resolved.exists) throw this.missing("delete", path, resolved);
    if (resolved.relative === ".")
      throw this.denied("delete", path, resolved, "the workspace itself cannot be deleted");
    const name = parts(resolved).at(-1) as string;
    const dir = this.openDirectory("delete", path, resolved, parts(resolved).slice(0, -1));
    try {
      const stats = this.lstatAt("delete", path, resolved, dir, name);
      try {
        if (stats.isDirectory()) rmdirSync(at(dir, name));
        else unlinkSync(at(dir, name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw this.denied(
          "delete",
          path,
          resolved,
          code === "ENOTEMPTY" ? "the directory is not empty" : code === "ENOENT" ? CHANGED : String(code),
        );
      }
    } finally {
      closeSync(dir.fd);
    }
    this.audit("delete", path, resolved.path, true, null);
  }

  /**
   * What a path is now: for approvals (diffs, "does it exist") and their re-checks.
   * `stamp` identifies the file when its content is not read (too big, hard-linked).
   */
  async inspect(
    path: string,
    intent: Intent,
  ): Promise<{ resolved: Resolved; content?: string; size?: number; stamp?: string }> {
    const skill = this.skillView(path, intent);
    if (skill) return skill.view.inspect(skill.inner, intent);
    const resolved = this.check(path, intent);
    if (!resolved.exists || resolved.finalIsLink) return { resolved };
    const names = parts(resolved);
    if (names.length === 0) return { resolved, size: 0 };
    const dir = this.openDirectory("inspect", path, resolved, names.slice(0, -1));
    let fd: number | undefined;
    try {
      const stats = this.lstatAt("inspect", path, resolved, dir, names.at(-1) as string);
      const stamp = `${stats.ino}:${stats.mtimeMs}:${stats.nlink}`;
      if (!stats.isFile() || stats.size > this.maxReadBytes) return { resolved, size: stats.size, stamp };
      if (stats.nlink > 1 && !this.options.allowHardLinkReads) return { resolved, size: stats.size, stamp };
      fd = this.openAt("inspect", path, resolved, dir, names.at(-1) as string, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      const opened = fstatSync(fd);
      if (!opened.isFile() || opened.nlink > 1) return { resolved, size: opened.size, stamp };
      return { resolved, size: opened.size, content: readFileSync(fd, "utf8") };
    } finally {
      closeSync(dir.fd);
      if (fd !== undefined) closeSync(fd);
    }
  }

  private async searchDirectory(
    dir: DirHandle,
    rel: string,
    depth: number,
    isMatch: (path: string) => boolean,
    matcher: RegexMatcher | undefined,
    result: SearchResult,
  ): Promise<void> {
    const entries = await readdir(at(dir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (result.matches.length >= SEARCH_LIMIT) return;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (this.hidden(join(this.root, childRel))) continue;
      if (entry.isDirectory()) {
        if (entry.name === ".git" || entry.name === "node_modules" || depth >= SEARCH_DEPTH_LIMIT) continue;
        let child: DirHandle;
        try {
          child = openChildDirectory(dir, entry.name); // no-follow: a folder swapped for a link is skipped
        } catch {
          continue;
        }
        try {
          await this.searchDirectory(child, childRel, depth + 1, isMatch, matcher, result);
        } finally {
          closeSync(child.fd);
        }
        continue;
      }
      if (entry.isFile() && isMatch(childRel)) await this.grepAt(dir, entry.name, childRel, matcher, result);
    }
  }

  private async grepAt(
    dir: DirHandle,
    name: string,
    rel: string,
    matcher: RegexMatcher | undefined,
    result: SearchResult,
  ): Promise<void> {
    if (!matcher) {
      if (lstatIf(at(dir, name))?.isFile()) result.matches.push({ path: rel });
      return;
    }
    const handle = await open(at(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch(() => undefined);
    if (!handle) return;
    let text: string;
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.size > SEARCH_FILE_LIMIT) return;
      if (stats.nlink > 1 && !this.options.allowHardLinkReads) {
        result.skipped++;
        return;
      }
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
    if (text.includes("\0")) return; // binary
    const room = SEARCH_LIMIT - result.matches.length;
    for (const found of await matcher.match(text, room)) result.matches.push({ path: rel, ...found });
  }

  private searched(path: string, resolved: Resolved, result: SearchResult): SearchResult {
    this.audit("search", path, resolved.path, true, null);
    result.matches.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
    result.truncated = result.matches.length >= SEARCH_LIMIT;
    return result;
  }

  /** Why a folder about to be moved may not be, judged by the names inside it (bounded). */
  private protectedInside(parent: DirHandle, name: string): string | undefined {
    let budget = MOVE_SCAN_LIMIT;
    const scan = (dir: DirHandle, rel: string): string | undefined => {
      let entries: Dirent[];
      try {
        entries = readdirSync(at(dir), { withFileTypes: true });
      } catch (error) {
        return `"${printable(rel)}" could not be checked for git control files (${(error as NodeJS.ErrnoException).code})`;
      }
      const kinds = new Map(entries.map((entry) => [entry.name, entry]));
      const gitDirectory = looksLikeGitDirectory({
        isFile: (entry) => kinds.get(entry)?.isFile() ?? false,
        isDir: (entry) => kinds.get(entry)?.isDirectory() ?? false,
      });
      if (gitDirectory) return `"${printable(rel)}" is a git directory, and ${GIT_REASON}`;
      for (const entry of entries) {
        if (--budget < 0) return "it holds too many files to check it for git control files";
        const inner = `${rel}/${entry.name}`;
        const reason = protectedNameReason(entry.name, this.protect);
        if (reason) return `it contains "${printable(inner)}", and ${reason}`;
        if (!entry.isDirectory()) continue;
        let child: DirHandle;
        try {
          child = openChildDirectory(dir, entry.name);
        } catch {
          return `"${printable(inner)}" could not be checked for git control files`;
        }
        try {
          const found = scan(child, inner);
          if (found) return found;
        } finally {
          closeSync(child.fd);
        }
      }
      return undefined;
    };
    let top: DirHandle;
    try {
      top = openChildDirectory(parent, name);
    } catch {
      return CHANGED;
    }
    try {
      return scan(top, name);
    } finally {
      closeSync(top.fd);
    }
  }

  /**
   * The verified fd of the folder `names` lead to from the root, each opened without
   * following links (and created if asked). Throws E_SANDBOX if any step changed.
   */
  private openDirectory(
    operation: string,
    path: string,
    resolved: Resolved,
    names: string[],
    create = false,
  ): DirHandle {
    try {
      return walk(openRoot(this.root, this.rootId), names, create);
    } catch (error) {
      if (!(error instanceof WalkError)) throw error;
      if (error.failure === "not-directory" && names.length === parts(resolved).length) {
        if (operation === "search") throw error; // searchFiles handles a file path itself
        this.audit(operation, path, resolved.path, false, "not a directory");
        throw new HobError("E_TOOL", `"${resolved.relative}" is not a directory.`, {
          hint: "Use read_file for a file.",
        });
      }
      throw this.denied(operation, path, resolved, walkReason(error));
    }
  }

  /** Opens the final component of `resolved` relative to its verified folder. */
  private openFile(operation: string, path: string, resolved: Resolved, flags: number, createParents = false): number {
    const names = parts(resolved);
    if (names.length === 0) throw this.denied(operation, path, resolved, "it is not a regular file");
    const dir = this.openDirectory(operation, path, resolved, names.slice(0, -1), createParents);
    try {
      return this.openAt(operation, path, resolved, dir, names.at(-1) as string, flags);
    } finally {
      closeSync(dir.fd);
    }
  }

  /** openat(dir, name, flags | O_NOFOLLOW), then proves (where /proc exists) the file is inside the workspace. */
  private openAt(
    operation: string,
    path: string,
    resolved: Resolved,
    dir: DirHandle,
    name: string,
    flags: number,
  ): number {
    let fd: number;
    try {
      fd = openSync(at(dir, name), flags | O_NOFOLLOW, 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "ELOOP" || code === "ENOENT"
          ? CHANGED
          : code === "EEXIST"
            ? "it appeared while writing"
            : code === "EISDIR"
              ? "it is a directory"
              : `cannot open it (${code})`;
      throw this.denied(operation, path, resolved, reason);
    }
    let real: string | undefined;
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      real = undefined; // no /proc (not Linux): the no-follow walk is the guard
    }
    if (real !== undefined && !isInside(this.root, real)) {
      closeSync(fd);
      throw this.denied(operation, path, resolved, CHANGED);
    }
    return fd;
  }

  private lstatAt(operation: string, path: string, resolved: Resolved, dir: DirHandle, name: string): Stats {
    const stats = lstatIf(at(dir, name));
    if (!stats) throw this.denied(operation, path, resolved, CHANGED);
    return stats;
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

/** The names from the root to a resolved path (empty for the root itself). */
function parts(resolved: Resolved): string[] {
  return resolved.relative === "." ? [] : resolved.relative.split("/");
}

function lstatIf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function walkReason(error: WalkError): string {
  if (error.failure === "swapped" || error.failure === "missing") return CHANGED;
  if (error.failure === "not-directory") return `"${printable(error.component)}" is not a directory`;
  return `cannot open "${printable(error.component)}" (${error.code})`;
}
