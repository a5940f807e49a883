import type { HobEvent } from "../../events/index.js";
import { errorBody } from "../http.js";
import { ResumeMessage } from "../schemas.js";
import type { RouteContext } from "./context.js";

/** A client that stops reading is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * WebSocket /api/events: a subscriber of the event bus, sending each event as it is.
 * `{"resume":{"task_id","after_seq"}}` replays what a reconnecting client missed.
 */
export function eventRoutes({ app, bus, token: currentToken }: RouteContext): void {
  app.register(async (scope) => {
    scope.get(
      "/api/events",
      { websocket: true, schema: { tags: ["events"], summary: "WebSocket of the orchestrator's events" } },
      (socket, request) => {
        const token = request.hobToken;
        const send = (value: unknown) => {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
            socket.close(1013, "too slow");
            return;
          }
          socket.send(JSON.stringify(value));
        };
        // A rotated token ends this connection too.
        const stillValid = () => token !== undefined && currentToken() === token;
        const listener = (event: HobEvent) => {
          if (!stillValid()) {
            socket.close(4401, "token rotated");
            return;
          }
          send(event);
        };
        const off = bus.on(listener);
        socket.on("close", off);
        socket.on("error", off);
        socket.on("message", (data: Buffer, isBinary: boolean) => {
          let parsed: ReturnType<typeof ResumeMessage.safeParse>;
          try {
            parsed = ResumeMessage.safeParse(isBinary ? undefined : JSON.parse(data.toString("utf8")));
          } catch {
            parsed = ResumeMessage.safeParse(undefined);
          }
          if (!parsed.success) {
            send(
              errorBody(
                "E_USAGE",
                "Unknown message.",
                'Send {"resume":{"task_id":"…","after_seq":N}} to catch up on a task.',
              ),
            );
            return;
          }
          if (!stillValid()) {
            socket.close(4401, "token rotated");
            return;
          }
          const { task_id, after_seq } = parsed.data.resume;
          for (const event of bus.since(task_id, after_seq)) send(event);
        });
      },
    );
  });
}
