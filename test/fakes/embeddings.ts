/** What the fake Ollama and OpenAI servers share for their embedding endpoints. */
import { createHash } from "node:crypto";

/** What a fake's embedding endpoint does next; without a script it answers correctly. */
export type EmbedReply =
  | { kind: "error"; status: number; message: string; headers?: Record<string, string> }
  /** This exact body text with status 200 (e.g. not JSON, or JSON with `1e999`). */
  | { kind: "raw"; body: string }
  /** A well-formed answer with one embedding too few. */
  | { kind: "drop-one" }
  /** A well-formed answer whose last embedding is one number short. */
  | { kind: "ragged" }
  /** The right envelope with `embeddings`/`data` replaced by this value. */
  | { kind: "shape"; value: unknown }
  /** OpenAI only: the `data` items in reverse order (indexes still right). */
  | { kind: "reversed" }
  /** Answer correctly but leave out the token count. */
  | { kind: "no-usage" }
  | { kind: "hang" };

export const FAKE_DIMENSIONS = 16;

/**
 * A deterministic unit vector for a text: SHA-256 of the text and a counter, bytes
 * mapped to [-1, 1], then normalised. Same text, same vector; different texts differ.
 */
export function fakeEmbedding(text: string, dimensions = FAKE_DIMENSIONS): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}\0${text}`).digest();
    for (const byte of digest) {
      if (values.length === dimensions) break;
      values.push(byte / 127.5 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

/** The vectors a reply calls for (correct ones, one too few, or a ragged set). */
export function fakeEmbeddings(texts: string[], reply: EmbedReply | undefined, dimensions: number): number[][] {
  const vectors = texts.map((text) => fakeEmbedding(text, dimensions));
  if (reply?.kind === "drop-one") vectors.pop();
  if (reply?.kind === "ragged") vectors.at(-1)?.pop();
  return vectors;
}

/** A rough token count, as a server would report it. */
export const fakeTokens = (texts: string[]) =>
  texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);

/** Ollama accepts `input` as a string or a list; OpenAI too. */
export const inputsOf = (input: unknown): string[] =>
  typeof input === "string" ? [input] : Array.isArray(input) ? input.map(String) : [];
