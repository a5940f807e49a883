import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { type PreparedSandbox, prepareSandbox, spawnPrepared } from "../sandbox/index.js";

export interface StdioLaunch {
  command: string;
  args: string[];
  /** The whole environment of the server (already minimal: see serverEnvironment). */
  env: Record<string, string>;
  cwd?: string;
  /** Run it under bubblewrap, seeing only these paths (at the same place), with or without network. */
  sandbox?: {
    readOnly: Array<{ source: string; target: string }>;
    writable: Array<{ source: string; target: string }>;
    network: boolean;
  };
  /** One message (one line) longer than this ends the server: an output flood. */
  maxMessageBytes: number;
}

/** How a server's process ended (or why it never started). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** A reason hob ended it or it could not start. */
  reason?: string;
}

const STDERR_TAIL = 4096;
/** Lines on stdout that are not JSON-RPC (a server logging to the wrong stream) are skipped, up to this much. */
const MAX_NOISE_BYTES = 1_000_000;

/**
 * An MCP stdio transport over a process hob starts itself: with exactly the environment it
 * is given, optionally inside the skills' bubblewrap sandbox, in its own process group
 * (closing kills everything it started), with its output bounded (a line over the limit
 * or too much non-protocol noise ends it) and the tail of its stderr kept for errors.
 */
export class BoundedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child: ChildProcess | undefined;
  private prepared: PreparedSandbox | undefined;
  private scratch: string | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private noise = 0;
  private stderr = "";
  private closed: Promise<void> | undefined;
  exit: ExitInfo | undefined;

  constructor(private readonly launch: StdioLaunch) {}

  /** The last lines the server wrote to stderr (for error messages). */
  stderrTail(): string {
    return this.stderr.trim();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const { launch } = this;
    let child: ChildProcess;
    if (launch.sandbox) {
      // A private, empty working folder: the server sees nothing of the user's but its declared paths.
      this.scratch = mkdtempSync(join(tmpdir(), "hob-mcp-"));
      this.prepared = prepareSandbox({
        command: launch.command,
        args: launch.args,
        workspace: this.scratch,
        env: launch.env,
        network: launch.sandbox.network,
        // The user declared these for the server: it may read them as the user could.
        readOnlyBinds: launch.sandbox.readOnly.map((bind) => ({ ...bind, owned: true })),
        writableBinds: launch.sandbox.writable,
        // Node and Python servers reserve far more address space than they use (as for JavaScript skills).
        memoryBytes: 4 * 1024 ** 3,
        maxOutputBytes: launch.maxMessageBytes,
      });
      child = spawnPrepared(this.prepared);
    } else {
      child = spawn(launch.command, launch.args, {
        env: launch.env,
        cwd: launch.cwd,
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
    }
    this.child = child;
    this.closed = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        this.exit ??= { code: null, signal: null, reason: `it could not be started: ${error.message}` };
        resolve();
      });
      child.once("close", (code, signal) => {
        this.exit ??= { code, signal };
        resolve();
      });
    }).then(() => this.cleanup());
    child.stdin?.on("error", () => undefined);
    child.stdout?.on("data", (chunk: Buffer) => this.onStdout(chunk));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", reject);
    });
  }

  private onStdout(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      this.pending.push(chunk.subarray(start, i));
      const line = Buffer.concat(this.pending).toString("utf8");
      this.pending = [];
      this.pendingBytes = 0;
      start = i + 1;
      this.onLine(line);
      if (this.exit) return;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > this.launch.maxMessageBytes)
        this.kill(`it sent a message larger than ${this.launch.maxMessageBytes} bytes (an output flood)`);
    }
  }

  private onLine(line: string): void {
    const text = line.trim();
    if (text.length > this.launch.maxMessageBytes) {
      this.kill(`it sent a message larger than ${this.launch.maxMessageBytes} bytes (an output flood)`);
      return;
    }
    // Anything that cannot be a JSON-RPC message (blank lines too) is noise, counted before any costly parsing.
    if (!text.startsWith("{") || !text.includes('"jsonrpc"')) {
      this.addNoise(line.length + 1);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.addNoise(line.length + 1);
      return;
    }
    const message = JSONRPCMessageSchema.safeParse(parsed);
    if (!message.success) {
      // Valid JSON that is no JSON-RPC message is noise too: a flood of `{}` lines is bounded like any other.
      this.addNoise(line.length + 1);
      if (!this.exit) this.onerror?.(new Error(`not a JSON-RPC message: ${text.slice(0, 120)}`));
      return;
    }
    this.onmessage?.(message.data);
  }

  private addNoise(bytes: number): void {
    this.noise += bytes;
    if (this.noise > MAX_NOISE_BYTES) this.kill(`it wrote over ${MAX_NOISE_BYTES} bytes of non-MCP output to stdout`);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.exit) throw new Error("the server's process is not running");
    await new Promise<void>((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the process (and everything it started) with a reason that error messages give. */
  kill(reason: string): void {
    this.exit ??= { code: null, signal: "SIGKILL", reason };
    this.signalGroup("SIGKILL");
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    if (child && !this.exit) {
      child.stdin?.end();
      this.signalGroup("SIGTERM");
      const timer = setTimeout(() => this.signalGroup("SIGKILL"), 1000);
      await this.closed;
      clearTimeout(timer);
    } else if (this.closed) {
      await this.closed;
    }
  }

  private cleanup(): void {
    // Whatever the server started in its group goes with it.
    this.signalGroup("SIGKILL");
    this.prepared?.dispose();
    this.prepared = undefined;
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
    this.onclose?.();
  }
}
