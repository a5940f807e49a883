/**
 * Text → sparse hashed features for the embedded classifier, shared by the trainer and the
 * runtime so both see exactly the same features. Version 3:
 * - the task is split into its instruction and the material pasted with it (`split.ts`);
 * - the agent head sees the instruction's words, the material's words at a lower weight, the
 *   kinds of material, cue words and URL/path flags;
 * - the complexity head sees the instruction's words, the kinds of material and the cues of
 *   the instruction — never the material's words or any length, so a long paste of a simple
 *   request stays simple;
 * - words are Unicode-aware (`tokens.ts`), kept with and without accents, with character
 *   trigrams (so "summarise"/"summarize" and typos share most features).
 */
import { LEXICON } from "./lexicon.js";
import { hash, type SparseFeatures } from "./linear.js";
import { type MaterialKind, type SplitTask, splitTask } from "./split.js";
import { plainText, type Word, words } from "./tokens.js";

export type { SparseFeatures } from "./linear.js";

export const FEATURE_VERSION = 3;

/** How much a word of pasted material counts against a word of the instruction (agent head only). */
const MATERIAL_WEIGHT = 0.3;
/** Only the start of a long paste is read: its kind is known by then, and time stays flat. */
const MATERIAL_WORDS = 80;

const URL =
  /\bhttps?:\/\/\S+|\bwww\.\S+|\b[a-z0-9-]+\.(com|org|net|io|dev|app|ai|co|de|fr|es|it|nl|uk|eu|gov|edu)(\/\S*)?\b/i;
const PATH =
  /(^|\s)(~|\.{1,2})?\/[\w.-]{1,64}\/|\b[A-Za-z]:\\|\b[\w-]{1,64}\/[\w-]{1,64}\.\w{1,5}\b|(^|\s)[\p{L}\w.-]{1,64}\/(?=[\s,.;:!?)]|$)/u;
const FILE_NAME = /\b[\w-]{1,64}\.(md|txt|csv|pdf|json|ya?ml|log|docx?|xlsx?|pptx?|png|jpe?g|heic|mp3|mp4|zip|epub)\b/i;
/** Braces, arrows, calls like `f(x)`, a statement ending in ";" — not the ";" of "tl;dr" or a "(" after a space. */
const CODE_SYNTAX = /[{}]|=>|\b\w{1,40}\([^)\n]{0,200}\)|\bdef\s|\bconst\s|;[ \t]*(\n|$)|\s==?\s/;

export interface TaskFeatures {
  agent: SparseFeatures;
  complexity: SparseFeatures;
  /** The instruction's words (accents stripped), for the evidence check. */
  instructionWords: string[];
  split: SplitTask;
  /** Index → the feature names hashed there; only when asked for (`--explain`). */
  names?: Map<number, Set<string>>;
}

class Accumulator {
  readonly counts = new Map<number, number>();
  constructor(
    private readonly dim: number,
    private readonly names?: Map<number, Set<string>>,
  ) {}
  add(feature: string, weight = 1): void {
    const index = hash(feature) % this.dim;
    this.counts.set(index, (this.counts.get(index) ?? 0) + weight);
    if (this.names) {
      const set = this.names.get(index) ?? new Set<string>();
      set.add(feature);
      this.names.set(index, set);
    }
  }
  /** L2-normalised, so a task's score does not grow with its number of features. */
  toSparse(): SparseFeatures {
    let norm = 0;
    for (const value of this.counts.values()) norm += value * value;
    norm = Math.sqrt(norm) || 1;
    const indices = new Int32Array(this.counts.size);
    const values = new Float32Array(this.counts.size);
    let k = 0;
    for (const [index, value] of this.counts) {
      indices[k] = index;
      values[k] = value / norm;
      k++;
    }
    return { indices, values };
  }
}

function addWords(into: Accumulator[], list: Word[], weight: number): void {
  for (let i = 0; i < list.length; i++) {
    const word = list[i] as Word;
    for (const acc of into) {
      acc.add(`w:${word.plain}`, weight);
      if (word.text !== word.plain) acc.add(`w:${word.text}`, weight * 0.5);
      if (i > 0 && !word.unspaced) acc.add(`b:${(list[i - 1] as Word).plain}_${word.plain}`, weight);
      if (!word.unspaced) {
        const padded = `^${word.plain}$`;
        for (let j = 0; j + 3 <= padded.length; j++) acc.add(`c:${padded.slice(j, j + 3)}`, weight * 0.3);
      }
    }
  }
}

function addFlags(into: Accumulator[], text: string, prefix: string): void {
  const plain = plainText(text);
  for (const [name, pattern] of Object.entries(LEXICON))
    if (pattern.test(plain)) for (const acc of into) acc.add(`${prefix}${name}`, 2);
  const flags: Array<[string, boolean]> = [
    ["f:url", URL.test(text)],
    ["f:path", PATH.test(text)],
    ["f:filename", FILE_NAME.test(text)],
    ["f:code-syntax", CODE_SYNTAX.test(text)],
    ["f:year", /\b20[2-3]\d\b/.test(text)],
  ];
  for (const [name, on] of flags) if (on) for (const acc of into) acc.add(`${prefix}${name}`, 1);
}

/** The part of a task the classifier reads: all of it up to 4,000 characters, else its start and end. */
export const READ_HEAD = 3000;
export const READ_TAIL = 1000;

/**
 * A long paste is judged by its start (the instruction and the kind of material) and its end (a
 * question after the paste): the middle adds nothing to the decision and would only cost time.
 */
export function readable(text: string): string {
  if (text.length <= READ_HEAD + READ_TAIL) return text;
  return `${text.slice(0, READ_HEAD)}\n\n${text.slice(-READ_TAIL)}`;
}

export function extractTaskFeatures(text: string, dim: number, options: { names?: boolean } = {}): TaskFeatures {
  const names = options.names ? new Map<number, Set<string>>() : undefined;
  const agent = new Accumulator(dim, names);
  const complexity = new Accumulator(dim, names);
  const split = splitTask(readable(text));
  const instruction = words(split.instruction);
  addWords([agent, complexity], instruction, 1);
  addWords([agent], words(split.material).slice(0, MATERIAL_WORDS), MATERIAL_WEIGHT);
  for (const kind of split.kinds as MaterialKind[]) for (const acc of [agent, complexity]) acc.add(`k:${kind}`, 1.5);
  if (split.material) addFlags([agent], split.material, "m:");
  addFlags([agent, complexity], split.instruction, "");
  return {
    agent: agent.toSparse(),
    complexity: complexity.toSparse(),
    instructionWords: instruction.filter((w) => !w.unspaced || w.plain.length === 1).map((w) => w.plain),
    split,
    ...(names ? { names } : {}),
  };
}

/** The words whose presence in training the evidence check asks about (all of a task's words). */
export function vocabularyWords(text: string): string[] {
  return words(readable(text))
    .filter((w) => !w.unspaced || w.plain.length === 1)
    .map((w) => w.plain);
}
