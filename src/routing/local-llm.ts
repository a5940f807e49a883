import { z } from "zod";
import { AGENT_BASES } from "../config/index.js";
import type { ModelClient, RouteOptions } from "../models/index.js";
import type { RoutableAgent } from "./agent-match.js";
import { COMPLEXITIES, type Complexity } from "./model-format.js";

export const CLASSIFY_SYSTEM_PROMPT = `You route tasks for a personal AI assistant. Classify the user's task.
agent: "code" (write, fix, run or explain code, scripts, shell commands), "research" (needs current or local information from the web), "fileops" (read, find, list, move or organise the user's own files), "general" (anything else: answer, write, explain, plan).
complexity: "simple" (a short, direct answer) or "complex" (many steps, long output, or deep reasoning).
confidence: a number from 0 to 1, how sure you are of both.
Reply with JSON only.`;

/** The JSON Schema the local model must follow (Ollama's `format`), for the built-in agents alone. */
export const CLASSIFY_SCHEMA = classifySchema([...AGENT_BASES]);

function classifySchema(agents: readonly string[]) {
  return {
    type: "object",
    properties: {
      agent: { type: "string", enum: [...agents] },
      complexity: { type: "string", enum: [...COMPLEXITIES] },
      confidence: { type: "number", minimum: 0, maximum: 1 },
    },
    required: ["agent", "complexity", "confidence"],
    additionalProperties: false,
  } as const;
}

const clip = (text: string, max: number) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * The question for the local model: the built-in agents as always, plus every other agent with a
 * description and examples (a user's own), each with its description and up to three examples.
 * Without such agents it is exactly CLASSIFY_SYSTEM_PROMPT and CLASSIFY_SCHEMA.
 */
export function classifyQuestion(agents: readonly RoutableAgent[] = []): {
  system: string;
  jsonSchema: ReturnType<typeof classifySchema>;
  names: string[];
} {
  const builtIn: readonly string[] = AGENT_BASES;
  const extra = agents.filter((a) => !builtIn.includes(a.name) && a.examples.length > 0);
  const names = [...builtIn, ...extra.map((a) => a.name)];
  if (extra.length === 0) return { system: CLASSIFY_SYSTEM_PROMPT, jsonSchema: CLASSIFY_SCHEMA, names };
  const lines = extra.map((a) => {
    const examples = a.examples
      .slice(0, 3)
      .map((e) => JSON.stringify(clip(e, 120)))
      .join(", ");
    return `${JSON.stringify(a.name)} (${clip(a.description, 200)}; e.g. ${examples})`;
  });
  const system = CLASSIFY_SYSTEM_PROMPT.replace(
    "\ncomplexity:",
    `\nThe user's own agents, preferred when the task is clearly theirs: ${lines.join(", ")}.\ncomplexity:`,
  );
  return { system, jsonSchema: classifySchema(names), names };
}

export interface LocalVerdict {
  /** A built-in agent or one of the user's agents that were offered. */
  agent: string;
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
  router: ModelClient,
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
  router: ModelClient,
  task: string,
  options: Pick<RouteOptions, "signal" | "onAttempt">,
  agents: readonly RoutableAgent[] = [],
): Promise<LocalVerdict | undefined> {
  const { system, jsonSchema, names } = classifyQuestion(agents);
  const verdict = z.object({
    agent: z.enum(names as [string, ...string[]]),
    complexity: z.enum(COMPLEXITIES),
    confidence: z.number().min(0).max(1),
  });
  return askLocalJson(router, { system, user: task, jsonSchema, maxOutputTokens: 100 }, verdict, options);
}
