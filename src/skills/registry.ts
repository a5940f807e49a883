import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import type { HobConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { commitAll, ensureRepository } from "../git/index.js";
import type { SkillRecord, SkillStatus, Store } from "../store/index.js";
import { kindOf, readSkillFolder, type SkillFolder, type SkillLanguage, skillTemplate } from "./format.js";
import { inputProblem, runSkill, type SkillRunOutcome, type SkillRunRequest } from "./runner.js";
import { type ValidationReport, validateSkill } from "./validate.js";

export interface SkillRegistryDeps {
  /** `$HOB_HOME/skills`: one folder (and git repository) per skill. */
  dir: string;
  /**
   * The managed repository's `skills/` (`$HOB_HOME/managed/skills`): skill folders written only by
   * applying an approved proposal, read-only here (no repository per skill: the managed
   * repository versions them). A managed skill wins over a user skill of the same name.
   */
  managedDir?: string;
  store: Store;
  settings: HobConfig["skills"];
  mode: "bubblewrap" | "none";
  /** hob's own state (HOB_HOME and its parts), hidden from skills whose workspace contains it. */
  hobPaths?: string[];
  now?: () => number;
}

/** A folder under the skills directory that could not be loaded: listed and explained, never offered. */
export interface InvalidSkill {
  name: string;
  path: string;
  error: string;
}

export interface NewSkillSpec {
  name: string;
  description: string;
  language: SkillLanguage;
  code: string;
  inputs?: Record<string, unknown>;
  tests?: Array<{ name?: string; args?: string[]; input?: unknown; exit_code?: number; output?: string }>;
  instructions?: string;
}

const ENTRYPOINT: Record<SkillLanguage, string> = {
  python: "scripts/main.py",
  javascript: "scripts/main.mjs",
  bash: "scripts/main.sh",
};

/**
 * Skills on disk (Agent Skills folders) and their records: loads and re-validates
 * changed folders, searches, runs in the sandbox and keeps the success record, and
 * writes new skills as git repositories (the self-improvement issue commits to them).
 */
export class SkillRegistry {
  private readonly now: () => number;

  constructor(private readonly deps: SkillRegistryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Folders that failed to load at the last sync, by folder name. */
  private readonly invalidSkills = new Map<string, InvalidSkill>();

  /**
   * Brings the table in line with the folders: new or changed ones are validated, removed ones
   * forgotten. A skill is known by its folder's name. A folder that does not load is kept as
   * `invalid` with the reason (and a record it had is set to `rejected`, so it is never offered).
   * A managed folder wins over a user folder of the same name (it is the approved newer version),
   * even when it does not load: the user's copy is not offered in its place.
   */
  async sync(): Promise<
    Array<{ name: string; status: SkillStatus | "invalid"; report?: ValidationReport; error?: string }>
  > {
    const { store } = this.deps;
    const changes: Array<{ name: string; status: SkillStatus | "invalid"; report?: ValidationReport; error?: string }> =
      [];
    const onDisk = new Set<string>();
    this.invalidSkills.clear();
    const folders = new Map<string, { dir: string; managed: boolean }>();
    for (const [root, managed] of [
      [this.deps.dir, false],
      [this.deps.managedDir, true],
    ] as const) {
      if (root === undefined || !existsSync(root)) continue;
      for (const name of readdirSync(root).sort()) {
        if (name.startsWith(".")) continue;
        const dir = join(root, name);
        if (existsSync(join(dir, "SKILL.md"))) folders.set(name, { dir, managed });
      }
    }
    for (const [name, { dir, managed }] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      onDisk.add(name);
      let folder: SkillFolder;
      try {
        folder = readSkillFolder(dir);
      } catch (error) {
        const message = (error as Error).message;
        this.invalidSkills.set(name, { name, path: dir, error: message });
        const known = store.skills.get(name);
        if (known && known.status !== "rejected") store.skills.setStatus(name, "rejected");
        changes.push({ name, status: "invalid", error: message });
        continue;
      }
      const known = store.skills.get(name);
      // (A record whose folder moved, e.g. a managed copy now hides the user's, is accepted again.)
      if (known && known.contentHash === folder.contentHash && known.path === folder.dir) {
        // Unchanged, unless it was set aside while its folder did not load and now loads again.
        const last = store.skills.lastValidation(name);
        const setAside = known.status === "rejected" && last?.contentHash === folder.contentHash && last.ok;
        if (!setAside) continue;
      }
      // A managed skill comes from an approved proposal that hob wrote.
      const author = known?.author ?? (managed ? "agent" : "user");
      changes.push(await this.accept(folder, author, known?.status === "disabled"));
    }
    for (const record of store.skills.list()) if (!onDisk.has(record.name)) store.skills.remove(record.name);
    return changes;
  }

  /** The folders that did not load at the last sync. */
  invalid(): InvalidSkill[] {
    return [...this.invalidSkills.values()];
  }

  /** A folder that did not load, by name (undefined when it loads or does not exist). */
  invalidSkill(name: string): InvalidSkill | undefined {
    return this.invalidSkills.get(name);
  }

  list(): SkillRecord[] {
    return this.deps.store.skills.list();
  }

  get(name: string): { record: SkillRecord; folder: SkillFolder } {
    const record = this.deps.store.skills.get(name);
    const invalid = this.invalidSkills.get(name);
    if (invalid) {
      throw new HobError("E_VALIDATION", `The skill ${name} is invalid: ${invalid.error}`, {
        hint: `Fix ${invalid.path}/SKILL.md; \`hob skills validate ${name}\` checks it again.`,
      });
    }
    if (!record) {
      throw new HobError("E_NOT_FOUND", `There is no skill named "${name}".`, {
        hint: "`hob skills list` shows the skills.",
      });
    }
    return { record, folder: readSkillFolder(record.path) };
  }

  /** The folder of an active skill (agents may read it as skill://<name>/…), or undefined. */
  readableFolder(name: string): string | undefined {
    if (this.invalidSkills.has(name)) return undefined;
    const record = this.deps.store.skills.get(name);
    return record?.status === "active" ? record.path : undefined;
  }

  /** Active skills only are offered to agents; `needs_review`, disabled and rejected ones are not. */
  search(query: string, limit: number, activeOnly = true): SkillRecord[] {
    return this.deps.store.skills
      .search(query, limit * 3)
      .filter((s) => !activeOnly || s.status === "active")
      .slice(0, limit);
  }

  async validate(name: string): Promise<ValidationReport> {
    const invalid = this.invalidSkills.get(name);
    if (invalid) return invalidReport(invalid);
    const { record, folder } = this.get(name);
    const result = await this.accept(folder, record.author, record.status === "disabled");
    return result.report as ValidationReport;
  }

  /** Runs a skill and records the outcome against its contract; a falling success rate sends it to review. */
  async run(
    name: string,
    request: SkillRunRequest,
    options: { workspace: string; taskId?: string },
  ): Promise<SkillRunOutcome> {
    const { record, folder } = this.get(name);
    if (record.status !== "active") {
      throw new HobError("E_TOOL", `The skill ${name} is ${record.status}; only active skills run.`, {
        hint:
          record.status === "needs_review"
            ? "Check `hob skills show` and re-enable it with `hob skills enable`."
            : undefined,
      });
    }
    if (kindOf(folder.manifest) !== "script")
      throw new HobError("E_TOOL", `${name} holds instructions, not a script: read it instead.`);
    const problem = await inputProblem(folder, request.input);
    if (problem) throw new HobError("E_TOOL", `${name}: ${problem}.`);
    const outcome = await runSkill(folder, request, {
      workspace: options.workspace,
      mode: this.deps.mode,
      hobPaths: this.deps.hobPaths,
      timeoutMs: this.deps.settings.timeout_seconds * 1000,
    });
    this.deps.store.skills.recordRun({
      skill: name,
      version: record.version,
      taskId: options.taskId ?? null,
      at: this.now(),
      ok: outcome.ok,
      exitCode: outcome.result.exitCode,
      durationMs: outcome.result.durationMs,
      error: outcome.error,
    });
    this.review(name);
    return outcome;
  }

  setEnabled(name: string, enabled: boolean): SkillRecord {
    const { record } = this.get(name);
    if (enabled && record.status === "rejected") {
      throw new HobError("E_VALIDATION", `${name} failed validation; fix it and run \`hob skills validate ${name}\`.`);
    }
    this.deps.store.skills.setStatus(name, enabled ? "active" : "disabled");
    return this.get(name).record;
  }

  remove(name: string): void {
    const invalid = this.invalidSkills.get(name);
    const path = invalid?.path ?? this.get(name).record.path;
    this.refuseManaged(name, path, "removed");
    rmSync(path, { recursive: true, force: true });
    this.invalidSkills.delete(name);
    this.deps.store.skills.remove(name);
  }

  /** `hob skills new`: a template folder with the standard header, a script and a test. */
  async scaffold(name: string, language: SkillLanguage): Promise<{ dir: string; report?: ValidationReport }> {
    const dir = join(this.deps.dir, name);
    if (existsSync(dir)) throw new HobError("E_USAGE", `${dir} already exists.`);
    this.refuseManaged(name, this.managedFolder(name), "replaced");
    this.writeFiles(dir, skillTemplate(name, language));
    await commit(dir, `Create skill ${name} from the template`);
    const result = await this.accept(readSkillFolder(dir), "user", false);
    return { dir, report: result.report };
  }

  /**
   * `hob skills add`: copies a third-party skill folder into skills/<name> (regular files and
   * folders only: symbolic links, special files and .git are left out and reported), commits
   * it, and validates it. It is installed `disabled` (or `rejected`): enabling is the user's call.
   */
  async install(
    source: string,
    origin: string,
  ): Promise<{ name: string; record: SkillRecord; folder: SkillFolder; report: ValidationReport; skipped: string[] }> {
    const probe = readSkillFolder(source);
    const name = probe.manifest.name;
    const dir = join(this.deps.dir, name);
    if (existsSync(dir)) {
      throw new HobError("E_USAGE", `A skill named ${name} is already installed (${dir}).`, {
        hint: `\`hob skills remove ${name}\` first to replace it.`,
      });
    }
    this.refuseManaged(name, this.managedFolder(name), "replaced");
    let skipped: string[];
    try {
      skipped = copySkillTree(source, dir);
      await commit(dir, `Install skill ${name} from ${origin.replace(/\/\/[^@/]+@/, "//")}`);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const folder = readSkillFolder(dir);
    const result = await this.accept(folder, "user", true);
    return { name, record: this.get(name).record, folder, report: result.report, skipped };
  }

  /** Builds an agent's proposed skill in a scratch folder and validates it, writing nothing real. */
  async prepare(
    spec: NewSkillSpec,
  ): Promise<{ folder: SkillFolder; report: ValidationReport; files: Record<string, string> }> {
    const files = filesFor(spec);
    const scratch = join(this.deps.dir, ".proposals", `${spec.name}-${this.now()}`);
    try {
      this.writeFiles(scratch, files);
      const folder = readSkillFolder(scratch, { folderName: spec.name });
      return { folder, report: await validateSkill(folder, { mode: this.deps.mode, unapproved: true }), files };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** Writes an approved agent skill (validated again on its real folder) and commits it. */
  async create(
    spec: NewSkillSpec,
    author: "agent" | "user",
  ): Promise<{ record: SkillRecord; report: ValidationReport }> {
    this.refuseManaged(spec.name, this.managedFolder(spec.name), "replaced");
    const dir = join(this.deps.dir, spec.name);
    const existed = existsSync(dir);
    this.writeFiles(dir, filesFor(spec));
    await commit(dir, `${existed ? "Update" : "Create"} skill ${spec.name} (${author})`);
    const result = await this.accept(readSkillFolder(dir), author, false);
    return { record: this.get(spec.name).record, report: result.report as ValidationReport };
  }

  private async accept(folder: SkillFolder, author: "user" | "agent", keepDisabled: boolean) {
    const { manifest } = folder;
    const name = basename(folder.dir);
    const report = await validateSkill(folder, { mode: this.deps.mode });
    const status: SkillStatus = !report.ok ? "rejected" : keepDisabled ? "disabled" : "active";
    this.deps.store.skills.upsert({
      name,
      version: manifest.version,
      contentHash: folder.contentHash,
      kind: kindOf(manifest),
      language: manifest.language ?? null,
      author,
      status,
      description: manifest.description,
      instructions: folder.instructions,
      path: folder.dir,
    });
    this.deps.store.skills.recordValidation(name, manifest.version, folder.contentHash, report.ok, report);
    return { name, status, report };
  }

  /** The managed folder of that name, if it has one (whether or not it loads). */
  private managedFolder(name: string): string | undefined {
    const { managedDir } = this.deps;
    if (managedDir === undefined) return undefined;
    const dir = join(managedDir, name);
    return existsSync(join(dir, "SKILL.md")) ? dir : undefined;
  }

  /**
   * Managed skills change only through an approved self-improvement proposal: a user skill of
   * the same name would be hidden by them, and removing one here would leave the managed
   * repository with an uncommitted change.
   */
  private refuseManaged(name: string, path: string | undefined, what: "removed" | "replaced"): void {
    const { managedDir } = this.deps;
    if (managedDir === undefined || path === undefined || !isInside(path, managedDir)) return;
    throw new HobError(
      "E_USAGE",
      `The skill ${name} is managed (${path}): it cannot be ${what} here; the managed one would win anyway.`,
      { hint: "Managed skills change only through an approved self-improvement proposal." },
    );
  }

  private review(name: string): void {
    const { review_threshold, review_window, min_runs } = this.deps.settings;
    const runs = this.deps.store.skills.recentRuns(name, review_window);
    if (runs.length < min_runs) return;
    const rate = runs.filter((r) => r.ok).length / runs.length;
    if (rate < review_threshold) this.deps.store.skills.setStatus(name, "needs_review");
  }

  private writeFiles(dir: string, files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content, { mode: path.endsWith(".sh") ? 0o755 : 0o644 });
    }
  }
}

function filesFor(spec: NewSkillSpec): Record<string, string> {
  const entry = ENTRYPOINT[spec.language];
  const front = {
    name: spec.name,
    description: spec.description,
    metadata: {
      hob: {
        language: spec.language,
        entrypoint: entry,
        version: 1,
        ...(spec.inputs ? { inputs: spec.inputs } : {}),
        permissions: { network: false },
      },
    },
  };
  const skillMd = `---\n${JSON.stringify(front, null, 2)}\n---\n\n${spec.instructions ?? `# ${spec.name}\n\n${spec.description}\n`}\n`;
  const files: Record<string, string> = { "SKILL.md": skillMd, [entry]: spec.code };
  if (spec.tests?.length) files["tests/cases.json"] = `${JSON.stringify(spec.tests, null, 2)}\n`;
  return files;
}

const MAX_INSTALL_FILES = 5_000;
const MAX_INSTALL_BYTES = 50 * 1024 * 1024;

/** Copies regular files and folders (not .git, links or special files); returns what was left out. */
function copySkillTree(source: string, target: string): string[] {
  const skipped: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (from: string, to: string, rel: string) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const stats = lstatSync(join(from, name));
      if (name === ".git") continue;
      if (stats.isDirectory()) walk(join(from, name), join(to, name), path);
      else if (stats.isFile()) {
        files += 1;
        bytes += stats.size;
        if (files > MAX_INSTALL_FILES || bytes > MAX_INSTALL_BYTES) {
          throw new HobError(
            "E_USAGE",
            `The skill is too large to install (over ${MAX_INSTALL_FILES} files or ${MAX_INSTALL_BYTES / 1024 / 1024} MB).`,
          );
        }
        copyFileSync(join(from, name), join(to, name));
        chmodSync(join(to, name), stats.mode & 0o100 ? 0o755 : 0o644);
      } else skipped.push(`${path} (${stats.isSymbolicLink() ? "a symbolic link" : "not a regular file"})`);
    }
  };
  walk(source, target, "");
  return skipped;
}

/** The report of a folder that does not load: one blocking finding with the reason. */
export function invalidReport(invalid: InvalidSkill): ValidationReport {
  return {
    ok: false,
    findings: [{ check: "manifest", rule: "invalid-skill", severity: "blocking", message: invalid.error }],
    tests: [],
    durationMs: 0,
  };
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** Each skill folder is a git repository: every create or change is a commit that can be rolled back. */
async function commit(dir: string, message: string): Promise<void> {
  await ensureRepository(dir);
  await commitAll(dir, message);
}
