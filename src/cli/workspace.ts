import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { expandHome, type LoadedConfig } from "../config/index.js";
import { HobError } from "../errors/index.js";
import { canPrompt } from "./approver.js";
import type { CliIO } from "./io.js";
import { safeLine } from "./safe.js";

/**
 * The folder a task works in: `--workspace` (with `~` expanded), else `workspace:` in
 * hob.yaml, else `$HOB_HOME/workspace`. The default is created when missing; a folder
 * the user named is created only with `--create` or a "y" at a terminal, never silently
 * (a typo would otherwise become a new, empty workspace). A file is refused.
 */
export async function resolveWorkspace(
  io: CliIO,
  config: LoadedConfig,
  options: { workspace?: string; create?: boolean },
): Promise<string> {
  const named = options.workspace ?? config.config.workspace;
  const from = options.workspace !== undefined ? "--workspace" : "workspace: in hob.yaml";
  const dir = named === undefined ? config.paths.workspace : resolve(expandHome(named, io.env));
  let kind: "folder" | "other" | "missing";
  try {
    kind = statSync(dir).isDirectory() ? "folder" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw cannotUse(dir, error, from);
    kind = "missing";
  }
  if (kind === "folder") return dir;
  if (kind === "other") {
    throw new HobError("E_USAGE", `The workspace ${dir} is not a folder.`, {
      hint: `Give a folder with ${from === "--workspace" ? "--workspace DIR" : "workspace: in hob.yaml"}.`,
    });
  }
  if (named !== undefined && !options.create && !(await confirmCreate(io, dir))) {
    throw new HobError("E_USAGE", `The workspace ${dir} does not exist.`, {
      hint: `Create it (mkdir -p ${dir}), pass --create to let hob create it, or fix ${from}.`,
    });
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw cannotUse(dir, error, from);
  }
  return dir;
}

function cannotUse(dir: string, error: unknown, from: string): HobError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new HobError("E_USAGE", `Cannot use ${dir} as the workspace (${reason}).`, {
    hint: `Check the path and its permissions, or choose another folder with ${from === "--workspace" ? "--workspace DIR" : "workspace: in hob.yaml"}.`,
    cause: error,
  });
}

/** At a terminal, asks before creating a folder the user named. */
async function confirmCreate(io: CliIO, dir: string): Promise<boolean> {
  if (!canPrompt(io)) return false;
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
  const answer = await new Promise<string>((done) => {
    rl.question(`The workspace ${safeLine(dir)} does not exist. Create it? [y/N] `, done);
    rl.once("close", () => done(""));
  });
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
