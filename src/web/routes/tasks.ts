import { z } from "zod";
import type { Tier } from "../../config/index.js";
import { HobError } from "../../errors/index.js";
import type { Message } from "../../models/index.js";
import { toTaskDetailJson, toTaskJson } from "../../shapes/index.js";
import { AUTH_ERRORS, CreateTaskBody, ID, IdParams, TaskListQuery, TaskPage } from "../schemas.js";
import type { RouteContext } from "./context.js";

function encodeCursor(task: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([task.createdAt, task.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const bad = new HobError("E_USAGE", "The cursor is not one this server gave out.", {
    hint: "Pass the `next` value of the previous page unchanged, or leave cursor out for the first page.",
  });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  const parsed = z.tuple([z.number().int().nonnegative(), ID]).safeParse(value);
  if (!parsed.success) throw bad;
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}

/** Tasks: a keyset-paginated list, the detail with steps and model calls, and starting one. */
export function taskRoutes(ctx: RouteContext): void {
  const { app, store } = ctx;

  app.get(
    "/api/tasks",
    {
      schema: {
        tags: ["tasks"],
        summary: "List tasks, newest first",
        description: "Items have the shape `hob run --json` prints. Pass `next` as `cursor` for the following page.",
        querystring: TaskListQuery,
        response: { 200: TaskPage, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const page = store.tasks.list({
        limit: limit + 1,
        ...(status ? { status } : {}),
        ...(cursor ? { before: decodeCursor(cursor) } : {}),
      });
      const items = page.slice(0, limit);
      const last = items.at(-1);
      return { items: items.map(toTaskJson), next: page.length > limit && last ? encodeCursor(last) : null };
    },
  );

  app.get(
    "/api/tasks/:id",
    { schema: { tags: ["tasks"], summary: "A task with its steps, tool calls and model calls", params: IdParams } },
    async (request) => {
      const task = store.tasks.getWithUsage(request.params.id);
      return toTaskDetailJson(task, store.modelCalls.forTask(task.id), store.steps.forTask(task.id));
    },
  );

  app.post(
    "/api/tasks",
    {
      schema: {
        tags: ["tasks"],
        summary: "Run a task",
        description: "Answers 202 with the task's id at once; its progress arrives on the WebSocket /api/events.",
        body: CreateTaskBody,
      },
    },
    async (request, reply) => {
      const { input, agent, tier, session_id } = request.body;
      const chat = session_id === undefined ? undefined : await chatContext(ctx, session_id);
      let id: string | undefined;
      // The task's row and its `task-created` event exist before run() first waits: the id is known at once.
      const run = ctx.current().orchestrator.run({
        input,
        ...(agent ? { agent } : {}),
        ...(tier ? { tier: tier as Tier } : {}),
        ...(chat ? { sessionId: chat.sessionId, history: chat.history } : {}),
        signal: ctx.signal,
        onEvent: (event) => {
          if (event.type === "task-created") id ??= event.task_id;
        },
      });
      if (id === undefined) {
        await run; // a refusal before the task exists (unknown agent or tier): its HobError answers
        throw new HobError("E_INTERNAL", "The task did not start.");
      }
      ctx.inBackground(run);
      return reply.code(202).send({ id });
    },
  );
}

/** A chat session's answered turns as the context of its next turn (as `hob chat --continue` does). */
async function chatContext(ctx: RouteContext, sessionId: string): Promise<{ sessionId: string; history: Message[] }> {
  const session = ctx.store.session(sessionId);
  if (session?.kind !== "chat") {
    throw new HobError("E_NOT_FOUND", `There is no chat session ${sessionId}.`, {
      hint: "Use an id from GET /api/sessions, or POST /api/sessions to start one.",
    });
  }
  // Loaded here, as server.ts loads the skill registry: `hob serve token` imports this room without the orchestrator.
  const { sessionHistory } = await import("../../orchestrator/index.js");
  return { sessionId, history: sessionHistory(ctx.store, sessionId) };
}
