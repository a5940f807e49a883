import { HobError } from "../errors/index.js";
import type { TaskSummary } from "../events/index.js";
import { toRunResultJson } from "../shapes/index.js";
import type { CliIO } from "./io.js";
import { EXIT_AWAITING_APPROVAL, exitCodeFor, reportError, writeJson } from "./output.js";

/**
 * Prints how a task ended (for `hob run` and `hob approvals approve|deny`) and returns
 * the exit code: 0 done, 3 waiting for approval, otherwise the error's code.
 */
export function reportTaskResult(
  io: CliIO,
  result: TaskSummary,
  options: { json: boolean; verbose?: boolean },
): number {
  if (result.status === "succeeded") {
    if (options.json) writeJson(io, toRunResultJson(result));
    return 0;
  }
  if (result.status === "awaiting_approval") {
    if (options.json) writeJson(io, toRunResultJson(result));
    return EXIT_AWAITING_APPROVAL;
  }
  const error = HobError.fromJSON(result.error ?? { code: "E_INTERNAL", message: "The task failed." });
  reportError(
    io,
    error,
    { json: options.json, verbose: Boolean(options.verbose) },
    options.json ? { id: result.id, status: result.status } : {},
  );
  return exitCodeFor(error);
}
