import { registerSecrets } from "../../errors/index.js";

/**
 * A server URL as hob shows it: without a user or password it may carry (the Chroma client
 * does not use them). The password is registered as a secret, so no error echoes it either.
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    registerSecrets(decodeURIComponent(parsed.password), parsed.password);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(memory.chroma_url, not a URL)";
  }
}
