import { z } from "zod";
import { HobError } from "../errors/index.js";
import type { Tool } from "./types.js";
import { checkUrl, fetchPage } from "./web.js";

export const webSearch: Tool<{ query: string }> = {
  name: "web_search",
  description: "Search the web. Returns titles, URLs and snippets; fetch a URL to read it.",
  params: z.object({ query: z.string().min(1) }),
  readOnly: true,
  async assess(args) {
    return {
      preview: { tool: "web_search", summary: `search the web for "${args.query}"`, targets: [] },
      situations: [],
      fingerprint: "",
    };
  },
  async execute(args, ctx) {
    if (!ctx.search) {
      throw new HobError("E_TOOL", "No web search provider is configured.", {
        hint: "Set research.search.provider (searxng or brave) in hob.yaml.",
      });
    }
    const results = await ctx.search.search(args.query, ctx.signal);
    if (results.length === 0) return "No results.";
    for (const r of results) ctx.sources.add(r.url);
    return results.map((r, i) => `${i + 1}. ${r.title}\n   ${r.url}\n   ${r.snippet}`).join("\n");
  },
};

export const fetchUrl: Tool<{ url: string }> = {
  name: "fetch_url",
  description: "Fetch a web page and return its readable text.",
  params: z.object({ url: z.string().min(1) }),
  readOnly: true,
  async assess(args, ctx) {
    let url: URL;
    try {
      url = new URL(args.url);
    } catch {
      throw new HobError("E_TOOL", `"${args.url}" is not a URL.`);
    }
    checkUrl(url, ctx.fetchLimits); // refused now, before anyone is asked to approve it
    const host = url.hostname;
    return {
      preview: { tool: "fetch_url", summary: `fetch ${args.url}`, targets: [args.url] },
      situations: ctx.domainApproved(host) ? [] : ["new_domain"],
      fingerprint: host,
    };
  },
  async execute(args, ctx) {
    const requested = new URL(args.url);
    // The approval (or allow rule) covers the requested host only: a redirect to any other
    // host must be approved or allowed already, and is checked before it is requested, so
    // an open redirect cannot carry the request (and its query string) somewhere new.
    const page = await fetchPage(args.url, ctx.fetchLimits, ctx.signal, (to, from) => {
      if (to.hostname === requested.hostname || ctx.domainApproved(to.hostname)) return;
      throw new HobError(
        "E_APPROVAL",
        `Did not follow the redirect from ${from.host} to ${to.host}: ${to.hostname} is not an approved domain. ` +
          `To read it, call fetch_url with ${to.href} (the user is asked about that domain).`,
        { hint: `Approve ${to.hostname} when asked, or add it to approvals.allowed_domains in hob.yaml.` },
      );
    });
    // Only the host that was asked about is remembered as approved, never where it redirected.
    ctx.approveDomain(requested.hostname);
    ctx.sources.add(page.url);
    return `# ${page.title}\nSource: ${page.url}\n\n${page.text}${page.truncated ? "\n… (page cut at the size limit)" : ""}`;
  },
};
