import { describe, expect, it } from "vitest";
import { configSchema } from "../config/index.js";
import { decideApproval } from "./index.js";

const policy = configSchema.parse({}).approvals;
const input = { tool: "write_file", situations: [], sensitive: false, agentRules: {} };

describe("approval policy: the strictest rule wins (deny > ask > allow)", () => {
  it("allows what no rule mentions, and asks for the default situations", () => {
    expect(decideApproval(policy, input)).toEqual({ level: "allow", reason: "no rule asks for approval" });
    expect(decideApproval(policy, { ...input, situations: ["overwrite"] }).level).toBe("ask");
    expect(decideApproval(policy, { ...input, tool: "delete_file", situations: ["delete"] }).reason).toBe(
      "it deletes a file",
    );
    expect(decideApproval(policy, { ...input, sensitive: true }).reason).toBe("the agent marks this tool as sensitive");
  });

  it("lets deny win over ask, and never lets an allow loosen an ask", () => {
    const strict = { ...policy, tools: { write_file: "deny" as const } };
    expect(decideApproval(strict, { ...input, situations: ["overwrite"] })).toEqual({
      level: "deny",
      reason: "approvals.tools.write_file is deny",
    });
    const loose = { ...policy, tools: { write_file: "allow" as const } };
    expect(decideApproval(loose, { ...input, situations: ["overwrite"] }).level).toBe("ask");
    expect(
      decideApproval(policy, { ...input, agentRules: { write_file: "allow" }, situations: ["overwrite"] }).level,
    ).toBe("ask");
    expect(decideApproval(policy, { ...input, agentRules: { write_file: "deny" } }).level).toBe("deny");
    // Relaxing a default is done on the default itself.
    expect(decideApproval({ ...policy, overwrite: "allow" }, { ...input, situations: ["overwrite"] }).level).toBe(
      "allow",
    );
  });
});
