import { HobError } from "../../errors/index.js";
import { toProposalDetailJson, toProposalJson } from "../../shapes/index.js";
import { IdParams, ProposalListQuery } from "../schemas.js";
import type { RouteContext } from "./context.js";

/** Self-improvement proposals: history, detail (diff, rationale, evidence, validation) and rollback. */
export function proposalRoutes(ctx: RouteContext): void {
  const { app, store } = ctx;

  /** A proposal by its full id (a prefix is the CLI's convenience, not the API's). */
  const proposalById = (id: string) => {
    const proposal = store.proposals.get(id);
    if (proposal.id !== id) {
      throw new HobError("E_NOT_FOUND", `There is no proposal ${id}.`, {
        hint: "Use the full id from GET /api/proposals.",
      });
    }
    return proposal;
  };

  app.get(
    "/api/proposals",
    { schema: { tags: ["proposals"], summary: "Proposals, newest first", querystring: ProposalListQuery } },
    async (request) => {
      const { limit, status } = request.query;
      return { items: store.proposals.list({ limit, ...(status ? { status } : {}) }).map(toProposalJson) };
    },
  );

  app.get(
    "/api/proposals/:id",
    { schema: { tags: ["proposals"], summary: "A proposal with its diff, evidence and validation", params: IdParams } },
    async (request) => toProposalDetailJson(proposalById(request.params.id)),
  );

  app.post(
    "/api/proposals/:id/rollback",
    { schema: { tags: ["proposals"], summary: "Revert an applied proposal (a new commit)", params: IdParams } },
    async (request) => {
      const { id } = proposalById(request.params.id);
      const improve = await import("../../improve/index.js");
      const proposal = await improve.rollbackProposal(await ctx.applyDeps(), id);
      return { id: proposal.id, status: proposal.status, commit: proposal.revertSha };
    },
  );
}
