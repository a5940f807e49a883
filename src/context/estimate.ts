import type { ContextPiece } from "./types.js";

/**
 * A token estimate without a tokenizer. Claude's current tokenizer is not published, and the
 * OpenAI ones (cl100k, o200k) would count other models' tokens, so hob estimates instead, and on
 * purpose errs high: a budget that overcounts leaves a little room unused; one that undercounts
 * overflows the model's context.
 *
 * Each code point has a weight (tokens per character) by its script, and the estimate is the
 * rounded-up sum. Byte-level BPE tokenizers merge common ASCII words into one token (about four
 * characters each in English, three in code) but split rarer scripts into their UTF-8 bytes, so
 * a character of Cyrillic, Devanagari or Han costs far more than a Latin letter, and an emoji more
 * again. The weights below were checked (see context.test.ts) against the counts of three real
 * tokenizers (cl100k_base, o200k_base and Anthropic's published Claude 2 tokenizer) on English
 * prose, code, JSON, numbers, German, French, Russian, Arabic, Hindi, Chinese, Japanese, Korean
 * and emoji, and on hard cases (a hex digest, UUIDs, base64, rare Han characters, long German
 * compounds): the estimate is never below any of them there, and at most 1.5 times the highest.
 * Newer Claude tokenizers count somewhat more than Claude 2's, which the margin on English and
 * code (1.2 to 1.5 times) absorbs.
 *
 * Each character's weight depends only on the characters since the last one that is neither
 * letter nor digit, and the sum is rounded up once, so the estimate of texts joined at a line
 * break is never more than the sum of their estimates: packing can add the parts up.
 */
export function estimateTokens(text: string): number {
  let sum = 0;
  let previous: "lower" | "upper" | "digit" | "other" = "other";
  let run = 0; // letters since the last non-letter
  let capitals = 0; // capitals in a row
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    const kind = isLower(cp) ? "lower" : isUpper(cp) ? "upper" : isDigit(cp) ? "digit" : "other";
    const letter = kind === "lower" || kind === "upper";
    run = letter ? run + 1 : 0;
    // Tokenizers split letters from digits, so a hex digest or an id like x86_64 is close to a
    // token per switch: each switch between the two costs a token of its own.
    if ((kind === "digit" && (previous === "lower" || previous === "upper")) || (letter && previous === "digit"))
      sum += 1;
    // A capital after a small letter (camelCase, base64) usually starts a new token, and so
    // does a small letter after two capitals or more (base64, HTTPServer).
    if (kind === "upper" && previous === "lower") sum += 0.5;
    if (kind === "lower" && previous === "upper" && capitals >= 2) sum += 0.5;
    capitals = kind === "upper" ? capitals + 1 : 0;
    previous = kind;
    // Common words are one token, but a long run of letters (a compound word, base64) is not
    // in the vocabulary whole: past a dozen letters, each costs more.
    sum += letter && run > LONG_RUN ? LONG_RUN_WEIGHT : weight(cp);
  }
  return Math.ceil(sum);
}

const LONG_RUN = 12;
const LONG_RUN_WEIGHT = 0.5;

function weight(cp: number): number {
  if (cp < 0x80) return asciiWeight(cp);
  if (cp <= 0x24f) return 1; // Latin-1 and Latin Extended: accented letters, mostly inside Latin words
  if (cp >= 0x300 && cp <= 0x36f) return 1; // combining marks
  if (cp >= 0x370 && cp <= 0x52f) return 0.75; // Greek, Cyrillic
  if (cp >= 0x530 && cp <= 0x8ff) return 1.1; // Armenian, Hebrew, Arabic, Syriac, Thaana…
  if (cp >= 0x4e00 && cp <= 0x9fff) return 2.2; // Han: common ones are a token, rarer ones two or three
  if (isCjk(cp)) return 1.8; // kana, Hangul, other CJK
  if (cp >= 0x2000 && cp <= 0x206f) return 1; // general punctuation: dashes, quotes, spaces
  if (cp > 0xffff) return 3; // emoji and other astral characters: four UTF-8 bytes
  return 1.5; // Indic, Thai, other scripts and symbols: often a token per byte pair or worse
}

function asciiWeight(cp: number): number {
  if (isLower(cp) || isUpper(cp)) return 0.3;
  if (isDigit(cp)) return 0.7; // grouped in threes by cl100k, singly by some tokenizers
  if (cp === 0x20) return 0.25; // a space usually joins the word after it
  if (cp === 0x0a || cp === 0x09 || cp === 0x0d) return 0.5;
  if (cp < 0x20 || cp === 0x7f) return 1; // control characters
  return 0.7; // punctuation and symbols: often a token each (between digits always)
}

function isLower(cp: number): boolean {
  return cp >= 0x61 && cp <= 0x7a;
}

function isUpper(cp: number): boolean {
  return cp >= 0x41 && cp <= 0x5a;
}

function isDigit(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39;
}

/** Han, kana, Hangul, CJK punctuation and full-width forms, in the BMP (rarer Han beyond it weigh 3). */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef)
  );
}

/** A piece with its token count filled in by the estimate. */
export function contextPiece(piece: Omit<ContextPiece, "tokens">): ContextPiece {
  return { ...piece, tokens: estimateTokens(piece.text) };
}
