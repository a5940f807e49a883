/**
 * Typed errors with a stable `code`. Every error a user can meet is a HobError:
 * `message` says what happened in one sentence, `hint` says what to do next.
 * This room depends on nothing else of ours, so every room may import it.
 */

export const ERROR_CODES = [
  "E_CONFIG",
  "E_USAGE",
  "E_NO_API_KEY",
  "E_AUTH",
  "E_RATE_LIMIT",
  "E_OVERLOADED",
  "E_PROVIDER",
  "E_BAD_REQUEST",
  "E_CONTEXT_WINDOW",
  "E_MODEL_MISSING",
  "E_UNAVAILABLE",
  "E_NETWORK",
  "E_TIMEOUT",
  "E_STREAM",
  "E_CANCELLED",
  "E_STORE",
  "E_NOT_FOUND",
  "E_INTERRUPTED",
  "E_SANDBOX",
  "E_TOOL",
  "E_MCP",
  "E_MAX_STEPS",
  "E_VALIDATION",
  "E_APPROVAL",
  "E_CONFLICT",
  "E_BUDGET",
  "E_INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface HobErrorOptions {
  hint?: string;
  cause?: unknown;
  /** True when trying the same request again may succeed (408/409/429/5xx, network). */
  retryable?: boolean;
  /** Seconds or milliseconds the server asked us to wait, already converted to ms. */
  retryAfterMs?: number;
  status?: number;
}

export class HobError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: HobErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HobError";
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }

  /** Rebuilds an error that travelled as an event or JSON object. */
  static fromJSON(value: { code: string; message: string; hint?: string }): HobError {
    const code = (ERROR_CODES as readonly string[]).includes(value.code) ? (value.code as ErrorCode) : "E_INTERNAL";
    return new HobError(code, value.message, value.hint === undefined ? {} : { hint: value.hint });
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string } {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isHobError(value: unknown): value is HobError {
  return value instanceof HobError;
}

/** Wraps anything thrown into a HobError without losing the original as `cause`. */
export function toHobError(value: unknown): HobError {
  if (value instanceof HobError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new HobError("E_INTERNAL", `Unexpected error: ${message}`, {
    hint: "Run again with --verbose to see the stack trace, and report it if it persists.",
    cause: value,
  });
}

export { mask, redact, registerSecrets } from "./redact.js";
export { escapeTerminalText } from "./terminal-text.js";

/**
 * A next step for an error that came without its own hint, so every error object the
 * CLI (and any other surface) prints (`{ code, message, hint }`) has one. Specific hints, where the error is
 * built, always win over these.
 */
const GENERIC_HINTS: Partial<Record<ErrorCode, string>> = {
  E_CONFIG: "Fix the file named above; `hob config init` writes a commented file with every key and its default.",
  E_USAGE: "See `hob --help`, or `hob <command> --help`.",
  E_NOT_FOUND: "`hob history` lists recent tasks; `hob approvals list --all` lists approvals.",
  E_CANCELLED: "The task is recorded as cancelled; run it again to start over.",
  E_INTERRUPTED: "Run the task again; `hob show <id>` has what was saved.",
  E_STORE: "Check that HOB_HOME is writable, or run `hob doctor`.",
  E_SANDBOX: "The agent may only use files inside its workspace; `hob audit --denied` lists refusals.",
  E_APPROVAL: "`hob approvals list` shows what is waiting.",
  E_TOOL: "Run the task again, or see the tool steps with `hob show <id>`.",
  E_MAX_STEPS: "Give the agent a smaller or clearer task, or raise max_steps in its YAML.",
  E_VALIDATION: "Run the task again, or give the agent a clearer task.",
};

export function hintFor(code: string, hint: string | undefined): string {
  if (hint) return hint;
  return (
    GENERIC_HINTS[code as ErrorCode] ?? "Run `hob doctor` to check the setup, or run again with --verbose for details."
  );
}
