/** Shared plumbing of the fake provider servers: a loopback port, a request log, a reply queue. */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are free-form JSON in tests
  body: any;
}

export abstract class FakeServer<Reply> {
  readonly requests: RecordedRequest[] = [];
  protected readonly queue: Reply[] = [];
  protected server!: Server;
  url = "";

  protected abstract handle(request: RecordedRequest, res: ServerResponse): Promise<void> | void;

  /** Listens on a free loopback port; `url` is then `http://127.0.0.1:PORT`. */
  async listen(): Promise<this> {
    this.server = createServer((req, res) => {
      this.receive(req, res).catch((error) => res.destroy(error as Error));
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Replies used in order, one per model request; then the server's default reply. */
  enqueue(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Forgets requests and unused replies (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close").catch(() => undefined);
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body: raw ? JSON.parse(raw) : {},
    };
    this.requests.push(request);
    await this.handle(request, res);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function splitText(text: string, parts: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
