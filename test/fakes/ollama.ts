/**
 * A fake Ollama server speaking the native API: /api/chat (ndjson streaming, tool
 * calls, JSON-schema `format`), /api/embed, /api/tags, /api/show, /api/version, and
 * the errors Ollama really returns (404 for a model that is not pulled).
 */
import type { ServerResponse } from "node:http";
import { type EmbedReply, FAKE_DIMENSIONS, fakeEmbeddings, fakeTokens, inputsOf } from "./embeddings.js";
import { FakeServer, pause, type RecordedRequest, sendJson, splitText } from "./fake-server.js";

export type OllamaReply =
  | {
      kind: "text";
      text: string;
      chunks?: number;
      chunkDelayMs?: number;
      doneReason?: string;
      promptTokens?: number;
      evalTokens?: number;
    }
  | { kind: "tool_call"; name: string; arguments: Record<string, unknown> }
  | { kind: "error"; status: number; message: string; headers?: Record<string, string> }
  /** Streams part of an answer, then drops the connection (no `done` line). */
  | { kind: "cut"; text: string }
  /** An error object inside the ndjson stream, as Ollama sends when generation fails midway. */
  | { kind: "stream-error"; text: string; message: string }
  | { kind: "hang" };

export class FakeOllama extends FakeServer<OllamaReply> {
  /** Models that are "pulled"; a chat for any other answers 404 like Ollama. */
  models = new Set(["qwen3:1.7b", "qwen3:8b"]);
  /** Answer to every schema-constrained (`format`) request, e.g. the router's classification. */
  classify: (request: RecordedRequest) => unknown = () => ({ agent: "general", complexity: "simple", confidence: 0.9 });
  private fallback: (request: RecordedRequest) => OllamaReply = (request) => ({
    kind: "text",
    text: `Local answer to: ${lastUser(request)}`,
  });

  /** Embedding models that are "pulled" (kept apart from `models`, so /api/tags stays as chat tests expect). */
  embedModels = new Set(["nomic-embed-text:latest"]);
  embedDimensions = FAKE_DIMENSIONS;
  /**
   * What a text is embedded as (default: itself). A test that needs "meaning" sets a
   * normaliser, so rewordings it maps alike get one vector: a stand-in for a semantic model.
   */
  embedAs: (text: string) => string = (text) => text;
  /** Scripted /api/embed replies, used in order; then correct answers. */
  readonly embedQueue: EmbedReply[] = [];

  static start(): Promise<FakeOllama> {
    return new FakeOllama().listen();
  }

  enqueueEmbed(...replies: EmbedReply[]): this {
    this.embedQueue.push(...replies);
    return this;
  }

  override reset(): void {
    super.reset();
    this.embedQueue.length = 0;
  }

  get embedRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === "/api/embed");
  }

  setDefault(reply: (request: RecordedRequest) => OllamaReply): this {
    this.fallback = reply;
    return this;
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === "/api/chat");
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const { path, method, body } = request;
    if (method === "GET" && path === "/api/version") return sendJson(res, 200, { version: "0.12.0" });
    if (method === "GET" && path === "/api/tags") {
      return sendJson(res, 200, {
        models: [...this.models].map((name) => ({
          name,
          model: name,
          modified_at: "2026-11-01T00:00:00Z",
          size: 1_000_000_000,
          digest: "sha256:fake",
          details: {
            format: "gguf",
            family: "qwen3",
            parameter_size: name.split(":")[1] ?? "",
            quantization_level: "Q4_K_M",
          },
        })),
      });
    }
    if (method === "POST" && path === "/api/show") {
      if (!this.models.has(body.model ?? body.name))
        return sendJson(res, 404, { error: `model '${body.model}' not found` });
      return sendJson(res, 200, { details: { family: "qwen3" }, capabilities: ["completion", "tools"] });
    }
    if (method === "POST" && path === "/api/embed") return this.embed(body, res);
    if (method !== "POST" || path !== "/api/chat") return sendJson(res, 404, { error: "404 page not found" });
    if (!this.models.has(body.model)) {
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    }
    // Schema-constrained requests (classification, self-check) have their own answer;
    // the queue is for ordinary chat replies.
    const reply: OllamaReply =
      body.format && typeof body.format === "object"
        ? { kind: "text", text: JSON.stringify(this.classify(request)) }
        : (this.queue.shift() ?? this.fallback(request));
    if (reply.kind === "error") return sendJson(res, reply.status, { error: reply.message }, reply.headers);
    if (reply.kind === "hang") return;
    const base = { model: body.model, created_at: new Date().toISOString() };
    const final = (extra: Record<string, unknown> = {}) => ({
      ...base,
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: reply.kind === "text" ? (reply.doneReason ?? "stop") : "stop",
      total_duration: 1_000_000,
      load_duration: 1000,
      prompt_eval_count:
        reply.kind === "text" && reply.promptTokens !== undefined ? reply.promptTokens : promptTokens(body),
      prompt_eval_duration: 1000,
      eval_count: reply.kind === "text" && reply.evalTokens !== undefined ? reply.evalTokens : 7,
      eval_duration: 1000,
      ...extra,
    });
    const stream = body.stream !== false; // Ollama streams unless told not to
    if (!stream) {
      if (reply.kind === "tool_call") {
        return sendJson(res, 200, {
          ...final(),
          message: {
            role: "assistant",
            content: "",
            tool_calls: [{ function: { name: reply.name, arguments: reply.arguments } }],
          },
        });
      }
      return sendJson(res, 200, { ...final(), message: { role: "assistant", content: reply.text } });
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    if (reply.kind === "tool_call") {
      line({
        ...base,
        message: {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: reply.name, arguments: reply.arguments } }],
        },
        done: false,
      });
    } else {
      const chunks = reply.kind === "text" ? (reply.chunks ?? 3) : 3;
      const pieces = splitText(reply.text, chunks);
      for (const [i, piece] of pieces.entries()) {
        line({ ...base, message: { role: "assistant", content: piece }, done: false });
        if (reply.kind === "cut" && i === Math.floor(pieces.length / 2)) {
          // Let the lines reach the client first, so it has really seen part of an answer.
          await pause(50);
          res.socket?.destroy();
          return;
        }
        if (reply.kind === "text" && reply.chunkDelayMs) await pause(reply.chunkDelayMs);
      }
      if (reply.kind === "stream-error") {
        line({ error: reply.message });
        res.end();
        return;
      }
    }
    line(final());
    res.end();
  }

  /** POST /api/embed: `{ model, input }` → `{ model, embeddings, total_duration, load_duration, prompt_eval_count }`. */
  private embed(body: { model?: string; input?: unknown }, res: ServerResponse) {
    const model = String(body.model ?? "");
    if (!this.embedModels.has(model) && !this.embedModels.has(`${model}:latest`)) {
      return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
    }
    if (body.input === undefined) return sendJson(res, 400, { error: "invalid input type" });
    const reply = this.embedQueue.shift();
    if (reply?.kind === "hang") return;
    if (reply?.kind === "error") return sendJson(res, reply.status, { error: reply.message }, reply.headers);
    if (reply?.kind === "raw") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(reply.body);
      return;
    }
    const texts = inputsOf(body.input);
    return sendJson(res, 200, {
      model,
      embeddings:
        reply?.kind === "shape" ? reply.value : fakeEmbeddings(texts.map(this.embedAs), reply, this.embedDimensions),
      total_duration: 14_143_917,
      load_duration: 1_019_500,
      ...(reply?.kind === "no-usage" ? {} : { prompt_eval_count: fakeTokens(texts) }),
    });
  }
}

function lastUser(request: RecordedRequest): string {
  const messages: Array<{ role: string; content: string }> = request.body.messages ?? [];
  return [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
}

function promptTokens(body: { messages?: unknown[] }): number {
  return Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
}
