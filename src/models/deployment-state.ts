import type { DeploymentConfig } from "../config/index.js";
import type { HobError } from "../errors/index.js";

const MINUTE = 60_000;

/** Errors that say the deployment itself is unusable right now: cool it down at once. */
const COOL_AT_ONCE = new Set(["E_RATE_LIMIT", "E_NETWORK", "E_MODEL_MISSING"]);
/** Errors that are the request's fault, not the deployment's: they do not count. */
const NOT_COUNTED = new Set(["E_CANCELLED", "E_BAD_REQUEST", "E_CONTEXT_WINDOW", "E_USAGE"]);

/**
 * What the router knows about one deployment: failures in the last minute and a
 * cooldown (LiteLLM's allowed_fails / cooldown_time), calls in flight (least-busy),
 * a latency average (latency-based-routing) and request starts (rpm limit).
 */
export class DeploymentState {
  private failures: number[] = [];
  private starts: number[] = [];
  coolingUntil = 0;
  inFlight = 0;
  /** Exponential moving average of call latency; undefined until the first success. */
  latencyMs: number | undefined;

  constructor(readonly deployment: DeploymentConfig) {}

  isAvailable(now: number): boolean {
    if (now < this.coolingUntil) return false;
    if (this.coolingUntil !== 0) {
      // The cooldown has run out: start afresh.
      this.coolingUntil = 0;
      this.failures = [];
    }
    const rpm = this.deployment.rpm;
    if (rpm !== undefined) {
      this.starts = this.starts.filter((at) => now - at < MINUTE);
      if (this.starts.length >= rpm) return false;
    }
    return true;
  }

  started(now: number): void {
    this.inFlight++;
    if (this.deployment.rpm !== undefined) this.starts.push(now);
  }

  succeeded(latencyMs: number): void {
    this.inFlight--;
    this.latencyMs = this.latencyMs === undefined ? latencyMs : this.latencyMs * 0.7 + latencyMs * 0.3;
  }

  /** Records a failure; returns true when it put the deployment into cooldown. */
  failed(error: HobError, now: number, settings: { allowedFails: number; cooldownMs: number }): boolean {
    this.inFlight--;
    if (NOT_COUNTED.has(error.code)) return false;
    this.failures = this.failures.filter((at) => now - at < MINUTE);
    this.failures.push(now);
    // As LiteLLM: allowed_fails failures are allowed; one more cools the deployment down.
    if (COOL_AT_ONCE.has(error.code) || this.failures.length > settings.allowedFails) {
      this.coolingUntil = now + settings.cooldownMs;
      return true;
    }
    return false;
  }
}
