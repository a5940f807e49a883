import { ftsText, hasUnspacedScript } from "../store/index.js";

/**
 * A user's free text as an FTS5 query that cannot fail to parse: each word (letters and
 * digits, any script) is quoted, and the words are OR-ed, so BM25 ranks by how many and how
 * rare the shared words are. FTS5 syntax in the text (quotes, NEAR, column filters, `*`) is
 * never interpreted: it is just text someone typed.
 */
const STOP = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "do",
  "for",
  "from",
  "how",
  "i",
  "in",
  "is",
  "it",
  "me",
  "my",
  "of",
  "on",
  "or",
  "please",
  "the",
  "to",
  "was",
  "what",
  "when",
  "with",
]);

/** At most this many words: a pasted document should not become a thousand-term query. */
const MAX_TERMS = 32;

export function ftsQuery(text: string): string {
  const words =
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words.filter((w) => !STOP.has(w)))].slice(0, MAX_TERMS);
  // A CJK or Thai run is indexed a character a token: it is searched as the phrase of its characters.
  return terms
    .map((term) => `"${hasUnspacedScript(term) ? ftsText(term).trim().replace(/\s+/g, " ") : term}"`)
    .join(" OR ");
}
