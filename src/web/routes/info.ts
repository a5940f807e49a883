import { z } from "zod";
import { parseSince, toConfigJson, toSkillListJson } from "../../shapes/index.js";
import { type SeriesJson, SeriesQuery, type StatsJson, StatsQuery } from "../schemas.js";
import type { RouteContext } from "./context.js";

/** Read-only views: skills with their records, statistics (totals and a time series), configuration. */
export function infoRoutes(ctx: RouteContext): void {
  const { app, store, now } = ctx;

  app.get("/api/skills", { schema: { tags: ["skills"], summary: "Skills with their success records" } }, async () => {
    const registry = await ctx.skills();
    return { items: toSkillListJson(registry.list(), registry.invalid()) };
  });

  app.get(
    "/api/skills/:name/series",
    {
      schema: {
        tags: ["skills"],
        summary: "A skill's success rate per version and per day (UTC): how each version did over time",
        params: z.strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a skill name") }),
        querystring: z.strictObject({
          since: z.string().max(64).default("90d").describe("a window like 30d or 12w, or a date (default 90d)"),
        }),
      },
    },
    async (request) => {
      const since = parseSince(request.query.since === "all" ? "10000d" : request.query.since, now()) ?? 0;
      return { skill: request.params.name, items: store.skills.versionSeries(request.params.name, since) };
    },
  );

  app.get(
    "/api/stats",
    {
      schema: {
        tags: ["stats"],
        summary: "Totals: tasks, tokens, cost, by model and tier, local vs cloud",
        querystring: StatsQuery,
      },
    },
    async (request): Promise<z.input<typeof StatsJson>> => {
      const { counterfactualPrice } = await import("../../models/index.js");
      const { budgetReport } = await import("../../budgets/index.js");
      const { config } = ctx.current();
      const stats = store.stats(parseSince(request.query.since, now()), counterfactualPrice(config));
      return { ...stats, budgets: budgetReport(store, config.config.budgets, now()) };
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
    async (request): Promise<z.input<typeof SeriesJson>> => {
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
