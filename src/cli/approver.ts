import { createInterface } from "node:readline";
import type { Approver } from "../approvals/index.js";
import { HobError } from "../errors/index.js";
import { colorsFor } from "./format.js";
import type { CliIO } from "./io.js";
import { safeLine, safeText } from "./safe.js";

/** True when a human can answer a prompt: both stdin and stderr are terminals. */
export function canPrompt(io: CliIO): boolean {
  return Boolean(io.stdin.isTTY && io.stderr.isTTY);
}

/**
 * Asks at the terminal, showing exactly what will happen: the tool, the resolved
 * targets, why it needs approval, and a diff for overwrites. Anything but "y" (or "a",
 * always, where the action can be remembered: an MCP tool) denies;
 * Ctrl-C cancels the task (E_CANCELLED: recorded as `cancelled`, exit code 130).
 */
export function terminalApprover(io: CliIO, pauseSpinner: () => void): Approver {
  return async ({ preview, reason, canRemember }) => {
    pauseSpinner();
    const c = colorsFor(io.stderr, io.env);
    const lines = [
      "",
      c.yellow(`┌ approval needed: ${safeLine(preview.tool)} — ${safeLine(preview.summary)}`),
      `│ why: ${safeLine(reason)}`,
      ...preview.targets.map((target) => `│ target: ${safeLine(target)}`),
      ...(preview.diff
        ? preview.diff
            .split("\n")
            .slice(2, 60)
            .map(safeText) // a diff line from a file or a model must not erase or rewrite the lines around it
            .map((line) => `│ ${line.startsWith("+") ? c.green(line) : line.startsWith("-") ? c.red(line) : line}`)
        : []),
    ];
    io.stderr.write(`${lines.join("\n")}\n`);
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
    // The terminal is in raw mode while readline asks, so Ctrl-C arrives as readline's SIGINT, not a signal.
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.question(c.yellow(canRemember ? "└ allow this? [y/N/a = always] " : "└ allow this? [y/N] "), resolve);
      rl.once("SIGINT", () => resolve(undefined));
      rl.once("close", () => resolve(""));
    });
    rl.close();
    if (answer === undefined) {
      io.stderr.write("\n");
      throw new HobError("E_CANCELLED", "Cancelled at the approval prompt (Ctrl-C).", {
        hint: "The task is recorded as cancelled; run it again to start over.",
      });
    }
    if (canRemember && /^a(lways)?$/i.test(answer.trim())) return "always";
    return /^y(es)?$/i.test(answer.trim()) ? "approve" : "deny";
  };
}
