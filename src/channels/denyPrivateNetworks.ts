/**
 * An `allowUrl` check for notifier URLs that tenants (or other untrusted users) configure:
 * refuses hosts that resolve to loopback, private, link-local and other non-public addresses.
 * Node only: it resolves host names with `node:dns`, so it is exported from
 * `incidentkit/notifiers`, never from the runtime-neutral core entry.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** `[first address, prefix length]` of IPv4 blocks that are not public unicast. */
const BLOCKED_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including cloud metadata at 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
];

function v4ToNumber(address: string): number {
  const parts = address.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function isPublicV4(value: number): boolean {
  return BLOCKED_V4.every(([first, prefix]) => {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return ((value & mask) >>> 0) !== ((v4ToNumber(first) & mask) >>> 0);
  });
}

/** The eight 16-bit groups of an IPv6 address (already checked with `isIP`), without a zone. */
function v6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const groups: number[] = [];
  // A trailing dotted IPv4 part (::ffff:127.0.0.1) is two groups.
  const last = text.slice(text.lastIndexOf(':') + 1);
  let tail: number[] = [];
  if (last.includes('.')) {
    const v4 = v4ToNumber(last);
    tail = [v4 >>> 16, v4 & 0xffff];
    text = text.slice(0, -last.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const left = parse(head);
  const right = [...(rest === undefined ? [] : parse(rest)), ...tail];
  if (rest === undefined) return [...left, ...right];
  groups.push(...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right);
  return groups;
}

function isPublicV6(address: string): boolean {
  const g = v6Groups(address);
  if (g.length !== 8) return false;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): judge the IPv4 address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0 || g5 === 0xffff)) {
    return g5 === 0xffff ? isPublicV4(embeddedV4) : false;
  }
  // NAT64 (64:ff9b::/96) carries an IPv4 address; the local-use prefix 64:ff9b:1::/48 is refused.
  if (g0 === 0x64 && g1 === 0xff9b) return g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && isPublicV4(embeddedV4);
  // Only global unicast (2000::/3) is public: this refuses ULA fc00::/7, link-local fe80::/10,
  // site-local fec0::/10, multicast ff00::/8 and every reserved block.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if (g0 === 0x2001 && g1 === 0) return false; // Teredo tunnels to an IPv4 address
  if (g0 === 0x2002) return isPublicV4(((g1 << 16) | g2) >>> 0); // 6to4 carries an IPv4 address
  return true;
}

/**
 * Whether `address` is an IP address on the public internet: `false` for loopback, private,
 * link-local, carrier-grade NAT, unique-local, multicast, documentation and reserved addresses,
 * for IPv6 forms that carry such an IPv4 address (IPv4-mapped `::ffff:127.0.0.1`, NAT64, 6to4),
 * and for anything that is not an IP address.
 *
 * @example
 * ```ts
 * import { isPublicAddress } from 'incidentkit/notifiers';
 *
 * isPublicAddress('169.254.169.254'); // false: cloud metadata
 * isPublicAddress('::ffff:10.0.0.1'); // false: a private IPv4 address in IPv6 form
 * isPublicAddress('8.8.8.8'); // true
 * ```
 * @throws Never: anything it cannot read is not public.
 */
export function isPublicAddress(address: string): boolean {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(unbracketed.split('%')[0] ?? '');
  if (version === 4) return isPublicV4(v4ToNumber(unbracketed));
  if (version === 6) return isPublicV6(unbracketed);
  return false;
}

/**
 * An `allowUrl` check for the webhook, Slack and Teams notifiers that refuses URLs whose host
 * is, or resolves to, an address that is not public (see {@link isPublicAddress}): loopback
 * (`127.0.0.0/8`, `::1`, `localhost`), private (`10/8`, `172.16/12`, `192.168/16`), link-local
 * (`169.254/16` with the cloud metadata endpoint `169.254.169.254`, `fe80::/10`), CGNAT
 * (`100.64/10`), unique-local (`fc00::/7`), `0.0.0.0/8`, multicast and reserved blocks, and the
 * IPv4-mapped IPv6 forms of all of these. Every address the host resolves to must be public.
 *
 * @remarks Use it where tenants or other untrusted users configure notifier URLs. It resolves
 * the host with `dns.lookup` (as Node's `fetch` does) before each send, and `fetch` resolves it
 * again when it connects: a DNS server that answers differently the second time (DNS rebinding)
 * gets past this check. For a guarantee, send through an egress proxy that refuses private
 * networks, or a `fetch` that checks the address it connects to. Redirects are never followed,
 * so a public URL cannot redirect to a private one. Node only (`node:dns`).
 *
 * @example
 * ```ts
 * import { webhookNotifier } from 'incidentkit';
 * import { denyPrivateNetworks } from 'incidentkit/notifiers';
 *
 * const tenantUrl = 'https://hooks.tenant.example/incidents'; // configured by a tenant
 * const hook = webhookNotifier({ url: tenantUrl, allowUrl: denyPrivateNetworks });
 * ```
 * @throws The resolver's error when the host cannot be resolved (e.g. `ENOTFOUND`); the
 * notifiers report that as a retryable failure.
 */
export async function denyPrivateNetworks(url: URL): Promise<boolean> {
  const host = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') return false;
  if (isIP(host) !== 0) return isPublicAddress(host);
  const addresses = await lookup(host, { all: true, verbatim: true });
  return addresses.length > 0 && addresses.every(({ address }) => isPublicAddress(address));
}
