/**
 * A fake OpenAI-compatible `/v1/chat/completions` endpoint (what a LiteLLM proxy,
 * vLLM, llama.cpp's server and LM Studio expose): JSON and SSE chunks, usage in the
 * last chunk when asked, `[DONE]`, bearer-token auth and OpenAI-style errors. Also
 * `/v1/embeddings` (float vectors, `data[].index`, `usage.prompt_tokens`).
 */
import type { ServerResponse } from "node:http";
import { type EmbedReply, FAKE_DIMENSIONS, fakeEmbeddings, fakeTokens, inputsOf } from "./embeddings.js";
import { FakeServer, pause, type RecordedRequest, sendJson, splitText } from "./fake-server.js";

export type OpenAIReply =
  | { kind: "text"; text: string; promptTokens?: number; completionTokens?: number; finishReason?: string }
  | { kind: "error"; status: number; message: string; headers?: Record<string, string> }
  /** A function tool call (after optional text), finish_reason `tool_calls`. */
  | { kind: "tool_call"; name: string; arguments: Record<string, unknown>; text?: string; id?: string }
  /** Streams part of an answer, then drops the connection. */
  | { kind: "cut"; text: string }
  | { kind: "hang" };

export class FakeOpenAI extends FakeServer<OpenAIReply> {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey: string | undefined;

  /** Models /v1/embeddings serves; any other answers 404 `model_not_found` like OpenAI. */
  embedModels = new Set(["text-embedding-3-small"]);
  embedDimensions = FAKE_DIMENSIONS;
  /** Scripted /v1/embeddings replies, used in order; then correct answers. */
  readonly embedQueue: EmbedReply[] = [];

  static start(apiKey?: string): Promise<FakeOpenAI> {
    const fake = new FakeOpenAI();
    fake.apiKey = apiKey;
    return fake.listen();
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
    return this.requests.filter((r) => r.path === "/v1/embeddings");
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === "/v1/chat/completions");
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (this.apiKey && request.headers.authorization !== `Bearer ${this.apiKey}`) {
      return sendJson(res, 401, {
        error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" },
      });
    }
    if (request.method === "GET" && request.path === "/v1/models") {
      return sendJson(res, 200, {
        object: "list",
        data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }],
      });
    }
    if (request.method === "POST" && request.path === "/v1/embeddings") return this.embed(request.body, res);
    if (request.method !== "POST" || request.path !== "/v1/chat/completions") {
      return sendJson(res, 404, { error: { message: "Not found", type: "invalid_request_error" } });
    }
    const { body } = request;
    const messages: Array<{ role: string; content: string }> = body.messages ?? [];
    const reply: OpenAIReply = this.queue.shift() ?? {
      kind: "text",
      text: `Compatible answer to: ${[...messages].reverse().find((m) => m.role === "user")?.content ?? ""}`,
    };
    if (reply.kind === "error") {
      return sendJson(res, reply.status, { error: { message: reply.message, type: "server_error" } }, reply.headers);
    }
    if (reply.kind === "hang") return;
    const text = reply.kind === "tool_call" ? (reply.text ?? "") : reply.text;
    const given: { promptTokens?: number; completionTokens?: number } = reply.kind === "text" ? reply : {};
    const usage = {
      prompt_tokens: given.promptTokens ?? Math.ceil(JSON.stringify(messages).length / 4),
      completion_tokens:
        given.completionTokens ??
        Math.ceil((text.length + (reply.kind === "tool_call" ? JSON.stringify(reply.arguments).length : 0)) / 4),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const finish =
      reply.kind === "tool_call" ? "tool_calls" : reply.kind === "text" ? (reply.finishReason ?? "stop") : "stop";
    const toolCall =
      reply.kind === "tool_call"
        ? {
            id: reply.id ?? `call_fake_${this.requests.length}`,
            name: reply.name,
            args: JSON.stringify(reply.arguments),
          }
        : undefined;
    if (!body.stream) {
      const message = toolCall
        ? {
            role: "assistant",
            content: text || null,
            tool_calls: [
              { id: toolCall.id, type: "function", function: { name: toolCall.name, arguments: toolCall.args } },
            ],
          }
        : { role: "assistant", content: text };
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{ index: 0, message, finish_reason: finish }],
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (choices: unknown[], extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`,
      );
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    const pieces = splitText(text, 3);
    for (const [i, piece] of pieces.entries()) {
      chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
      if (reply.kind === "cut" && i === Math.floor(pieces.length / 2)) {
        // Let the deltas reach the client first, so it has really seen part of an answer.
        await pause(50);
        res.socket?.destroy();
        return;
      }
    }
    if (toolCall) {
      const half = Math.floor(toolCall.args.length / 2);
      chunk([
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: toolCall.id,
                type: "function",
                function: { name: toolCall.name, arguments: toolCall.args.slice(0, half) },
              },
            ],
          },
          finish_reason: null,
        },
      ]);
      chunk([
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: toolCall.args.slice(half) } }] },
          finish_reason: null,
        },
      ]);
    }
    chunk([{ index: 0, delta: {}, finish_reason: finish }]);
    if (body.stream_options?.include_usage) chunk([], { usage });
    res.write("data: [DONE]\n\n");
    res.end();
  }

  /** POST /v1/embeddings: `{ model, input, encoding_format }` → `{ object: "list", data, model, usage }`. */
  private embed(body: { model?: string; input?: unknown; encoding_format?: string }, res: ServerResponse) {
    const model = String(body.model ?? "");
    if (!this.embedModels.has(model)) {
      return sendJson(res, 404, {
        error: {
          message: `The model \`${model}\` does not exist or you do not have access to it.`,
          type: "invalid_request_error",
          param: null,
          code: "model_not_found",
        },
      });
    }
    const reply = this.embedQueue.shift();
    if (reply?.kind === "hang") return;
    if (reply?.kind === "error") {
      return sendJson(res, reply.status, { error: { message: reply.message, type: "server_error" } }, reply.headers);
    }
    if (reply?.kind === "raw") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(reply.body);
      return;
    }
    const texts = inputsOf(body.input);
    const data = fakeEmbeddings(texts, reply, this.embedDimensions).map((embedding, index) => ({
      object: "embedding",
      index,
      embedding,
    }));
    if (reply?.kind === "reversed") data.reverse();
    const tokens = fakeTokens(texts);
    return sendJson(res, 200, {
      object: "list",
      data: reply?.kind === "shape" ? reply.value : data,
      model,
      ...(reply?.kind === "no-usage" ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    });
  }
}
