import type { AgentBase } from "../config/index.js";

export const COMPLEXITIES = ["simple", "complex"] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

/** A head's weights as shipped: int8 with one scale, base64; and its calibration temperature. */
export interface SerializedHead<Bias> {
  weights: string;
  scale: number;
  bias: Bias;
  /** Logits are divided by this before softmax/sigmoid (temperature scaling, fitted out of fold). */
  temperature: number;
}

/** data/routing/model.json */
export interface SerializedModel {
  version: 2;
  feature_version: number;
  dim: number;
  agents: AgentBase[];
  agent: SerializedHead<number[]>;
  complexity: SerializedHead<number>;
  /** A bit per hashed word seen in training (accents stripped), for the evidence check. */
  vocabulary: { bits: number; data: string };
  trained_on: { examples: number; sha256: string };
  /** k-fold accuracy on the training data alone, with the fitted temperatures' effect. */
  cross_validation: { folds: number; agent_accuracy: number; complexity_accuracy: number; both_accuracy: number };
}

export function quantize(weights: Float32Array): { weights: string; scale: number } {
  let max = 0;
  for (const w of weights) max = Math.max(max, Math.abs(w));
  const scale = max / 127 || 1;
  const bytes = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) bytes[i] = Math.round((weights[i] as number) / scale);
  return { weights: Buffer.from(bytes.buffer).toString("base64"), scale };
}

export function dequantize(encoded: string, scale: number): Float32Array {
  const bytes = new Int8Array(Buffer.from(encoded, "base64"));
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) * scale;
  return out;
}

export const VOCABULARY_BITS = 1 << 16;
