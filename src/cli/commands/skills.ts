import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, sep } from "node:path";
import type { LoadedConfig } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import { createSkillRegistry } from "../../orchestrator/index.js";
import { listedSkills, toInvalidSkillJson, toSkillJson, toSkillListJson, toSkillRunJson } from "../../shapes/index.js";
import {
  type InvalidSkill,
  invalidReport,
  SKILL_LANGUAGES,
  SKILL_NAME,
  SKILL_NAME_RULE,
  type SkillLanguage,
  type SkillRegistry,
  type ValidationReport,
} from "../../skills/index.js";
import type { SkillRecord, Store } from "../../store/index.js";
import { canPrompt } from "../approver.js";
import { openContext } from "../context.js";
import { colorsFor, formatDuration, formatPercent, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

function reportJson(report: ValidationReport) {
  return { ok: report.ok, findings: report.findings, tests: report.tests, duration_ms: report.durationMs };
}

function renderReport(io: CliIO, report: ValidationReport): void {
  const c = colorsFor(io.stdout, io.env);
  for (const f of report.findings) {
    const mark = f.severity === "blocking" ? c.red("✗") : c.yellow("!");
    io.stdout.write(
      `${mark} ${f.check}/${f.rule}${f.file ? ` ${safeLine(f.file)}${f.line ? `:${f.line}` : ""}` : ""}: ${safeLine(f.message)}\n`,
    );
  }
  for (const t of report.tests)
    io.stdout.write(
      `${t.ok ? c.green("✓") : c.red("✗")} test ${safeLine(t.name)}${t.reason ? `: ${safeLine(t.reason)}` : ""}\n`,
    );
  io.stdout.write(report.ok ? c.green("valid\n") : c.red("rejected: fix the blocking findings above\n"));
}

/** Runs a skills command with the registry loaded and in sync with the folders. */
async function withRegistry<T>(
  io: CliIO,
  options: { json: boolean },
  body: (skills: SkillRegistry, store: Store, config: LoadedConfig) => Promise<T>,
): Promise<T> {
  const { config, store } = await openContext(io, options);
  try {
    const skills = createSkillRegistry(config, store);
    await skills.sync();
    return await body(skills, store, config);
  } finally {
    store.close();
  }
}

export const skillsListCommand = (io: CliIO, options: { json: boolean }) =>
  withRegistry(io, options, async (skills) => {
    const rows = listedSkills(skills.list(), skills.invalid());
    if (options.json) writeJson(io, toSkillListJson(skills.list(), skills.invalid()));
    else if (rows.length === 0)
      io.stdout.write("No skills yet. `hob skills new <name> --lang python` writes a template.\n");
    else {
      const c = colorsFor(io.stdout, io.env);
      io.stdout.write(
        `${table([
          ["NAME", "STATUS", "KIND", "BY", "RUNS", "SUCCESS", "DESCRIPTION"].map((h) => c.bold(h)),
          ...rows.map((row) => {
            if (!("record" in row)) {
              const i = row.invalid as InvalidSkill;
              return [
                i.name,
                "invalid",
                "-",
                "-",
                "-",
                "-",
                safeLine(oneLine(i.error.replace(/^.*SKILL\.md: /, ""), 50)),
              ];
            }
            const s = row.record as SkillRecord;
            return [
              s.name,
              s.status,
              s.language ?? s.kind,
              s.author,
              String(s.usageCount),
              formatPercent(s.usageCount ? s.successes / s.usageCount : null),
              safeLine(oneLine(s.description, 50)),
            ];
          }),
        ])}\n`,
      );
    }
    return 0;
  });

export const skillsShowCommand = (io: CliIO, name: string, options: { json: boolean }) =>
  withRegistry(io, options, async (skills, store) => {
    const invalid = skills.invalidSkill(name);
    if (invalid) {
      const report = invalidReport(invalid);
      if (options.json)
        writeJson(io, { ...toInvalidSkillJson(invalid), validation: { ok: false, report }, recent_runs: [] });
      else {
        io.stdout.write(`${invalid.name} · invalid (it does not load)\n${safeLine(invalid.path)}\n`);
        renderReport(io, report);
      }
      return 1;
    }
    const { record } = skills.get(name);
    const validation = store.skills.lastValidation(name);
    const runs = store.skills.recentRuns(name, 10);
    if (options.json) {
      writeJson(io, {
        ...toSkillJson(record),
        validation: validation
          ? { ok: validation.ok, at: new Date(validation.at).toISOString(), report: validation.report }
          : null,
        recent_runs: runs.map(toSkillRunJson),
      });
      return 0;
    }
    const r = toSkillJson(record);
    io.stdout.write(
      `${r.name} v${r.version} · ${r.status} · ${r.language ?? r.kind} · by ${r.author}\n${safeLine(r.description)}\n${safeLine(r.path)}\n` +
        `record: ${r.usage_count} runs · ${r.successes} ok · ${r.failures} failed · success ${formatPercent(r.success_rate)}` +
        `${r.mean_duration_ms === null ? "" : ` · mean ${formatDuration(r.mean_duration_ms)}`}${r.last_error ? ` · last error: ${safeLine(r.last_error)}` : ""}\n`,
    );
    for (const run of runs)
      io.stdout.write(
        `  ${formatTime(run.at)} ${run.ok ? "ok    " : "FAILED"} ${formatDuration(run.durationMs)}${run.error ? ` ${safeLine(run.error)}` : ""}\n`,
      );
    if (validation) {
      io.stdout.write(`last validation (${formatTime(validation.at)} UTC):\n`);
      renderReport(io, validation.report as ValidationReport);
    }
    return 0;
  });

export const skillsValidateCommand = (io: CliIO, name: string, options: { json: boolean }) =>
  withRegistry(io, options, async (skills) => {
    const report = await skills.validate(name);
    if (options.json) writeJson(io, reportJson(report));
    else renderReport(io, report);
    return report.ok ? 0 : 1;
  });

export const skillsRunCommand = (
  io: CliIO,
  name: string,
  args: string[],
  options: { json: boolean; input?: string; workspace?: string },
) =>
  withRegistry(io, options, async (skills, _store, config) => {
    let input: unknown;
    if (options.input !== undefined) {
      try {
        input = JSON.parse(options.input);
      } catch {
        throw new HobError("E_USAGE", '--input must be JSON, e.g. --input \'{"name":"Ada"}\'.');
      }
    }
    const workspace = options.workspace ?? config.config.workspace ?? config.paths.workspace;
    (await import("node:fs")).mkdirSync(workspace, { recursive: true });
    if (config.config.sandbox.mode === "none") {
      io.stderr.write("warning: sandbox.mode is none in hob.yaml: this skill runs with no isolation at all.\n");
    }
    const outcome = await skills.run(name, { args, input }, { workspace });
    if (options.json) {
      writeJson(io, {
        ok: outcome.ok,
        error: outcome.error,
        exit_code: outcome.result.exitCode,
        stdout: outcome.result.stdout,
        stderr: outcome.result.stderr,
        duration_ms: outcome.result.durationMs,
      });
    } else {
      io.stdout.write(outcome.result.stdout);
      io.stderr.write(outcome.result.stderr);
      if (!outcome.ok) io.stderr.write(`hob: ${name} failed: ${outcome.error}\n`);
    }
    return outcome.ok ? 0 : 1;
  });

const setEnabled = (enabled: boolean) => (io: CliIO, name: string, options: { json: boolean }) =>
  withRegistry(io, options, async (skills) => {
    const record = skills.setEnabled(name, enabled);
    if (options.json) writeJson(io, toSkillJson(record));
    else io.stdout.write(`${name} is ${record.status}.\n`);
    return 0;
  });
export const skillsEnableCommand = setEnabled(true);
export const skillsDisableCommand = setEnabled(false);

export const skillsRemoveCommand = (io: CliIO, name: string, options: { json: boolean }) =>
  withRegistry(io, options, async (skills) => {
    skills.remove(name);
    if (options.json) writeJson(io, { removed: name });
    else io.stdout.write(`Removed ${name}.\n`);
    return 0;
  });

export const skillsNewCommand = (io: CliIO, name: string, options: { json: boolean; lang: string }) =>
  withRegistry(io, options, async (skills) => {
    if (!(SKILL_LANGUAGES as readonly string[]).includes(options.lang)) {
      throw new HobError("E_USAGE", `--lang must be one of ${SKILL_LANGUAGES.join(", ")}.`);
    }
    if (!SKILL_NAME.test(name)) throw new HobError("E_USAGE", `"${name}" is not a skill name: ${SKILL_NAME_RULE}.`);
    const { dir, report } = await skills.scaffold(name, options.lang as SkillLanguage);
    if (options.json) writeJson(io, { created: dir, validation: report ? reportJson(report) : null });
    else
      io.stdout.write(
        `Wrote ${dir} (SKILL.md, the script, tests/cases.json); ${report?.ok ? "it validates" : "it does not validate yet"}.\n`,
      );
    return 0;
  });

/** Where a `hob skills add` source is: a folder, a .zip file, or a git URL (cloned with --depth 1). */
function fetchSource(source: string, scratch: string): string {
  const run = (command: string, args: string[], what: string) => {
    try {
      return execFileSync(command, args, {
        stdio: "pipe",
        encoding: "utf8",
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT")
        throw new HobError("E_USAGE", `${what} needs \`${command}\`, which is not installed.`, {
          hint: `Install ${command} (e.g. apt install ${command}).`,
        });
      throw new HobError("E_USAGE", `${what} failed: ${(e.stderr || e.message).trim().split("\n")[0]}`);
    }
  };
  if (existsSync(source) && statSync(source).isDirectory()) return source;
  if (/\.zip$/i.test(source) && existsSync(source)) {
    const entries = run("unzip", ["-Z1", source], `Reading ${source}`).split("\n").filter(Boolean);
    const bad = entries.find((entry) => entry.startsWith("/") || entry.split(/[\\/]/).includes(".."));
    if (bad) throw new HobError("E_VALIDATION", `${source} holds a path outside its folder: ${safeLine(bad)}.`);
    const out = join(scratch, "zip");
    run("unzip", ["-q", source, "-d", out], `Unpacking ${source}`);
    return out;
  }
  if (/^(https?|ssh|git|file):\/\//.test(source) || /^[\w.-]+@[\w.-]+:/.test(source)) {
    const out = join(scratch, "git");
    run("git", ["clone", "--quiet", "--depth", "1", "--", source, out], `Cloning ${source}`);
    return out;
  }
  throw new HobError("E_USAGE", `${source} is not a folder, a .zip file or a git URL.`, {
    hint: "e.g. `hob skills add ./my-skill`, `hob skills add skill.zip` or `hob skills add https://github.com/o/r.git`.",
  });
}

/** Folders with a SKILL.md a level or two below `dir` (not below another skill, .git or __MACOSX). */
function skillFolders(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string, depth: number) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".git" || entry.name === "__MACOSX") continue;
      const path = join(current, entry.name);
      if (existsSync(join(path, "SKILL.md"))) found.push(path);
      else if (depth < 2) walk(path, depth + 1);
    }
  };
  walk(dir, 0);
  return found.map((f) => relative(dir, f)).sort();
}

/**
 * `--path`: a folder inside the source, relative, with no `..`, that really is inside it
 * (a symbolic link out of it is refused) and holds a SKILL.md.
 */
function chosenSkillRoot(dir: string, source: string, path: string): string {
  const candidates = () => {
    const found = skillFolders(dir);
    return found.length > 0 ? { hint: `Skill folders in it: ${found.map(safeLine).join(", ")}.` } : {};
  };
  if (path.trim() === "" || isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.split("/").includes("..")) {
    throw new HobError(
      "E_USAGE",
      `--path must be a relative folder inside the source, without "..": ${safeLine(path)} is not.`,
      candidates(),
    );
  }
  const target = join(dir, path);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new HobError("E_USAGE", `${safeLine(source)} has no folder ${safeLine(path)}.`, candidates());
  }
  const root = realpathSync(dir);
  const real = realpathSync(target);
  if (real !== root && !real.startsWith(`${root}${sep}`)) {
    throw new HobError("E_USAGE", `--path ${safeLine(path)} leads out of ${safeLine(source)} (a symbolic link).`);
  }
  if (!existsSync(join(real, "SKILL.md"))) {
    throw new HobError("E_USAGE", `${safeLine(path)} in ${safeLine(source)} holds no SKILL.md.`, candidates());
  }
  return real;
}

/** The skill folder: `--path`, else the root, else the single folder with a SKILL.md a level or two below it. */
function skillRoot(dir: string, source: string, path?: string): string {
  if (path !== undefined) return chosenSkillRoot(dir, source, path);
  if (existsSync(join(dir, "SKILL.md"))) return dir;
  const found = skillFolders(dir);
  if (found.length === 1) return join(dir, found[0] as string);
  if (found.length === 0) throw new HobError("E_USAGE", `${source} holds no SKILL.md.`);
  throw new HobError("E_USAGE", `${source} holds several skills: ${found.map(safeLine).join(", ")}.`, {
    hint: `Pick one with --path, e.g. \`hob skills add ${source} --path ${found[0]}\`.`,
  });
}

/** Reads one answer line from stdin (the prompt goes to stderr). */
async function ask(io: CliIO, question: string): Promise<string> {
  const { createInterface } = await import("node:readline");
  io.stderr.write(question);
  const rl = createInterface({ input: io.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once("line", resolve);
    rl.once("close", () => resolve(""));
  });
  rl.close();
  return answer;
}

export const skillsAddCommand = (io: CliIO, source: string, options: { json: boolean; path?: string }) =>
  withRegistry(io, options, async (skills) => {
    const scratch = mkdtempSync(join(tmpdir(), "hob-skill-add-"));
    try {
      const root = skillRoot(fetchSource(source, scratch), source, options.path);
      const { name, record, folder, report, skipped } = await skills.install(root, source);
      const { manifest } = folder;
      const network = manifest.permissions.network;
      const allowed = {
        kind: record.kind,
        language: manifest.language ?? null,
        entrypoint: manifest.entrypoint ?? null,
        scripts: folder.scripts.map((s) => s.path),
        network: network === false ? false : network,
      };
      let status = record.status;
      if (!options.json) {
        const c = colorsFor(io.stdout, io.env);
        io.stdout.write(
          `Installed ${name} into ${safeLine(record.path)} (${status}).\n${safeLine(record.description)}\n` +
            `kind: ${allowed.kind}${allowed.language ? ` (${allowed.language}, runs ${safeLine(String(allowed.entrypoint))} in the sandbox)` : " (instructions for the agent; nothing runs)"}\n` +
            `scripts: ${allowed.scripts.length ? allowed.scripts.map(safeLine).join(", ") : "none"}\n` +
            `network: ${network === false ? "none" : `asks for ${network.join(", ")} (runs without network: per-domain access is not built)`}\n`,
        );
        for (const path of skipped) io.stdout.write(`${c.yellow("!")} left out ${safeLine(path)}\n`);
        renderReport(io, report);
        if (status === "disabled" && canPrompt(io)) {
          const answer = await ask(io, `Enable ${name} so agents can use it? [y/N] `);
          if (/^y(es)?$/i.test(answer.trim())) status = skills.setEnabled(name, true).status;
        }
        if (status === "disabled")
          io.stdout.write(`${name} is installed disabled. Enable it with: hob skills enable ${name}\n`);
        else if (status === "active") io.stdout.write(`${name} is active.\n`);
      } else {
        writeJson(io, {
          installed: name,
          path: record.path,
          status,
          ...allowed,
          skipped,
          validation: reportJson(report),
          ...(status === "disabled" ? { enable: `hob skills enable ${name}` } : {}),
        });
      }
      return report.ok ? 0 : 1;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
