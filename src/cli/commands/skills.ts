import type { LoadedConfig } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import { createSkillRegistry } from "../../orchestrator/index.js";
import { SKILL_LANGUAGES, type SkillLanguage, type SkillRegistry, type ValidationReport } from "../../skills/index.js";
import type { SkillRecord, Store } from "../../store/index.js";
import { openContext } from "../context.js";
import { colorsFor, formatDuration, formatPercent, formatTime, oneLine, table } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";

function recordJson(r: SkillRecord) {
  return {
    name: r.name,
    version: r.version,
    kind: r.kind,
    language: r.language,
    author: r.author,
    status: r.status,
    description: r.description,
    path: r.path,
    content_hash: r.contentHash,
    usage_count: r.usageCount,
    successes: r.successes,
    failures: r.failures,
    success_rate: r.usageCount === 0 ? null : Math.round((r.successes / r.usageCount) * 1000) / 1000,
    mean_duration_ms: r.meanDurationMs === null ? null : Math.round(r.meanDurationMs),
    last_error: r.lastError,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

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
    const list = skills.list();
    if (options.json) writeJson(io, list.map(recordJson));
    else if (list.length === 0)
      io.stdout.write("No skills yet. `hob skills new <name> --lang python` writes a template.\n");
    else {
      const c = colorsFor(io.stdout, io.env);
      io.stdout.write(
        `${table([
          ["NAME", "STATUS", "KIND", "BY", "RUNS", "SUCCESS", "DESCRIPTION"].map((h) => c.bold(h)),
          ...list.map((s) => [
            s.name,
            s.status,
            s.language ?? s.kind,
            s.author,
            String(s.usageCount),
            formatPercent(s.usageCount ? s.successes / s.usageCount : null),
            safeLine(oneLine(s.description, 50)),
          ]),
        ])}\n`,
      );
    }
    return 0;
  });

export const skillsShowCommand = (io: CliIO, name: string, options: { json: boolean }) =>
  withRegistry(io, options, async (skills, store) => {
    const { record } = skills.get(name);
    const validation = store.skills.lastValidation(name);
    const runs = store.skills.recentRuns(name, 10);
    if (options.json) {
      writeJson(io, {
        ...recordJson(record),
        validation: validation
          ? { ok: validation.ok, at: new Date(validation.at).toISOString(), report: validation.report }
          : null,
        recent_runs: runs,
      });
      return 0;
    }
    const r = recordJson(record);
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
    if (options.json) writeJson(io, recordJson(record));
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
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
      throw new HobError("E_USAGE", "A skill name uses lowercase letters, digits and dashes.");
    const { dir, report } = await skills.scaffold(name, options.lang as SkillLanguage);
    if (options.json) writeJson(io, { created: dir, validation: report ? reportJson(report) : null });
    else
      io.stdout.write(
        `Wrote ${dir} (SKILL.md, the script, tests/cases.json); ${report?.ok ? "it validates" : "it does not validate yet"}.\n`,
      );
    return 0;
  });
