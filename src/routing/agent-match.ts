import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tier } from "../config/index.js";

/**
 * An agent routing may choose besides the embedded classifier's four: a registered agent
 * whose YAML has a `description` and `examples:`. Routing gets these as plain data (built
 * from the agent registry by the orchestrator's factory), so it never imports the agents room.
 */
export interface RoutableAgent {
  name: string;
  description: string;
  examples: readonly string[];
  /** The agent's own YAML tier: the tier a task it is picked for runs on. */
  tier: Tier;
}

export interface AgentMatch {
  agent: string;
  /** The example closest to the task. */
  example: string;
  /** Similarity to that example, 0 (nothing shared) to 1 (the same words). */
  score: number;
}

/** Where the embedded classifier's training tasks live: the background that tells common words from telling ones. */
export const DEFAULT_BACKGROUND_DIR = fileURLToPath(new URL("../../data/routing/", import.meta.url));

type Vector = Map<string, number>;

interface Terms {
  words: string[];
  grams: string[];
}

/**
 * Words are runs of letters, digits and combining marks in any script (`\p{L}\p{N}\p{M}`), after
 * NFKC and lower-casing; grams are the character trigrams of each word with its edges marked, so
 * "invoice" and "invoices", or "Rechnung" and "Rechnungen", share most of them, and a script written
 * without spaces (Chinese, Japanese) still compares by its characters.
 */
export function terms(text: string): Terms {
  const words: string[] = [];
  const grams: string[] = [];
  const tokens =
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  for (const token of tokens) {
    if (!HAS_CJK.test(token)) {
      addWord(token, words, grams);
      continue;
    }
    for (const part of token.match(CJK_OR_NOT) ?? []) {
      if (!HAS_CJK.test(part)) {
        addWord(part, words, grams);
        continue;
      }
      // Written without spaces: every character is a word, and pairs of characters are the grams.
      const chars = ["^", ...part, "$"];
      words.push(...chars.slice(1, -1));
      for (let i = 0; i + 2 <= chars.length; i++) grams.push(`${chars[i]}${chars[i + 1]}`);
    }
  }
  return { words, grams };
}

const HAS_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const CJK_OR_NOT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;

function addWord(word: string, words: string[], grams: string[]): void {
  words.push(word);
  const padded = `^${word}$`;
  if (!/[\uD800-\uDFFF]/.test(padded)) {
    for (let i = 0; i + 3 <= padded.length; i++) grams.push(padded.slice(i, i + 3));
    return;
  }
  const chars = [...padded]; // characters outside the BMP: slice by code point, not by UTF-16 unit
  for (let i = 0; i + 3 <= chars.length; i++) grams.push(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
}

function counts(items: readonly string[]): Vector {
  const result: Vector = new Map();
  for (const item of items) result.set(item, (result.get(item) ?? 0) + 1);
  return result;
}

/** Document frequencies over a collection of term lists. */
function documentFrequencies(lists: ReadonlyArray<readonly string[]>): Map<string, number> {
  const df = new Map<string, number>();
  const lastSeenIn = new Map<string, number>();
  lists.forEach((list, index) => {
    for (const item of list) {
      if (lastSeenIn.get(item) === index) continue;
      lastSeenIn.set(item, index);
      df.set(item, (df.get(item) ?? 0) + 1);
    }
  });
  return df;
}

class Idf {
  private readonly df: Map<string, number>;
  private readonly n: number;
  constructor(lists: ReadonlyArray<readonly string[]>) {
    this.df = documentFrequencies(lists);
    this.n = lists.length;
  }

  /** Smoothed: a term no document has weighs most, one every document has weighs 1. */
  weigh(items: readonly string[]): Vector {
    const vector = counts(items);
    let norm = 0;
    for (const [item, tf] of vector) {
      const weight = (1 + Math.log(tf)) * (Math.log((this.n + 1) / ((this.df.get(item) ?? 0) + 1)) + 1);
      vector.set(item, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [item, weight] of vector) vector.set(item, weight / norm);
    return vector;
  }
}

function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [item, weight] of small) {
    const other = large.get(item);
    if (other !== undefined) sum += weight * other;
  }
  return sum;
}

interface IndexedExample {
  agent: string;
  text: string;
  words: Vector;
  grams: Vector;
}

/**
 * Matches a task against the examples of routable agents: TF-IDF cosine over words and over
 * character trigrams (the mean of the two), the best example of each agent counting. Word
 * weights come from the agents' examples plus a background of ordinary tasks (the embedded
 * classifier's training set), so "the", "my" or "file" count for little and "invoice" for much.
 * No model, no network, deterministic; microseconds per task once built.
 */
export class AgentMatcher {
  private readonly examples: IndexedExample[];
  private readonly wordIdf: Idf;
  private readonly gramIdf: Idf;

  constructor(agents: readonly RoutableAgent[], background: readonly string[] = []) {
    const usable = agents.flatMap((agent) =>
      agent.examples.flatMap((text) => {
        const t = terms(text);
        // An example with no letters or digits says nothing about a task.
        return t.words.length > 0 ? [{ agent: agent.name, text, terms: t }] : [];
      }),
    );
    const documents = [...background.map(terms), ...usable.map((u) => u.terms)];
    this.wordIdf = new Idf(documents.map((d) => d.words));
    this.gramIdf = new Idf(documents.map((d) => d.grams));
    this.examples = usable.map((u) => ({
      agent: u.agent,
      text: u.text,
      words: this.wordIdf.weigh(u.terms.words),
      grams: this.gramIdf.weigh(u.terms.grams),
    }));
  }

  /** Whether any agent has a usable example (otherwise matching is skipped). */
  get empty(): boolean {
    return this.examples.length === 0;
  }

  /** The closest example of every agent, best first (ties: by agent name). */
  scores(task: string): AgentMatch[] {
    const t = terms(task);
    if (t.words.length === 0) return [];
    const words = this.wordIdf.weigh(t.words);
    const grams = this.gramIdf.weigh(t.grams);
    const best = new Map<string, AgentMatch>();
    for (const example of this.examples) {
      const score = (cosine(words, example.words) + cosine(grams, example.grams)) / 2;
      const current = best.get(example.agent);
      if (!current || score > current.score)
        best.set(example.agent, { agent: example.agent, example: example.text, score });
    }
    return [...best.values()].sort((a, b) => b.score - a.score || a.agent.localeCompare(b.agent));
  }

  /** The best-matching agent if its similarity reaches `threshold`. */
  match(task: string, threshold: number): AgentMatch | undefined {
    const best = this.scores(task)[0];
    return best && best.score >= threshold ? best : undefined;
  }
}

/**
 * The embedded classifier's training tasks (`train-*.tsv`: agent, complexity, text), as plain
 * text. Missing files leave the background empty: matching still works, weighing every word alike.
 */
export function loadBackground(dir = DEFAULT_BACKGROUND_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.startsWith("train-") && name.endsWith(".tsv"));
  } catch {
    return [];
  }
  return files.sort().flatMap((name) =>
    readFileSync(join(dir, name), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .map((line) => line.split("\t").slice(2).join("\t")),
  );
}
