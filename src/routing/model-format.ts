import type { AgentBase } from "../config/index.js";

export const COMPLEXITIES = ["simple", "complex"] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

/** Weights as shipped in data/routing/model.json: int8 with one scale per head, base64. */
export interface SerializedModel {
  version: number;
  feature_version: number;
  dim: number;
  agents: AgentBase[];
  agent: { weights: string; scale: number; bias: number[] };
  complexity: { weights: string; scale: number; bias: number };
  trained_on: { examples: number; sha256: string };
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
