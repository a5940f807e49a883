import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { hobStatePaths, loadConfig } from "../../config/index.js";
import { runSandboxed } from "../../sandbox/index.js";
import { colorsFor } from "../format.js";
import type { CliIO } from "../io.js";
import { writeJson } from "../output.js";

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
  const workspace = resolve(options.workspace ?? config.config.workspace ?? config.paths.workspace);
  mkdirSync(workspace, { recursive: true });
  const c = colorsFor(io.stderr, io.env);
  const mode = config.config.sandbox.mode;
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
