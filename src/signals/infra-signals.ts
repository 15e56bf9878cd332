/**
 * Infrastructure signals of a cluster from its members' logins joined to the IP-network table:
 * addresses, /24s and ASNs shared between members, the share of logins through VPN, proxy,
 * hosting or Tor exits, the countries of the rest, and the pattern Twitter described in 2019:
 * mostly VPN, but some logins from a few fixed addresses in one country (named here).
 * Every share is set against all accounts' logins in the same data.
 */
import type { InfraObservation } from '../model/index.js';
import { proportionSignal } from './evidence.js';
import type { Signal } from './evidence.js';
import { ANONYMISING_KINDS } from './ip-table.js';
import type { IpLookup, NetworkInfo } from './ip-table.js';
import { formatSlash24, parseIpv4 } from './ipv4.js';

export const INFRA_SIGNAL_DEFAULTS = {
  /** Fixed-address pattern: at least this share of members' logins through anonymising exits ... */
  mostlyAnonymising: 0.5,
  /** ... and the other logins on at most this many addresses ... */
  fixedAddresses: 10,
  /** ... holding at least this share of the non-anonymising logins, in one country. */
  fixedShare: 0.8,
};

/** Per-address and per-network account counts over everybody's logins, computed once. */
export interface InfraBaseline {
  accounts: number;
  logins: number;
  anonymisingLogins: number;
  /** Accounts per address, per /24, per ASN; logins per country (non-anonymising). */
  accountsPerIp: Map<string, number>;
  accountsPer24: Map<number, number>;
  accountsPerAsn: Map<number, number>;
  loginsPerCountry: Map<string, number>;
  countryLogins: number;
  /** Accounts sharing an address / a /24 with another account. */
  sharingIp: number;
  sharing24: number;
}

interface Resolved { actor: string; ip: string; ipValue: number; info: NetworkInfo | null; anonymising: boolean }

function resolve(logins: Iterable<InfraObservation>, lookup: IpLookup): Resolved[] {
  const out: Resolved[] = [];
  for (const login of logins) {
    const ipValue = parseIpv4(login.ip);
    const info = lookup.lookup(ipValue);
    out.push({ actor: login.actorId, ip: login.ip, ipValue, info, anonymising: info !== null && ANONYMISING_KINDS.has(info.kind) });
  }
  return out;
}

function accountsPer<K>(rows: readonly Resolved[], key: (row: Resolved) => K | null): Map<K, Set<string>> {
  const map = new Map<K, Set<string>>();
  for (const row of rows) {
    const k = key(row);
    if (k === null) continue;
    let set = map.get(k);
    if (set === undefined) map.set(k, (set = new Set()));
    set.add(row.actor);
  }
  return map;
}

/** Accounts that share a key with at least one other account. */
function sharing<K>(per: Map<K, Set<string>>): Set<string> {
  const out = new Set<string>();
  for (const accounts of per.values()) if (accounts.size >= 2) for (const account of accounts) out.add(account);
  return out;
}

const count = <K>(per: Map<K, Set<string>>): Map<K, number> => new Map([...per].map(([key, accounts]) => [key, accounts.size]));
// Anonymising exits and mobile carrier NAT are shared by strangers by design; sharing counts the other addresses.
const shareable = (row: Resolved): boolean => !row.anonymising && row.ipValue >= 0 && row.info?.kind !== 'mobile';
const ownAddress = (row: Resolved): string | null => (shareable(row) ? row.ip : null);
const own24 = (row: Resolved): number | null => (shareable(row) ? row.ipValue - (row.ipValue % 256) : null);

/** The baseline over all accounts' logins. */
export function infraBaseline(logins: Iterable<InfraObservation>, lookup: IpLookup): InfraBaseline {
  const rows = resolve(logins, lookup);
  const perIp = accountsPer(rows, ownAddress);
  const per24 = accountsPer(rows, own24);
  const loginsPerCountry = new Map<string, number>();
  let countryLogins = 0;
  for (const row of rows) {
    if (row.anonymising || row.info?.country == null) continue;
    loginsPerCountry.set(row.info.country, (loginsPerCountry.get(row.info.country) ?? 0) + 1);
    countryLogins += 1;
  }
  return {
    accounts: new Set(rows.map((row) => row.actor)).size, logins: rows.length, anonymisingLogins: rows.filter((row) => row.anonymising).length,
    accountsPerIp: count(perIp), accountsPer24: count(per24), accountsPerAsn: count(accountsPer(rows, (row) => row.info?.asn ?? null)),
    loginsPerCountry, countryLogins, sharingIp: sharing(perIp).size, sharing24: sharing(per24).size,
  };
}

/** Infrastructure signals for one cluster's logins (empty when the members have none). */
export function infraSignals(memberLogins: readonly InfraObservation[], base: InfraBaseline, lookup: IpLookup, options: Partial<typeof INFRA_SIGNAL_DEFAULTS> = {}): Signal[] {
  const settings = { ...INFRA_SIGNAL_DEFAULTS, ...options };
  const rows = resolve(memberLogins, lookup);
  if (rows.length === 0 || base.logins === 0) return [];
  const members = new Set(rows.map((row) => row.actor));
  const n = members.size;
  const share = (k: number, of: number): number => (of === 0 ? 0 : k / of);
  const signals: Signal[] = [];

  const perIp = accountsPer(rows, ownAddress);
  const sharedIps = [...perIp].filter(([, accounts]) => accounts.size >= 2).sort((x, y) => y[1].size - x[1].size);
  signals.push(proportionSignal('shared_ips', 'members who logged in from an address (not a VPN/proxy/hosting exit or mobile NAT) another member used, against accounts sharing an address with any other account',
    sharing(perIp).size, n, share(base.sharingIp, base.accounts), { addresses: sharedIps.slice(0, 10).map(([ip, accounts]) => ({ ip, members: accounts.size, all_accounts: base.accountsPerIp.get(ip) ?? accounts.size })) }));
  const per24 = accountsPer(rows, own24);
  signals.push(proportionSignal('shared_slash24', 'members sharing a /24 (not an anonymising exit or mobile NAT) with another member, against all accounts',
    sharing(per24).size, n, share(base.sharing24, base.accounts), { networks: [...per24].filter(([, a]) => a.size >= 2).sort((x, y) => y[1].size - x[1].size).slice(0, 10).map(([net, a]) => ({ network: formatSlash24(net), members: a.size })) }));
  const perAsn = [...accountsPer(rows, (row) => row.info?.asn ?? null)].sort((x, y) => y[1].size - x[1].size);
  const topAsn = perAsn[0];
  if (topAsn !== undefined) {
    const org = rows.find((row) => row.info?.asn === topAsn[0])?.info?.org ?? null;
    signals.push(proportionSignal('shared_asn', `members who logged in through the cluster's most common ASN (AS${topAsn[0]} ${org ?? ''}), against all accounts`,
      topAsn[1].size, n, share(base.accountsPerAsn.get(topAsn[0]) ?? 0, base.accounts), { asns: perAsn.slice(0, 5).map(([asn, a]) => ({ asn, members: a.size, all_accounts: base.accountsPerAsn.get(asn) ?? 0 })) }, Math.min(perAsn.length, 20)));
  }
  const anonymising = rows.filter((row) => row.anonymising);
  const kinds = new Map<string, number>();
  for (const row of anonymising) kinds.set(row.info?.kind ?? 'unknown', (kinds.get(row.info?.kind ?? 'unknown') ?? 0) + 1);
  signals.push(proportionSignal('anonymising_exits', 'members\' logins through VPN, proxy, hosting or Tor exits, against all logins (logins, not accounts: read the ratio, not the z)',
    anonymising.length, rows.length, share(base.anonymisingLogins, base.logins), { by_kind: Object.fromEntries(kinds) }));
  const countries = new Map<string, number>();
  const direct = rows.filter((row) => !row.anonymising && row.info?.country != null);
  for (const row of direct) countries.set(row.info?.country as string, (countries.get(row.info?.country as string) ?? 0) + 1);
  const topCountry = [...countries].sort((x, y) => y[1] - x[1])[0];
  if (topCountry !== undefined) {
    signals.push(proportionSignal('country', `members' logins not through anonymising exits that come from ${topCountry[0]}, against all such logins (logins, not accounts)`,
      topCountry[1], direct.length, share(base.loginsPerCountry.get(topCountry[0]) ?? 0, base.countryLogins), { countries: Object.fromEntries([...countries].sort((x, y) => y[1] - x[1]).slice(0, 5)) }, Math.min(countries.size, 20)));
  }
  const fixed = fixedAddressPattern(rows, base, settings);
  if (fixed !== null) signals.push(fixed);
  return signals;
}

/** "Mostly VPN, but some logins from a few fixed addresses in one country", with the addresses. */
function fixedAddressPattern(rows: readonly Resolved[], base: InfraBaseline, settings: typeof INFRA_SIGNAL_DEFAULTS): Signal | null {
  const direct = rows.filter((row) => !row.anonymising);
  if (rows.length === 0 || direct.length === 0 || 1 - direct.length / rows.length < settings.mostlyAnonymising) return null;
  const perIp = new Map<string, { logins: number; accounts: Set<string>; info: NetworkInfo | null }>();
  for (const row of direct) {
    let entry = perIp.get(row.ip);
    if (entry === undefined) perIp.set(row.ip, (entry = { logins: 0, accounts: new Set(), info: row.info }));
    entry.logins += 1;
    entry.accounts.add(row.actor);
  }
  const top = [...perIp].filter(([, entry]) => entry.accounts.size >= 2).sort((x, y) => y[1].logins - x[1].logins).slice(0, settings.fixedAddresses);
  const covered = top.reduce((sum, [, entry]) => sum + entry.logins, 0);
  const countries = new Set(top.map(([, entry]) => entry.info?.country ?? '??'));
  if (top.length === 0 || covered / direct.length < settings.fixedShare || countries.size !== 1) return null;
  const members = new Set(rows.map((row) => row.actor));
  const users = new Set(top.flatMap(([, entry]) => [...entry.accounts]));
  // The baseline: the share of the other accounts that used these addresses (summed per address,
  // so an upper bound when one account used several).
  const others = top.reduce((sum, [ip, entry]) => sum + Math.max(0, (base.accountsPerIp.get(ip) ?? 0) - entry.accounts.size), 0);
  const country = [...countries][0] as string;
  return proportionSignal('fixed_addresses', `mostly VPN/proxy exits (${Math.round((1 - direct.length / rows.length) * 100)}% of logins), but the other logins come from ${top.length} fixed addresses in ${country}; members who used them, against all accounts`,
    users.size, members.size, Math.min(1, others / Math.max(1, base.accounts - members.size)), {
      country,
      addresses: top.map(([ip, entry]) => ({ ip, members: entry.accounts.size, logins: entry.logins, all_accounts: base.accountsPerIp.get(ip) ?? entry.accounts.size, network: entry.info?.cidr ?? null, asn: entry.info?.asn ?? null, org: entry.info?.org ?? null, kind: entry.info?.kind ?? null })),
      share_of_direct_logins: Math.round((covered / direct.length) * 1000) / 1000,
    });
}
