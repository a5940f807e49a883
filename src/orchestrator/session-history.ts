import type { Message } from "../models/index.js";
import type { Store } from "../store/index.js";

/**
 * A chat session's answered turns, oldest first, as the model messages its next turn
 * carries before the new input (`hob run|chat --continue`, `POST /api/tasks {session_id}`).
 */
export function sessionHistory(store: Pick<Store, "sessionTurns">, sessionId: string): Message[] {
  return store.sessionTurns(sessionId).flatMap((turn): Message[] => [
    { role: "user", content: turn.input },
    { role: "assistant", content: turn.output },
  ]);
}
