/**
 * Text → sparse hashed features for the embedded classifier: words, word bigrams,
 * character trigrams of each word (so "summarise" and "summarize" share most
 * features), a length bucket and a "looks like a file name" flag. Shared by the
 * trainer and the runtime, so both see exactly the same features.
 */

export const FEATURE_VERSION = 2;

/**
 * Cue words that generalise beyond the training sentences: time-sensitive or local
 * facts need the web, programming words mean code, file words mean the workspace.
 * The model learns how much each group matters; these only name the groups.
 */
const LEXICON: Record<string, RegExp> = {
  "lex:now":
    /\b(today|tonight|tomorrow|yesterday|now|current(ly)?|latest|this (week|weekend|year|season|morning|month)|right now|next (week|month|launch|game)|live|schedule|forecast|news|headlines?)\b/,
  "lex:web":
    /\b(price|prices|cost|costs|near me|nearby|open(ing)? (hours|times)|reviews?|rated|stock|score|weather|exchange rate|release date|search (the web|online)|look ?up|find out|sources?|citations?|citing|studies|evidence)\b/,
  "lex:code":
    /\b(function|script|regex|sql|query|bash|shell|python|javascript|typescript|node|npm|git|api|bug|debug|compile|code|class|refactor|unit tests?|dockerfile|docker|cli|endpoint|algorithm|big-o|variable|syntax|exception|error:|traceback|rust|golang|go service|react|html|css|json schema|vim|cron|async|implement|deploy)\b/,
  "lex:files":
    /\b(files?|folders?|director(y|ies)|workspace|my notes|notes folder|documents folder|downloads|readme|\.md|\.txt|\.csv|\.pdf|\.log|rename|move|delete|archive|subfolders?)\b/,
  "lex:mine": /\b(my|i saved|i wrote|i created)\b/,
};

/** FNV-1a, 32 bit: fast, dependency-free, stable across runs and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
}

export function extractFeatures(text: string, dim: number): SparseFeatures {
  const lower = text.toLowerCase();
  const words = lower.match(/[a-z0-9]+/g) ?? [];
  const counts = new Map<number, number>();
  const add = (feature: string, weight = 1) => {
    const index = hash(feature) % dim;
    counts.set(index, (counts.get(index) ?? 0) + weight);
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    add(`w:${word}`);
    if (i > 0) add(`b:${words[i - 1]}_${word}`);
    const padded = `^${word}$`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.3);
  }
  add(`len:${Math.min(7, Math.floor(Math.log2(words.length + 1)))}`);
  for (const [name, pattern] of Object.entries(LEXICON)) if (pattern.test(lower)) add(name, 2);
  if (/\b[\w-]+\.(md|txt|csv|pdf|json|ya?ml|log|docx?|xlsx?|png|jpe?g)\b/.test(lower)) add("f:filename");
  if (/[{}();=]|=>|\bdef\b|\bconst\b/.test(text)) add("f:code-syntax");
  // L2-normalise so long tasks do not get larger scores just for being long.
  let norm = 0;
  for (const value of counts.values()) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  const indices = new Int32Array(counts.size);
  const values = new Float32Array(counts.size);
  let k = 0;
  for (const [index, value] of counts) {
    indices[k] = index;
    values[k] = value / norm;
    k++;
  }
  return { indices, values };
}
