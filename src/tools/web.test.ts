import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureWeb } from "../../test/fakes/web.js";
import { failure } from "../../test/helpers.js";
import { brave, fetchPage, isPrivateAddress, searxng } from "./index.js";
import { guardedLookup } from "./ssrf.js";

describe("fetch_url's guard and limits (against local fixture servers)", () => {
  let web: FixtureWeb;
  let dashboard: FixtureWeb; // stands for anything local that must stay unreachable
  let allowed: string;
  beforeAll(async () => {
    [web, dashboard] = await Promise.all([FixtureWeb.start(), FixtureWeb.start()]);
    allowed = new URL(web.url).host;
  });
  afterAll(async () => {
    await Promise.all([web.close(), dashboard.close()]);
  });
  const limits = () => ({ allowPrivateHosts: [allowed], maxBytes: 100_000, timeoutMs: 1_000 });

  it("reads a page as readable text, without navigation and footers", async () => {
    const page = await fetchPage(`${web.url}/octopus`, limits());
    expect(page.title).toBe("Octopus facts");
    expect(page.text).toContain("three hearts and blue blood");
    expect(page.text).not.toContain("Home | About");
    expect(page.truncated).toBe(false);
  });

  it.each([
    ["the local dashboard", () => `${dashboard.url}/octopus`, /local or private address/],
    ["localhost", () => `http://localhost:${new URL(dashboard.url).port}/`, /local or private address/],
    ["cloud metadata", () => "http://169.254.169.254/latest/meta-data/", /local or private address/],
    ["a private network", () => "http://10.0.0.1/", /local or private address/],
    ["IPv6 loopback", () => "http://[::1]:8080/", /local or private address/],
    ["an IPv4-mapped IPv6 loopback", () => "http://[::ffff:127.0.0.1]/", /local or private address/],
    ["a file URL", () => "file:///etc/passwd", /file: URLs are not fetched/],
    ["credentials in the URL", () => `http://user:pw@${allowed}/octopus`, /credentials/],
  ])("refuses %s", async (_name, url, reason) => {
    const error = await failure(fetchPage(url(), limits()));
    expect(error.code).toBe("E_SANDBOX");
    expect(error.message).toMatch(reason);
  });

  it("re-checks every redirect: an allowed page cannot bounce the agent to a private address", async () => {
    web.redirectTo = `${dashboard.url}/octopus`;
    const error = await failure(fetchPage(`${web.url}/redirect`, limits()));
    expect(error.code).toBe("E_SANDBOX");
    expect(dashboard.requests).toHaveLength(0);
    web.redirectTo = "http://169.254.169.254/latest/meta-data/";
    expect((await failure(fetchPage(`${web.url}/redirect`, limits()))).code).toBe("E_SANDBOX");
  });

  it("refuses names that resolve to private addresses at connect time", async () => {
    const lookup = guardedLookup(() => false);
    const error = await new Promise<Error | null>((resolve) => lookup("localhost", { all: true }, (e) => resolve(e)));
    expect(error?.message).toMatch(/resolves to the private address/);
    expect(isPrivateAddress("93.184.216.34")).toBe(false);
    expect(isPrivateAddress("fe80::1")).toBe(true);
    expect(isPrivateAddress("not an ip")).toBe(true);
  });

  it("caps size and time, and reads only text", async () => {
    const big = await fetchPage(`${web.url}/big`, { ...limits(), maxBytes: 10_000 });
    expect(big.truncated).toBe(true);
    expect(big.text.length).toBe(10_000);
    const slow = await failure(fetchPage(`${web.url}/slow`, { ...limits(), timeoutMs: 200 }));
    expect(slow.code).toBe("E_TIMEOUT");
    expect((await failure(fetchPage(`${web.url}/image`, limits()))).message).toContain("only text pages");
    expect((await failure(fetchPage(`${web.url}/missing`, limits()))).message).toContain("404");
  });

  it("searches through a SearXNG JSON API", async () => {
    const results = await searxng(web.url).search("octopus hearts");
    expect(results[0]).toEqual({
      title: "Octopus facts",
      url: `${web.url}/octopus`,
      snippet: "Three hearts and blue blood.",
    });
    expect(web.requests.at(-1)?.path).toBe("/search?q=octopus%20hearts&format=json");
  });

  it("searches through the Brave Search API, and explains a rejected key", async () => {
    const results = await brave("brave-test-key", web.url).search("octopus");
    expect(results).toEqual([{ title: "Octopus facts", url: `${web.url}/octopus`, snippet: "Three hearts." }]);
    const error = await failure(brave("wrong-key", web.url).search("octopus"));
    expect(error.message).toContain("answered 401");
    expect(error.hint).toContain("API key");
  });
});
