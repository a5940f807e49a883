import { HobError, isHobError } from "../errors/index.js";
import { extract } from "./extract.js";
import { guardedLookup, isPrivateAddress, refusal } from "./ssrf.js";

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export interface SearchProvider {
  readonly name: string;
  search(query: string, signal?: AbortSignal): Promise<SearchResult[]>;
}

export interface FetchLimits {
  /** Hosts (`name` or `name:port`) that may be private, e.g. a SearXNG on localhost. */
  allowPrivateHosts: string[];
  maxBytes: number;
  timeoutMs: number;
}

export interface Page {
  url: string;
  title: string;
  text: string;
  truncated: boolean;
}

/** A SearXNG instance's JSON API (`/search?format=json`; the instance must enable the json format). */
export function searxng(baseUrl: string, fetcher: typeof fetch = fetch): SearchProvider {
  return {
    name: "searxng",
    async search(query, signal) {
      const url = `${baseUrl.replace(/\/+$/, "")}/search?q=${encodeURIComponent(query)}&format=json`;
      const body = (await getJson(fetcher, url, {}, signal, "SearXNG")) as {
        results?: Array<{ title?: string; url?: string; content?: string }>;
      };
      return (body.results ?? [])
        .slice(0, 10)
        .map((r) => ({ title: r.title ?? "", url: r.url ?? "", snippet: r.content ?? "" }));
    },
  };
}

/** The Brave Search API (hosted; needs an API key). */
export function brave(
  apiKey: string,
  baseUrl = "https://api.search.brave.com",
  fetcher: typeof fetch = fetch,
): SearchProvider {
  return {
    name: "brave",
    async search(query, signal) {
      const url = `${baseUrl.replace(/\/+$/, "")}/res/v1/web/search?q=${encodeURIComponent(query)}&count=10`;
      const body = (await getJson(
        fetcher,
        url,
        { "X-Subscription-Token": apiKey, Accept: "application/json" },
        signal,
        "Brave Search",
      )) as {
        web?: { results?: Array<{ title?: string; url?: string; description?: string }> };
      };
      return (body.web?.results ?? []).map((r) => ({
        title: r.title ?? "",
        url: r.url ?? "",
        snippet: r.description ?? "",
      }));
    },
  };
}

async function getJson(
  fetcher: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  name: string,
) {
  let response: Response;
  try {
    response = await fetcher(url, {
      headers,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(15_000)]) : AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new HobError("E_NETWORK", `Cannot reach ${name}: ${(error as Error).message}.`, {
      cause: error,
      retryable: true,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new HobError("E_TOOL", `${name} answered ${response.status}.`, {
      hint:
        response.status === 401 || response.status === 403
          ? "Check the search API key in hob.yaml (research.search)."
          : undefined,
    });
  }
  return response.json();
}

/**
 * Whether `url` is on the private-host allow list. An entry without a port allows the
 * host on any port; an entry with one (`name:8080`, `10.0.0.5:80`, `[::1]:8080`,
 * `localhost:8888`) allows only that port, for every form of host alike. Hosts are
 * compared in the URL parser's normal form (lower case, canonical IPv4 and IPv6).
 */
export function privateHostAllowed(allowPrivateHosts: string[], url: URL): boolean {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return allowPrivateHosts.some((entry) => {
    const parsed = parseHostEntry(entry);
    return (
      parsed !== undefined && parsed.hostname === url.hostname && (parsed.port === undefined || parsed.port === port)
    );
  });
}

function parseHostEntry(entry: string): { hostname: string; port: number | undefined } | undefined {
  const trimmed = entry.trim();
  // A bare IPv6 literal ("::1") has colons but no brackets and no port.
  const bareV6 = !trimmed.startsWith("[") && (trimmed.match(/:/g) ?? []).length > 1;
  const match = bareV6 ? [trimmed, `[${trimmed}]`, undefined] : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(trimmed);
  if (!match) return undefined;
  try {
    return {
      hostname: new URL(`http://${match[1]}`).hostname,
      port: match[2] === undefined ? undefined : Number(match[2]),
    };
  } catch {
    return undefined;
  }
}

/** Decides whether a redirect may be followed; throws to refuse. Called before the new URL is requested. */
export type RedirectCheck = (to: URL, from: URL) => void;

/**
 * Fetches a page for an agent: http(s) only, never a private address (checked for the
 * URL, at connect time, and for every redirect), at most `maxBytes`, within
 * `timeoutMs`, and reduced to readable text. Redirects are followed by hand, and each
 * hop is checked (SSRF rules and `mayFollow`) before it is requested.
 */
export async function fetchPage(
  rawUrl: string,
  limits: FetchLimits,
  signal?: AbortSignal,
  mayFollow?: RedirectCheck,
): Promise<Page> {
  const { Agent, fetch: undiciFetch } = await import("undici");
  const startedAt = Date.now();
  let url = parseUrl(rawUrl);
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  for (let hop = 0; ; hop++) {
    checkUrl(url, limits);
    // One connection pool per hop, so the connect-time check knows this hop's exact host and port.
    const privateOk = privateHostAllowed(limits.allowPrivateHosts, url);
    const dispatcher = new Agent({ connect: { lookup: guardedLookup(() => privateOk) as never } });
    try {
      let response: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        response = await undiciFetch(url, {
          dispatcher,
          redirect: "manual",
          signal: combined,
          headers: {
            "user-agent": "hob/0.1 (+research agent)",
            accept: "text/html,text/plain,application/json;q=0.9,*/*;q=0.1",
          },
        });
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (isHobError(cause)) throw cause;
        if (deadline.aborted)
          throw new HobError("E_TIMEOUT", `Fetching ${url.href} took longer than ${limits.timeoutMs / 1000} s.`);
        throw new HobError(
          "E_NETWORK",
          `Cannot fetch ${url.href}: ${(cause as Error)?.message ?? (error as Error).message}.`,
        );
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get("location")) {
        await response.body?.cancel();
        if (hop >= 5) throw new HobError("E_TOOL", `Too many redirects from ${rawUrl}.`);
        const next = parseUrl(new URL(response.headers.get("location") as string, url).href);
        checkUrl(next, limits);
        mayFollow?.(next, url);
        url = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new HobError("E_TOOL", `${url.href} answered ${response.status}.`);
      }
      const type = response.headers.get("content-type") ?? "";
      if (!/text\/|json|xml/.test(type)) {
        await response.body?.cancel();
        throw new HobError("E_TOOL", `${url.href} is ${type || "not text"}; only text pages are read.`);
      }
      const { text: body, truncated } = await readCapped(response.body, limits.maxBytes);
      // Extraction gets what is left of the fetch deadline (at least a second, to start its thread).
      const deadlineMs = Math.max(1_000, limits.timeoutMs - (Date.now() - startedAt));
      return { url: url.href, ...(await extract(body, type, url.href, { deadlineMs })), truncated };
    } finally {
      await dispatcher.close();
    }
  }
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new HobError("E_TOOL", `"${raw}" is not a URL.`);
  }
}

/**
 * What can be refused from the URL alone (scheme, credentials, a literal private address or a
 * localhost name). The fetch tool calls it before asking anyone: approving a fetch that would
 * be refused anyway only trains people to click "yes". Names that resolve to private addresses
 * are refused at connect time (see guardedLookup).
 */
export function checkUrl(url: URL, limits: FetchLimits): void {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw refusal(url.href, `${url.protocol} URLs are not fetched`);
  if (url.username || url.password) throw refusal(url.href, "URLs with credentials are not fetched");
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const literal = /^[\d.]+$|:/.test(host);
  if ((literal && isPrivateAddress(host)) || host === "localhost" || host.endsWith(".localhost")) {
    if (!privateHostAllowed(limits.allowPrivateHosts, url)) throw refusal(url.href, "it is a local or private address");
  }
}

async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!body) return { text: "", truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}
