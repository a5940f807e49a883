import { parseSince, toConfigJson, toSkillListJson } from "../../shapes/index.js";
import { SeriesQuery, StatsQuery } from "../schemas.js";
import type { RouteContext } from "./context.js";

/** Read-only views: skills with their records, statistics (totals and a time series), configuration. */
export function infoRoutes(ctx: RouteContext): void {
  const { app, store, now } = ctx;

  app.get("/api/skills", { schema: { tags: ["skills"], summary: "Skills with their success records" } }, async () => {
    const registry = await ctx.skills();
    return { items: toSkillListJson(registry.list(), registry.invalid()) };
  });

  app.get(
    "/api/stats",
    {
      schema: {
        tags: ["stats"],
        summary: "Totals: tasks, tokens, cost, by model and tier, local vs cloud",
        querystring: StatsQuery,
      },
    },
    async (request) => {
      const { counterfactualPrice } = await import("../../models/index.js");
      return store.stats(parseSince(request.query.since, now()), counterfactualPrice(ctx.current().config));
    },
  );

  app.get(
    "/api/stats/series",
    {
      schema: {
        tags: ["stats"],
        summary: "Tasks, cost and local/cloud/cached answers per hour or day (UTC), every bucket present",
        querystring: SeriesQuery,
      },
    },
    async (request) => {
      const at = now();
      const since = parseSince(request.query.since === "all" ? "400d" : request.query.since, at) ?? 0;
      return store.series(since, request.query.bucket, at);
    },
  );

  app.get(
    "/api/config",
    { schema: { tags: ["config"], summary: "The configuration in effect, secrets redacted" } },
    async () => {
      const { routerWarnings } = await import("../../models/index.js");
      const { config } = ctx.current();
      return toConfigJson(config, routerWarnings(config));
    },
  );
}
