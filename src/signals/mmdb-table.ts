/**
 * A MaxMind-format (.mmdb) IP table as an `IpLookup`, read with the `maxmind` library from bytes
 * the caller loaded (no file access here). Field names follow MaxMind's own databases so GeoLite2
 * ASN/Country and GeoIP2 Anonymous-IP style records work, plus a flat form for custom tables:
 * - ASN: `autonomous_system_number` or `asn`; org: `autonomous_system_organization` or `org`
 * - country: `country.iso_code`, `registered_country.iso_code` or `country` (a string)
 * - kind: `kind` (a string), else `is_tor_exit_node` → tor, `is_anonymous_vpn` → vpn,
 *   `is_public_proxy`/`is_residential_proxy` → proxy, `is_hosting_provider` → hosting; else unknown
 */
import { Reader } from 'maxmind';
import type { Response } from 'maxmind';
import { NETWORK_KINDS } from '../model/index.js';
import type { NetworkKind } from '../model/index.js';
import { formatIpv4 } from './ipv4.js';
import type { IpLookup, NetworkInfo } from './ip-table.js';

type MmdbRecord = Response & Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function isoCode(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value.toUpperCase();
  if (typeof value === 'object' && value !== null && 'iso_code' in value) return text((value as { iso_code: unknown }).iso_code);
  return null;
}

function kindOf(record: MmdbRecord): NetworkKind {
  const named = text(record['kind'])?.toLowerCase();
  if (named !== undefined && (NETWORK_KINDS as readonly string[]).includes(named)) return named as NetworkKind;
  if (record['is_tor_exit_node'] === true) return 'tor';
  if (record['is_anonymous_vpn'] === true) return 'vpn';
  if (record['is_public_proxy'] === true || record['is_residential_proxy'] === true) return 'proxy';
  if (record['is_hosting_provider'] === true) return 'hosting';
  return 'unknown';
}

/** A NetworkInfo from one .mmdb record and the prefix it was found under. */
export function networkFromMmdb(record: MmdbRecord, ip: number, prefix: number): NetworkInfo {
  const size = 2 ** (32 - prefix);
  const asnValue = record['autonomous_system_number'] ?? record['asn'];
  return {
    cidr: `${formatIpv4(ip - (ip % size))}/${prefix}`,
    asn: typeof asnValue === 'number' && Number.isInteger(asnValue) ? asnValue : null,
    org: text(record['autonomous_system_organization']) ?? text(record['org']),
    country: isoCode(record['country']) ?? isoCode(record['registered_country']),
    kind: kindOf(record),
  };
}

/**
 * Wraps .mmdb bytes as a lookup. Results are cached per /24-free address in a small map, since
 * sign-up traffic repeats addresses. Throws the library's error for bytes that are not an .mmdb
 * (the caller names the file).
 * @example const table = mmdbLookup(await readFile('asn.mmdb')); table.lookup(parseIpv4('203.0.113.5'))
 */
export function mmdbLookup(bytes: Buffer): IpLookup {
  const reader = new Reader<MmdbRecord>(bytes);
  const cache = new Map<number, NetworkInfo | null>();
  return {
    size: reader.metadata.nodeCount,
    lookup(ip: number): NetworkInfo | null {
      if (ip < 0) return null;
      const cached = cache.get(ip);
      if (cached !== undefined) return cached;
      const [record, prefix] = reader.getWithPrefixLength(formatIpv4(ip));
      // An IPv4 lookup in an IPv6 tree reports the prefix in IPv6 bits (IPv4 sits under ::/96).
      const info = record === null ? null : networkFromMmdb(record, ip, reader.metadata.ipVersion === 6 ? Math.max(0, prefix - 96) : prefix);
      if (cache.size > 100_000) cache.clear();
      cache.set(ip, info);
      return info;
    },
  };
}
