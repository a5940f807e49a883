import type { ApprovalLevel, HobConfig } from "../config/index.js";
import type { Situation } from "../tools/index.js";

export type { Situation };

const SITUATION_TEXT: Record<Situation, string> = {
  delete: "it deletes a file",
  overwrite: "it overwrites a file this task did not create",
  move_overwrite: "it moves onto an existing file",
  new_domain: "it fetches from a domain not approved before",
  self_modification: "it creates or changes a skill (hob changing itself)",
  mcp_tool: 'it calls an MCP server\'s tool that was not approved with "always" (or whose definition changed since)',
};

const RANK: Record<ApprovalLevel, number> = { allow: 0, ask: 1, deny: 2 };

export interface PolicyInput {
  tool: string;
  situations: Situation[];
  /** The agent's YAML marks this tool sensitive. */
  sensitive: boolean;
  /** The agent's YAML approval overrides, per tool. */
  agentRules: Record<string, ApprovalLevel>;
}

export interface PolicyVerdict {
  level: ApprovalLevel;
  reason: string;
}

/**
 * Decides one tool call. Every rule that applies votes, and the strictest vote wins:
 * deny over ask over allow. So an agent's YAML or a per-tool rule can only tighten
 * what the defaults ask for, never quietly loosen it.
 */
export function decideApproval(policy: HobConfig["approvals"], input: PolicyInput): PolicyVerdict {
  const votes: PolicyVerdict[] = [{ level: "allow", reason: "no rule asks for approval" }];
  const toolRule = policy.tools[input.tool];
  if (toolRule) votes.push({ level: toolRule, reason: `approvals.tools.${input.tool} is ${toolRule}` });
  const agentRule = input.agentRules[input.tool];
  if (agentRule) votes.push({ level: agentRule, reason: `the agent's definition sets ${input.tool} to ${agentRule}` });
  for (const situation of input.situations) votes.push({ level: policy[situation], reason: SITUATION_TEXT[situation] });
  if (input.sensitive) votes.push({ level: policy.sensitive, reason: "the agent marks this tool as sensitive" });
  return votes.reduce((strictest, vote) => (RANK[vote.level] > RANK[strictest.level] ? vote : strictest));
}
