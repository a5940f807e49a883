/**
 * A fake Anthropic Messages API server for tests and benchmarks. It speaks the real
 * wire protocol (JSON, SSE streaming, tool_use blocks, error bodies and headers), so
 * hob's production provider code talks to it unchanged; only the base URL differs.
 */
import type { ServerResponse } from "node:http";
import { FakeServer, pause, type RecordedRequest, sendJson, splitText } from "./fake-server.js";

export type { RecordedRequest } from "./fake-server.js";

export interface FakeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export type FakeReply =
  /** A text answer, streamed in `chunks` deltas. */
  | { kind: "text"; text: string; usage?: FakeUsage; chunks?: number; chunkDelayMs?: number; stopReason?: string }
  /** A tool_use block (after optional text), stop_reason `tool_use`. */
  | {
      kind: "tool_use";
      name: string;
      input: Record<string, unknown>;
      text?: string;
      id?: string;
      usage?: FakeUsage;
    }
  /** An HTTP error with the API's JSON error body. */
  | { kind: "error"; status: number; type?: string; message?: string; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: "hang" }
  /** Streams part of an answer, then drops the connection. */
  | { kind: "cut"; text: string }
  /** Streams part of an answer, then an SSE `error` event (e.g. overloaded_error). */
  | { kind: "stream-error"; text: string; errorType: string };

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export const BAD_KEY = "sk-ant-bad-key";

export class FakeAnthropic extends FakeServer<FakeReply> {
  private fallback: (request: RecordedRequest) => FakeReply = echoReply;
  private counter = 0;

  /** Starts on a free loopback port. `url` is the base URL without `/v1`, like ANTHROPIC_BASE_URL. */
  static start(): Promise<FakeAnthropic> {
    return new FakeAnthropic().listen();
  }

  /** The reply when the queue is empty (default: echo the last user message). */
  setDefault(reply: (request: RecordedRequest) => FakeReply): this {
    this.fallback = reply;
    return this;
  }

  get messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith("/v1/messages"));
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const { path, headers } = request;
    const key = headers["x-api-key"];
    if (!key || key === BAD_KEY) return sendError(res, { kind: "error", status: 401, message: "invalid x-api-key" });
    if (!headers["anthropic-version"]) {
      return sendError(res, { kind: "error", status: 400, message: "anthropic-version header is required" });
    }
    if (request.method === "GET" && path.startsWith("/v1/models")) {
      return sendJson(res, 200, {
        data: [
          {
            type: "model",
            id: "claude-haiku-4-5",
            display_name: "Claude Haiku 4.5",
            created_at: "2025-10-01T00:00:00Z",
          },
        ],
        has_more: false,
        first_id: "claude-haiku-4-5",
        last_id: "claude-haiku-4-5",
      });
    }
    if (request.method !== "POST" || !path.startsWith("/v1/messages")) {
      return sendError(res, { kind: "error", status: 404, message: `no route ${request.method} ${path}` });
    }
    const { body } = request;
    if (!body.model || !body.max_tokens || !Array.isArray(body.messages) || body.messages.length === 0) {
      return sendError(res, { kind: "error", status: 400, message: "model, max_tokens and messages are required" });
    }
    const reply = this.queue.shift() ?? this.fallback(request);
    const id = `msg_fake_${++this.counter}`;
    if (reply.kind === "error") return sendError(res, reply);
    if (reply.kind === "hang") return; // never answer; close() drops the socket
    if (body.stream) return this.stream(res, id, body.model, request, reply);
    return sendJson(res, 200, wholeMessage(id, body.model, request, reply));
  }

  private async stream(
    res: ServerResponse,
    id: string,
    model: string,
    request: RecordedRequest,
    reply: Exclude<FakeReply, { kind: "error" | "hang" }>,
  ): Promise<void> {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": `req_${id}` });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const usage = usageFor(request, reply);
    send("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: 1,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
        },
      },
    });
    send("ping", { type: "ping" });
    const text = reply.kind === "tool_use" ? (reply.text ?? "") : reply.text;
    let index = 0;
    if (text.length > 0 || reply.kind !== "tool_use") {
      send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      const pieces = splitText(text, reply.kind === "text" ? (reply.chunks ?? 3) : 3);
      const delay = reply.kind === "text" ? (reply.chunkDelayMs ?? 0) : 0;
      for (const [i, piece] of pieces.entries()) {
        send("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
        if (reply.kind === "cut" && i === Math.floor(pieces.length / 2)) {
          // Let the deltas reach the client first, so it has really seen part of an answer.
          await pause(50);
          res.socket?.destroy();
          return;
        }
        if (delay > 0) await pause(delay);
      }
      if (reply.kind === "stream-error") {
        send("error", { type: "error", error: { type: reply.errorType, message: "Overloaded" } });
        res.end();
        return;
      }
      send("content_block_stop", { type: "content_block_stop", index });
      index++;
    }
    if (reply.kind === "tool_use") {
      const toolId = reply.id ?? `toolu_fake_${this.counter}`;
      send("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: toolId, name: reply.name, input: {} },
      });
      const json = JSON.stringify(reply.input);
      const half = Math.floor(json.length / 2);
      for (const partial of [json.slice(0, half), json.slice(half)]) {
        send("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: partial },
        });
      }
      send("content_block_stop", { type: "content_block_stop", index });
    }
    send("message_delta", {
      type: "message_delta",
      delta: { stop_reason: stopReason(reply), stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    send("message_stop", { type: "message_stop" });
    res.end();
  }
}

/** Default reply: repeats the last user message, so tests can tell turns apart. */
export function echoReply(request: RecordedRequest): FakeReply {
  const messages: Array<{ role: string; content: unknown }> = request.body.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === "user");
  const content = last?.content;
  const text =
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content.map((part: { text?: string }) => part.text ?? "").join("")
        : "";
  return { kind: "text", text: `You said: ${text}` };
}

function stopReason(reply: FakeReply): string {
  if (reply.kind === "tool_use") return "tool_use";
  if (reply.kind === "text") return reply.stopReason ?? "end_turn";
  return "end_turn";
}

/** Token counts like the real API's, roughly four characters a token unless the test says. */
function usageFor(request: RecordedRequest, reply: FakeReply): Required<FakeUsage> {
  const given = reply.kind === "text" || reply.kind === "tool_use" ? (reply.usage ?? {}) : {};
  const inputChars =
    JSON.stringify(request.body.messages ?? []).length + JSON.stringify(request.body.system ?? "").length;
  const outputText =
    reply.kind === "tool_use" ? `${reply.text ?? ""}${JSON.stringify(reply.input)}` : "text" in reply ? reply.text : "";
  return {
    input_tokens: given.input_tokens ?? Math.ceil(inputChars / 4),
    output_tokens: given.output_tokens ?? Math.max(1, Math.ceil(outputText.length / 4)),
    cache_read_input_tokens: given.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: given.cache_creation_input_tokens ?? 0,
  };
}

function wholeMessage(id: string, model: string, request: RecordedRequest, reply: FakeReply) {
  const usage = usageFor(request, reply);
  const content: unknown[] = [];
  if (reply.kind === "tool_use") {
    if (reply.text) content.push({ type: "text", text: reply.text });
    content.push({ type: "tool_use", id: reply.id ?? `toolu_fake_${id}`, name: reply.name, input: reply.input });
  } else if ("text" in reply) {
    content.push({ type: "text", text: reply.text });
  }
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage,
  };
}

function sendError(res: ServerResponse, reply: Extract<FakeReply, { kind: "error" }>): void {
  sendJson(
    res,
    reply.status,
    {
      type: "error",
      error: { type: reply.type ?? ERROR_TYPES[reply.status] ?? "api_error", message: reply.message ?? "error" },
    },
    { "request-id": "req_fake_error", ...reply.headers },
  );
}
