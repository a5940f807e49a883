import { describe, expect, it } from "vitest";
import { HobError } from "../errors/index.js";
import {
  BUILTIN_EMBEDDER_DIMENSIONS,
  BUILTIN_EMBEDDER_MODEL,
  BuiltinEmbedder,
  builtinEmbedding,
} from "./builtin-embedder.js";
import { createEmbedder } from "./embedder-registry.js";

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}

const similarity = (a: string, b: string) => cosine(builtinEmbedding(a), builtinEmbedding(b));

function norm(v: ArrayLike<number>): number {
  return Math.sqrt(cosine(v, v));
}

describe("builtin embedder", () => {
  it("names itself builtin / hash-384 and gives 384 dimensions", async () => {
    const embedder = new BuiltinEmbedder();
    expect(embedder).toMatchObject({ provider: "builtin", model: "hash-384" });
    const result = await embedder.embed(["hello world", "zweiter Text"]);
    expect(result.dimensions).toBe(BUILTIN_EMBEDDER_DIMENSIONS);
    expect(result.embeddings).toHaveLength(2);
    for (const v of result.embeddings) expect(v).toHaveLength(384);
    expect(result.usage.inputTokens).toBe(4);
  });

  it("is deterministic across calls and instances", async () => {
    const texts = ["Convert the invoices to JSON", "明日の会議の資料", "Straße, Müller & Söhne"];
    const first = await new BuiltinEmbedder().embed(texts);
    const second = await new BuiltinEmbedder().embed(texts);
    expect(second.embeddings).toEqual(first.embeddings);
    expect(Array.from(builtinEmbedding(texts[0] as string))).toEqual(first.embeddings[0]);
  });

  it("gives unit-length vectors", () => {
    for (const text of ["a", "the quick brown fox", "東京の天気", "x".repeat(10_000), "Ça coûte 12 € ?"]) {
      expect(norm(builtinEmbedding(text))).toBeCloseTo(1, 5);
    }
  });

  it("maps text without letters or digits to the zero vector, without NaN", async () => {
    const { embeddings, dimensions } = await new BuiltinEmbedder().embed(["", "   ", "!?…"]);
    expect(dimensions).toBe(384);
    for (const v of embeddings) {
      expect(v.every((x) => x === 0)).toBe(true);
    }
    expect(Number.isNaN(similarity("", "hello"))).toBe(false);
    expect(similarity("", "hello")).toBe(0);
  });

  it("answers an empty batch with no vectors", async () => {
    expect(await new BuiltinEmbedder().embed([])).toEqual({ embeddings: [], dimensions: 0, usage: { inputTokens: 0 } });
  });

  it("ranks a typo above an unrelated text", () => {
    const query = "receive the invoice from the accountant";
    expect(similarity(query, "recieve the invoce from the acountant")).toBeGreaterThan(
      similarity(query, "book a table at the Italian restaurant"),
    );
  });

  it("ranks a plural or inflected form above an unrelated text", () => {
    expect(similarity("summarise the report", "summarize the reports")).toBeGreaterThan(
      similarity("summarise the report", "water the tomatoes"),
    );
    expect(similarity("rename my photo", "renaming my photos")).toBeGreaterThan(
      similarity("rename my photo", "cancel my subscription"),
    );
  });

  it("meets German umlaut spellings (ü / ue / u, ß / ss)", () => {
    const unrelated = similarity("Herrn Müller anrufen", "Urlaub in Spanien planen");
    expect(similarity("Herrn Müller anrufen", "Herrn Mueller anrufen")).toBeGreaterThan(0.6);
    expect(similarity("Herrn Müller anrufen", "Herrn Muller anrufen")).toBeGreaterThan(unrelated);
    expect(similarity("Fahrrad in der Hauptstraße", "Fahrrad in der Hauptstrasse")).toBeGreaterThan(0.6);
  });

  it("matches Japanese texts that share kanji, though there are no spaces", () => {
    const query = "明日の会議の資料を準備する";
    expect(similarity(query, "会議の資料を作成した")).toBeGreaterThan(similarity(query, "猫の写真を整理する"));
    expect(similarity("東京の天気", "今日の東京の天気は")).toBeGreaterThan(similarity("東京の天気", "京都のホテル"));
  });

  it("keeps word order and negation visible", () => {
    expect(similarity("convert 10 miles to km", "convert 10 km to miles")).toBeLessThan(0.99);
    expect(similarity("email Anna that it is cancelled", "email Anna that it is not cancelled")).toBeLessThan(0.99);
  });

  it("folds NFKC forms: full-width letters and half-width katakana", () => {
    expect(similarity("ＨＯＢ ｒｕｎ", "hob run")).toBeCloseTo(1, 5);
    expect(similarity("ｶﾀｶﾅ", "カタカナ")).toBeCloseTo(1, 5);
  });

  it("stops on a cancelled signal with E_CANCELLED", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new BuiltinEmbedder().embed(["x"], { signal: controller.signal })).rejects.toMatchObject({
      code: "E_CANCELLED",
    });
  });

  it("embeds 1,000 texts (time printed, not asserted)", async () => {
    const texts = Array.from(
      { length: 1000 },
      (_, i) =>
        `Task ${i}: convert the invoices in ~/Downloads/*.csv to one JSON file. Outcome: succeeded, ${i % 7} steps.`,
    );
    const start = performance.now();
    const { embeddings } = await new BuiltinEmbedder().embed(texts);
    const elapsed = performance.now() - start;
    expect(embeddings).toHaveLength(1000);
    console.log(`builtin embedder: 1,000 texts in ${elapsed.toFixed(0)} ms`);
  });
});

describe("createEmbedder builtin", () => {
  it("builds the builtin embedder with the model left out, or named", () => {
    expect(createEmbedder({ provider: "builtin" }, {})).toMatchObject({ provider: "builtin", model: "hash-384" });
    expect(createEmbedder({ provider: "builtin", model: BUILTIN_EMBEDDER_MODEL }, {}).model).toBe("hash-384");
  });

  it("refuses another model, a base_url or an api_key with E_CONFIG", () => {
    const config = expect.objectContaining({ code: "E_CONFIG" });
    expect(() => createEmbedder({ provider: "builtin", model: "hash-768" }, {})).toThrow(config);
    expect(() => createEmbedder({ provider: "builtin", base_url: "http://127.0.0.1:1" }, {})).toThrow(config);
    expect(() => createEmbedder({ provider: "builtin", api_key: "k" }, {})).toThrow(HobError);
  });

  it("still requires a model of the HTTP embedders", () => {
    expect(() => createEmbedder({ provider: "ollama" }, {})).toThrow(expect.objectContaining({ code: "E_CONFIG" }));
  });
});
