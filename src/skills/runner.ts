import { dirname } from "node:path";
import { runSandboxed, type SandboxRunResult } from "../sandbox/index.js";
import type { SkillFolder } from "./format.js";

export interface SkillRunRequest {
  args?: string[];
  /** Validated against the skill's `inputs` schema, given on stdin as JSON. */
  input?: unknown;
}

export interface SkillRunOutcome {
  /** Met its contract: exit code 0, within limits, output matching `output_schema` if declared. */
  ok: boolean;
  error: string | null;
  result: SandboxRunResult;
}

export interface RunnerOptions {
  workspace: string;
  mode?: "bubblewrap" | "none";
  timeoutMs?: number;
  /** hob's own state: hidden from the skill if the workspace contains it. */
  hobPaths?: string[];
}

let ajvInstance: import("ajv").Ajv | undefined;

/** Ajv loads on first use: most hob commands never check a skill's schema. */
async function ajv(): Promise<import("ajv").Ajv> {
  if (!ajvInstance) {
    const { Ajv } = await import("ajv");
    ajvInstance = new Ajv({ allErrors: false, strict: false });
  }
  return ajvInstance;
}

/** Checks `input` against the skill's JSON Schema; a message, or undefined when it fits. */
export async function inputProblem(folder: SkillFolder, input: unknown): Promise<string | undefined> {
  if (!folder.manifest.inputs) return undefined;
  const schemas = await ajv();
  const validate = schemas.compile(folder.manifest.inputs);
  return validate(input ?? {})
    ? undefined
    : `input does not match the skill's schema: ${schemas.errorsText(validate.errors)}`;
}

/** Runs a script skill in the OS sandbox: its folder read-only at /skill, the workspace at /workspace. */
export async function runSkill(
  folder: SkillFolder,
  request: SkillRunRequest,
  options: RunnerOptions,
): Promise<SkillRunOutcome> {
  const { language, entrypoint } = folder.manifest;
  if (!language || !entrypoint)
    throw new Error(`${folder.manifest.name} is an instruction-only skill; it has nothing to run.`);
  const inside = options.mode === "none" ? folder.dir : "/skill";
  const interpreter = { python: "python3", javascript: process.execPath, bash: "bash" }[language];
  // V8 reserves far more address space than it uses, so Node gets a larger address-space
  // limit and its heap is capped by V8 itself instead.
  const nodeFlags = language === "javascript" ? ["--max-old-space-size=256"] : [];
  const binds = [{ source: folder.dir, target: "/skill" }];
  if (language === "javascript" && !process.execPath.startsWith("/usr/"))
    binds.push({ source: dirname(process.execPath), target: dirname(process.execPath) });
  const result = await runSandboxed({
    command: interpreter,
    args: [...nodeFlags, `${inside}/${entrypoint}`, ...(request.args ?? [])],
    memoryBytes: language === "javascript" ? 4 * 1024 ** 3 : undefined,
    workspace: options.workspace,
    stdin: JSON.stringify(request.input ?? {}),
    timeoutMs: options.timeoutMs ?? 30_000,
    mode: options.mode,
    hobPaths: options.hobPaths,
    readOnlyBinds: binds,
    env: { SKILL_NAME: folder.manifest.name },
  });
  let error: string | null = null;
  if (result.unchecked) error = "the run left the workspace too large to check for planted git control files";
  else if (result.timedOut) error = "timed out";
  else if (result.outputLimited) error = "output over the size limit";
  else if (result.exitCode !== 0)
    error = `exit code ${result.exitCode}${result.stderr ? `: ${result.stderr.trim().split("\n").at(-1)?.slice(0, 200)}` : ""}`;
  else if (folder.manifest.output_schema) {
    const schemas = await ajv();
    const validate = schemas.compile(folder.manifest.output_schema);
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      error = "output is not JSON, but the skill declares an output schema";
    }
    if (!error && !validate(parsed))
      error = `output does not match the output schema: ${schemas.errorsText(validate.errors)}`;
  }
  return { ok: error === null, error, result };
}
