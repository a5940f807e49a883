import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { HobError } from "../errors/index.js";
import { createPidsLimit } from "./process-limits.js";

export interface SandboxRunOptions {
  command: string;
  args?: string[];
  /** Bound read-write at /workspace; the only writable place besides a private /tmp. */
  workspace: string;
  timeoutMs?: number;
  memoryBytes?: number;
  maxProcesses?: number;
  /** Per stream; more output stops the run (an output flood). */
  maxOutputBytes?: number;
  /** Extra variables; nothing else of hob's environment gets in (no keys, no tokens, no real HOME). */
  env?: Record<string, string>;
  stdin?: string;
  /** `none` runs without isolation (explicitly configured; warned about by the caller). */
  mode?: "bubblewrap" | "none";
  /** Extra read-only mounts, e.g. the skill's own folder at /skill. */
  readOnlyBinds?: Array<{ source: string; target: string }>;
}

export interface SandboxRunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  outputLimited: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  isolation: "bubblewrap" | "none";
  pidsLimit: "cgroup" | "rlimit";
}

export const SANDBOX_DEFAULTS = {
  timeoutMs: 30_000,
  memoryBytes: 512 * 1024 * 1024,
  maxProcesses: 64,
  maxOutputBytes: 1_000_000,
};

const BASE_ENV: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  TMPDIR: "/tmp",
  LANG: "C.UTF-8",
  TERM: "dumb",
};

let bwrapPath: string | null | undefined;

/** Where bubblewrap is, or null. */
export function findBubblewrap(): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  const found = spawnSync("sh", ["-c", "command -v bwrap"], { encoding: "utf8" });
  bwrapPath = found.status === 0 ? found.stdout.trim() : null;
  return bwrapPath;
}

export function noSandboxError(): HobError {
  return new HobError("E_SANDBOX", "No OS sandbox is available: bubblewrap (bwrap) is not installed.", {
    hint: "Install it (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap). Only `sandbox: none` in hob.yaml runs code without one, and it is not safe.",
  });
}

/** The read-only system: /usr, the merged-/usr links, and the few /etc files programs need to start. */
function systemBinds(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ["/bin", "/lib", "/lib64", "/lib32", "/sbin"]) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const file of ["/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime"])
    args.push("--ro-bind-try", file, file);
  return args;
}

/**
 * Runs a command the way skills run: under bubblewrap with every namespace unshared
 * (no network but loopback, its own PIDs, no other users' files), a read-only system,
 * only the workspace writable, a private /tmp, a minimal environment, no capabilities,
 * its own session, and limits on wall time (SIGKILL of everything it started),
 * memory, processes and output. Output is captured, capped and neutralised.
 */
export async function runSandboxed(options: SandboxRunOptions): Promise<SandboxRunResult> {
  const timeoutMs = options.timeoutMs ?? SANDBOX_DEFAULTS.timeoutMs;
  const memoryBytes = options.memoryBytes ?? SANDBOX_DEFAULTS.memoryBytes;
  const maxProcesses = options.maxProcesses ?? SANDBOX_DEFAULTS.maxProcesses;
  const maxOutput = options.maxOutputBytes ?? SANDBOX_DEFAULTS.maxOutputBytes;
  const mode = options.mode ?? "bubblewrap";
  const workspace = realpathSync(options.workspace);
  const env = { ...BASE_ENV, ...(options.env ?? {}) };
  const limits = [
    `--as=${memoryBytes}:${memoryBytes}`,
    `--nproc=${maxProcesses}:${maxProcesses}`,
    "--core=0:0",
    `--fsize=${maxOutput * 100}:${maxOutput * 100}`,
  ];
  const pids = createPidsLimit(maxProcesses, randomBytes(6).toString("hex"));
  let argv: string[];
  if (mode === "none") {
    argv = ["/usr/bin/prlimit", ...limits, "--", options.command, ...(options.args ?? [])];
  } else {
    const bwrap = findBubblewrap();
    if (!bwrap) {
      pids.dispose();
      throw noSandboxError();
    }
    argv = [
      bwrap,
      "--unshare-all",
      "--unshare-user",
      "--uid",
      "65534",
      "--gid",
      "65534",
      "--disable-userns",
      "--die-with-parent",
      "--new-session",
      "--cap-drop",
      "ALL",
      "--clearenv",
      ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v]),
      ...systemBinds(),
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--tmpfs",
      "/tmp",
      ...(options.readOnlyBinds ?? []).flatMap((bind) => ["--ro-bind", bind.source, bind.target]),
      "--bind",
      workspace,
      "/workspace",
      "--chdir",
      "/workspace",
      "--",
      "/usr/bin/prlimit",
      ...limits,
      "--",
      options.command,
      ...(options.args ?? []),
    ];
  }
  // The cgroup (when there is one) is entered by a tiny shell that then execs the sandbox.
  const [file, args] = pids.enterCommand
    ? ["/bin/sh", ["-c", `${pids.enterCommand} && exec "$@"`, "sh", ...argv]]
    : [argv[0] as string, argv.slice(1)];
  const started = Date.now();
  const child = spawn(file, args, {
    cwd: workspace,
    env: mode === "none" ? env : { PATH: BASE_ENV.PATH as string },
    detached: true, // its own process group, so a timeout kills everything it started
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out = collector(maxOutput);
  const err = collector(maxOutput);
  let timedOut = false;
  let outputLimited = false;
  const killAll = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, timeoutMs);
  const onData = (target: ReturnType<typeof collector>) => (chunk: Buffer) => {
    if (!target.push(chunk) && !outputLimited) {
      outputLimited = true;
      killAll();
    }
  };
  child.stdout.on("data", onData(out));
  child.stderr.on("data", onData(err));
  child.stdin.on("error", () => undefined);
  child.stdin.end(options.stdin ?? "");
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve({ code: c, signal: s }));
    },
  ).finally(() => {
    clearTimeout(timer);
    killAll();
    pids.dispose();
  });
  return {
    exitCode: code,
    signal,
    timedOut,
    outputLimited,
    stdout: neutralise(out.text()),
    stderr: neutralise(err.text()),
    durationMs: Date.now() - started,
    isolation: mode,
    pidsLimit: pids.mechanism,
  };
}

function collector(max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    /** false once the stream went over the cap. */
    push(chunk: Buffer): boolean {
      if (size >= max) return false;
      chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
      return size <= max;
    },
    text: () => new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks)),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what we neutralise
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Terminal escape sequences and other control characters become visible text, so output cannot drive the terminal. */
export function neutralise(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
