import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { escapeTerminalText, HobError } from "../errors/index.js";
import { createResourceLimits } from "./process-limits.js";
import { ROOT_HELPER } from "./root-helper.js";
import { Scratch } from "./scratch.js";
import { seccompProgram } from "./seccomp.js";
import { guardWorkspace, undoGuardedChanges, type WorkspaceGuard } from "./workspace-guard.js";

export interface SandboxRunOptions {
  command: string;
  args?: string[];
  /** Bound read-write at /workspace; the only writable place besides a private, sized /tmp. */
  workspace: string;
  timeoutMs?: number;
  /** Per process (RLIMIT_AS) and, where a cgroup can be made, for the whole run together. */
  memoryBytes?: number;
  maxProcesses?: number;
  /** Size of the private /tmp (a tmpfs). */
  tmpBytes?: number;
  /** Per stream; more output stops the run (an output flood). */
  maxOutputBytes?: number;
  /** Extra variables; nothing else of hob's environment gets in (no keys, no tokens, no real HOME). */
  env?: Record<string, string>;
  stdin?: string;
  /** `none` runs without isolation: only when the environment also says so (see `unconfinedAllowed`). */
  mode?: "bubblewrap" | "none";
  /**
   * Extra read-only mounts, e.g. the skill's own folder at /skill. `owned`: when hob runs as
   * root, the mount is id-mapped like the workspace, so the sandbox user may read what only its
   * owner could (an MCP server's declared paths); otherwise the sandbox user reads what others may.
   */
  readOnlyBinds?: Array<{ source: string; target: string; owned?: boolean }>;
  /** Extra writable mounts (an MCP server's declared `rw` paths); id-mapped like the workspace when hob runs as root. */
  writableBinds?: Array<{ source: string; target: string }>;
  /** Keep the host's network (an MCP server that declares `network: true`); default: loopback only. */
  network?: boolean;
  /** hob's own state (HOB_HOME and its parts): a workspace that contains any of it is refused. */
  hobPaths?: string[];
  /** How many entries the git-guard walk may visit (default MAX_GUARD_ENTRIES); beyond it the run is refused. */
  maxGuardEntries?: number;
  /** The host uid the sandbox runs as when hob itself runs as root (never 0). */
  rootSandboxUid?: number;
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
  memoryLimit: "cgroup" | "rlimit";
  /** The uid the sandboxed process has on the host (never 0 under bubblewrap). */
  hostUid: number;
  seccomp: boolean;
  /** Guarded git entries the run created or replaced, removed again afterwards (links restored). */
  undone: string[];
  /** Original git entries the run moved elsewhere (kept): `from -> to`. */
  moved: string[];
  /** The run made the workspace too large to check for planted git entries. */
  unchecked: boolean;
}

export const SANDBOX_DEFAULTS = {
  timeoutMs: 30_000,
  memoryBytes: 512 * 1024 * 1024,
  maxProcesses: 64,
  tmpBytes: 128 * 1024 * 1024,
  maxOutputBytes: 1_000_000,
  rootSandboxUid: 65534,
};

/** The environment variable that must also be set for `sandbox.mode: none` to take effect. */
export const UNCONFINED_ENV = "HOB_UNSAFE_NO_SANDBOX";

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
    hint: "Install it (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap).",
  });
}

/**
 * `sandbox.mode: none` lives in hob.yaml, a file; a file is something an agent or a skill
 * might one day manage to write. So the file alone never turns the sandbox off: the
 * environment of the process that started hob must say so too, and no agent, tool or
 * skill can set that.
 */
export function unconfinedAllowed(): boolean {
  return process.env[UNCONFINED_ENV] === "1";
}

function unconfinedRefused(): HobError {
  return new HobError(
    "E_SANDBOX",
    `sandbox.mode is none, but hob only runs code unconfined when ${UNCONFINED_ENV}=1 is also set in its environment.`,
    {
      hint: `Remove \`sandbox: { mode: none }\` from hob.yaml to use bubblewrap, or start hob with ${UNCONFINED_ENV}=1 if you really mean it.`,
    },
  );
}

/** The read-only system: /usr, the merged-/usr links, and the few /etc files programs need to start. */
function systemBinds(network = false): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ["/bin", "/lib", "/lib64", "/lib32", "/sbin"]) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const file of ["/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime"])
    args.push("--ro-bind-try", file, file);
  // With the network shared, names must resolve and TLS must verify.
  if (network)
    for (const file of ["/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl", "/etc/ca-certificates"])
      args.push("--ro-bind-try", file, file);
  return args;
}

/**
 * /proc as the sandbox sees it: its own PID namespace's, with the kernel's global knobs
 * read-only (/proc/sys: hostname, core_pattern …). Root-only entries such as
 * /proc/sysrq-trigger stay closed because the sandbox user is never host root.
 */
function procBinds(): string[] {
  return ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys"];
}

const PYTHON = "/usr/bin/python3";

function rootHelperMissing(): HobError {
  return new HobError(
    "E_SANDBOX",
    "hob runs as root, and the sandbox then needs /usr/bin/python3 to give its unprivileged user the workspace (an id-mapped mount).",
    { hint: "Install python3 (Debian/Ubuntu: apt-get install python3), or run hob as a normal user." },
  );
}

function rootHelperFailed(stderr: string): HobError {
  return new HobError("E_SANDBOX", `The sandbox could not be set up: ${neutralise(stderr.trim().slice(13, 400))}.`, {
    hint: "As root, hob gives the sandbox the workspace through an id-mapped mount (Linux ≥ 5.12; ext4, xfs, btrfs, or tmpfs on ≥ 6.3). Put the workspace on such a file system, or run hob as a normal user.",
  });
}

/** A sandboxed command ready to spawn: what `runSandboxed` runs, and what a long-lived process (an MCP server) is started with. */
export interface PreparedSandbox {
  file: string;
  args: string[];
  /** The environment of the spawned program (bubblewrap's own: the sandbox sets its inner one). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The seccomp program's file descriptor, passed to the child as fd 3. */
  seccompFd: number | undefined;
  workspace: string;
  mode: "bubblewrap" | "none";
  hostUid: number;
  guard: WorkspaceGuard | undefined;
  resources: ReturnType<typeof createResourceLimits>;
  /** Removes the run's cgroups and scratch files; call once the process has exited. */
  dispose(): void;
}

/**
 * Builds the sandbox for a command without running it (see `runSandboxed` for what it
 * confines). The caller spawns it with `spawnPrepared` and calls `dispose` when it ends.
 */
export function prepareSandbox(options: SandboxRunOptions): PreparedSandbox {
  const memoryBytes = options.memoryBytes ?? SANDBOX_DEFAULTS.memoryBytes;
  const maxProcesses = options.maxProcesses ?? SANDBOX_DEFAULTS.maxProcesses;
  const maxOutput = options.maxOutputBytes ?? SANDBOX_DEFAULTS.maxOutputBytes;
  const mode = options.mode ?? "bubblewrap";
  if (mode === "none" && !unconfinedAllowed()) throw unconfinedRefused();
  const workspace = realpathSync(options.workspace);
  const env = { ...BASE_ENV, ...(options.env ?? {}) };
  const limits = [
    `--as=${memoryBytes}:${memoryBytes}`,
    `--nproc=${maxProcesses}:${maxProcesses}`,
    "--core=0:0",
    `--fsize=${maxOutput * 100}:${maxOutput * 100}`,
  ];
  const asRoot = process.getuid?.() === 0;
  const hostUid = mode === "none" || !asRoot ? (process.getuid?.() ?? -1) : (options.rootSandboxUid ?? 65534);
  if (mode !== "none" && hostUid === 0) throw new HobError("E_SANDBOX", "The sandbox uid cannot be 0 (root).");
  const scratch = new Scratch();
  const resources = createResourceLimits(maxProcesses, memoryBytes, randomBytes(6).toString("hex"));
  let argv: string[];
  let guard: WorkspaceGuard | undefined;
  let seccompFd: number | undefined;
  try {
    if (mode === "none") {
      argv = ["/usr/bin/prlimit", ...limits, "--", options.command, ...(options.args ?? [])];
    } else {
      const bwrap = findBubblewrap();
      if (!bwrap) throw noSandboxError();
      if (asRoot && !existsSync(PYTHON)) throw rootHelperMissing();
      guard = guardWorkspace(workspace, options.hobPaths ?? [], options.maxGuardEntries);
      const binds = [
        ...(options.readOnlyBinds ?? []).map((bind) => ({ ...bind, rw: false })),
        ...(options.writableBinds ?? []).map((bind) => ({ ...bind, rw: true })),
      ];
      const stage = asRoot ? scratch.stage(binds.length) : undefined;
      const workspaceSource = stage ? join(stage, "workspace") : workspace;
      const program = seccompProgram();
      if (program) seccompFd = scratch.seccomp(program);
      const inner = [
        bwrap,
        "--unshare-all",
        ...(options.network ? ["--share-net"] : []),
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
        ...systemBinds(options.network === true),
        ...procBinds(),
        "--dev",
        "/dev",
        "--size",
        String(options.tmpBytes ?? SANDBOX_DEFAULTS.tmpBytes),
        "--tmpfs",
        "/tmp",
        ...binds.flatMap((bind, i) => [
          bind.rw ? "--bind" : "--ro-bind",
          stage ? join(stage, `ro${i}`) : bind.source,
          bind.target,
        ]),
        "--bind",
        workspaceSource,
        "/workspace",
        ...guard.readOnly.flatMap((rel) => ["--ro-bind", join(workspaceSource, rel), `/workspace/${rel}`]),
        ...(seccompFd !== undefined ? ["--seccomp", "3"] : []),
        "--chdir",
        "/workspace",
        "--",
        "/usr/bin/prlimit",
        ...limits,
        "--",
        options.command,
        ...(options.args ?? []),
      ];
      argv = stage
        ? [
            PYTHON,
            "-I",
            "-S",
            "-c",
            ROOT_HELPER,
            JSON.stringify({ uid: hostUid, workspace, stage, binds, argv: inner }),
          ]
        : inner;
    }
  } catch (error) {
    resources.dispose();
    scratch.dispose();
    throw error;
  }
  // The cgroups (when there are some) are entered by a tiny shell that then execs the sandbox.
  const [file, args] = resources.enterCommand
    ? ["/bin/sh", ["-c", `${resources.enterCommand} && exec "$@"`, "sh", ...argv]]
    : [argv[0] as string, argv.slice(1)];
  return {
    file,
    args,
    env: mode === "none" ? env : { PATH: BASE_ENV.PATH as string },
    cwd: workspace,
    seccompFd,
    workspace,
    mode,
    hostUid,
    guard,
    resources,
    dispose: () => {
      resources.dispose();
      scratch.dispose();
    },
  };
}

/** Spawns a prepared sandbox in its own process group (so killing `-pid` ends everything it started). */
export function spawnPrepared(prepared: PreparedSandbox): ReturnType<typeof spawn> {
  return spawn(prepared.file, prepared.args, {
    cwd: prepared.cwd,
    env: prepared.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe", ...(prepared.seccompFd !== undefined ? [prepared.seccompFd] : [])],
  });
}

/**
 * Runs a command the way skills run: under bubblewrap with every namespace unshared
 * (no network but loopback, its own PIDs), as an unprivileged host user (never root,
 * even when hob runs as root), with a seccomp filter, a read-only system, only the
 * workspace writable (git's control files and hob's own state excepted), a private
 * sized /tmp, a minimal environment, no capabilities, its own session, and limits on
 * wall time (SIGKILL of everything it started), memory, processes and output. Output
 * is captured, capped and neutralised.
 */
export async function runSandboxed(options: SandboxRunOptions): Promise<SandboxRunResult> {
  const timeoutMs = options.timeoutMs ?? SANDBOX_DEFAULTS.timeoutMs;
  const maxOutput = options.maxOutputBytes ?? SANDBOX_DEFAULTS.maxOutputBytes;
  const prepared = prepareSandbox(options);
  const { workspace, mode, guard, hostUid, resources } = prepared;
  const started = Date.now();
  const child = spawnPrepared(prepared);
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
  child.stdout?.on("data", onData(out));
  child.stderr?.on("data", onData(err));
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(options.stdin ?? "");
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve({ code: c, signal: s }));
    },
  ).finally(() => {
    clearTimeout(timer);
    killAll();
    prepared.dispose();
  });
  let stderr = err.text();
  if (code === 125 && stderr.startsWith("hob sandbox:")) throw rootHelperFailed(stderr);
  const guarded = guard ? undoGuardedChanges(workspace, guard) : { undone: [], moved: [], unchecked: false };
  if (guarded.undone.length > 0)
    stderr += `\nhob: removed what the run did to git's control files (git would run commands named there): ${guarded.undone.join(", ")}\n`;
  if (guarded.moved.length > 0) stderr += `\nhob: the run moved git folders: ${guarded.moved.join(", ")}\n`;
  if (guarded.unchecked)
    stderr += `\nhob: the run left more entries in the workspace than hob can check for planted git control files; do not run git there before checking (find . -name .git -o -name .gitattributes -o -name .gitmodules)\n`;
  return {
    exitCode: code,
    signal,
    timedOut,
    outputLimited,
    stdout: neutralise(out.text()),
    stderr: neutralise(stderr),
    durationMs: Date.now() - started,
    isolation: mode,
    pidsLimit: resources.mechanism,
    memoryLimit: resources.memory,
    hostUid,
    seccomp: prepared.seccompFd !== undefined,
    undone: guarded.undone,
    moved: guarded.moved,
    unchecked: guarded.unchecked,
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

/**
 * Captured output can neither drive the terminal nor hide or reorder what a person reads
 * (the one mechanism, shared with the CLI's output edge).
 */
export function neutralise(text: string): string {
  return escapeTerminalText(text);
}
