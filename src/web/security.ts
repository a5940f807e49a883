import { createHmac, randomBytes } from "node:crypto";
import { sameSecret } from "./token.js";

/** The headers every response carries: no framing, no sniffing, no referrer, only our own resources. */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export const SESSION_COOKIE = "hob_session";
export const CSRF_HEADER = "x-hob-csrf";
export const SESSION_MAX_AGE_S = 12 * 3600;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `host:port` as a Host header names it (IPv6 in brackets). */
export function hostWithPort(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return `${bare.includes(":") ? `[${bare}]` : bare}:${port}`.toLowerCase();
}

/**
 * The Host headers this server answers (DNS rebinding: a page on evil.example that
 * resolves to 127.0.0.1 still sends `Host: evil.example`): the loopback names with the
 * port, and the configured host unless it is a wildcard address.
 */
export function allowedHosts(host: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set(["127.0.0.1", "localhost", "::1"].map((h) => hostWithPort(h, port)));
  if (host !== "0.0.0.0" && host !== "::" && host !== "[::]") hosts.add(hostWithPort(host, port));
  for (const name of extra) hosts.add(hostWithPort(name, port));
  return hosts;
}

/**
 * Every value the cookie header carries for a name. All of them, not the first: cookies ignore
 * ports, so a page on another port of 127.0.0.1 can set a decoy of the same name that the
 * browser sends first; taking only the first would log the user out.
 */
export function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) values.push(part.slice(at + 1).trim());
  }
  return values.slice(0, 8);
}

/**
 * Sessions ended by log-out. A session is a stateless HMAC, so clearing the browser's cookie
 * alone would leave a copied cookie valid until it expires; log-out records it here until then.
 * Kept in memory: a restart of hob serve forgets them (rotate the token to end every session).
 */
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();

  revoke(value: string, now: number): void {
    for (const [old, at] of this.revoked) if (now - at > SESSION_MAX_AGE_S * 1000) this.revoked.delete(old);
    if (this.revoked.size < 10_000) this.revoked.set(value, now);
  }

  has(value: string): boolean {
    return this.revoked.has(value);
  }
}

function mac(token: string, payload: string): string {
  return createHmac("sha256", token).update(`hob-session:${payload}`).digest("base64url");
}

/** A session cookie value bound to the token: rotating the token ends every session made with the old one. */
export function newSession(token: string, now: number): string {
  const payload = `${Math.floor(now / 1000)}.${randomBytes(16).toString("base64url")}`;
  return `${payload}.${mac(token, payload)}`;
}

export function validSession(value: string, token: string, now: number): boolean {
  const parts = value.split(".");
  if (parts.length !== 3) return false;
  const [issued = "", nonce = "", given = ""] = parts;
  if (!/^\d{1,12}$/.test(issued) || !/^[A-Za-z0-9_-]{10,64}$/.test(nonce)) return false;
  if (!sameSecret(given, mac(token, `${issued}.${nonce}`))) return false;
  const age = now / 1000 - Number(issued);
  return age >= -60 && age < SESSION_MAX_AGE_S;
}

export function sessionCookie(value: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
