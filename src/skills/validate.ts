import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { proveSandbox } from "../sandbox/index.js";
import { lintSource } from "../tools/index.js";
import {
  type Finding,
  hiddenCharacterFindings,
  pathFindings,
  type ScanResult,
  securityFindings,
  stringHits,
} from "./findings.js";
import { kindOf, type SkillFolder, type SkillScript } from "./format.js";
import { runSkill } from "./runner.js";

export interface TestResult {
  name: string;
  ok: boolean;
  exitCode: number | null;
  output: string;
  reason?: string;
  durationMs: number;
}

export interface ValidationReport {
  ok: boolean;
  findings: Finding[];
  tests: TestResult[];
  durationMs: number;
}

/**
 * The pipeline every skill version passes before it may become active:
 *  1. lint with the language's tools; 2. a security scan on the syntax tree (and hidden
 *  Unicode in SKILL.md, code and tests); 3. every literal path stays inside the
 *  workspace; 4. the skill's own tests, run in the OS sandbox on a scratch workspace.
 * A blocking finding rejects the version, with reasons the author can act on.
 *
 * `unapproved`: nobody has approved this code yet (a model proposed it). Steps 1–3 only
 * read it. Step 4 executes it, so it runs before approval only in a sandbox proven
 * unprivileged on this machine (see proveSandbox); otherwise the tests wait until a
 * human approved, and run then.
 */
export async function validateSkill(
  folder: SkillFolder,
  options: { mode?: "bubblewrap" | "none"; unapproved?: boolean; hobPaths?: string[] } = {},
): Promise<ValidationReport> {
  const started = Date.now();
  const findings: Finding[] = [];
  const { manifest } = folder;
  for (const warning of folder.warnings)
    findings.push({
      check: "manifest",
      rule: "manifest-warning",
      severity: "warning",
      message: warning,
      file: "SKILL.md",
    });
  findings.push(...hiddenCharacterFindings(folder.skillMd, "SKILL.md"));
  if (folder.tests.length > 0)
    findings.push(...hiddenCharacterFindings(JSON.stringify(folder.tests), "tests/cases.json"));
  const networkAllowed = Array.isArray(manifest.permissions.network) && manifest.permissions.network.length > 0;
  if (networkAllowed) {
    findings.push({
      check: "manifest",
      rule: "network-allowlist",
      severity: "warning",
      message: "per-domain network access is not supported yet: the skill runs with no network at all",
    });
  }
  // Every script in the folder (the entrypoint and scripts/) is linted and scanned the same way:
  // an agent reads them, and a declared entrypoint runs.
  for (const script of folder.scripts) findings.push(...(await scanScript(script, networkAllowed, options.mode)));
  const tests: TestResult[] = [];
  if (kindOf(manifest) === "script" && folder.code !== undefined && manifest.language) {
    const proof = options.unapproved ? await proveSandbox(options.mode) : { proven: true };
    if (!findings.some((f) => f.severity === "blocking") && !proof.proven && folder.tests.length > 0) {
      findings.push({
        check: "tests",
        rule: "tests-after-approval",
        severity: "warning",
        message: `the tests run only after a human approves the skill (${proof.reason ?? "the sandbox is not proven unprivileged"})`,
      });
    } else if (!findings.some((f) => f.severity === "blocking")) {
      tests.push(...(await runTests(folder, options.mode)));
      if (tests.length === 0) {
        findings.push({
          check: "tests",
          rule: "no-tests",
          severity: "warning",
          message: "the skill has no tests (tests/cases.json)",
        });
      }
      for (const test of tests.filter((t) => !t.ok)) {
        findings.push({
          check: "tests",
          rule: "test-failed",
          severity: "blocking",
          message: `test "${test.name}" failed: ${test.reason}`,
        });
      }
    }
  }
  return { ok: !findings.some((f) => f.severity === "blocking"), findings, tests, durationMs: Date.now() - started };
}

/** Lint rules about tidiness, not about what the code does: a warning, never a rejection. */
const STYLE_ONLY = /^(F401|F841|F811|noUnusedImports|noUnusedVariables|lint\/correctness\/noUnused\w+|SC2034)$/;

/** Lint, a security scan on the syntax tree, literal paths and hidden characters of one script. */
async function scanScript(
  script: SkillScript,
  networkAllowed: boolean,
  mode: "bubblewrap" | "none" | undefined,
): Promise<Finding[]> {
  const findings: Finding[] = [...hiddenCharacterFindings(script.code, script.path)];
  const lint = await lintSource(script.path, script.code);
  for (const d of lint?.diagnostics ?? []) {
    findings.push({
      check: "lint",
      rule: d.code,
      severity: d.severity === "error" && !STYLE_ONLY.test(d.code) ? "blocking" : "warning",
      message: d.message,
      file: script.path,
      line: d.line,
    });
  }
  // Each language's parser loads only when a script of that language is validated.
  const scan: ScanResult =
    script.language === "python"
      ? await (await import("./scan-python.js")).scanPython(script.code, mode)
      : script.language === "javascript"
        ? (await import("./scan-javascript.js")).scanJavaScript(script.code)
        : await (await import("./scan-bash.js")).scanBash(script.code);
  const hits = dedupe([...scan.hits, ...stringHits(scan.strings)]);
  findings.push(...securityFindings({ hits, strings: scan.strings }, script.path, networkAllowed));
  findings.push(...pathFindings(scan.strings, script.path));
  return findings;
}

async function runTests(folder: SkillFolder, mode: "bubblewrap" | "none" | undefined): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const [i, test] of folder.tests.entries()) {
    const scratch = mkdtempSync(join(tmpdir(), "hob-skill-test-"));
    try {
      const outcome = await runSkill(
        folder,
        { args: test.args, input: test.input },
        { workspace: scratch, mode, timeoutMs: 10_000 },
      );
      const output = outcome.result.stdout;
      let reason: string | undefined;
      if (outcome.result.exitCode !== test.exit_code)
        reason = `exit code ${outcome.result.exitCode}, expected ${test.exit_code}`;
      else if (test.output && !new RegExp(test.output).test(output))
        reason = `output ${JSON.stringify(output.slice(0, 120))} does not match /${test.output}/`;
      else if (outcome.result.timedOut) reason = "timed out";
      results.push({
        name: test.name ?? `case ${i + 1}`,
        ok: !reason,
        exitCode: outcome.result.exitCode,
        output: output.slice(0, 500),
        reason,
        durationMs: outcome.result.durationMs,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return results;
}

function dedupe(hits: ScanResult["hits"]): ScanResult["hits"] {
  const seen = new Set<string>();
  return hits.filter((hit) => {
    const key = `${hit.rule}:${hit.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
