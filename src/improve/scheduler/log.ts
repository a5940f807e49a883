/**
 * The log of `hob serve`: JSON lines `{ time, level, message, ...fields }` in
 * `$HOB_HOME/logs/serve.log`, rotated by size (serve.log → serve.log.1 → … → serve.log.N,
 * the oldest dropped). Every line passes through `redact`, so a key echoed in an error
 * never reaches the disk. Writes are synchronous appends: a few lines per run, and a
 * line written just before SIGTERM is on disk when the process exits.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { redact } from "../../errors/index.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface FileLoggerOptions {
  /** Rotate when the file would grow past this many bytes (default 1 MiB). */
  maxBytes?: number;
  /** How many rotated files to keep besides the current one (default 4: five files in all). */
  keep?: number;
  /** Lines below this level are dropped (default info). */
  level?: LogLevel;
  now?: () => number;
  /** Also called with each written line (e.g. to mirror the log on stderr). */
  echo?: (line: string) => void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** `$HOB_HOME/logs/serve.log`. */
export function serveLogPath(home: string): string {
  return join(home, "logs", "serve.log");
}

/**
 * A field value made fit for a JSON line: errors become their message, and every string,
 * however deep, is redacted (secrets can hide in any field).
 */
function clean(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return redact(value.message);
  if (value === null || typeof value !== "object") return value;
  if (depth > 5) return "[deep]";
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? "[redacted]" : clean(item, depth + 1)]),
  );
}

/** Fields whose names say they hold a secret are never written, whatever their value. */
const SECRET_KEY = /(api[_-]?key|token|secret|password|authorization|cookie)/i;

/** One JSON line: `{ time, level, message, ...fields }`, redacted. */
export function formatLine(time: number, level: LogLevel, message: string, fields: LogFields = {}): string {
  const entry: Record<string, unknown> = { time: new Date(time).toISOString(), level, message: redact(message) };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && !(key in entry)) entry[key] = SECRET_KEY.test(key) ? "[redacted]" : clean(value);
  }
  let json: string;
  try {
    json = JSON.stringify(entry);
  } catch {
    json = JSON.stringify({ time: entry.time, level, message: entry.message, fields: "[unserialisable]" });
  }
  return `${json}\n`;
}

export class FileLogger implements Logger {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly level: number;
  private readonly now: () => number;
  private size: number | undefined;

  constructor(
    readonly path: string,
    private readonly options: FileLoggerOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.keep = options.keep ?? 4;
    this.level = ORDER[options.level ?? "info"];
    this.now = options.now ?? Date.now;
    mkdirSync(dirname(path), { recursive: true });
  }

  debug(message: string, fields?: LogFields): void {
    this.write("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write("error", message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (ORDER[level] < this.level) return;
    const line = formatLine(this.now(), level, message, fields);
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size === undefined) this.size = currentSize(this.path);
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // A log that cannot be written must not stop the scheduler; the size is re-read next time.
      this.size = undefined;
    }
    this.options.echo?.(line);
  }

  /** serve.log.(keep) is dropped, each serve.log.i moves to i+1, serve.log to serve.log.1. */
  private rotate(): void {
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch {
        // a gap in the sequence: nothing to move
      }
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.size = 0;
  }
}

function currentSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A logger that keeps lines in memory (tests, and callers that want no file). */
export class MemoryLogger implements Logger {
  readonly entries: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  debug(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: "debug", message, fields });
  }
  info(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: "info", message, fields });
  }
  warn(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: "warn", message, fields });
  }
  error(message: string, fields: LogFields = {}): void {
    this.entries.push({ level: "error", message, fields });
  }
  messages(): string[] {
    return this.entries.map((entry) => entry.message);
  }
}
