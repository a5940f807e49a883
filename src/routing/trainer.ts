import { createHash } from "node:crypto";
import { AGENT_BASES, type AgentBase } from "../config/index.js";
import { fitSigmoidTemperature, fitSoftmaxTemperature } from "./calibration.js";
import { extractTaskFeatures, FEATURE_VERSION, vocabularyWords } from "./features.js";
import { dot, hash, logits, type SparseFeatures, sigmoid, softmaxInPlace, softmaxScores } from "./linear.js";
import { type Complexity, quantize, type SerializedModel, VOCABULARY_BITS } from "./model-format.js";

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
  /** Folds for the out-of-fold logits that calibration is fitted on (and cross-validation reports). */
  folds?: number;
  /**
   * Receives each training example's out-of-fold decision with calibrated confidence: what the
   * train script's reliability table (and the choice of `routing.classifier_threshold`) is made from.
   */
  onOutOfFold?: (points: OutOfFoldPoint[]) => void;
}

export interface OutOfFoldPoint {
  task: LabelledTask;
  agent: AgentBase;
  complexity: Complexity;
  /** agent confidence × complexity confidence, both calibrated (as the classifier reports it). */
  confidence: number;
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

interface Example {
  agentX: SparseFeatures;
  complexityX: SparseFeatures;
  agent: number;
  complex: number;
}

interface Heads {
  agentW: Float32Array;
  agentB: Float64Array;
  complexW: Float32Array;
  complexB: number;
}

/**
 * Two linear heads trained with SGD: a softmax over the four agents and a logistic
 * simple/complex head, each on its own features (see features.ts).
 */
function fitHeads(examples: Example[], dim: number, options: Required<Omit<TrainOptions, "onOutOfFold">>): Heads {
  const random = rng(options.seed);
  const k = AGENT_BASES.length;
  const agentW = new Float32Array(k * dim);
  const agentB = new Float64Array(k);
  const complexW = new Float32Array(dim);
  let complexB = 0;
  const order = examples.map((_, i) => i);
  const scores = new Float64Array(k);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const lr = options.learningRate / (1 + epoch * 0.05);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const index of order) {
      const { agentX, complexityX, agent, complex } = examples[index] as Example;
      softmaxScores(agentW, agentB, agentX, dim, scores);
      for (let c = 0; c < k; c++) {
        const gradient = (scores[c] as number) - (c === agent ? 1 : 0);
        agentB[c] = (agentB[c] as number) - lr * gradient;
        update(agentW, c * dim, agentX, lr * gradient, lr * options.l2);
      }
      const p = sigmoid(dot(complexW, 0, complexityX) + complexB);
      complexB -= lr * (p - complex);
      update(complexW, 0, complexityX, lr * (p - complex), lr * options.l2);
    }
  }
  return { agentW, agentB, complexW, complexB };
}

export function train(tasks: LabelledTask[], options: TrainOptions = {}): SerializedModel {
  const settings: Required<Omit<TrainOptions, "onOutOfFold">> = {
    dim: options.dim ?? 16384,
    epochs: options.epochs ?? 40,
    learningRate: options.learningRate ?? 0.5,
    l2: options.l2 ?? 1e-4,
    seed: options.seed ?? 42,
    folds: options.folds ?? 5,
  };
  const { dim } = settings;
  const vocabulary = new Uint8Array(VOCABULARY_BITS / 8);
  const examples: Example[] = tasks.map((task) => {
    const features = extractTaskFeatures(task.text, dim);
    for (const word of vocabularyWords(task.text)) {
      const bit = hash(`v:${word}`) % VOCABULARY_BITS;
      vocabulary[bit >> 3] = (vocabulary[bit >> 3] as number) | (1 << (bit & 7));
    }
    return {
      agentX: features.agent,
      complexityX: features.complexity,
      agent: AGENT_BASES.indexOf(task.agent),
      complex: task.complexity === "complex" ? 1 : 0,
    };
  });

  // Out-of-fold logits: each example scored by a model that never saw it.
  const fold = foldOf(examples.length, settings.folds, settings.seed);
  const agentLogits: Float64Array[] = new Array(examples.length);
  const complexLogits: number[] = new Array(examples.length).fill(0);
  for (let f = 0; f < settings.folds; f++) {
    const heads = fitHeads(
      examples.filter((_, i) => fold[i] !== f),
      dim,
      settings,
    );
    examples.forEach((example, i) => {
      if (fold[i] !== f) return;
      const z = new Float64Array(AGENT_BASES.length);
      logits(heads.agentW, heads.agentB, example.agentX, dim, z);
      agentLogits[i] = z;
      complexLogits[i] = dot(heads.complexW, 0, example.complexityX) + heads.complexB;
    });
  }
  const agentTemperature = fitSoftmaxTemperature(
    agentLogits,
    examples.map((e) => e.agent),
  );
  const complexityTemperature = fitSigmoidTemperature(
    complexLogits,
    examples.map((e) => e.complex),
  );
  let agentRight = 0;
  let complexityRight = 0;
  let bothRight = 0;
  examples.forEach((example, i) => {
    const z = agentLogits[i] as Float64Array;
    let best = 0;
    for (let c = 1; c < z.length; c++) if ((z[c] as number) > (z[best] as number)) best = c;
    const agentOk = best === example.agent;
    const complexityOk = ((complexLogits[i] as number) >= 0 ? 1 : 0) === example.complex;
    if (agentOk) agentRight++;
    if (complexityOk) complexityRight++;
    if (agentOk && complexityOk) bothRight++;
  });

  if (options.onOutOfFold) {
    options.onOutOfFold(
      examples.map((_, i) => {
        const z = Float64Array.from(agentLogits[i] as Float64Array);
        softmaxInPlace(z, agentTemperature);
        let best = 0;
        for (let c = 1; c < z.length; c++) if ((z[c] as number) > (z[best] as number)) best = c;
        const p = sigmoid((complexLogits[i] as number) / complexityTemperature);
        return {
          task: tasks[i] as LabelledTask,
          agent: AGENT_BASES[best] as AgentBase,
          complexity: p >= 0.5 ? "complex" : "simple",
          confidence: (z[best] as number) * Math.max(p, 1 - p),
        };
      }),
    );
  }

  const heads = fitHeads(examples, dim, settings);
  const sha = createHash("sha256");
  for (const task of tasks) sha.update(`${task.agent}\t${task.complexity}\t${task.text}\n`);
  const share = (n: number) => Math.round((n / Math.max(1, examples.length)) * 10000) / 10000;
  return {
    version: 2,
    feature_version: FEATURE_VERSION,
    dim,
    agents: [...AGENT_BASES],
    agent: {
      ...quantize(heads.agentW),
      bias: [...heads.agentB].map((b) => Math.round(b * 1e6) / 1e6),
      temperature: agentTemperature,
    },
    complexity: {
      ...quantize(heads.complexW),
      bias: Math.round(heads.complexB * 1e6) / 1e6,
      temperature: complexityTemperature,
    },
    vocabulary: { bits: VOCABULARY_BITS, data: Buffer.from(vocabulary).toString("base64") },
    trained_on: { examples: tasks.length, sha256: sha.digest("hex") },
    cross_validation: {
      folds: settings.folds,
      agent_accuracy: share(agentRight),
      complexity_accuracy: share(complexityRight),
      both_accuracy: share(bothRight),
    },
  };
}

/** Fold number of each example: a deterministic shuffle dealt round-robin. */
function foldOf(count: number, folds: number, seed: number): number[] {
  const random = rng(seed + 7);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const fold = new Array<number>(count);
  order.forEach((index, position) => {
    fold[index] = position % folds;
  });
  return fold;
}

/** Sparse SGD step with lazy L2 shrinkage on the touched weights only. */
function update(weights: Float32Array, offset: number, x: SparseFeatures, step: number, decay: number): void {
  for (let i = 0; i < x.indices.length; i++) {
    const at = offset + (x.indices[i] as number);
    weights[at] = (weights[at] as number) * (1 - decay) - step * (x.values[i] as number);
  }
}
