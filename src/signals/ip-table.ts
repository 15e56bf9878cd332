/**
 * The IP-network table (CIDR → ASN, org, country, kind) as a longest-prefix lookup. Nested CIDRs
 * are flattened once into disjoint ranges, each owned by its most specific network, so a lookup
 * is one binary search over a typed array (no per-lookup allocation). IPv4 only: IPv6 networks
 * are counted and left out, and IPv6 addresses look up as unknown (callers that must reject them
 * say so by name).
 */
import type { IpNetwork, NetworkKind } from '../model/index.js';
import { formatIpv4, parseCidr4, parseIpv4 } from './ipv4.js';

/** What the table knows of an address. */
export interface NetworkInfo {
  cidr: string;
  asn: number | null;
  org: string | null;
  country: string | null;
  kind: NetworkKind;
}

/** Anything that maps an IPv4 address (as a 32-bit integer) to its network. */
export interface IpLookup {
  lookup(ip: number): NetworkInfo | null;
  /** Networks in the table (IPv4). */
  readonly size: number;
}

/** Kinds of exit that hide where the user is: many unrelated people share them. */
export const ANONYMISING_KINDS: ReadonlySet<NetworkKind> = new Set(['vpn', 'proxy', 'tor', 'hosting']);

/** `ANONYMISING_KINDS.has(kind)` as comparisons of interned strings: the sign-up path asks per registration. */
export function isAnonymisingKind(kind: NetworkKind): boolean {
  switch (kind) {
    case 'vpn': case 'proxy': case 'tor': case 'hosting': return true;
    default: return false;
  }
}

export interface IpTable extends IpLookup {
  /** IPv6 networks left out (IPv6 is not supported). */
  readonly ipv6Skipped: number;
  /** Networks whose CIDR did not parse (with the text, for the caller to report). */
  readonly invalid: readonly string[];
}

/**
 * Builds the lookup from IP-network rows (as the `ip-networks` reader or the store gives them).
 * @example
 * const table = buildIpTable([{ cidr: '198.51.100.0/24', asn: 64500, org: 'Example VPN', country: 'NL', kind: 'vpn' }]);
 * table.lookup(parseIpv4('198.51.100.9'))?.kind // 'vpn'
 */
export function buildIpTable(networks: readonly IpNetwork[]): IpTable {
  const parsed: { start: number; end: number; prefix: number; info: NetworkInfo }[] = [];
  const invalid: string[] = [];
  let ipv6Skipped = 0;
  for (const network of networks) {
    if (network.cidr.includes(':')) { ipv6Skipped += 1; continue; }
    const range = parseCidr4(network.cidr);
    if (range === null) { invalid.push(network.cidr); continue; }
    parsed.push({ ...range, info: { cidr: `${formatIpv4(range.start)}/${range.prefix}`, asn: network.asn, org: network.org, country: network.country, kind: network.kind } });
  }
  // Wider networks first at the same start, so narrower ones nest inside them on the stack.
  parsed.sort((x, y) => x.start - y.start || x.prefix - y.prefix);
  const starts: number[] = [];
  const ends: number[] = [];
  const owners: number[] = [];
  const emit = (start: number, end: number, owner: number): void => {
    if (start <= end) { starts.push(start); ends.push(end); owners.push(owner); }
  };
  const stack: number[] = [];
  let cursor = 0;
  for (let index = 0; index < parsed.length; index++) {
    const next = parsed[index] as (typeof parsed)[number];
    // Close the networks that end before this one starts.
    while (stack.length > 0 && (parsed[stack[stack.length - 1] as number] as (typeof parsed)[number]).end < next.start) {
      const top = stack.pop() as number;
      const end = (parsed[top] as (typeof parsed)[number]).end;
      emit(cursor, end, top);
      cursor = Math.max(cursor, end + 1);
    }
    if (stack.length > 0) emit(cursor, next.start - 1, stack[stack.length - 1] as number);
    cursor = next.start;
    stack.push(index);
  }
  while (stack.length > 0) {
    const top = stack.pop() as number;
    const end = (parsed[top] as (typeof parsed)[number]).end;
    emit(cursor, end, top);
    cursor = Math.max(cursor, end + 1);
  }
  const startArray = Float64Array.from(starts);
  const endArray = Float64Array.from(ends);
  const ownerArray = Int32Array.from(owners);
  const infos = parsed.map((entry) => entry.info);
  return {
    size: parsed.length,
    ipv6Skipped,
    invalid,
    lookup(ip: number): NetworkInfo | null {
      if (ip < 0) return null;
      let lo = 0;
      let hi = startArray.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((startArray[mid] as number) > ip) hi = mid - 1;
        else if ((endArray[mid] as number) < ip) lo = mid + 1;
        else return infos[ownerArray[mid] as number] ?? null;
      }
      return null;
    },
  };
}

/** Looks up dotted-quad text; null for unknown, malformed or IPv6 addresses. */
export function lookupText(table: IpLookup, ip: string): NetworkInfo | null {
  return table.lookup(parseIpv4(ip));
}
