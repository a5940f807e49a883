/**
 * The arithmetic of the two linear heads, shared by the trainer and the runtime. Kept apart
 * from the trainer so that classifying a task loads no training code and no config schema.
 */

export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
}

export function dot(weights: Float32Array, offset: number, x: SparseFeatures): number {
  let sum = 0;
  for (let i = 0; i < x.indices.length; i++)
    sum += (weights[offset + (x.indices[i] as number)] as number) * (x.values[i] as number);
  return sum;
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Raw scores (logits) of each class into `out`. */
export function logits(
  weights: Float32Array,
  bias: ArrayLike<number>,
  x: SparseFeatures,
  dim: number,
  out: Float64Array,
): void {
  for (let c = 0; c < out.length; c++) out[c] = dot(weights, c * dim, x) + (bias[c] as number);
}

/** Softmax of `out` in place, after dividing by `temperature` (1 = as trained). */
export function softmaxInPlace(out: Float64Array, temperature = 1): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < out.length; c++) max = Math.max(max, (out[c] as number) / temperature);
  let total = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = Math.exp((out[c] as number) / temperature - max);
    total += out[c] as number;
  }
  for (let c = 0; c < out.length; c++) out[c] = (out[c] as number) / total;
}

export function softmaxScores(
  weights: Float32Array,
  bias: ArrayLike<number>,
  x: SparseFeatures,
  dim: number,
  out: Float64Array,
): void {
  logits(weights, bias, x, dim, out);
  softmaxInPlace(out);
}

/** FNV-1a, 32 bit: fast, dependency-free, stable across runs and machines. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
