/**
 * What sign-up scoring knows about a network: the exact IPs, networks, ASNs and user agents its
 * accounts logged in from, and the handle templates they share. Learned from the members of
 * detected or confirmed clusters and their logins joined to the IP-network table. Plain JSON, so
 * it goes into the state file as it is.
 */
import type { InfraObservation } from '../../model/index.js';
import { ANONYMISING_KINDS } from '../ip-table.js';
import type { IpLookup } from '../ip-table.js';
import { specificHandleTemplate } from '../handle-pattern.js';
import { parseIpv4 } from '../ipv4.js';

export interface KnownAddress { accounts: number; logins: number; anonymising: boolean; cidr: string | null; country: string | null; clusters: string[] }
export interface KnownNetwork { accounts: number; anonymising: boolean; asn: number | null; org: string | null; country: string | null }

export interface KnownInfra {
  version: 1;
  /** Clusters (or confirmed lists) learned from. */
  sources: string[];
  ips: Record<string, KnownAddress>;
  networks: Record<string, KnownNetwork>;
  asns: Record<string, { accounts: number; anonymising: boolean; org: string | null }>;
  /** User agents far more common in the network's logins than in everybody's. */
  userAgents: Record<string, { accounts: number; lift: number }>;
  /** Specific handle templates (see isSpecificTemplate) and how many members follow each. */
  templates: Record<string, number>;
}

export const emptyKnownInfra = (): KnownInfra => ({ version: 1, sources: [], ips: {}, networks: {}, asns: {}, userAgents: {}, templates: {} });

export interface LearnInput {
  /** Members with the cluster (or list) they were confirmed in; handle null when unknown or hashed. */
  members: readonly { accountId: string; handle: string | null; source: string }[];
  /** Logins and sign-ups of the members. */
  logins: readonly InfraObservation[];
  /** Login counts per user agent over all accounts, and all logins: the baseline for user agents. */
  baselineUserAgents: ReadonlyMap<string, number>;
  baselineLogins: number;
  lookup: IpLookup;
}

export const LEARN_DEFAULTS = {
  /** A user agent is the network's when its share of members' logins is this many times its share overall. */
  userAgentLift: 5,
  /** ... and at least this many members used it. */
  userAgentAccounts: 3,
  /** A template is the network's when this many members follow it. */
  templateAccounts: 3,
};

const byTimeActorIp = (a: InfraObservation, b: InfraObservation): number =>
  a.time - b.time || compareText(a.actorId, b.actorId) || compareText(a.ip, b.ip) || compareText(a.userAgent ?? '', b.userAgent ?? '');

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Adds what a set of confirmed accounts reveal to `known` (returns a new object; `known` is not
 * changed). Learning twice from the same source replaces nothing: sources are recorded so the
 * caller can skip them.
 */
export function learnInfra(known: KnownInfra, input: LearnInput, options: Partial<typeof LEARN_DEFAULTS> = {}): KnownInfra {
  const settings = { ...LEARN_DEFAULTS, ...options };
  const next: KnownInfra = structuredClone(known);
  const sourceOf = new Map(input.members.map((member) => [member.accountId, member.source]));
  const ipAccounts = new Map<string, { accounts: Set<string>; logins: number; sources: Set<string> }>();
  const uaAccounts = new Map<string, { accounts: Set<string>; logins: number }>();
  let memberLogins = 0;
  // The store hands logins over in no fixed order; learning in a fixed one keeps the addresses'
  // cluster lists, and so the reasons and the state file, the same from run to run.
  for (const login of [...input.logins].sort(byTimeActorIp)) {
    const source = sourceOf.get(login.actorId);
    if (source === undefined) continue;
    memberLogins += 1;
    let entry = ipAccounts.get(login.ip);
    if (entry === undefined) ipAccounts.set(login.ip, (entry = { accounts: new Set(), logins: 0, sources: new Set() }));
    entry.accounts.add(login.actorId); entry.logins += 1; entry.sources.add(source);
    if (login.userAgent !== null) {
      let ua = uaAccounts.get(login.userAgent);
      if (ua === undefined) uaAccounts.set(login.userAgent, (ua = { accounts: new Set(), logins: 0 }));
      ua.accounts.add(login.actorId); ua.logins += 1;
    }
  }
  const networkAccounts = new Map<string, { accounts: Set<string>; anonymising: boolean; asn: number | null; org: string | null; country: string | null }>();
  for (const [ip, entry] of ipAccounts) {
    const info = input.lookup.lookup(parseIpv4(ip));
    const anonymising = info !== null && ANONYMISING_KINDS.has(info.kind);
    const previous = next.ips[ip];
    next.ips[ip] = {
      accounts: (previous?.accounts ?? 0) + entry.accounts.size, logins: (previous?.logins ?? 0) + entry.logins, anonymising,
      cidr: info?.cidr ?? null, country: info?.country ?? null, clusters: [...new Set([...(previous?.clusters ?? []), ...entry.sources])],
    };
    if (info === null) continue;
    let network = networkAccounts.get(info.cidr);
    if (network === undefined) networkAccounts.set(info.cidr, (network = { accounts: new Set(), anonymising, asn: info.asn, org: info.org, country: info.country }));
    for (const account of entry.accounts) network.accounts.add(account);
  }
  const asnAccounts = new Map<number, { accounts: Set<string>; anonymising: boolean; org: string | null }>();
  for (const [cidr, network] of networkAccounts) {
    next.networks[cidr] = { accounts: (next.networks[cidr]?.accounts ?? 0) + network.accounts.size, anonymising: network.anonymising, asn: network.asn, org: network.org, country: network.country };
    if (network.asn === null) continue;
    let asn = asnAccounts.get(network.asn);
    if (asn === undefined) asnAccounts.set(network.asn, (asn = { accounts: new Set(), anonymising: true, org: network.org }));
    for (const account of network.accounts) asn.accounts.add(account);
    // An ASN counts as anonymising only when every network of it the members used is.
    asn.anonymising &&= network.anonymising;
  }
  for (const [asn, entry] of asnAccounts) {
    const key = String(asn);
    next.asns[key] = { accounts: (next.asns[key]?.accounts ?? 0) + entry.accounts.size, anonymising: entry.anonymising && (next.asns[key]?.anonymising ?? true), org: entry.org };
  }
  for (const [ua, entry] of uaAccounts) {
    const share = entry.logins / Math.max(1, memberLogins);
    const baseline = (input.baselineUserAgents.get(ua) ?? entry.logins) / Math.max(1, input.baselineLogins);
    const lift = share / Math.max(baseline, 1e-9);
    if (lift >= settings.userAgentLift && entry.accounts.size >= settings.userAgentAccounts) {
      next.userAgents[ua] = { accounts: (next.userAgents[ua]?.accounts ?? 0) + entry.accounts.size, lift: Math.round(lift * 10) / 10 };
    }
  }
  const templateCounts = new Map<string, number>();
  for (const member of input.members) {
    const template = specificHandleTemplate(member.handle);
    if (template !== null) templateCounts.set(template, (templateCounts.get(template) ?? 0) + 1);
  }
  for (const [template, count] of templateCounts) {
    if (count >= settings.templateAccounts) next.templates[template] = (next.templates[template] ?? 0) + count;
  }
  next.sources = [...new Set([...next.sources, ...sourceOf.values()])];
  return next;
}
