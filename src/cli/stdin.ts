import { fstatSync } from "node:fs";
import type { CliIO } from "./io.js";

/** Everything on stdin, read to its end. */
export async function readAll(io: CliIO): Promise<string> {
  let text = "";
  for await (const chunk of io.stdin) text += chunk.toString();
  return text;
}

/**
 * Text piped into hob (`git diff | hob run "review this"`), or undefined. Only a pipe
 * or a redirected file counts: a terminal is never read, and neither is an inherited
 * socket or /dev/null, so a script that runs hob without closing stdin does not hang.
 */
export async function pipedText(io: CliIO): Promise<string | undefined> {
  if (io.stdin.isTTY) return undefined;
  const fd = (io.stdin as { fd?: unknown }).fd;
  if (typeof fd === "number") {
    let stat: ReturnType<typeof fstatSync>;
    try {
      stat = fstatSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EBADF") return undefined; // stdin is closed: nothing piped
      throw error;
    }
    if (!stat.isFIFO() && !stat.isFile()) return undefined;
  }
  const text = await readAll(io);
  return text.trim().length > 0 ? text : undefined;
}

/** The task, then the piped input in a fence no line of it can close. */
export function withPipedInput(task: string, piped: string): string {
  const longest = Math.max(2, ...[...piped.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${task}\n\n${fence}\n${piped.replace(/\n+$/, "")}\n${fence}`;
}
