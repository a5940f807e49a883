import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { HobError } from "../errors/index.js";

/** Loopback, private, link-local (cloud metadata lives at 169.254.169.254), CGNAT, multicast, unspecified. */
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  // Translation prefixes that embed an IPv4 address (NAT64, 6to4, Teredo): they can reach private IPv4 space.
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["2001::", 32],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1] as string, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

export function refusal(url: string, why: string): HobError {
  return new HobError("E_SANDBOX", `Refused to fetch ${url}: ${why}.`, {
    hint: "hob does not fetch local, private or link-local addresses; allow a host with research.fetch.allow_private_hosts.",
  });
}

/**
 * The DNS lookup used for the actual connection: every address a name resolves to
 * is checked, so a name that points at 127.0.0.1 (or rebinds to it) is refused at
 * connect time, not only when the URL is first looked at.
 */
export function guardedLookup(allowed: (host: string) => boolean) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, "");
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad && !allowed(hostname)) {
        return callback(
          Object.assign(refusal(hostname, `it resolves to the private address ${bad.address}`), { code: "E_SANDBOX" }),
          "",
        );
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
