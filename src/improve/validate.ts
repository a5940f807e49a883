import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { AgentRegistry, parseDefinition } from "../agents/index.js";
import { type LoadedConfig, loadConfig, parseRouterConfig, parseYaml, readManagedRouting } from "../config/index.js";
import { HobError, toHobError } from "../errors/index.js";
import { applyPatch, stagedChanges } from "../git/index.js";
import { readSkillFolder, validateSkill } from "../skills/index.js";
import type { ValidationCheck } from "../store/index.js";
import { copyManagedRepo } from "./draft.js";
import { checkManagedPath } from "./managed/index.js";

export interface DraftValidation {
  checks: ValidationCheck[];
  /** ok: a human may approve it; rejected: it touches what hob may never change; failed: a check failed. */
  verdict: "ok" | "rejected" | "failed";
  /** Why it was rejected or failed, naming the path or the check. */
  reason?: string;
}

/**
 * The validation pipeline every proposal passes before anyone is asked to approve it:
 *  1. every path it touches is one a proposal may change (never git internals, the approval
 *     store, the sandbox policy or hob's source);
 *  2. it applies cleanly to the managed repository as it is now;
 *  3. each changed file passes its own checks on the result: an agent's YAML its schema, routing.yaml
 *     hob.yaml's routing schema, litellm.yaml the router config schema, and a skill the whole
 *     skill pipeline (lint, security scan, its tests in the sandbox, as unapproved code).
 */
export async function validateDraft(deps: {
  diff: string;
  files: string[];
  managedRepo: string;
  config: LoadedConfig;
  hobPaths: string[];
  /** The environment hob runs with (its router config and overrides); default this process's. */
  env?: NodeJS.ProcessEnv;
}): Promise<DraftValidation> {
  const checks: ValidationCheck[] = [];
  // The paths the diff itself names (not only the list that came with it): what git would touch is what is checked.
  const named = [
    ...deps.diff.matchAll(/^(?:diff --git a\/(.+?) b\/(.+)|(?:\+\+\+|---) [ab]\/(.+)|rename (?:from|to) (.+))$/gm),
  ].flatMap((match) => match.slice(1).filter((path): path is string => path !== undefined));
  const files = [...new Set([...deps.files, ...named])];
  for (const file of files) {
    const verdict = checkManagedPath(file);
    if (!verdict.ok) {
      const reason = `it changes ${JSON.stringify(file)}, which a proposal may never change: ${verdict.reason}`;
      checks.push({ check: "paths", ok: false, detail: reason });
      return { checks, verdict: "rejected", reason };
    }
  }
  // A symbolic link or a submodule (git modes 120000, 160000) could point a skill or a loader outside the repository.
  const link = /^(?:new file mode|new mode|index [0-9a-f]+\.\.[0-9a-f]+) (120000|160000)$/m.exec(deps.diff);
  if (link) {
    const reason = `it adds a ${link[1] === "120000" ? "symbolic link" : "submodule"}, which a proposal may never add`;
    checks.push({ check: "paths", ok: false, detail: reason });
    return { checks, verdict: "rejected", reason };
  }
  checks.push({ check: "paths", ok: true, detail: `${files.length} path(s), all inside what hob may change` });

  // The result is checked the way hob will load it: a home whose managed repository is the changed copy.
  const home = mkdtempSync(join(tmpdir(), "hob-validate-"));
  const dir = join(home, "managed");
  try {
    await copyManagedRepo(deps.managedRepo, dir);
    try {
      await applyPatch(dir, deps.diff);
      checks.push({ check: "applies", ok: true, detail: "applies cleanly to the managed repository" });
    } catch (error) {
      const detail = toHobError(error).message;
      checks.push({ check: "applies", ok: false, detail });
      return { checks, verdict: "failed", reason: detail };
    }
    // What git actually changed decides, not what the diff text seems to say (quoted paths, copies, -p1, modes).
    const applied = await stagedChanges(dir);
    for (const change of applied) {
      const verdict = checkManagedPath(change.path);
      const reason = !verdict.ok
        ? `it changes ${JSON.stringify(change.path)}, which a proposal may never change: ${verdict.reason}`
        : !ALLOWED_MODES.has(change.mode)
          ? `it gives ${JSON.stringify(change.path)} git mode ${change.mode}; only plain files (100644, 100755) are allowed`
          : !deps.files.includes(change.path)
            ? `it changes ${JSON.stringify(change.path)}, which its list of files does not name`
            : undefined;
      if (reason) {
        checks.push({ check: "applied paths", ok: false, detail: reason });
        return { checks, verdict: "rejected", reason };
      }
    }
    const missing = deps.files.filter((file) => !applied.some((change) => change.path === file));
    if (missing.length > 0) {
      const reason = `its list of files names ${missing.map((m) => JSON.stringify(m)).join(", ")}, which the diff does not change`;
      checks.push({ check: "applied paths", ok: false, detail: reason });
      return { checks, verdict: "rejected", reason };
    }
    for (const check of await fileChecks(dir, { ...deps, files: applied.map((change) => change.path) })) {
      checks.push(check);
    }
    checks.push(loadCheck(home, deps.config, deps.env ?? process.env));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const failed = checks.find((check) => !check.ok);
  return failed
    ? { checks, verdict: "failed", reason: `${failed.check}: ${failed.detail}` }
    : { checks, verdict: "ok" };
}

/** Plain files and executables; never symbolic links (120000) or submodules (160000). 000000: deleted. */
const ALLOWED_MODES = new Set(["100644", "100755", "000000"]);

/**
 * Loads config, router config and agents from a home that has the user's files and the
 * changed managed repository: a change that each check passes alone but that hob could
 * not start with (a routing.yaml naming a model litellm.yaml lacks) fails here, before
 * anyone approves it, instead of breaking every command after.
 */
function loadCheck(home: string, config: LoadedConfig, env: NodeJS.ProcessEnv): ValidationCheck {
  const real = config.paths.home;
  for (const entry of ["hob.yaml", "config", "agents"]) {
    if (existsSync(join(real, entry)))
      cpSync(join(real, entry), join(home, entry), {
        recursive: true,
        filter: (source) => !source.split("/").includes(".git"),
      });
  }
  try {
    const loaded = loadConfig({ ...env, HOB_HOME: home });
    AgentRegistry.load(loaded.paths.home);
    return { check: "hob loads it", ok: true, detail: "config, router config and agents load with the change" };
  } catch (error) {
    return { check: "hob loads it", ok: false, detail: toHobError(error).message.replaceAll(home, "$HOB_HOME") };
  }
}

async function fileChecks(
  dir: string,
  deps: { files: string[]; config: LoadedConfig; hobPaths: string[] },
): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = [];
  const skills = new Set<string>();
  for (const file of deps.files) {
    const path = join(dir, file);
    const deleted = !existsSync(path);
    const check = (name: string, run: () => void) => {
      try {
        run();
        checks.push({ check: name, ok: true, detail: `${file} is valid` });
      } catch (error) {
        checks.push({ check: name, ok: false, detail: toHobError(error).message });
      }
    };
    if (file.startsWith("skills/")) skills.add(file.split("/")[1] as string);
    else if (deleted) checks.push({ check: "schema", ok: true, detail: `${file} is removed` });
    else if (file.startsWith("agents/")) {
      check("agent schema", () => {
        const { value, locate } = parseYaml(readFileSync(path, "utf8"), file);
        const definition = parseDefinition(value, file, locate);
        // agents/x.yaml defines x: a file may not quietly replace another agent (the default one, the improver).
        const stem = basename(file).replace(/\.ya?ml$/, "");
        if (definition.name !== stem) {
          throw new HobError(
            "E_CONFIG",
            `${file} defines the agent "${definition.name}"; it may only define "${stem}".`,
          );
        }
      });
    } else if (file === "routing.yaml") {
      // The same merge and strict schema the config loader applies to the managed routing.yaml.
      check("routing schema", () => readManagedRouting(dir, deps.config.config.routing));
    } else if (file === "litellm.yaml") {
      check("router config schema", () => {
        parseRouterConfig(readFileSync(path, "utf8"), file, {});
      });
    }
  }
  for (const name of skills) {
    const folder = join(dir, "skills", name);
    if (!existsSync(folder)) {
      checks.push({ check: "skill", ok: true, detail: `skill ${name} is removed` });
      continue;
    }
    try {
      const report = await validateSkill(readSkillFolder(folder, { folderName: name }), {
        mode: deps.config.config.sandbox.mode,
        unapproved: true,
        hobPaths: deps.hobPaths,
      });
      const blocking = report.findings.filter((finding) => finding.severity === "blocking");
      const failedTests = report.tests.filter((test) => !test.ok);
      checks.push({
        check: `skill ${name}`,
        ok: report.ok,
        detail: report.ok
          ? `lint, security scan and ${report.tests.length} test(s) passed`
          : [
              ...blocking.map((finding) => `${finding.check}: ${finding.message}`),
              ...failedTests.map((test) => `test ${test.name}: ${test.reason ?? "failed"}`),
            ].join("; ") || "the skill pipeline refused it",
      });
    } catch (error) {
      checks.push({ check: `skill ${name}`, ok: false, detail: toHobError(error).message });
    }
  }
  return checks;
}
