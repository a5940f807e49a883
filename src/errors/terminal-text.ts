/**
 * Text from a model, a file, a web page or a sandboxed process, made safe to show: every
 * character that can drive or fool a terminal is shown escaped — ESC, CR, backspace, BEL
 * and the other C0/C1 controls as `\xNN`; bidirectional controls, zero-width and other
 * invisible characters as `\uNNNN`. Newlines and tabs stay. One mechanism for the sandbox's
 * captured output and the CLI's output edge; a dependency-free leaf, so start-up pays nothing.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what we escape
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

// Bidi embeddings/overrides/isolates, marks, zero-width characters, word joiners, BOM,
// line/paragraph separators and the soft hyphen: all invisible, all able to reorder or hide text.
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function escapeTerminalText(text: string): string {
  return text
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(INVISIBLE, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`);
}
