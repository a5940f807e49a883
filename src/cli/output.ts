import { type HobError, hintFor, toHobError } from "../errors/index.js";
import { colorsFor } from "./format.js";
import type { CliIO } from "./io.js";
import { safeText } from "./safe.js";

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
}

export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit codes: 1 a failure, 2 a usage or config error, 3 waiting for approval, 130 cancelled by Ctrl-C. */
export const EXIT_AWAITING_APPROVAL = 3;

export function exitCodeFor(error: HobError): number {
  if (error.code === "E_CANCELLED") return 130;
  if (error.code === "E_USAGE" || error.code === "E_CONFIG") return 2;
  return 1;
}

/**
 * Prints an error the way the seam promises: `{ "error": { code, message, hint } }` on stdout
 * with --json, one readable sentence plus a hint on stderr otherwise. The stack trace
 * only with --verbose.
 */
export function reportError(io: CliIO, thrown: unknown, options: OutputOptions, extra: object = {}): number {
  const error = toHobError(thrown);
  const hint = hintFor(error.code, error.hint);
  if (options.json) {
    writeJson(io, { error: { code: error.code, message: error.message, hint }, ...extra });
  } else {
    const c = colorsFor(io.stderr, io.env);
    // Messages carry text from models, files, pages and providers: printed safe and redacted.
    io.stderr.write(`${c.red("error")} ${c.dim(`[${error.code}]`)} ${safeText(error.message)}\n`);
    io.stderr.write(`  ${c.dim("→")} ${safeText(hint)}\n`);
    if (options.verbose) {
      let cause: unknown = error;
      while (cause instanceof Error) {
        io.stderr.write(`${c.dim(safeText(cause.stack ?? String(cause)))}\n`);
        cause = cause.cause;
      }
    }
  }
  return exitCodeFor(error);
}
