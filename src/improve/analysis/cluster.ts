/**
 * Deterministic clustering of short texts: TF-IDF vectors, cosine similarity above a threshold,
 * union-find (single linkage). Comparing every pair is quadratic, so each document is compared
 * only with the most recent `neighbours` documents that share one of its `signatureTerms`
 * most distinctive terms (highest TF-IDF weight, seen in at least two documents). Documents are
 * visited in the order given, so the same input always gives the same clusters.
 */

export interface ClusterOptions {
  /** Cosine similarity at or above which two documents join one cluster. */
  threshold: number;
  /** How many of a document's most distinctive terms find its candidates. */
  signatureTerms: number;
  /** How many recent documents per signature term it is compared with. */
  neighbours: number;
}

export const CLUSTER_DEFAULTS: ClusterOptions = { threshold: 0.5, signatureTerms: 3, neighbours: 24 };

export interface Clustering {
  /** Clusters of document indexes (each ascending), in order of their first document. */
  clusters: number[][];
}

/** Clusters documents given as term lists (duplicates count as term frequency). */
export function clusterDocuments(
  docs: readonly (readonly string[])[],
  options: ClusterOptions = CLUSTER_DEFAULTS,
): Clustering {
  const n = docs.length;
  const termId = new Map<string, number>();
  const terms: string[] = [];
  const df: number[] = [];
  // Each document as ascending distinct term ids and their counts.
  const docIds: Int32Array[] = new Array(n);
  const docTf: Int32Array[] = new Array(n);
  for (let d = 0; d < n; d++) {
    const doc = docs[d] as readonly string[];
    const raw = new Int32Array(doc.length);
    for (let k = 0; k < doc.length; k++) {
      const term = doc[k] as string;
      let id = termId.get(term);
      if (id === undefined) {
        id = terms.length;
        termId.set(term, id);
        terms.push(term);
        df.push(0);
      }
      raw[k] = id;
    }
    raw.sort();
    let distinct = 0;
    for (let k = 0; k < raw.length; k++) if (k === 0 || raw[k] !== raw[k - 1]) distinct++;
    const ids = new Int32Array(distinct);
    const tf = new Int32Array(distinct);
    let at = -1;
    for (let k = 0; k < raw.length; k++) {
      if (k === 0 || raw[k] !== raw[k - 1]) {
        at++;
        ids[at] = raw[k] as number;
        df[raw[k] as number] = (df[raw[k] as number] as number) + 1;
      }
      tf[at] = (tf[at] as number) + 1;
    }
    docIds[d] = ids;
    docTf[d] = tf;
  }
  const idf = Float64Array.from(df, (d) => Math.log((n + 1) / (d + 1)) + 1);

  // All vectors in two flat arrays (document d at offsets[d]..offsets[d + 1]): no per-document
  // objects to chase in the candidate loop.
  const offsets = new Int32Array(n + 1);
  for (let d = 0; d < n; d++) offsets[d + 1] = (offsets[d] as number) + (docIds[d] as Int32Array).length;
  const flatIds = new Int32Array(offsets[n] as number);
  const flatWeights = new Float64Array(offsets[n] as number);
  const signatures: Int32Array[] = new Array(n);
  const m = options.signatureTerms;
  const best = new Int32Array(m);
  for (let d = 0; d < n; d++) {
    const ids = docIds[d] as Int32Array;
    const tf = docTf[d] as Int32Array;
    const base = offsets[d] as number;
    flatIds.set(ids, base);
    let norm = 0;
    for (let k = 0; k < ids.length; k++) {
      const w = (1 + Math.log(tf[k] as number)) * (idf[ids[k] as number] as number);
      flatWeights[base + k] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < ids.length; k++) flatWeights[base + k] = (flatWeights[base + k] as number) / norm;
    // The m heaviest terms seen in another document too (ties: the term that sorts first).
    let size = 0;
    for (let k = 0; k < ids.length; k++) {
      if ((df[ids[k] as number] as number) < 2) continue;
      const wk = flatWeights[base + k] as number;
      let pos = size;
      while (pos > 0) {
        const other = best[pos - 1] as number;
        const wo = flatWeights[base + other] as number;
        if (wo > wk || (wo === wk && (terms[ids[other] as number] as string) < (terms[ids[k] as number] as string)))
          break;
        if (pos < m) best[pos] = other;
        pos--;
      }
      if (pos < m) {
        best[pos] = k;
        if (size < m) size++;
      }
    }
    const signature = new Int32Array(size);
    for (let k = 0; k < size; k++) signature[k] = ids[best[k] as number] as number;
    signatures[d] = signature;
  }
  const cosine = (a: number, b: number): number => {
    let i = offsets[a] as number;
    const iEnd = offsets[a + 1] as number;
    let j = offsets[b] as number;
    const jEnd = offsets[b + 1] as number;
    let sum = 0;
    while (i < iEnd && j < jEnd) {
      const x = flatIds[i] as number;
      const y = flatIds[j] as number;
      if (x === y) {
        sum += (flatWeights[i] as number) * (flatWeights[j] as number);
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return sum;
  };

  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[x] !== root) {
      const next = parent[x] as number;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  const postings: number[][] = Array.from({ length: terms.length }, () => []);
  const comparedWith = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const id of signatures[i] as Int32Array) {
      const posting = postings[id] as number[];
      for (let k = Math.max(0, posting.length - options.neighbours); k < posting.length; k++) {
        const j = posting[k] as number;
        if (comparedWith[j] === i) continue;
        comparedWith[j] = i;
        const ri = find(i);
        const rj = find(j);
        if (ri === rj) continue;
        if (cosine(i, j) >= options.threshold) parent[Math.max(ri, rj)] = Math.min(ri, rj);
      }
      posting.push(i);
    }
  }

  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const members = byRoot.get(root);
    if (members) members.push(i);
    else byRoot.set(root, [i]);
  }
  return { clusters: [...byRoot.values()] };
}
