/**
 * The fetch that providers use. Node 20's global fetch ignores HTTPS_PROXY, so when a
 * proxy is configured hob routes requests through undici's EnvHttpProxyAgent (which
 * also honours NO_PROXY). Without a proxy the global fetch is used as it is.
 */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export async function createFetch(proxy: ProxySettings | undefined): Promise<typeof fetch> {
  if (!proxy) return globalThis.fetch;
  // Loaded only when a proxy is set, so the common path does not pay for it.
  const { EnvHttpProxyAgent, fetch: undiciFetch } = await import("undici");
  const dispatcher = new EnvHttpProxyAgent(proxy);
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}
