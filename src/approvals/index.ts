/**
 * Approvals: the policy that decides whether an action needs a human, the gate the
 * agent loop asks before a tool call runs, and the one owner of approval state.
 */
export { type Approver, type GateRequest, type GateVerdict, toolCallGate } from "./gate.js";
export {
  ApprovalOwner,
  type ApprovalOwnerDeps,
  type ApprovalPreview,
  type ApprovalSubject,
  type ProposalSubject,
  type Publish,
  type Resumer,
  type ToolCallSubject,
} from "./owner.js";
export { decideApproval, type PolicyInput, type PolicyVerdict, type Situation } from "./policy.js";
