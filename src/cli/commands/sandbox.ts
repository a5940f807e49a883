import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { hobStatePaths, loadConfig } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import { runSandboxed } from "../../sandbox/index.js";
import { colorsFor } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";
import { safeLine } from "../safe.js";
import { resolveWorkspace } from "../workspace.js";

/** The PATH a sandboxed command gets (the sandbox's BASE_ENV); the system folders are the host's, read-only. */
const SANDBOX_PATH = ["/usr/local/bin", "/usr/bin", "/bin"];

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EACCES" || code === "ELOOP") return false;
    throw error;
  }
}

/**
 * Checks that the command exists where the sandbox will look for it (its PATH, or a path
 * in the workspace, which the sandbox sees at /workspace), so a typo is a clear E_USAGE
 * instead of a launcher's "failed to execute".
 */
function checkCommand(file: string, workspace: string, path: string[]): void {
  let found: boolean;
  if (file.includes("/")) {
    const inWorkspace = file === "/workspace" || file.startsWith("/workspace/");
    const host = inWorkspace
      ? join(workspace, relative("/workspace", file))
      : isAbsolute(file)
        ? file
        : join(workspace, file);
    found = isExecutableFile(host);
  } else {
    found = path.some((dir) => isExecutableFile(join(dir, file)));
  }
  if (!found) {
    throw new HobError("E_USAGE", `No such command in the sandbox: ${safeLine(file)}.`, {
      hint: file.includes("/")
        ? "Give the path of an executable file (the workspace is at /workspace inside the sandbox)."
        : `The sandbox looks in ${path.join(":")}; install the command there, or give its full path.`,
    });
  }
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 };

interface ExecOptions {
  workspace?: string;
  timeout: number;
  memory: number;
  maxProcesses: number;
  json: boolean;
}

/**
 * `hob sandbox exec -- CMD ARGS…`: runs a command exactly as a skill runs and passes
 * its exit code through (124 on timeout, 128+N when killed by signal N).
 */
export async function sandboxExecCommand(io: CliIO, command: string[], options: ExecOptions): Promise<number> {
  const config = loadConfig(io.env);
  // Created when missing (as before); a file, or a folder that cannot be made, is a clear E_USAGE.
  const workspace = await resolveWorkspace(io, config, { workspace: options.workspace, create: true });
  const c = colorsFor(io.stderr, io.env);
  const mode = config.config.sandbox.mode;
  checkCommand(command[0] as string, workspace, mode === "none" ? (io.env.PATH ?? "").split(":") : SANDBOX_PATH);
  if (mode === "none" && !options.json) {
    io.stderr.write(c.red("warning: sandbox.mode is none in hob.yaml: this runs with no isolation at all.\n"));
  }
  const [file, ...args] = command;
  const result = await runSandboxed({
    command: file as string,
    args,
    workspace,
    timeoutMs: options.timeout * 1000,
    memoryBytes: Math.round(options.memory * 1024 * 1024),
    maxProcesses: options.maxProcesses,
    mode,
    hobPaths: [config.paths.home, ...hobStatePaths(config.paths)],
  });
  const exitCode = result.timedOut ? 124 : result.signal ? 128 + (SIGNALS[result.signal] ?? 0) : (result.exitCode ?? 1);
  if (options.json) {
    writeJson(io, {
      exit_code: exitCode,
      command_exit_code: result.exitCode,
      signal: result.signal,
      timed_out: result.timedOut,
      output_limited: result.outputLimited,
      stdout: result.stdout,
      stderr: result.stderr,
      duration_ms: result.durationMs,
      isolation: result.isolation,
      pids_limit: result.pidsLimit,
      memory_limit: result.memoryLimit,
      host_uid: result.hostUid,
      seccomp: result.seccomp,
      undone: result.undone,
      moved: result.moved,
      unchecked: result.unchecked,
      workspace,
    });
    return exitCode;
  }
  io.stdout.write(result.stdout);
  io.stderr.write(result.stderr);
  if (result.timedOut) io.stderr.write(c.yellow(`hob: killed after ${options.timeout} s (the time limit)\n`));
  if (result.outputLimited) io.stderr.write(c.yellow("hob: stopped: the output passed its size limit\n"));
  return exitCode;
}
