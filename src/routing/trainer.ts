import { createHash } from "node:crypto";
import { AGENT_BASES, type AgentBase } from "../config/index.js";
import { extractFeatures, FEATURE_VERSION, type SparseFeatures } from "./features.js";
import { type Complexity, quantize, type SerializedModel } from "./model-format.js";

export interface LabelledTask {
  text: string;
  agent: AgentBase;
  complexity: Complexity;
}

/** Inside a task, backslash-n is a newline, backslash-t a tab and two backslashes one, so pasted material fits on one line. */
export function unescapeTask(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
}

/** Reads `agent<TAB>complexity<TAB>text` lines; blank lines and # comments are skipped. */
export function parseTsv(text: string, source = "tsv"): LabelledTask[] {
  const tasks: LabelledTask[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim() || line.startsWith("#")) return;
    const [agent, complexity, ...rest] = line.split("\t");
    if (
      !(AGENT_BASES as readonly string[]).includes(agent ?? "") ||
      (complexity !== "simple" && complexity !== "complex")
    ) {
      throw new Error(`${source}:${i + 1}: expected "agent<TAB>simple|complex<TAB>task", got ${JSON.stringify(line)}`);
    }
    tasks.push({ agent: agent as AgentBase, complexity, text: unescapeTask(rest.join("\t")) });
  });
  return tasks;
}

export interface TrainOptions {
  dim?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

/** Deterministic shuffle (mulberry32), so training twice gives the same weights. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trains two linear heads with SGD: a softmax over the four agents and a logistic
 * simple/complex head. Small data, sparse features: this takes well under a second.
 */
export function train(tasks: LabelledTask[], options: TrainOptions = {}): SerializedModel {
  const dim = options.dim ?? 8192;
  const epochs = options.epochs ?? 60;
  const lr0 = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const random = rng(options.seed ?? 42);
  const k = AGENT_BASES.length;
  const agentW = new Float32Array(k * dim);
  const agentB = new Float64Array(k);
  const complexW = new Float32Array(dim);
  let complexB = 0;
  const examples = tasks.map((task) => ({
    x: extractFeatures(task.text, dim),
    agent: AGENT_BASES.indexOf(task.agent),
    complex: task.complexity === "complex" ? 1 : 0,
  }));
  const order = examples.map((_, i) => i);
  const scores = new Float64Array(k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = lr0 / (1 + epoch * 0.05);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const index of order) {
      const { x, agent, complex } = examples[index] as (typeof examples)[number];
      softmaxScores(agentW, agentB, x, dim, scores);
      for (let c = 0; c < k; c++) {
        const gradient = (scores[c] as number) - (c === agent ? 1 : 0);
        agentB[c] = (agentB[c] as number) - lr * gradient;
        update(agentW, c * dim, x, lr * gradient, lr * l2);
      }
      const p = sigmoid(dot(complexW, 0, x) + complexB);
      complexB -= lr * (p - complex);
      update(complexW, 0, x, lr * (p - complex), lr * l2);
    }
  }
  const sha = createHash("sha256");
  for (const task of tasks) sha.update(`${task.agent}\t${task.complexity}\t${task.text}\n`);
  return {
    version: 1,
    feature_version: FEATURE_VERSION,
    dim,
    agents: [...AGENT_BASES],
    agent: { ...quantize(agentW), bias: [...agentB].map((b) => Math.round(b * 1e6) / 1e6) },
    complexity: { ...quantize(complexW), bias: Math.round(complexB * 1e6) / 1e6 },
    trained_on: { examples: tasks.length, sha256: sha.digest("hex") },
  };
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

export function softmaxScores(
  weights: Float32Array,
  bias: ArrayLike<number>,
  x: SparseFeatures,
  dim: number,
  out: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < out.length; c++) {
    out[c] = dot(weights, c * dim, x) + (bias[c] as number);
    max = Math.max(max, out[c] as number);
  }
  let total = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = Math.exp((out[c] as number) - max);
    total += out[c] as number;
  }
  for (let c = 0; c < out.length; c++) out[c] = (out[c] as number) / total;
}

/** Sparse SGD step with lazy L2 shrinkage on the touched weights only. */
function update(weights: Float32Array, offset: number, x: SparseFeatures, step: number, decay: number): void {
  for (let i = 0; i < x.indices.length; i++) {
    const at = offset + (x.indices[i] as number);
    weights[at] = (weights[at] as number) * (1 - decay) - step * (x.values[i] as number);
  }
}
