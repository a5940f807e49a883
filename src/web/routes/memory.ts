import { z } from "zod";
import { HobError } from "../../errors/index.js";
import { type Memory, toMemoryJson, toRecalledJson } from "../../memory/index.js";
import { IdParams, type MemoryAdded, type MemorySearchJson, type RecalledList } from "../schemas.js";
import type { RouteContext } from "./context.js";

const SearchQuery = z.strictObject({
  q: z.string().trim().min(1, "the query is empty").max(2000),
  k: z.coerce.number().int().min(1).max(50).default(10),
  kind: z.enum(["task", "fact", "note"]).optional(),
});

const AddBody = z.strictObject({
  text: z.string().trim().min(1, "the text is empty").max(20_000),
  metadata: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()])).optional(),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** Memory: search with the score of every signal, remember a fact, forget (from every store). */
export function memoryRoutes(ctx: RouteContext): void {
  const { app, store } = ctx;
  const memory = (): Memory => {
    const found = ctx.current().orchestrator.memory;
    if (!found) {
      throw new HobError("E_CONFIG", "Memory is off (memory.enabled: false).", {
        hint: "Set memory.enabled: true in hob.yaml.",
      });
    }
    return found;
  };

  app.get(
    "/api/memory",
    {
      schema: {
        tags: ["memory"],
        summary: "The most recent memories (what `hob memory list --json` prints)",
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          kind: z.enum(["task", "fact", "note"]).optional(),
        }),
      },
    },
    async (request) => ({
      items: store.memories
        .list({ limit: request.query.limit, ...(request.query.kind ? { kind: request.query.kind } : {}) })
        .map(toMemoryJson),
    }),
  );

  app.get(
    "/api/memory/search",
    {
      schema: {
        tags: ["memory"],
        summary: "What would be recalled for a text, best first, with the score of each signal",
        querystring: SearchQuery,
      },
    },
    async (request): Promise<z.input<typeof MemorySearchJson>> => {
      const { q, k, kind } = request.query;
      const result = await memory().search(q, { k, ...(kind ? { kinds: [kind] } : {}) });
      return {
        mode: result.mode,
        warnings: result.warnings,
        items: result.items.map(toRecalledJson),
      };
    },
  );

  app.post(
    "/api/memory",
    { schema: { tags: ["memory"], summary: "Remember a fact", body: AddBody } },
    async (request, reply) => {
      const { id, warnings } = await memory().add({
        text: request.body.text,
        kind: "fact",
        metadata: request.body.metadata ?? {},
      });
      return reply.code(201).send({ id, warnings } satisfies z.input<typeof MemoryAdded>);
    },
  );

  app.delete(
    "/api/memory/:id",
    { schema: { tags: ["memory"], summary: "Forget a memory, from every store", params: IdParams } },
    async (request) => {
      store.memories.get(request.params.id); // 404 with a hint
      return { forgotten: await memory().forget([request.params.id]) };
    },
  );

  app.get(
    "/api/tasks/:id/recalled",
    {
      schema: {
        tags: ["memory"],
        summary: "What was recalled into a task's context: each memory section's pieces, with their text",
        params: IdParams,
      },
    },
    async (request): Promise<z.input<typeof RecalledList>> => {
      const task = store.tasks.get(request.params.id);
      if (task.id !== request.params.id) {
        throw new HobError("E_NOT_FOUND", `There is no task ${request.params.id}.`, { hint: "Use the full id." });
      }
      const sections = (task.context?.sections ?? []).filter(
        (s) => s.section === "past_tasks" || s.section === "facts",
      );
      const records = store.memories.byIds(sections.flatMap((s) => s.included));
      return {
        items: sections.flatMap((s) =>
          s.included.map((id) => {
            const m = records.get(id);
            // A memory forgotten since is named, not invented.
            return m
              ? {
                  id,
                  section: s.section,
                  kind: m.kind,
                  text: m.text,
                  created_at: iso(m.createdAt),
                  task_id: m.taskId,
                  success: m.success,
                }
              : { id, section: s.section, kind: null, text: null, created_at: null, task_id: null, success: null };
          }),
        ),
      };
    },
  );
}
