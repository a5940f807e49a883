import { createHash } from "node:crypto";
import type { ApprovalLevel, HobConfig } from "../config/index.js";
import { canonicalJson } from "../models/index.js";
import type { ApprovalOwner, ApprovalPreview } from "./owner.js";
import { decideApproval, type Situation } from "./policy.js";

/**
 * Asks a human at a terminal, now; "defer" leaves the decision for later (the task pauses).
 * "always" approves and, where the action allows it (`canRemember`), makes the approval standing.
 */
export type Approver = (request: {
  preview: ApprovalPreview;
  reason: string;
  canRemember?: boolean;
}) => Promise<"approve" | "always" | "deny" | "defer">;

/** A tool call the agent loop is about to run, with what its assessment found. */
export interface GateRequest {
  taskId: string;
  callId: string;
  tool: string;
  /** Validated arguments. */
  args: unknown;
  preview: ApprovalPreview;
  situations: Situation[];
  /** The targets' current state: an approval is void if it changes before the action runs. */
  fingerprint: string;
  sensitive: boolean;
  agentRules: Record<string, ApprovalLevel>;
  /** Makes the approval standing when the human answers "always" (absent: "always" approves this call only). */
  remember?: () => void;
}

export type GateVerdict =
  | { kind: "run" }
  /** `message` goes back to the model as the call's result. */
  | { kind: "denied"; message: string }
  | { kind: "pause"; approval: { id: string; tool: string; summary: string; reason: string } };

const USER_DENIED = "Error: the user denied this action. Do not try it again; continue without it or explain.";

/**
 * The approval gate for tool calls: the policy decides allow / ask / deny; an "ask"
 * is matched against an approval for exactly this action (hash-bound, single use),
 * else a human is asked now (a terminal) or later (the task pauses).
 */
export function toolCallGate(deps: {
  owner: Pick<ApprovalOwner, "decisionFor" | "consume" | "request" | "decide">;
  policy: HobConfig["approvals"];
  approver?: Approver;
  now: () => number;
}) {
  const { owner, policy, approver, now } = deps;
  return {
    async check(request: GateRequest): Promise<GateVerdict> {
      const verdict = decideApproval(policy, {
        tool: request.tool,
        situations: request.situations,
        sensitive: request.sensitive,
        agentRules: request.agentRules,
      });
      if (verdict.level === "deny") {
        return {
          kind: "denied",
          message: `Error: denied by hob's approval policy (${verdict.reason}). Do not try to work around it.`,
        };
      }
      if (verdict.level === "allow") return { kind: "run" };
      // An approval covers exactly this action: tool, canonical arguments, resolved targets, their current state.
      const hash = createHash("sha256")
        .update(
          canonicalJson({
            tool: request.tool,
            args: request.args,
            targets: request.preview.targets,
            state: request.fingerprint,
          }),
        )
        .digest("hex");
      const prior = owner.decisionFor(request.taskId, request.callId);
      if (prior?.status === "denied") return { kind: "denied", message: USER_DENIED };
      if (owner.consume(request.taskId, hash)) return { kind: "run" };
      const changed = prior?.status === "approved" || prior?.status === "used";
      const reason = changed ? `${verdict.reason}; the target changed after it was approved` : verdict.reason;
      const approval = owner.request(
        {
          kind: "tool-call",
          taskId: request.taskId,
          callId: request.callId,
          tool: request.tool,
          args: request.args,
          hash,
          preview: request.preview,
          reason,
        },
        { expiresAt: now() + policy.ttl_minutes * 60_000, interactive: approver !== undefined },
      );
      let decision: Awaited<ReturnType<Approver>> = "defer";
      try {
        if (approver)
          decision = await approver({ preview: request.preview, reason, canRemember: request.remember !== undefined });
      } catch (error) {
        // Ctrl-C at the prompt: nobody approved, so the request must not stay pending for a cancelled task.
        owner.decide(approval.id, "denied", "terminal");
        throw error;
      }
      if (decision === "defer") {
        return {
          kind: "pause",
          approval: { id: approval.id, tool: request.tool, summary: request.preview.summary, reason },
        };
      }
      owner.decide(approval.id, decision === "deny" ? "denied" : "approved", "terminal");
      if (decision === "deny") return { kind: "denied", message: USER_DENIED };
      if (decision === "always") request.remember?.();
      owner.consume(request.taskId, hash);
      return { kind: "run" };
    },
  };
}
