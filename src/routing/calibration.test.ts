import { describe, expect, it } from "vitest";
import { fitSigmoidTemperature, fitSoftmaxTemperature, reliability } from "./calibration.js";
import { sigmoid } from "./linear.js";

/** Deterministic pseudo-random numbers, so the test data is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) % 4294967296;
    return a / 4294967296;
  };
}

describe("temperature scaling", () => {
  it("recovers the temperature that made over-confident binary logits", () => {
    const next = random(1);
    const logits: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = (next() - 0.5) * 12;
      logits.push(z);
      labels.push(next() < sigmoid(z / 2.5) ? 1 : 0); // the truth is twice and a half as unsure
    }
    expect(fitSigmoidTemperature(logits, labels)).toBeCloseTo(2.5, 0);
  });

  it("recovers it for softmax logits, and leaves calibrated ones near 1", () => {
    const next = random(2);
    const logits: Float64Array[] = [];
    const labelsHot: number[] = [];
    const labelsCalibrated: number[] = [];
    const draw = (z: Float64Array, t: number) => {
      const e = [...z].map((v) => Math.exp(v / t));
      const total = e.reduce((a, b) => a + b, 0);
      let u = next() * total;
      for (let c = 0; c < e.length; c++) {
        u -= e[c] as number;
        if (u <= 0) return c;
      }
      return e.length - 1;
    };
    for (let i = 0; i < 3000; i++) {
      const z = Float64Array.from({ length: 4 }, () => (next() - 0.5) * 8);
      logits.push(z);
      labelsHot.push(draw(z, 2));
      labelsCalibrated.push(draw(z, 1));
    }
    expect(fitSoftmaxTemperature(logits, labelsHot)).toBeCloseTo(2, 0);
    expect(Math.abs(fitSoftmaxTemperature(logits, labelsCalibrated) - 1)).toBeLessThan(0.25);
  });
});

describe("reliability table", () => {
  it("counts decisions and right ones per confidence bucket, leaving out empty buckets", () => {
    const table = reliability([
      { confidence: 0.97, correct: true },
      { confidence: 0.99, correct: false },
      { confidence: 0.55, correct: true },
    ]);
    expect(table).toEqual([
      { from: 0.5, to: 0.6, count: 1, correct: 1 },
      { from: 0.95, to: 1, count: 2, correct: 1 },
    ]);
  });
});
