import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDefinition } from "../agents/index.js";
import { type LoadedConfig, parseRouterConfig, parseYaml, readManagedRouting } from "../config/index.js";
import { toHobError } from "../errors/index.js";
import { applyPatch, commitAll, ensureRepository } from "../git/index.js";
import { readSkillFolder, validateSkill } from "../skills/index.js";
import type { ValidationCheck } from "../store/index.js";
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

  const dir = mkdtempSync(join(tmpdir(), "hob-validate-"));
  try {
    cpSync(deps.managedRepo, dir, { recursive: true, filter: (source) => !source.split("/").includes(".git") });
    await ensureRepository(dir);
    await commitAll(dir, "base");
    try {
      await applyPatch(dir, deps.diff);
      checks.push({ check: "applies", ok: true, detail: "applies cleanly to the managed repository" });
    } catch (error) {
      const detail = toHobError(error).message;
      checks.push({ check: "applies", ok: false, detail });
      return { checks, verdict: "failed", reason: detail };
    }
    for (const check of await fileChecks(dir, deps)) checks.push(check);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failed = checks.find((check) => !check.ok);
  return failed
    ? { checks, verdict: "failed", reason: `${failed.check}: ${failed.detail}` }
    : { checks, verdict: "ok" };
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
        parseDefinition(value, file, locate);
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
