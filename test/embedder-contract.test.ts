/**
 * One contract, every embedder: each production embedder runs the same suite against
 * its fake server, which speaks that API's real wire protocol (Ollama `/api/embed`,
 * OpenAI `/v1/embeddings`). Only the base URL differs from production. Where an
 * embedder genuinely differs, its table row says so.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createEmbedder,
  createOllamaEmbedder,
  createOpenAICompatibleEmbedder,
  type Embedder,
  embedWithRetry,
  type RetryInfo,
} from "../src/models/index.js";
import { type EmbedReply, FAKE_DIMENSIONS, fakeEmbedding } from "./fakes/embeddings.js";
import type { RecordedRequest } from "./fakes/fake-server.js";
import { FakeOllama } from "./fakes/ollama.js";
import { FakeOpenAI } from "./fakes/openai.js";
import { failure } from "./helpers.js";

interface EmbedFake {
  url: string;
  readonly embedRequests: RecordedRequest[];
  enqueueEmbed(...replies: EmbedReply[]): unknown;
  reset(): void;
  close(): Promise<void>;
}

interface EmbedderCase {
  name: string;
  model: string;
  start(): Promise<EmbedFake>;
  embedder(fake: EmbedFake, model?: string, timeoutMs?: number): Embedder;
  /** An embedder whose next call the server refuses with 401. */
  unauthorized(fake: EmbedFake): Embedder;
  /** Named in the 401 hint. */
  keyVariable: string;
  /** The path and JSON body the real API expects for these texts. */
  wire(texts: string[]): { path: string; body: Record<string, unknown> };
  /** Said in the hint of an unknown model's error. */
  missingModelHint(model: string): string;
  /** A 200 body in this protocol's envelope with `1e999` (Infinity once parsed) in a vector. */
  nonFiniteBody: string;
}

const COMPAT_KEY = "sk-compat-embed-0123456789";

const ollama: EmbedderCase = {
  name: "Ollama",
  model: "nomic-embed-text",
  start: () => FakeOllama.start(),
  embedder: (fake, model = "nomic-embed-text", timeoutMs = 2_000) =>
    createOllamaEmbedder({ baseUrl: fake.url, model, timeoutMs }),
  // Differs: Ollama itself has no keys; a 401 comes from a gateway in front of it, so the fake is told to refuse.
  unauthorized: (fake) => {
    fake.enqueueEmbed({ kind: "error", status: 401, message: "invalid api key" });
    return createOllamaEmbedder({
      baseUrl: fake.url,
      model: "nomic-embed-text",
      apiKey: "wrong-key-0123",
      keyVariable: "OLLAMA_GATEWAY_KEY",
    });
  },
  keyVariable: "OLLAMA_GATEWAY_KEY",
  wire: (texts) => ({ path: "/api/embed", body: { model: "nomic-embed-text", input: texts } }),
  missingModelHint: (model) => `ollama pull ${model}`,
  nonFiniteBody: '{"model":"nomic-embed-text","embeddings":[[0.5,1e999]],"prompt_eval_count":1}',
};

const openai: EmbedderCase = {
  name: "OpenAI-compatible",
  model: "text-embedding-3-small",
  start: () => FakeOpenAI.start(COMPAT_KEY),
  embedder: (fake, model = "text-embedding-3-small", timeoutMs = 2_000) =>
    createOpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, apiKey: COMPAT_KEY, model, timeoutMs }),
  unauthorized: (fake) =>
    createOpenAICompatibleEmbedder({
      baseUrl: `${fake.url}/v1`,
      apiKey: "sk-wrong-0123456789",
      keyVariable: "COMPAT_KEY",
      model: "text-embedding-3-small",
    }),
  keyVariable: "COMPAT_KEY",
  wire: (texts) => ({
    path: "/v1/embeddings",
    body: { model: "text-embedding-3-small", input: texts, encoding_format: "float" },
  }),
  missingModelHint: () => "/models",
  nonFiniteBody:
    '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,1e999]}],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}',
};

const TEXTS = ["The sky is blue.", "Grass is green.", "Ünïcödé and emoji 🙂 survive the trip."];

describe.each([ollama, openai])("embedder contract: $name", (c) => {
  let fake: EmbedFake;
  let embedder: Embedder;

  beforeAll(async () => {
    fake = await c.start();
    embedder = c.embedder(fake);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("names its provider and model", () => {
    expect(embedder.model).toBe(c.model);
    expect(embedder.provider).toMatch(/^(ollama|openai)$/);
  });

  it("embeds a batch: one vector per input, in order, all of one length, with token usage", async () => {
    const result = await embedder.embed(TEXTS);
    expect(result.dimensions).toBe(FAKE_DIMENSIONS);
    expect(result.embeddings).toEqual(TEXTS.map((text) => fakeEmbedding(text)));
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(fake.embedRequests).toHaveLength(1);
  });

  it("gives the same text the same vector, within a batch and across calls", async () => {
    const first = await embedder.embed(["alpha", "beta", "alpha"]);
    const second = await embedder.embed(["alpha"]);
    expect(first.embeddings[0]).toEqual(first.embeddings[2]);
    expect(first.embeddings[0]).not.toEqual(first.embeddings[1]);
    expect(second.embeddings[0]).toEqual(first.embeddings[0]);
  });

  it("answers an empty input without a request", async () => {
    expect(await embedder.embed([])).toEqual({ embeddings: [], dimensions: 0, usage: { inputTokens: 0 } });
    expect(fake.embedRequests).toHaveLength(0);
  });

  it("sends the real protocol's request on the wire", async () => {
    await embedder.embed(TEXTS);
    const [request] = fake.embedRequests;
    const expected = c.wire(TEXTS);
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(expected.path);
    expect(request?.body).toEqual(expected.body);
    expect(request?.headers["content-type"]).toBe("application/json");
  });

  it("reports 0 input tokens when the server does not say", async () => {
    fake.enqueueEmbed({ kind: "no-usage" });
    const result = await embedder.embed(["x"]);
    expect(result.usage.inputTokens).toBe(0);
    expect(result.embeddings).toHaveLength(1);
  });

  it("maps an unknown model to E_MODEL_MISSING with a hint, not retryable", async () => {
    const error = await failure(c.embedder(fake, "no-such-embedder").embed(["x"]));
    expect(error).toMatchObject({ code: "E_MODEL_MISSING", retryable: false, status: 404 });
    expect(error.message).toContain("no-such-embedder");
    expect(error.hint).toContain(c.missingModelHint("no-such-embedder"));
  });

  it("maps a 401 to E_AUTH with a hint naming the key, not retryable", async () => {
    const error = await failure(c.unauthorized(fake).embed(["x"]));
    expect(error).toMatchObject({ code: "E_AUTH", retryable: false, status: 401 });
    expect(error.hint).toContain(c.keyVariable);
  });

  it("maps a 429 with retry-after to E_RATE_LIMIT, retryable, with retryAfterMs", async () => {
    fake.enqueueEmbed({ kind: "error", status: 429, message: "slow down", headers: { "retry-after": "3" } });
    const error = await failure(embedder.embed(["x"]));
    expect(error).toMatchObject({ code: "E_RATE_LIMIT", retryable: true, retryAfterMs: 3_000 });
  });

  it("maps a 5xx to a retryable E_PROVIDER with the server's message", async () => {
    fake.enqueueEmbed({ kind: "error", status: 500, message: "llama runner process has terminated" });
    const error = await failure(embedder.embed(["x"]));
    expect(error).toMatchObject({ code: "E_PROVIDER", retryable: true, status: 500 });
    expect(error.message).toContain("llama runner process has terminated");
  });

  const malformed: Array<[string, () => EmbedReply]> = [
    ["a body that is not JSON", () => ({ kind: "raw", body: "<html>Bad gateway</html>" })],
    ["embeddings of the wrong shape", () => ({ kind: "shape", value: [["0.1", "0.2"]] })],
    ["no embeddings at all", () => ({ kind: "shape", value: null })],
    ["fewer embeddings than inputs", () => ({ kind: "drop-one" })],
    ["vectors of different lengths", () => ({ kind: "ragged" })],
    ["an empty vector", () => ({ kind: "shape", value: [[], []] })],
    ["a non-finite number", () => ({ kind: "raw", body: c.nonFiniteBody })],
  ];
  it.each(malformed)("turns %s into a typed E_PROVIDER, not a crash", async (_what, reply) => {
    fake.enqueueEmbed(reply());
    const error = await failure(embedder.embed(["one", "two"]));
    expect(error).toMatchObject({ code: "E_PROVIDER", retryable: false });
    expect(error.message).toContain("cannot use");
    expect(error.hint).toBeTruthy();
  });

  it("cancels a hanging request through the AbortSignal with E_CANCELLED", async () => {
    fake.enqueueEmbed({ kind: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failure(embedder.embed(["x"], { signal: controller.signal }));
    expect(error.code).toBe("E_CANCELLED");
    expect(Date.now() - started).toBeLessThan(1_500);
    const already = await failure(embedder.embed(["x"], { signal: controller.signal }));
    expect(already.code).toBe("E_CANCELLED");
  });

  it("times out a server that never answers with a retryable E_TIMEOUT", async () => {
    fake.enqueueEmbed({ kind: "hang" });
    const error = await failure(c.embedder(fake, c.model, 150).embed(["x"]));
    expect(error).toMatchObject({ code: "E_TIMEOUT", retryable: true });
  });

  it("maps an unreachable server to a retryable E_NETWORK", async () => {
    const closed = { ...fake, url: "http://127.0.0.1:1" } as EmbedFake;
    const error = await failure(c.embedder(closed).embed(["x"]));
    expect(error).toMatchObject({ code: "E_NETWORK", retryable: true });
    expect(error.hint).toBeTruthy();
  });

  it("embedWithRetry tries again after a retryable error", async () => {
    fake.enqueueEmbed({ kind: "error", status: 503, message: "loading model" });
    const retries: RetryInfo[] = [];
    const result = await embedWithRetry(
      embedder,
      ["x"],
      { maxRetries: 2, maxRetryDelayMs: 1_000, baseDelayMs: 10 },
      { onRetry: (info) => retries.push(info) },
    );
    expect(result.embeddings).toEqual([fakeEmbedding("x")]);
    expect(retries).toMatchObject([{ attempt: 1, delayMs: 10, error: { code: "E_PROVIDER" } }]);
    expect(fake.embedRequests).toHaveLength(2);
  });

  it("embedWithRetry does not retry an error that will not change", async () => {
    const error = await failure(
      embedWithRetry(c.embedder(fake, "no-such-embedder"), ["x"], { maxRetries: 3, maxRetryDelayMs: 1_000 }),
    );
    expect(error.code).toBe("E_MODEL_MISSING");
    expect(fake.embedRequests).toHaveLength(1);
  });
});

describe("Ollama embedder specifics", () => {
  let fake: FakeOllama;
  beforeAll(async () => {
    fake = await FakeOllama.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("sends a gateway key as a bearer token", async () => {
    await createOllamaEmbedder({ baseUrl: fake.url, model: "nomic-embed-text", apiKey: "gateway-key-0123" }).embed([
      "x",
    ]);
    expect(fake.embedRequests[0]?.headers.authorization).toBe("Bearer gateway-key-0123");
  });

  it("reports Ollama's prompt_eval_count as input tokens", async () => {
    const result = await createOllamaEmbedder({ baseUrl: fake.url, model: "nomic-embed-text" }).embed([
      "12345678",
      "1234",
    ]);
    expect(result.usage.inputTokens).toBe(3);
  });

  it("says the base URL is wrong when the server has no /api/embed (a /v1 on OLLAMA_HOST)", async () => {
    const error = await failure(
      createOllamaEmbedder({ baseUrl: `${fake.url}/v1`, model: "nomic-embed-text" }).embed(["x"]),
    );
    expect(error).toMatchObject({ code: "E_BAD_REQUEST", status: 404 });
    expect(error.hint).toContain("OLLAMA_HOST");
  });

  it("says so when the model cannot make embeddings", async () => {
    fake.enqueueEmbed({ kind: "error", status: 400, message: '"qwen3:1.7b" does not support embeddings' });
    const error = await failure(createOllamaEmbedder({ baseUrl: fake.url, model: "nomic-embed-text" }).embed(["x"]));
    expect(error).toMatchObject({ code: "E_BAD_REQUEST", retryable: false });
    expect(error.hint).toContain("embedding model");
  });
});

describe("OpenAI-compatible embedder specifics", () => {
  let fake: FakeOpenAI;
  let embedder: Embedder;
  beforeAll(async () => {
    fake = await FakeOpenAI.start(COMPAT_KEY);
    embedder = createOpenAICompatibleEmbedder({
      baseUrl: `${fake.url}/v1/`,
      apiKey: COMPAT_KEY,
      model: "text-embedding-3-small",
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("puts the vectors back in input order by `index`", async () => {
    fake.enqueueEmbed({ kind: "reversed" });
    const result = await embedder.embed(TEXTS);
    expect(result.embeddings).toEqual(TEXTS.map((text) => fakeEmbedding(text)));
  });

  it("rejects repeated indexes rather than pairing vectors with the wrong texts", async () => {
    const vector = fakeEmbedding("a");
    fake.enqueueEmbed({
      kind: "shape",
      value: [
        { object: "embedding", index: 0, embedding: vector },
        { object: "embedding", index: 0, embedding: vector },
      ],
    });
    const error = await failure(embedder.embed(["a", "b"]));
    expect(error).toMatchObject({ code: "E_PROVIDER" });
    expect(error.message).toContain("indexes");
  });

  it("rejects base64 embeddings (a server that ignored encoding_format)", async () => {
    fake.enqueueEmbed({ kind: "shape", value: [{ object: "embedding", index: 0, embedding: "AAAAPwAAgD8=" }] });
    expect((await failure(embedder.embed(["a"]))).code).toBe("E_PROVIDER");
  });

  it("sends the key as a bearer token, and none when there is no key", async () => {
    await embedder.embed(["a"]);
    expect(fake.embedRequests[0]?.headers.authorization).toBe(`Bearer ${COMPAT_KEY}`);
    fake.apiKey = undefined;
    try {
      await createOpenAICompatibleEmbedder({ baseUrl: `${fake.url}/v1`, model: "text-embedding-3-small" }).embed(["a"]);
      expect(fake.embedRequests[1]?.headers.authorization).toBeUndefined();
    } finally {
      fake.apiKey = COMPAT_KEY;
    }
  });

  it("says the base URL is wrong on a 404 that is not about the model", async () => {
    const error = await failure(
      createOpenAICompatibleEmbedder({ baseUrl: fake.url, apiKey: COMPAT_KEY, model: "text-embedding-3-small" }).embed([
        "a",
      ]),
    );
    expect(error).toMatchObject({ code: "E_BAD_REQUEST", status: 404 });
    expect(error.hint).toContain("/v1");
  });

  it("keeps the key out of errors and out of the embedder's printed form", async () => {
    const key = "sk-secret-never-printed-0123456789";
    fake.enqueueEmbed({ kind: "error", status: 500, message: `upstream refused key ${key}` });
    const leaky = createOpenAICompatibleEmbedder({
      baseUrl: `${fake.url}/v1`,
      apiKey: key,
      model: "text-embedding-3-small",
    });
    fake.apiKey = undefined;
    try {
      const error = await failure(leaky.embed(["a"]));
      expect(`${error.message} ${error.hint}`).not.toContain(key);
    } finally {
      fake.apiKey = COMPAT_KEY;
    }
    expect(JSON.stringify(leaky)).not.toContain(key);
    expect(inspect(leaky, { depth: 5, showHidden: true })).not.toContain(key);
  });
});

describe("createEmbedder", () => {
  let ollamaFake: FakeOllama;
  let openaiFake: FakeOpenAI;
  beforeAll(async () => {
    [ollamaFake, openaiFake] = await Promise.all([FakeOllama.start(), FakeOpenAI.start(COMPAT_KEY)]);
  });
  afterAll(() => Promise.all([ollamaFake.close(), openaiFake.close()]));
  beforeEach(() => {
    ollamaFake.reset();
    openaiFake.reset();
  });

  it("builds an Ollama embedder on OLLAMA_HOST (normalised, as the chat provider reads it)", async () => {
    const host = ollamaFake.url.replace("http://", "");
    const embedder = createEmbedder({ provider: "ollama", model: "nomic-embed-text" }, { OLLAMA_HOST: host });
    expect(embedder).toMatchObject({ provider: "ollama", model: "nomic-embed-text" });
    await embedder.embed(["x"]);
    expect(ollamaFake.embedRequests).toHaveLength(1);
  });

  it("prefers the spec's base_url over OLLAMA_HOST", async () => {
    const embedder = createEmbedder(
      { provider: "ollama", model: "nomic-embed-text", base_url: ollamaFake.url },
      { OLLAMA_HOST: "http://127.0.0.1:1" },
    );
    await embedder.embed(["x"]);
    expect(ollamaFake.embedRequests).toHaveLength(1);
  });

  it("builds an OpenAI embedder from OPENAI_BASE_URL and OPENAI_API_KEY", async () => {
    const embedder = createEmbedder(
      { provider: "openai", model: "text-embedding-3-small" },
      { OPENAI_BASE_URL: `${openaiFake.url}/v1`, OPENAI_API_KEY: COMPAT_KEY },
    );
    expect(embedder.provider).toBe("openai");
    expect((await embedder.embed(["x"])).dimensions).toBe(FAKE_DIMENSIONS);
    expect(openaiFake.embedRequests[0]?.headers.authorization).toBe(`Bearer ${COMPAT_KEY}`);
  });

  it("builds an openai-compatible embedder from base_url and api_key", async () => {
    const embedder = createEmbedder(
      {
        provider: "openai-compatible",
        model: "text-embedding-3-small",
        base_url: `${openaiFake.url}/v1`,
        api_key: COMPAT_KEY,
      },
      {},
    );
    await embedder.embed(["x"]);
    expect(openaiFake.embedRequests).toHaveLength(1);
  });

  it("refuses OpenAI without a key with E_NO_API_KEY", () => {
    expect(() => createEmbedder({ provider: "openai", model: "text-embedding-3-small" }, {})).toThrow(
      expect.objectContaining({ code: "E_NO_API_KEY" }),
    );
  });

  it("refuses an openai-compatible embedder without base_url, a bad URL and an unknown provider with E_CONFIG", () => {
    const config = expect.objectContaining({ code: "E_CONFIG" });
    expect(() => createEmbedder({ provider: "openai-compatible", model: "m" }, {})).toThrow(config);
    expect(() => createEmbedder({ provider: "openai-compatible", model: "m", base_url: "not a url" }, {})).toThrow(
      config,
    );
    expect(() => createEmbedder({ provider: "ollama", model: "m" }, { OLLAMA_HOST: "http://[bad" })).toThrow(config);
    expect(() => createEmbedder({ provider: "cohere" as "ollama", model: "m" }, {})).toThrow(config);
    expect(() => createEmbedder({ provider: "ollama", model: " " }, {})).toThrow(config);
  });
});
