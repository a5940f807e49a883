import { z } from "zod";
import type { FinishReason, ModelClient, RouteOptions } from "../models/index.js";
import { askLocalJson, extractJson } from "./local-llm.js";

export type AnswerVerdict = { ok: true } | { ok: false; reason: string };

const REFUSAL =
  /^\s*(i['’]?m sorry|sorry,|i apologi[sz]e|i (can['’]?t|cannot|am unable to|am not able to|won['’]?t be able to)|as an ai\b|i don['’]?t know|i do not know|i['’]?m not sure)/i;
const UNSURE = /\b(i don['’]?t know|i do not know|i['’]?m not sure|i cannot answer|i can['’]?t answer)\b/i;

/**
 * Cheap checks that a local model's answer is usable. A failing answer is re-run on
 * the next tier: empty, a refusal or "I don't know", invalid JSON where JSON was
 * asked, cut at the token limit, or a tool loop that failed.
 */
export function assessAnswer(
  task: string,
  answer: string,
  finishReason: FinishReason,
  options: { toolLoopFailed?: boolean } = {},
): AnswerVerdict {
  const text = answer.trim();
  if (options.toolLoopFailed) return { ok: false, reason: "its tool calls failed" };
  if (text.length === 0) return { ok: false, reason: "the answer was empty" };
  if (finishReason === "length") return { ok: false, reason: "the answer was cut at the token limit" };
  if (REFUSAL.test(text) || (text.length < 200 && UNSURE.test(text))) {
    return { ok: false, reason: "the model declined or did not know" };
  }
  if (/\bjson\b/i.test(task)) {
    try {
      extractJson(text);
    } catch {
      return { ok: false, reason: "JSON was asked for and the answer has no valid JSON" };
    }
  }
  return { ok: true };
}

const SELF_CHECK_PROMPT = `You grade answers. Given a task and an answer, rate how correct, complete and helpful the answer is, from 0 (useless or wrong) to 1 (excellent). Reply with JSON only: {"score": number}.`;

/** Optional: the local model grades the answer; undefined when it gives no usable score. */
export async function selfCheckScore(
  router: ModelClient,
  task: string,
  answer: string,
  options: Pick<RouteOptions, "signal" | "onAttempt">,
): Promise<number | undefined> {
  const verdict = await askLocalJson(
    router,
    {
      system: SELF_CHECK_PROMPT,
      user: `Task:\n${task}\n\nAnswer:\n${answer}`,
      jsonSchema: {
        type: "object",
        properties: { score: { type: "number", minimum: 0, maximum: 1 } },
        required: ["score"],
      },
      maxOutputTokens: 50,
    },
    z.object({ score: z.number().min(0).max(1) }),
    options,
  );
  return verdict?.score;
}
