import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { type CliIO, main } from "../src/cli/index.js";
import { HobError } from "../src/errors/index.js";
import type { StreamPart } from "../src/models/index.js";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const HOB_BIN = join(REPO_ROOT, "bin", "hob.js");

/** A fresh HOB_HOME; call the returned function to delete it. */
export function tempHome(): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), "hob-test-"));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => unknown;
}

class Capture {
  text = "";
  isTTY = false;
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

export interface InProcessOptions {
  env: NodeJS.ProcessEnv;
  stdin?: string | PassThrough;
  /** Called with a function that simulates Ctrl-C. */
  interrupt?: (press: () => void) => void;
}

/** Runs the real CLI entry in this process with captured output (counts for coverage). */
export async function runCli(argv: string[], options: InProcessOptions): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const handlers = new Set<() => void>();
  let stdin: PassThrough;
  if (options.stdin instanceof PassThrough) stdin = options.stdin;
  else {
    stdin = new PassThrough();
    stdin.end(options.stdin ?? "");
  }
  const io: CliIO = {
    stdout,
    stderr,
    stdin,
    env: options.env,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  options.interrupt?.(() => {
    for (const handler of handlers) handler();
  });
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text) };
}

/** Runs the built `hob` binary as a subprocess. */
export function spawnHob(
  argv: string[],
  env: NodeJS.ProcessEnv,
  stdin?: string,
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOB_BIN, ...argv], { env: { ...env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? -1, signal, stdout, stderr, json: () => JSON.parse(stdout) }),
    );
    child.stdin.end(stdin ?? "");
  });
}

/** A port nothing listens on: Ollama "not running" unless a test starts a fake. */
export const CLOSED_PORT_URL = "http://127.0.0.1:47"; // not on fetch's blocked-port list

/** The key the fake model servers accept (BAD_KEY in fakes/anthropic.ts is the one they refuse). */
export const FAKE_API_KEY = "sk-ant-test-key-0123456789";

/**
 * The environment of a test: temp home, fake server, a fake key; nothing from the real
 * machine (a developer's running Ollama is never reached: OLLAMA_HOST points nowhere).
 */
export function testEnv(home: string, baseUrl?: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOB_HOME: home,
    NO_COLOR: "1",
    OLLAMA_HOST: CLOSED_PORT_URL,
    ...(baseUrl ? { ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_API_KEY: FAKE_API_KEY } : {}),
    ...extra,
  };
}

/** Writes $HOB_HOME/config/litellm.yaml (the user's router config). */
export function writeRouterConfig(home: string, yaml: string): void {
  mkdirSync(join(home, "config"), { recursive: true });
  writeFileSync(join(home, "config", "litellm.yaml"), yaml);
}

/** Writes $HOB_HOME/hob.yaml. */
export function writeHobConfig(home: string, yaml: string): void {
  writeFileSync(join(home, "hob.yaml"), yaml);
}

/** Awaits a promise that must reject with a HobError, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<HobError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HobError);
    return error as HobError;
  }
  throw new Error("expected a failure");
}

/** Calls a function that must throw a HobError, and returns that error. */
export function thrown(fn: () => unknown): HobError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HobError);
    return error as HobError;
  }
  throw new Error("expected an error");
}

/** Reads a model stream to its end: all parts, and the text they carry. */
export async function drain(stream: AsyncIterable<StreamPart>): Promise<{ text: string; parts: StreamPart[] }> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return { text: parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join(""), parts };
}

/** Polls `probe` until it returns something truthy (or throws after `timeoutMs`). */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
