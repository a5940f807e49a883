/**
 * Keeps secrets out of error messages, the database and the terminal. Providers may
 * echo a key back in an error body ("invalid x-api-key sk-ant-…"); everything that
 * builds, stores or prints such a message passes it through `redact`. Two nets: the
 * keys hob was configured with (registered when config loads), and the shapes of
 * common keys and tokens, for keys hob never saw. Dependency-free, like the rest of
 * this room.
 */

const known = new Set<string>();

/** Remembers configured secrets (API keys) so any message that contains one is redacted. */
export function registerSecrets(...values: Array<string | undefined | null>): void {
  for (const value of values) {
    // Very short values would redact ordinary words; real keys are long.
    if (value && value.length >= 8) known.add(value);
  }
}

const SHAPES: Array<[RegExp, (match: string) => string]> = [
  // Anthropic keys first (they also start with "sk-").
  [/sk-ant-[A-Za-z0-9_-]{4,}/g, () => "sk-ant-…[redacted]"],
  // OpenAI-style and LiteLLM virtual keys.
  [/\bsk-[A-Za-z0-9_-]{8,}/g, () => "sk-…[redacted]"],
  // Authorization headers and bearer tokens echoed back.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (m) => `${m.split(/\s+/)[0]} …[redacted]`],
  // `api_key=…`, `"x-api-key": "…"`, `X-Subscription-Token: …` in echoed requests.
  [
    /\b(api[_-]?key|x-api-key|subscription[_-]?token|access[_-]?token)(["']?\s*[:=]\s*["']?)[^\s"',;&]{8,}/gi,
    (m) =>
      m.replace(
        /^((?:api[_-]?key|x-api-key|subscription[_-]?token|access[_-]?token)["']?\s*[:=]\s*["']?).*$/i,
        "$1…[redacted]",
      ),
  ],
];

/** The text with every registered secret and anything shaped like a key or token replaced. */
export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(mask(secret));
  }
  for (const [pattern, replace] of SHAPES) out = out.replace(pattern, replace);
  return out;
}

/** How a secret is shown when it must be recognisable: its prefix and last four characters, `sk-ant-…Xy12`. */
export function mask(secret: string): string {
  const prefix = /^(sk-ant-|sk-|[A-Za-z]{2,6}[-_])/.exec(secret)?.[1] ?? "";
  return secret.length < 12 ? "…[redacted]" : `${prefix}…${secret.slice(-4)}`;
}
