import type { HobConfig, Tier } from "../config/index.js";

export interface TierDecision {
  tier: Tier;
  /** One sentence a user can check against the task. */
  reason: string;
}

/**
 * The foundation's explainable rule: long tasks, or tasks that name demanding
 * work, go to the smart tier; everything else to the fast one. The routing issue
 * replaces this with a classifier cascade behind the same function shape.
 */
export function pickTier(input: string, routing: HobConfig["routing"], forced?: Tier): TierDecision {
  if (forced) return { tier: forced, reason: `tier forced to ${forced}` };
  if (routing.default_tier !== "auto") {
    return { tier: routing.default_tier, reason: `routing.default_tier is ${routing.default_tier}` };
  }
  if (input.length > routing.long_task_chars) {
    return { tier: "smart", reason: `long task (${input.length} > ${routing.long_task_chars} chars)` };
  }
  const lower = input.toLowerCase();
  const keyword = routing.smart_keywords.find((word) => containsWord(lower, word.toLowerCase()));
  if (keyword) return { tier: "smart", reason: `mentions "${keyword}"` };
  return { tier: "fast", reason: "short task with no demanding keyword" };
}

/** Whole-word (or whole-phrase) match, so "plan" does not fire on "planet". */
function containsWord(text: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return false;
    const before = at === 0 ? "" : (text[at - 1] as string);
    const after = text[at + word.length] ?? "";
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
    from = at + 1;
  }
}
