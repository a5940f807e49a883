import { HobError } from "../errors/index.js";
import type { Message } from "../models/index.js";
import { sessionHistory } from "../orchestrator/index.js";
import type { Store } from "../store/index.js";

/**
 * The conversation `--continue` picks up: the chat session with the most recent turn,
 * and its answered turns as context. Without any session, a new one starts.
 */
export function continueSession(store: Store): { sessionId: string; history: Message[]; resumed: boolean } {
  const last = store.lastSession("chat");
  if (!last) return { sessionId: store.createSession("chat"), history: [], resumed: false };
  return { sessionId: last, history: sessionHistory(store, last), resumed: true };
}

/** `-m/--model` and `--tier` name the same thing (a model_name in litellm.yaml); both given must agree. */
export function pickModel(options: { tier?: string; model?: string }): string | undefined {
  if (options.tier !== undefined && options.model !== undefined && options.tier !== options.model) {
    throw new HobError("E_USAGE", `--model ${options.model} and --tier ${options.tier} disagree.`, {
      hint: "Give one of them: both name a model_name in litellm.yaml.",
    });
  }
  return options.model ?? options.tier;
}
