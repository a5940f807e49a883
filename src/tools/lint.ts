import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export interface LintDiagnostic {
  line: number;
  column: number;
  severity: "error" | "warning";
  code: string;
  message: string;
}

export interface LintResult {
  language: "javascript" | "typescript" | "python" | "bash";
  /** Clean means no errors; warnings are reported but do not fail. */
  ok: boolean;
  linter: string;
  diagnostics: LintDiagnostic[];
}

const LINT_CONFIG_DIR = fileURLToPath(new URL("../../config/lint/", import.meta.url));
const run = promisify(execFile);

export function languageOf(path: string): LintResult["language"] | undefined {
  const ext = extname(path).toLowerCase();
  if ([".js", ".mjs", ".cjs", ".jsx"].includes(ext)) return "javascript";
  if ([".ts", ".mts", ".cts", ".tsx"].includes(ext)) return "typescript";
  if (ext === ".py") return "python";
  if ([".sh", ".bash"].includes(ext)) return "bash";
  return undefined;
}

/**
 * Lints source text with the language's tools: Biome for JavaScript/TypeScript, Ruff
 * (WebAssembly, offline) for Python, `bash -n` and ShellCheck (when installed) for
 * Bash. Content is linted from a private temp copy: linters never touch the workspace
 * and never read a config the workspace could plant.
 */
export async function lintSource(name: string, content: string): Promise<LintResult | undefined> {
  const language = languageOf(name);
  if (!language) return undefined;
  if (language === "python") return lintPython(content);
  if (language === "bash") return lintBash(content);
  return lintWithBiome(name, content, language);
}

async function lintWithBiome(
  name: string,
  content: string,
  language: "javascript" | "typescript",
): Promise<LintResult> {
  const dir = await mkdtemp(join(tmpdir(), "hob-lint-"));
  try {
    const file = join(dir, basename(name));
    await writeFile(file, content);
    const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
    const { stdout } = await run(
      process.execPath,
      [biome, "lint", "--reporter=json", `--config-path=${LINT_CONFIG_DIR}`, file],
      {
        cwd: dir,
        maxBuffer: 10_000_000,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
    const report = JSON.parse(stdout || "{}") as {
      diagnostics?: Array<{
        severity: string;
        message: string;
        category: string;
        location?: { start?: { line: number; column: number } };
      }>;
    };
    const diagnostics = (report.diagnostics ?? []).map((d) => ({
      line: d.location?.start?.line ?? 0,
      column: d.location?.start?.column ?? 0,
      severity: d.severity === "error" || d.severity === "fatal" ? ("error" as const) : ("warning" as const),
      code: d.category,
      message: d.message,
    }));
    return { language, linter: "biome", ok: !diagnostics.some((d) => d.severity === "error"), diagnostics };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let ruff: { check(source: string): unknown } | undefined;

async function lintPython(content: string): Promise<LintResult> {
  if (!ruff) {
    const { Workspace } = (await import("@astral-sh/ruff-wasm-nodejs")) as unknown as {
      Workspace: { new (settings: unknown): { check(source: string): unknown }; defaultSettings(): unknown };
    };
    ruff = new Workspace(Workspace.defaultSettings());
  }
  const found = ruff.check(content) as Array<{
    code: string | null;
    message: string;
    start_location: { row: number; column: number };
  }>;
  const diagnostics = found.map((d) => ({
    line: d.start_location.row,
    column: d.start_location.column,
    // Syntax errors and pyflakes' F-codes (undefined names, unused imports) fail; style is advice.
    severity:
      !d.code || d.code === "invalid-syntax" || d.code.startsWith("E9") || d.code.startsWith("F")
        ? ("error" as const)
        : ("warning" as const),
    code: d.code ?? "syntax",
    message: d.message,
  }));
  return { language: "python", linter: "ruff", ok: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}

async function lintBash(content: string): Promise<LintResult> {
  const diagnostics: LintDiagnostic[] = [];
  const syntax = await feed("bash", ["-n"], content);
  for (const line of syntax.stderr.split("\n").filter(Boolean)) {
    const match = /line (\d+): (.*)$/.exec(line);
    diagnostics.push({
      line: Number(match?.[1] ?? 0),
      column: 0,
      severity: "error",
      code: "bash -n",
      message: match?.[2] ?? line,
    });
  }
  let linter = "bash -n";
  const shellcheck = await feed("shellcheck", ["-f", "json", "-s", "bash", "-"], content).catch(() => undefined);
  if (shellcheck?.stdout.trim().startsWith("[")) {
    linter = "bash -n + shellcheck";
    for (const d of JSON.parse(shellcheck.stdout) as Array<{
      line: number;
      column: number;
      level: string;
      code: number;
      message: string;
    }>) {
      diagnostics.push({
        line: d.line,
        column: d.column,
        severity: d.level === "error" ? "error" : "warning",
        code: `SC${d.code}`,
        message: d.message,
      });
    }
  }
  return { language: "bash", linter, ok: !diagnostics.some((d) => d.severity === "error"), diagnostics };
}

/** Runs a command with `input` on stdin; rejects only when the command cannot start. */
function feed(
  command: string,
  args: string[],
  input: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}
