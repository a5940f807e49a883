/**
 * Unicode-aware words for the embedded classifier. Letters of every script count, case is
 * folded, and each word is kept both with its accents and without them ("größe" and
 * "grosse", "résumé" and "resume"), so a typed-without-accents word still matches. Scripts
 * written without spaces (Chinese, Japanese, Korean, Thai) become single characters and
 * character pairs, because a run of them is a phrase, not a word.
 */

const UNSPACED = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}";
/** A run of an unspaced script, or a run of other letters, marks and digits (apostrophes inside kept). */
const TOKEN = new RegExp(
  `[${UNSPACED}]+|(?:(?![${UNSPACED}])[\\p{L}\\p{M}\\p{N}])+(?:['’](?:(?![${UNSPACED}])[\\p{L}\\p{M}])+)*`,
  "gu",
);
const IS_UNSPACED = new RegExp(`^[${UNSPACED}]`, "u");

export interface Word {
  /** Case-folded, accents kept (NFC). */
  text: string;
  /** Case-folded, accents stripped: the form shared by spellings with and without them. */
  plain: string;
  /** A character or character pair of an unspaced script. */
  unspaced: boolean;
}

export function stripAccents(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/ß/g, "ss").normalize("NFC");
}

/** Lower case and accents stripped: the form the cue-word patterns are written against. */
export function plainText(text: string): string {
  return stripAccents(text.normalize("NFKC").toLowerCase());
}

export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const match of text.normalize("NFKC").toLowerCase().matchAll(TOKEN)) {
    const token = match[0].replace(/’/g, "'");
    if (IS_UNSPACED.test(token)) {
      const chars = [...token];
      for (let i = 0; i < chars.length; i++) {
        out.push({ text: chars[i] as string, plain: chars[i] as string, unspaced: true });
        if (i + 1 < chars.length) {
          const pair = `${chars[i]}${chars[i + 1]}`;
          out.push({ text: pair, plain: pair, unspaced: true });
        }
      }
    } else {
      out.push({ text: token, plain: stripAccents(token), unspaced: false });
    }
  }
  return out;
}
