/** A minimal HTTP forward proxy (CONNECT tunnels and absolute-URI requests) that counts what it relays. */
import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

export class FakeProxy {
  readonly seen: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeProxy> {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const proxy = new FakeProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("connect", (req, client: Socket, head) => {
      proxy.seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on("error", () => socket.destroy());
      }
    });
    server.on("request", (req, res) => {
      proxy.seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? "");
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      });
      upstream.on("error", () => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end("bad gateway");
      });
      req.pipe(upstream);
    });
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close").catch(() => undefined);
  }
}
