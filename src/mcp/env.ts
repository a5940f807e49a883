/**
 * What an unsandboxed stdio MCP server's environment starts from: only what running a
 * program needs (where programs are, whose home, language, terminal, time zone, where
 * temporary files and extra CA certificates go). Nothing else of hob's environment, so
 * none of its keys or tokens, gets in; the server's own `env:` adds what it needs.
 * (A sandboxed server gets the sandbox's fixed basics instead: PATH, HOME=/tmp, LANG.)
 */
export const BASIC_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
] as const;

export function serverEnvironment(user: NodeJS.ProcessEnv, declared: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASIC_ENV) {
    const value = user[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...declared };
}
