/**
 * Text that came from a model, a file, a web page or the database is made safe here,
 * at the CLI's output edge, before it reaches a terminal: secrets are redacted, and
 * every character that can drive or fool a terminal is shown escaped: ESC, CR,
 * backspace, BEL and the other C0/C1 controls as `\xNN` (the format of the sandbox's
 * `neutralise`, which keeps CR and so cannot be used as is; and this file loads at
 * start-up, the sandbox should not), then bidirectional overrides, zero-width and
 * other invisible characters as `\uNNNN`. `--json` output is JSON-escaped already and
 * does not come through here.
 */
import { redact } from "../errors/index.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters we escape
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Bidi embeddings/overrides/isolates, marks, zero-width characters, word joiners, BOM,
// line/paragraph separators and the soft hyphen: all invisible, all able to reorder or hide text.
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const hex = (c: string) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`;

/** Multi-line text (diffs, answers, file previews): newlines and tabs stay, everything else dangerous is escaped. */
export function safeText(text: string): string {
  return redact(text)
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(INVISIBLE, hex);
}

/** One line (a summary, a target, an error message): a newline is escaped too, so nothing can start a fake line. */
export function safeLine(text: string): string {
  return safeText(text).replace(/\n/g, "\\n").replace(/\t/g, " ");
}
