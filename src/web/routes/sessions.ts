import type { z } from "zod";
import { HobError } from "../../errors/index.js";
import { type ChatSessionDetail, type ChatSessionList, IdParams, SessionListQuery } from "../schemas.js";
import type { RouteContext } from "./context.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** Chat sessions (the ones `hob chat` keeps): list, read, start. A turn is a task with `session_id`. */
export function sessionRoutes({ app, store }: RouteContext): void {
  app.get(
    "/api/sessions",
    { schema: { tags: ["chat"], summary: "Chat sessions, most recently used first", querystring: SessionListQuery } },
    async (request): Promise<z.input<typeof ChatSessionList>> => ({
      items: store.sessions("chat", request.query.limit).map((s) => ({
        id: s.id,
        created_at: iso(s.createdAt),
        last_at: iso(s.lastAt),
        turns: s.turns,
        title: s.title,
      })),
    }),
  );

  app.get(
    "/api/sessions/:id",
    { schema: { tags: ["chat"], summary: "A chat session's turns, oldest first", params: IdParams } },
    async (request): Promise<z.input<typeof ChatSessionDetail>> => {
      const session = store.session(request.params.id);
      if (session?.kind !== "chat") {
        throw new HobError("E_NOT_FOUND", `There is no chat session ${request.params.id}.`, {
          hint: "Use an id from GET /api/sessions.",
        });
      }
      return {
        id: request.params.id,
        turns: session.turns.map((t) => ({
          task_id: t.taskId,
          input: t.input,
          output: t.output,
          status: t.status,
          created_at: iso(t.createdAt),
        })),
      };
    },
  );

  app.post(
    "/api/sessions",
    { schema: { tags: ["chat"], summary: "Start a chat session; send turns with POST /api/tasks and its id" } },
    async (_request, reply) => reply.code(201).send({ id: store.createSession("chat") }),
  );
}
