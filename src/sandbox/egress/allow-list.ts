/**
 * What the setup phase may reach through the egress proxy (THREATS.md #25). An entry is
 * `host[:port]`: a name (`*.example.org` matches its subdomains), an IP literal (`[::1]:8080` for
 * IPv6 with a port), or `*` for any host. Without a port an entry allows 443. Only public addresses
 * are reached through a name that did not name them: loopback, private, link-local (the cloud
 * metadata address), carrier-grade NAT and other special ranges are refused unless an entry names
 * that very IP or a host that is not a wildcard — an operator's mirror on a private address must be
 * listed by name.
 */
import { BlockList, isIP } from 'node:net';

export interface AllowEntry {
  /** Lower-case host name, `*`, `*.suffix`, or an IP literal. */
  host: string;
  port: number;
}

export class AllowListError extends Error {}

const DEFAULT_PORT = 443;

export function parseAllowEntry(text: string): AllowEntry {
  const raw = text.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(raw);
  const plain = /^([a-z0-9*][a-z0-9.*-]*|[0-9a-f:]+)$/.exec(raw);
  const withPort = /^([a-z0-9*][a-z0-9.*-]*):(\d+)$/.exec(raw);
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : withPort
      ? [withPort[1], withPort[2]]
      : plain
        ? [plain[1], undefined]
        : [undefined, undefined];
  const n = port === undefined ? DEFAULT_PORT : Number(port);
  const wildcardOk = host !== undefined && (host === '*' || !host.slice(1).includes('*'));
  if (!host || !wildcardOk || (host.startsWith('*') && host !== '*' && !host.startsWith('*.')))
    throw new AllowListError(
      `"${text}" is not host[:port] (e.g. "mirror.example.org", "*.example.org:8443", "127.0.0.1:4873")`,
    );
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AllowListError(`"${text}": port must be 1–65535`);
  return { host, port: n };
}

/** The entry that lets the proxy reach `host:port`, if any (not yet checked against the address). */
export function matchEntry(entries: AllowEntry[], host: string, port: number): AllowEntry | undefined {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return entries.find(
    (e) =>
      e.port === port &&
      (e.host === '*' || e.host === h || (e.host.startsWith('*.') && h.endsWith(e.host.slice(1)))),
  );
}

const SPECIAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  SPECIAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  SPECIAL.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local (169.254.169.254), CGNAT, multicast and similar: never public. */
export function isSpecialAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address;
  const family = isIP(ip as string);
  if (family === 0) return true;
  return SPECIAL.check(ip as string, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * May the proxy connect to `address` (what `host` resolved to) for `entry`? Public addresses always;
 * special ones only when the entry named the host itself (not `*` or `*.suffix`).
 */
export function addressAllowed(entry: AllowEntry, address: string): boolean {
  if (!isSpecialAddress(address)) return true;
  return !entry.host.includes('*');
}
