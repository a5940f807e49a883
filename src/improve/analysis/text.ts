/**
 * Text normalisation for clustering task inputs: deterministic, language-agnostic, no model.
 *
 * NFKC and lower case; URLs, paths and file names, quoted strings and numbers become
 * placeholders (a file name keeps its extension: "sales.csv" → `xxpath csv`); Unicode word
 * tokens (letters, marks, digits); scripts written without spaces (Han, kana, Thai, …) split
 * into character bigrams; a small multilingual stop list; words longer than six letters cut to
 * their first six (a crude stemmer that works across languages: convert/conversion → "conver").
 */

/** Placeholders stand for a kind of value; they count in similarity but never name a pattern. */
export const PLACEHOLDERS = new Set(["xxurl", "xxpath", "xxquote", "xxnum"]);

const STEM_LENGTH = 6;

const STOP_WORDS = new Set(
  [
    // English
    "a an the and or but if then else of to in into on at by for from with without about as is are was were be been being do does did done have has had i me my we our you your he she it its they them their this that these those there here what which who whom whose when where why how can could would should will shall may might must please pls thanks thank hi hello hey just also so not no yes all any some each every more most other such than too very up out over again only own same both few nothing something anything let lets make get give need want like me",
    // German
    "der die das den dem des ein eine einen einem einer eines und oder aber wenn dann von zu im in am an auf aus bei mit nach seit über unter für ist sind war waren sein bin bist hat haben hatte ich du er sie es wir ihr mich mir dich dir uns euch mein dein sein bitte diese dieser dieses diesen nicht kein keine auch noch nur wie was wer wo warum kannst kann könnte",
    // French
    "le la les un une des du de et ou mais si dans en sur sous par pour avec sans est sont était être avoir ai as il elle nous vous ils elles je tu me te se ce cet cette ces mon ma mes ton ta tes son sa ses qui que quoi ne pas plus très peux peut svp stp",
    // Spanish, Portuguese, Italian (the commonest)
    "el lo los las una unos unas y o pero si en con sin por para es son fue ser estar yo tu él ella nosotros ellos mi mis su sus que qué por favor um uma os as e é são com sem para por favor il lo gli le uno della delle dei di da che per non",
  ]
    .join(" ")
    .split(/\s+/),
);

/**
 * Scripts written without spaces. Runs of them become character bigrams; hiragana (Japanese
 * particles and inflections) separates those runs instead, so 記事を要約して gives 記事, 要約.
 */
const NO_SPACE_SCRIPTS =
  "\\p{Script=Han}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}";
const TOKEN = new RegExp(
  `[${NO_SPACE_SCRIPTS}]+|\\p{Script=Hiragana}+|(?:(?![${NO_SPACE_SCRIPTS}\\p{Script=Hiragana}])[\\p{L}\\p{M}\\p{N}])+`,
  "gu",
);
const NO_SPACE = new RegExp(`^[${NO_SPACE_SCRIPTS}]`, "u");
const HIRAGANA = /^\p{Script=Hiragana}/u;

const URL_RE = /\b(?:https?|ftp|file):\/\/[^\s"'<>]+|\bwww\.[^\s"'<>]+/gu;
const QUOTED_RE =
  /"[^"\n]{1,200}"|`[^`\n]{1,200}`|“[^”\n]{1,200}”|„[^“”\n]{1,200}[“”]|«[^»\n]{1,200}»|「[^」\n]{1,200}」|『[^』\n]{1,200}』|‘[^’\n]{1,200}’|(?<=^|[\s(:=])'[^'\n]{1,200}'(?=$|[\s).,;:!?])/gu;
/**
 * Paths: rooted (`/etc/x`, `~/x`, `./x`, `C:\\x`), three or more segments (`a/b/c`), a relative
 * path to a file (`src/a.ts`), or a bare file name with an extension (`sales.csv`). Not `csv/json`.
 */
const PATH_RE = new RegExp(
  [
    "(?:[a-z]:\\\\|~\\/|\\.{1,2}\\/|(?<![\\p{L}\\p{N}])\\/)[\\p{L}\\p{N}_.\\/\\\\-]+",
    "[\\p{L}\\p{N}_.-]+(?:[\\\\/][\\p{L}\\p{N}_.-]+){2,}",
    "(?:[\\p{L}\\p{N}_.-]+[\\\\/])+[\\p{L}\\p{N}_-]+\\.[a-z][a-z0-9]{1,5}",
    "(?<![\\p{L}\\p{N}_.\\/-])[\\p{L}\\p{N}_-]+(?:\\.[\\p{L}\\p{N}_-]+)*\\.[a-z][a-z0-9]{1,5}(?![\\p{L}\\p{N}_-])",
  ].join("|"),
  "gu",
);
const EXTENSION_RE = /\.([a-z][a-z0-9]{1,5})$/u;
const NUMBER_RE = /\p{N}/u;
/** A number, with its decimal point, thousands separators, or the dashes of a date. */
const NUMBERS_RE = /(?<![\p{L}\p{N}])\p{N}+(?:[.,:/-]\p{N}+)*(?![\p{L}\p{N}])/gu;

const ASCII = /^[\x20-\x7e\t\n\r]*$/;
const QUOTE_CHAR = /["`“„«「『‘']/;
const PATH_CHAR = /[./\\]/;
const DIGIT = /\p{N}/u;

/** The placeholder text for a path: `xxpath`, plus its extension when it has one. */
function pathPlaceholder(path: string): string {
  const ext = EXTENSION_RE.exec(path)?.[1];
  return ext ? ` xxpath ${ext} ` : " xxpath ";
}

/** Cuts a word to its stem: the first six code points, or without a plural "s". */
export function stem(word: string): string {
  if (word.length > STEM_LENGTH) {
    // Code points, not UTF-16 units (a letter outside the BMP is two).
    const points = Array.from(word);
    if (points.length > STEM_LENGTH) return points.slice(0, STEM_LENGTH).join("");
  }
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/** One token of the input, and the word it came from (to show a person the pattern in words). */
export interface Token {
  term: string;
  surface: string;
}

/** The terms of a task input, in order (duplicates kept: term frequency counts). */
export function tokenise(input: string): Token[] {
  const tokens: Token[] = [];
  scan(input, (term, surface) => tokens.push({ term, surface }));
  return tokens;
}

/** Just the terms, for the hot path. */
export function terms(input: string): string[] {
  const out: string[] = [];
  scan(input, (term) => out.push(term));
  return out;
}

function scan(input: string, emit: (term: string, surface: string) => void): void {
  // Each replacement only when its telltale character is there: most inputs need few of them.
  let text = (ASCII.test(input) ? input : input.normalize("NFKC")).toLowerCase();
  if (text.includes("://") || text.includes("www.")) text = text.replace(URL_RE, " xxurl ");
  if (QUOTE_CHAR.test(text)) text = text.replace(QUOTED_RE, " xxquote ");
  if (PATH_CHAR.test(text)) text = text.replace(PATH_RE, pathPlaceholder);
  if (DIGIT.test(text)) text = text.replace(NUMBERS_RE, " xxnum ");
  for (const word of text.match(TOKEN) ?? []) {
    if (HIRAGANA.test(word)) continue;
    if (NO_SPACE.test(word)) {
      const chars = Array.from(word);
      if (chars.length === 1) emit(word, word);
      for (let i = 0; i + 1 < chars.length; i++) {
        const bigram = `${chars[i]}${chars[i + 1]}`;
        emit(bigram, bigram);
      }
      continue;
    }
    if (PLACEHOLDERS.has(word)) {
      emit(word, word);
      continue;
    }
    if (NUMBER_RE.test(word)) {
      emit("xxnum", "xxnum");
      continue;
    }
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    emit(stem(word), word);
  }
}

/** The distinct non-placeholder terms of a text: what a skill's name and description talk about. */
export function termSet(text: string): Set<string> {
  return new Set(
    tokenise(text)
      .map((t) => t.term)
      .filter((t) => !PLACEHOLDERS.has(t)),
  );
}
