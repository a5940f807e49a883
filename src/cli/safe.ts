/**
 * Text that came from a model, a file, a web page or the database is made safe here,
 * at the CLI's output edge, before it reaches a terminal: secrets are redacted, and
 * every character that can drive or fool a terminal is shown escaped (see
 * escapeTerminalText). `--json` output is JSON-escaped already and does not come through here.
 */
import { escapeTerminalText, redact } from "../errors/index.js";

/** Multi-line text (diffs, answers, file previews): newlines and tabs stay, everything else dangerous is escaped. */
export function safeText(text: string): string {
  return escapeTerminalText(redact(text));
}
/** One line (a summary, a target, an error message): a newline is escaped too, so nothing can start a fake line. */

export function safeLine(text: string): string {
  return safeText(text).replace(/\n/g, "\\n").replace(/\t/g, " ");
}
