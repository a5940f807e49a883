/**
 * A real, local Chroma server for tests and benchmarks: the `chromadb` package's own CLI as a
 * child process in its own process group, on a free loopback port, with a temporary data
 * directory. `start()` waits on the heartbeat (clear error after `startTimeoutMs`, with the
 * server's last output); `stop()` kills the whole group; `restart()` comes back on the same
 * port and data directory (persistence tests); `close()` stops and removes the directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChromaClient } from "chromadb";

const CLI = fileURLToPath(new URL("../../node_modules/chromadb/dist/cli.mjs", import.meta.url));

export interface ChromaServerOptions {
  /** Reuse this data directory (kept on close) instead of a fresh temporary one. */
  dataDir?: string;
  /** How long to wait for the first heartbeat (default 20 s). */
  startTimeoutMs?: number;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Kills a child's whole process group; ESRCH (already gone) is fine. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // gone
    }
  }
}

export class ChromaServer {
  private child: ChildProcess | undefined;
  private output = "";
  private readonly ownsDir: boolean;
  private readonly startTimeoutMs: number;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    options: ChromaServerOptions,
  ) {
    this.ownsDir = options.dataDir === undefined;
    this.startTimeoutMs = options.startTimeoutMs ?? 20_000;
  }

  static async start(options: ChromaServerOptions = {}): Promise<ChromaServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "hob-chroma-"));
    const server = new ChromaServer(await freePort(), dataDir, options);
    try {
      await server.start();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server (again) on this port and data directory; resolves on the first heartbeat. */
  async start(): Promise<void> {
    if (this.running) return;
    if (!exitHook) {
      exitHook = true;
      process.once("exit", () => {
        for (const child of live) killGroup(child, "SIGKILL");
      });
    }
    this.output = "";
    const child = spawn(
      process.execPath,
      [CLI, "run", "--path", this.dataDir, "--host", "127.0.0.1", "--port", String(this.port)],
      { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    this.child = child;
    live.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", () => live.delete(child));
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });

    const client = new ChromaClient({ host: "127.0.0.1", port: this.port });
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (spawnError || !this.running) {
        throw new Error(
          `Chroma exited before it answered (port ${this.port}, ${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}). Last output:\n${this.output}`,
        );
      }
      try {
        await client.heartbeat();
        // A heartbeat from someone else's server on this port would not be ours.
        if (this.running) return;
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw new Error(
      `Chroma did not answer a heartbeat on ${this.url} within ${this.startTimeoutMs} ms. Last output:\n${this.output}`,
    );
  }

  /** Kills the process group (SIGTERM, then SIGKILL after 3 s) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
    live.delete(child);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
