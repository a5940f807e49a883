import { HobError, isHobError } from "../errors/index.js";
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

function hostAllowed(limits: FetchLimits, url: URL): boolean {
  return limits.allowPrivateHosts.some((entry) => entry === url.hostname || entry === url.host);
}

/**
 * Fetches a page for an agent: http(s) only, never a private address (checked for the
 * URL, at connect time, and for every redirect), at most `maxBytes`, within
 * `timeoutMs`, and reduced to readable text.
 */
export async function fetchPage(rawUrl: string, limits: FetchLimits, signal?: AbortSignal): Promise<Page> {
  const { Agent, fetch: undiciFetch } = await import("undici");
  let url = parseUrl(rawUrl);
  const dispatcher = new Agent({
    connect: {
      lookup: guardedLookup((host) =>
        limits.allowPrivateHosts.some((h) => h === host || h.startsWith(`${host}:`)),
      ) as never,
    },
  });
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    for (let hop = 0; ; hop++) {
      checkUrl(url, limits);
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
        url = parseUrl(new URL(response.headers.get("location") as string, url).href);
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
      return { url: url.href, ...(await extract(body, type, url.href)), truncated };
    }
  } finally {
    await dispatcher.close();
  }
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new HobError("E_TOOL", `"${raw}" is not a URL.`);
  }
}

function checkUrl(url: URL, limits: FetchLimits): void {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw refusal(url.href, `${url.protocol} URLs are not fetched`);
  if (url.username || url.password) throw refusal(url.href, "URLs with credentials are not fetched");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = /^[\d.]+$|:/.test(host);
  if ((literal && isPrivateAddress(host)) || host === "localhost" || host.endsWith(".localhost")) {
    if (!hostAllowed(limits, url)) throw refusal(url.href, "it is a local or private address");
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

/** Readable text: Mozilla's Readability over the HTML (loaded on first use), or the text as it is. */
async function extract(body: string, type: string, url: string): Promise<{ title: string; text: string }> {
  if (!type.includes("html")) return { title: url, text: body.slice(0, 20_000) };
  const [{ Readability }, { parseHTML }] = await Promise.all([import("@mozilla/readability"), import("linkedom")]);
  const { document } = parseHTML(body);
  const article = new Readability(document as never).parse();
  const text = (article?.textContent ?? document.body?.textContent ?? "")
    .replace(/\s+\n/g, "\n")
    .replace(/[ \t]+/g, " ")
    .trim();
  return { title: article?.title || document.title || url, text: text.slice(0, 20_000) };
}
