import { z } from "zod";
import { AGENTS, type AgentName } from "../config/index.js";
import type { RouteOptions, Router } from "../models/index.js";
import { COMPLEXITIES, type Complexity } from "./model-format.js";

export const CLASSIFY_SYSTEM_PROMPT = `You route tasks for a personal AI assistant. Classify the user's task.
agent: "code" (write, fix, run or explain code, scripts, shell commands), "research" (needs current or local information from the web), "fileops" (read, find, list, move or organise the user's own files), "general" (anything else: answer, write, explain, plan).
complexity: "simple" (a short, direct answer) or "complex" (many steps, long output, or deep reasoning).
confidence: a number from 0 to 1, how sure you are of both.
Reply with JSON only.`;

/** The JSON Schema the local model must follow (Ollama's `format`). */
export const CLASSIFY_SCHEMA = {
  type: "object",
  properties: {
    agent: { type: "string", enum: [...AGENTS] },
    complexity: { type: "string", enum: [...COMPLEXITIES] },
    confidence: { type: "number", minimum: 0, maximum: 1 },
  },
  required: ["agent", "complexity", "confidence"],
  additionalProperties: false,
} as const;

const verdictSchema = z.object({
  agent: z.enum(AGENTS),
  complexity: z.enum(COMPLEXITIES),
  confidence: z.number().min(0).max(1),
});

export interface LocalVerdict {
  agent: AgentName;
  complexity: Complexity;
  confidence: number;
}

/** Pulls the first JSON object out of a model's text (tolerating code fences). */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = (fenced ? fenced[1] : text) ?? "";
  const start = body.search(/[[{]/);
  if (start < 0) throw new SyntaxError("no JSON in the answer");
  const open = body[start] as string;
  const close = open === "{" ? "}" : "]";
  const end = body.lastIndexOf(close);
  return JSON.parse(body.slice(start, end + 1));
}

/**
 * Asks the `local-fast` model for JSON following `jsonSchema`, and validates it with
 * `validator`. No fallbacks and no retries: routing's own questions must never cost a
 * cloud call. Undefined when the answer is not valid JSON of the right shape.
 */
export async function askLocalJson<T>(
  router: Router,
  question: { system: string; user: string; jsonSchema: Record<string, unknown>; maxOutputTokens: number },
  validator: z.ZodType<T>,
  options: Pick<RouteOptions, "signal" | "onAttempt">,
): Promise<T | undefined> {
  const response = await router.generate(
    "local-fast",
    {
      system: question.system,
      messages: [{ role: "user", content: question.user }],
      responseSchema: question.jsonSchema,
      temperature: 0,
      maxOutputTokens: question.maxOutputTokens,
    },
    { ...options, fallbacks: false, numRetries: 0 },
  );
  let json: unknown;
  try {
    json = extractJson(response.text);
  } catch {
    return undefined;
  }
  const parsed = validator.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Step 2 of the cascade: the `local-fast` model classifies with schema-constrained JSON. */
export function classifyWithLocalModel(
  router: Router,
  task: string,
  options: Pick<RouteOptions, "signal" | "onAttempt">,
): Promise<LocalVerdict | undefined> {
  return askLocalJson(
    router,
    { system: CLASSIFY_SYSTEM_PROMPT, user: task, jsonSchema: CLASSIFY_SCHEMA, maxOutputTokens: 100 },
    verdictSchema,
    options,
  );
}
