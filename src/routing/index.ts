export { pickTier, type TierDecision } from "./tier-rule.js";
