import { z } from "zod";
import { AGENT_BASES } from "../config/index.js";
import type { ModelClient, RouteOptions } from "../models/index.js";
import type { RoutableAgent } from "./agent-match.js";
import { COMPLEXITIES, type Complexity } from "./model-format.js";

/**
 * The routing policy (data/routing/POLICY.md, the README's table) in a few lines, with
 * examples of the cases a keyword reading gets wrong: pasted material, other languages,
 * short tasks that are hard and long ones that are easy.
 */
export const CLASSIFY_SYSTEM_PROMPT = `You route tasks for a personal AI assistant. Classify the user's task, in whatever language it is written.
agent: "code" (programming: code questions, snippets, errors and stack traces, and any work on the user's code), "research" (needs the web: current or local facts, prices, news, a URL, anything to look up or cite), "fileops" (list, read, find, move, rename, delete or organise files in the user's workspace), "general" (answered from knowledge with no tools: facts that do not change, maths, translation, writing, advice, and pasted text to summarise or rewrite).
complexity: "simple" (a small model does it in one answer or a few obvious steps: a fact, a snippet, one lookup, one file action, a summary or translation of pasted text) or "complex" (several steps of judgement, careful long writing, comparing many sources, organising many files, or changing the user's own code: fix, debug, refactor, add tests, port).
Judge the instruction, not the length of pasted material. Politeness and padding do not make a task complex.
Examples:
"tl;dr: <three pasted paragraphs>" -> general, simple
"fix the failing test in src/api.test.ts" -> code, complex
"refactor the auth module" -> code, complex
"why does this throw? <pasted stack trace>" -> code, simple
"wie wird das Wetter morgen in Köln?" -> research, simple
"compara los tres VPS más baratos con fuentes" -> research, complex
"renomme facture.pdf en facture-mars.pdf" -> fileops, simple
"sort my downloads into folders by topic" -> fileops, complex
"what is 2+2, please keep it short, just the number, thanks" -> general, simple
"write my best man speech" -> general, complex
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
