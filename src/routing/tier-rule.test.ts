import { describe, expect, it } from "vitest";
import { configSchema } from "../config/index.js";
import { pickTier } from "./index.js";

const routing = configSchema.parse({}).routing;

describe("pickTier", () => {
  it("sends short everyday tasks to the fast tier", () => {
    expect(pickTier("what is the capital of Australia?", routing)).toEqual({
      tier: "fast",
      reason: "short task with no demanding keyword",
    });
  });

  it("sends demanding work to the smart tier and says why", () => {
    expect(pickTier("Refactor this function to be pure", routing)).toEqual({
      tier: "smart",
      reason: 'mentions "refactor"',
    });
    expect(pickTier("walk me through it step by step", routing).reason).toBe('mentions "step by step"');
  });

  it("matches whole words only", () => {
    expect(pickTier("name a planet with rings", routing).tier).toBe("fast");
    expect(pickTier("decode this barcode", routing).tier).toBe("fast");
  });

  it("sends long tasks to the smart tier", () => {
    const decision = pickTier("word ".repeat(200), routing);
    expect(decision.tier).toBe("smart");
    expect(decision.reason).toMatch(/long task/);
  });

  it("obeys a forced tier and a pinned default", () => {
    expect(pickTier("refactor", routing, "fast")).toEqual({ tier: "fast", reason: "tier forced to fast" });
    expect(pickTier("hi", { ...routing, default_tier: "smart" }).tier).toBe("smart");
  });
});
