/**
 * Scripts written without spaces between words (Han, Hiragana, Katakana, Hangul, Thai, Lao,
 * Khmer, Myanmar): SQLite's unicode61 tokenizer would index a whole run as one token, so no part
 * of a Japanese sentence could be found. The memory index stores each such character as its own
 * token (this function, registered as `hob_fts_text` and used by the index's triggers), and a
 * query searches such a run as a phrase of its characters: a substring match.
 */
const UNSPACED =
  /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}])/gu;

export function ftsText(text: string): string {
  return text.replace(UNSPACED, " $1 ");
}

export function hasUnspacedScript(text: string): boolean {
  UNSPACED.lastIndex = 0;
  const found = UNSPACED.test(text);
  UNSPACED.lastIndex = 0;
  return found;
}
