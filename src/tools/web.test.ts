import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureWeb } from "../../test/fakes/web.js";
import { failure } from "../../test/helpers.js";
import { extract, nestingDepth } from "./extract.js";
import { brave, fetchPage, isPrivateAddress, searxng } from "./index.js";
import { guardedLookup } from "./ssrf.js";
import type { ToolContext } from "./types.js";
import { privateHostAllowed } from "./web.js";
import { fetchUrl } from "./web-tools.js";

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
    // IPv6 forms that carry an IPv4 address inside (NAT64, 6to4, Teredo) are refused too.
    for (const wrapped of ["64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2001:0:4136:e378::1"])
      expect(isPrivateAddress(wrapped), wrapped).toBe(true);
    expect(isPrivateAddress("2606:4700::1111")).toBe(false);
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

  describe("redirects are approved hop by hop", () => {
    // The approved host is 127.0.0.1; "localhost" stands for some other, unapproved domain.
    const otherHost = () => `localhost:${new URL(dashboard.url).port}`;
    const both = () => ({ ...limits(), allowPrivateHosts: [allowed, otherHost()] });
    const onlyApproved = (to: URL) => {
      if (to.hostname !== "127.0.0.1") throw new Error(`not approved: ${to.hostname}`);
    };

    it("refuses an open redirect to an unapproved domain before requesting it, and never approves the target", async () => {
      dashboard.reset();
      const approved = new Set(["127.0.0.1"]);
      const ctx = {
        fetchLimits: both(),
        sources: new Set<string>(),
        domainApproved: (domain: string) => approved.has(domain),
        approveDomain: (domain: string) => approved.add(domain),
      } as unknown as ToolContext;
      const target = `http://${otherHost()}/octopus?session=SECRET-TOKEN`;
      const error = await failure(fetchUrl.execute({ url: `${web.url}/go?to=${encodeURIComponent(target)}` }, ctx));
      expect(error.code).toBe("E_APPROVAL");
      expect(error.message).toContain("localhost is not an approved domain");
      expect(dashboard.requests).toHaveLength(0); // the query string never left
      expect([...approved]).toEqual(["127.0.0.1"]);
      // Once the user approved the other domain, the same redirect is followed; only the asked-for host is stored.
      approved.add("localhost");
      const text = await fetchUrl.execute({ url: `${web.url}/go?to=${encodeURIComponent(target)}` }, ctx);
      expect(text).toContain("three hearts");
      expect(dashboard.requests).toHaveLength(1);
    });

    it("checks every hop of a chain, and follows hops that stay on approved hosts", async () => {
      dashboard.reset();
      const final = `${web.url}/octopus`;
      const chain = `${web.url}/go?to=${encodeURIComponent(`${web.url}/go?to=${encodeURIComponent(final)}`)}`;
      const seen: string[] = [];
      const page = await fetchPage(chain, both(), undefined, (to) => {
        seen.push(to.pathname);
        onlyApproved(to);
      });
      expect(page.text).toContain("three hearts");
      expect(seen).toEqual(["/go", "/octopus"]);
      // A chain that leaves on its third hop is stopped there.
      const away = `${web.url}/go?to=${encodeURIComponent(`${web.url}/go?to=${encodeURIComponent(`http://${otherHost()}/octopus`)}`)}`;
      await expect(fetchPage(away, both(), undefined, onlyApproved)).rejects.toThrow(/not approved: localhost/);
      expect(dashboard.requests).toHaveLength(0);
    });

    it("refuses a redirect to a private address even when the redirect check would allow it", async () => {
      const error = await failure(
        fetchPage(`${web.url}/go?to=${encodeURIComponent("http://10.0.0.1/admin")}`, limits(), undefined, () => {}),
      );
      expect(error.code).toBe("E_SANDBOX");
    });
  });

  describe("allow_private_hosts compares the port for every form of host", () => {
    const port = new URL("http://127.0.0.1:8080/").port;
    it.each([
      ["a name", "searx.lan:8080", "http://searx.lan:8080/", "http://searx.lan:9090/"],
      ["IPv4", "10.0.0.5:8080", "http://10.0.0.5:8080/", "http://10.0.0.5/"],
      ["IPv6", "[fd00::1]:8080", "http://[fd00::1]:8080/", "http://[fd00::1]:8081/"],
      ["localhost", "localhost:8080", "http://localhost:8080/", "http://localhost:80/"],
      ["a default port", "searx.lan:80", "http://searx.lan/", "https://searx.lan/"],
    ])("%s", (_name, entry, good, bad) => {
      expect(port).toBe("8080");
      expect(privateHostAllowed([entry], new URL(good))).toBe(true);
      expect(privateHostAllowed([entry], new URL(bad))).toBe(false);
    });

    it("allows any port when the entry names none, and compares hosts in normal form", () => {
      expect(privateHostAllowed(["SearX.lan"], new URL("http://searx.lan:1234/"))).toBe(true);
      expect(privateHostAllowed(["::1"], new URL("http://[0:0::1]:99/"))).toBe(true);
      expect(privateHostAllowed(["searx.lan"], new URL("http://searx.lan.evil.com/"))).toBe(false);
    });

    it("refuses a named host on another port than the allowed one at connect time", async () => {
      const name = hostname();
      const resolved = await lookup(name).catch(() => undefined);
      // Needs the machine's own name to resolve to a private address (it does in /etc/hosts almost everywhere).
      if (!resolved || !isPrivateAddress(resolved.address)) return;
      const webPort = new URL(web.url).port;
      const error = await failure(
        fetchPage(`http://${name}:${webPort}/octopus`, { ...limits(), allowPrivateHosts: [`${name}:1`] }),
      );
      expect(error.code).toBe("E_SANDBOX");
      expect(error.message).toMatch(/resolves to the private address/);
    });
  });

  describe("Readability is bounded", () => {
    it("reads a page of 2,500 nested divs within the fetch deadline", async () => {
      const started = Date.now();
      const page = await fetchPage(`${web.url}/nested?depth=2500`, { ...limits(), timeoutMs: 3_000 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(page.text).toContain("three hearts and blue blood");
      expect(page.title).toBe("Nested");
    });

    it("measures nesting cheaply, and stops Readability at its deadline", async () => {
      const deep = `<html><body>${"<div>".repeat(900)}text${"</div>".repeat(900)}</body></html>`;
      expect(nestingDepth(deep)).toBe(902);
      expect(nestingDepth("<p>a<br>b<img src=x/></p><p>c</p>")).toBe(1);
      expect(nestingDepth("<".repeat(100_000))).toBe(0);
      const started = Date.now();
      const error = await failure(extract(deep, "text/html", "http://x/", { deadlineMs: 1_000, maxDepth: 10_000 }));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(error.code).toBe("E_TOOL");
      expect(error.message).toMatch(/took longer than 1\.0 s and was stopped/);
    });
  });
});
