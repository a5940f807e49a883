/**
 * Temperature scaling (Guo et al., 2017): one number per head that divides the logits so
 * that a stated confidence of 0.9 is right about 90% of the time. It is fitted on logits the
 * model produced for examples it was not trained on (out of fold), by a grid search on the
 * negative log-likelihood — one parameter needs no optimiser.
 */
import { sigmoid } from "./linear.js";

const GRID = Array.from({ length: 96 }, (_, i) => 0.25 + i * 0.05); // 0.25 … 5.0

/** Multiclass: `logits[i]` are one example's class logits, `labels[i]` its true class. */
export function fitSoftmaxTemperature(logits: Float64Array[], labels: number[]): number {
  return argminOverGrid((t) => {
    let nll = 0;
    logits.forEach((z, i) => {
      let max = Number.NEGATIVE_INFINITY;
      for (const v of z) max = Math.max(max, v / t);
      let total = 0;
      for (const v of z) total += Math.exp(v / t - max);
      nll -= (z[labels[i] as number] as number) / t - max - Math.log(total);
    });
    return nll;
  });
}

/** Binary: `logits[i]` is one example's logit for the positive class, `labels[i]` 0 or 1. */
export function fitSigmoidTemperature(logits: number[], labels: number[]): number {
  return argminOverGrid((t) => {
    let nll = 0;
    logits.forEach((z, i) => {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(z / t)));
      nll -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
    });
    return nll;
  });
}

function argminOverGrid(loss: (t: number) => number): number {
  let best = 1;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (const t of GRID) {
    const value = loss(t);
    if (value < bestLoss - 1e-9) {
      best = t;
      bestLoss = value;
    }
  }
  return Math.round(best * 100) / 100;
}

export interface CalibrationBucket {
  from: number;
  to: number;
  count: number;
  correct: number;
}

/** Confidence buckets → how often the decision in each was right (the reliability table). */
export function reliability(
  points: Array<{ confidence: number; correct: boolean }>,
  edges = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001],
): CalibrationBucket[] {
  const buckets: CalibrationBucket[] = [];
  let from = 0;
  for (const to of edges) {
    const inside = points.filter((p) => p.confidence >= from && p.confidence < to);
    buckets.push({ from, to: Math.min(1, to), count: inside.length, correct: inside.filter((p) => p.correct).length });
    from = to;
  }
  return buckets.filter((b) => b.count > 0);
}
