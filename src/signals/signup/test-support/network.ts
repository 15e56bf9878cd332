/** A small known network for tests: VPN exits, fixed addresses in one country, a template, a user agent. */
import type { InfraObservation, IpNetwork } from '../../../model/index.js';
import { buildIpTable } from '../../ip-table.js';
import type { IpTable } from '../../ip-table.js';
import { emptyKnownInfra, learnInfra } from '../known-infra.js';
import type { KnownInfra } from '../known-infra.js';

export const NETWORKS: IpNetwork[] = [
  { cidr: '198.51.100.0/24', asn: 64500, org: 'Example VPN', country: 'NL', kind: 'vpn' },
  { cidr: '203.0.113.0/24', asn: 64501, org: 'Example Telecom', country: 'CN', kind: 'business' },
  { cidr: '192.0.2.0/24', asn: 64502, org: 'Example Broadband', country: 'HK', kind: 'residential' },
  { cidr: '100.64.0.0/16', asn: 64503, org: 'Example Mobile', country: 'HK', kind: 'mobile' },
];

export const NETWORK_UA = 'Mozilla/5.0 (Windows NT 6.1) Chrome/49.0 NetworkBuild';
export const COMMON_UA = 'Mozilla/5.0 (iPhone) Safari/604.1';

export function testTable(): IpTable {
  return buildIpTable(NETWORKS);
}

/** 20 members: all log in through two VPN exits, and from three fixed addresses in 203.0.113.0/24. */
export function testKnown(): KnownInfra {
  const members = Array.from({ length: 20 }, (_, i) => ({ accountId: `m${i}`, handle: `Ruth${String(10_000_000 + i * 7919)}`, source: 'cluster 1' }));
  const logins: InfraObservation[] = [];
  members.forEach((member, i) => {
    const base = { platform: 'x', actorId: member.accountId, event: 'login' as const };
    logins.push({ ...base, time: 1000 + i, ip: `198.51.100.${10 + (i % 2)}`, userAgent: NETWORK_UA });
    logins.push({ ...base, time: 2000 + i, ip: `203.0.113.${5 + (i % 3)}`, userAgent: NETWORK_UA });
  });
  const baseline = new Map([[NETWORK_UA, 40], [COMMON_UA, 100_000]]);
  return learnInfra(emptyKnownInfra(), { members, logins, baselineUserAgents: baseline, baselineLogins: 100_040, lookup: testTable() });
}
