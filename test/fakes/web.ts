/**
 * A small web for the research agent: article pages, redirects (a fixed one and an open
 * one), a huge page, a slow one, a deeply nested one, an image, and a fake SearXNG.
 */
import type { ServerResponse } from "node:http";
import { FakeServer, pause, type RecordedRequest, sendJson } from "./fake-server.js";

export const ARTICLE_TEXT =
  "Octopuses have three hearts and blue blood, which carries oxygen with copper-based hemocyanin.";

export class FixtureWeb extends FakeServer<never> {
  /** Where /redirect sends the client. */
  redirectTo = "http://169.254.169.254/latest/meta-data/";

  static start(): Promise<FixtureWeb> {
    return new FixtureWeb().listen();
  }

  protected async handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const path = request.path.split("?")[0];
    if (path === "/search") {
      // SearXNG's JSON API shape.
      const query = new URL(request.path, this.url).searchParams.get("q") ?? "";
      return sendJson(res, 200, {
        query,
        results: [
          { url: `${this.url}/octopus`, title: "Octopus facts", content: "Three hearts and blue blood." },
          { url: `${this.url}/other`, title: "Unrelated", content: "Nothing here." },
        ],
      });
    }
    if (path === "/res/v1/web/search") {
      // The Brave Search API's shape; it needs the subscription token.
      if (request.headers["x-subscription-token"] !== "brave-test-key")
        return sendJson(res, 401, { error: "unauthorized" });
      return sendJson(res, 200, {
        web: { results: [{ title: "Octopus facts", url: `${this.url}/octopus`, description: "Three hearts." }] },
      });
    }
    if (path === "/octopus") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html><head><title>Octopus facts</title></head><body><nav>Home | About</nav><article><h1>Octopus facts</h1><p>${ARTICLE_TEXT}</p><p>They are clever invertebrates that can open jars and escape aquariums, and each arm has its own cluster of neurons.</p></article><footer>© fixture</footer></body></html>`,
      );
      return;
    }
    if (path === "/redirect") {
      res.writeHead(302, { location: this.redirectTo });
      res.end();
      return;
    }
    if (path === "/go") {
      // An open redirect: sends the client wherever `to` says (the classic phishing helper).
      res.writeHead(302, { location: new URL(request.path, this.url).searchParams.get("to") ?? "/" });
      res.end();
      return;
    }
    if (path === "/nested") {
      // Readability's worst case: thousands of nested divs in a few kilobytes.
      const depth = Number(new URL(request.path, this.url).searchParams.get("depth") ?? 2500);
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        `<html><head><title>Nested</title></head><body>${"<div>".repeat(depth)}${ARTICLE_TEXT}${"</div>".repeat(depth)}</body></html>`,
      );
      return;
    }
    if (path === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("x".repeat(500_000));
      return;
    }
    if (path === "/slow") {
      await pause(5_000);
      res.end("late");
      return;
    }
    if (path === "/image") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }
}
