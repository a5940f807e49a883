/**
 * The built-in embedder (`builtin`, model `hash-384`): offline, deterministic, no
 * weights, no server. Text becomes a dense 384-dimensional L2-normalised vector by
 * feature hashing, the trick `routing/features.ts` uses for the classifier, made
 * Unicode-aware:
 *
 * - NFKC, then lower case; words are runs of `\p{L}\p{N}` (with their combining marks).
 * - Word features: unigrams, bigrams of neighbouring words, and character trigrams of
 *   each padded word (`^word$`) with a lower weight. Trigrams and unigrams are taken
 *   from a folded form (German ä/ö/ü/ß → ae/oe/ue/ss, other accents on Latin letters
 *   dropped), so "Müller", "Mueller" and "Muller" meet; the exact word is kept as well.
 * - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 *   Myanmar) have no words to split on: a run of them gives character bigrams and
 *   trigrams, plus single Han characters at a low weight (shared kanji).
 * - Very common function words of English, German, French and Spanish weigh little
 *   (there is no corpus to learn IDF from); negations are not among them, since
 *   "not" changes what a request means.
 * - Term frequency is sublinear (1 + ln tf) and each feature is added with a sign
 *   taken from a second hash, so collisions cancel in expectation rather than pile up.
 *
 * What this is, honestly: a *lexical* embedder. It sees shared words and shared
 * pieces of words, so it forgives typos, plurals and inflection, accents and umlaut
 * spellings, and it matches Japanese or Chinese texts that share characters. It knows
 * nothing of meaning: synonyms ("car" / "automobile"), paraphrases with no word in
 * common and queries in another language than the memory will mostly miss. A real
 * embedding model (e.g. nomic-embed-text through Ollama) is the thing for those; this
 * is the floor that works everywhere, and a good partner to FTS5 in hybrid search.
 */
import { HobError } from "../errors/index.js";
import type { Embedder, EmbedOptions, EmbedResult } from "./embedder.js";

export const BUILTIN_EMBEDDER_MODEL = "hash-384";
export const BUILTIN_EMBEDDER_DIMENSIONS = 384;

/**
 * Relative weights of the feature families; a unigram weighs 1. Bigram and trigram
 * weights were picked from a coarse grid on data/memory/retrieval-set.json
 * (bench/memory-embedder.ts): trigrams at 0.5 rather than 0.35 lifted typo and
 * paraphrase recall most; more than that gained little.
 */
const WEIGHT = {
  word: 1,
  /** The folded spelling when it differs from the word (café → cafe, Müller → mueller). */
  folded: 0.7,
  bigram: 0.5,
  trigram: 0.5,
  stopWord: 0.15,
  /** Character bigram / trigram / Han unigram of a run without spaces. */
  runBigram: 0.8,
  runTrigram: 0.6,
  hanUnigram: 0.3,
} as const;

/** Feature families, the first character of a feature key. */
const FAMILY_WEIGHT: Record<string, number> = {
  w: WEIGHT.word,
  f: WEIGHT.folded,
  b: WEIGHT.bigram,
  t: WEIGHT.trigram,
  s: WEIGHT.stopWord,
  B: WEIGHT.runBigram,
  T: WEIGHT.runTrigram,
  H: WEIGHT.hanUnigram,
};

/**
 * Function words that say little about what a text is about. Negations (not, no, nicht,
 * kein, pas, ne, sin, ...) and numbers are deliberately left out.
 */
const STOP_WORDS = new Set(
  (
    "a an the and or of to in on at for from by with as is are was were be been it its this that these those " +
    "i me my we our you your he she they them their his her do does did so if then than there here " +
    "der die das den dem des ein eine einen einem einer und oder zu im in am an auf für mit von vom zum zur ist " +
    "sind war ich mich mir mein meine wir uns du es sie er " +
    "le la les un une des du de et ou à au aux en dans pour par sur avec est sont je me mon ma mes nous vous il elle " +
    "el los las uno una unos unas y o del al en para por con es son yo mi mis nosotros su sus lo"
  ).split(" "),
);

/** Characters of scripts written without spaces between words. */
const SPACELESS =
  "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}\\u30fc\\u3005";
/** A spaceless run, or a word of any other script (letters, digits, their marks). */
const TOKEN = new RegExp(`([${SPACELESS}]+)|((?:(?![${SPACELESS}])[\\p{L}\\p{N}\\p{M}])+)`, "gu");
const HAN = /\p{Script=Han}/u;
const GERMAN_FOLD: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", ß: "ss" };
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so the low bits mix well. */
function hash(text: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** ä → ae, ß → ss, é → e (accents only on Latin letters: Japanese dakuten stay). */
function fold(word: string): string {
  if (/^[\p{ASCII}]*$/u.test(word)) return word;
  return word
    .replace(/[äöüß]/g, (c) => GERMAN_FOLD[c] ?? c)
    .normalize("NFD")
    .replace(LATIN_MARKS, "$1")
    .normalize("NFC");
}

/** Feature key → how often it occurs. The first character names its family. */
function features(text: string): { counts: Map<string, number>; tokens: number } {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const normalized = text.normalize("NFKC").toLowerCase();
  let previous: string | undefined;
  let previousStop = false;
  let tokens = 0;
  for (const match of normalized.matchAll(TOKEN)) {
    const run = match[1];
    if (run !== undefined) {
      const chars = Array.from(run);
      tokens += chars.length;
      previous = undefined;
      if (chars.length === 1) {
        add(`B${run}`);
        continue;
      }
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i] as string;
        if (HAN.test(c)) add(`H${c}`);
        if (i + 1 < chars.length) add(`B${c}${chars[i + 1]}`);
        if (i + 2 < chars.length) add(`T${c}${chars[i + 1]}${chars[i + 2]}`);
      }
      continue;
    }
    const word = match[2] as string;
    tokens++;
    const folded = fold(word);
    const stop = STOP_WORDS.has(word) || STOP_WORDS.has(folded);
    if (stop) {
      add(`s${folded}`);
    } else {
      add(`w${word}`);
      if (folded !== word) add(`f${folded}`);
      const padded = `^${folded}$`;
      // Trigrams by code point, so letters outside the BMP are not cut in half.
      const chars = Array.from(padded);
      for (let j = 0; j + 3 <= chars.length; j++) add(`t${chars[j]}${chars[j + 1]}${chars[j + 2]}`);
    }
    // Word order matters ("miles to km" / "km to miles"), but "of the" says nothing.
    if (previous !== undefined && !(stop && previousStop)) add(`b${previous} ${folded}`);
    previous = folded;
    previousStop = stop;
  }
  return { counts, tokens };
}

/**
 * One text → its 384-dimensional vector, L2-normalised. A text with no letters or
 * digits (e.g. "" or "!!!") gives the zero vector, whose similarity to anything is 0.
 */
export function builtinEmbedding(text: string): Float32Array {
  return embedOne(text).vector;
}

function embedOne(text: string): { vector: Float32Array; tokens: number } {
  const vector = new Float32Array(BUILTIN_EMBEDDER_DIMENSIONS);
  const { counts, tokens } = features(text);
  for (const [key, count] of counts) {
    const weight = (FAMILY_WEIGHT[key[0] as string] ?? 1) * (1 + Math.log(count));
    const index = hash(key, 0) % BUILTIN_EMBEDDER_DIMENSIONS;
    const sign = hash(key, 0x9e3779b9) & 1 ? 1 : -1;
    vector[index] = (vector[index] as number) + sign * weight;
  }
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] as number) ** 2;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * scale;
  }
  return { vector, tokens };
}

/** How many texts are embedded between yields to the event loop. */
const BATCH = 256;

/** Computes vectors in-process; never fails except on cancel. */
export class BuiltinEmbedder implements Embedder {
  readonly provider = "builtin";
  readonly model = BUILTIN_EMBEDDER_MODEL;
  readonly dimensions = BUILTIN_EMBEDDER_DIMENSIONS;

  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    const embeddings: number[][] = [];
    let inputTokens = 0;
    for (let i = 0; i < texts.length; i++) {
      if (i % BATCH === 0) {
        // Large batches leave room for other work (a web request, a cancel) between chunks.
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw new HobError("E_CANCELLED", "Cancelled.");
      }
      const { vector, tokens } = embedOne(texts[i] as string);
      inputTokens += tokens;
      embeddings.push(Array.from(vector));
    }
    return {
      embeddings,
      dimensions: embeddings.length ? BUILTIN_EMBEDDER_DIMENSIONS : 0,
      usage: { inputTokens },
    };
  }
}

export function createBuiltinEmbedder(): Embedder {
  return new BuiltinEmbedder();
}
