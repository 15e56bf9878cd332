import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IpNetwork } from '../model/index.js';
import { NETWORK_KINDS } from '../model/index.js';
import { ANONYMISING_KINDS, buildIpTable, isAnonymisingKind, lookupText } from './ip-table.js';
import { formatIpv4, parseCidr4, parseIpv4 } from './ipv4.js';
import { mmdbLookup } from './mmdb-table.js';
import { writeMmdb } from './test-support/mmdb-writer.js';

const net = (cidr: string, kind: IpNetwork['kind'] = 'residential', asn: number | null = 64500): IpNetwork => ({ cidr, asn, org: `org ${cidr}`, country: 'NL', kind });

/** The obvious reference: scan every network, keep the longest prefix that contains the address. */
function slowLookup(networks: readonly IpNetwork[], ip: number): string | null {
  let best: { prefix: number; cidr: string } | null = null;
  for (const network of networks) {
    const range = parseCidr4(network.cidr);
    if (range !== null && ip >= range.start && ip <= range.end && (best === null || range.prefix >= best.prefix)) {
      best = { prefix: range.prefix, cidr: `${formatIpv4(range.start)}/${range.prefix}` };
    }
  }
  return best?.cidr ?? null;
}

describe('parseIpv4', () => {
  it('parses dotted quads and rejects everything else', () => {
    assert.equal(parseIpv4('0.0.0.0'), 0);
    assert.equal(parseIpv4('255.255.255.255'), 2 ** 32 - 1);
    assert.equal(parseIpv4('203.0.113.7'), 203 * 2 ** 24 + 113 * 256 + 7);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4 ', '2001:db8::1', 'a.b.c.d']) assert.equal(parseIpv4(bad), -1, bad);
  });
  it('round-trips every address (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (ip) => parseIpv4(formatIpv4(ip)) === ip));
  });
});

describe('buildIpTable', () => {
  it('answers null on an empty table and for IPv6 or malformed addresses', () => {
    const table = buildIpTable([]);
    assert.equal(lookupText(table, '203.0.113.1'), null);
    const full = buildIpTable([net('0.0.0.0/0')]);
    assert.equal(lookupText(full, '2001:db8::1'), null);
    assert.equal(lookupText(full, 'nonsense'), null);
    assert.equal(lookupText(full, '203.0.113.1')?.cidr, '0.0.0.0/0');
  });
  it('picks the most specific of nested networks and counts IPv6 rows it leaves out', () => {
    const table = buildIpTable([net('10.0.0.0/8', 'business'), net('10.1.0.0/16', 'vpn'), net('10.1.2.0/24', 'hosting'), net('2001:db8::/32'), net('10.0.0.0/33')]);
    assert.equal(table.ipv6Skipped, 1);
    assert.deepEqual(table.invalid, ['10.0.0.0/33']);
    assert.equal(lookupText(table, '10.1.2.3')?.kind, 'hosting');
    assert.equal(lookupText(table, '10.1.3.3')?.kind, 'vpn');
    assert.equal(lookupText(table, '10.2.0.1')?.kind, 'business');
    assert.equal(lookupText(table, '10.255.255.255')?.cidr, '10.0.0.0/8');
    assert.equal(lookupText(table, '11.0.0.0'), null);
  });
  it('agrees with a linear scan for random nested tables (property)', () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([ip, prefix]) => `${formatIpv4(ip)}/${prefix}`);
    fc.assert(fc.property(fc.uniqueArray(cidr, { maxLength: 30, selector: (text) => { const r = parseCidr4(text); return r === null ? text : `${r.start}/${r.prefix}`; } }),
      fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 30 }), (cidrs, probes) => {
        const networks = cidrs.map((text) => net(text));
        const table = buildIpTable(networks);
        // Probe the edges of each network too: off-by-one bugs live there.
        const edges = cidrs.flatMap((text) => { const r = parseCidr4(text); return r === null ? [] : [r.start, r.end, r.start - 1, r.end + 1].filter((ip) => ip >= 0 && ip < 2 ** 32); });
        for (const ip of [...probes, ...edges]) assert.equal(table.lookup(ip)?.cidr ?? null, slowLookup(networks, ip), formatIpv4(ip));
      }), { numRuns: 300 });
  });
});

describe('mmdbLookup (a hand-built MaxMind DB file)', () => {
  const bytes = writeMmdb([
    { cidr: '198.51.100.0/24', record: { autonomous_system_number: 64511, autonomous_system_organization: 'Example VPN BV', country: { iso_code: 'NL' }, is_anonymous_vpn: true } },
    { cidr: '198.51.100.128/25', record: { asn: 64512, org: 'Example Hosting', country: 'de', kind: 'hosting' } },
    { cidr: '203.0.113.0/24', record: { autonomous_system_number: 4_200_000_001, autonomous_system_organization: 'Example Broadband', registered_country: { iso_code: 'CN' } } },
  ]);
  it('reads ASN, org, country and kind with the prefix they were found under', () => {
    const table = mmdbLookup(bytes);
    // The narrower /25 splits the /24 in the tree: the lower half is found under /25, as in real files.
    assert.deepEqual(lookupText(table, '198.51.100.7'), { cidr: '198.51.100.0/25', asn: 64511, org: 'Example VPN BV', country: 'NL', kind: 'vpn' });
    assert.deepEqual(lookupText(table, '198.51.100.200'), { cidr: '198.51.100.128/25', asn: 64512, org: 'Example Hosting', country: 'DE', kind: 'hosting' });
    assert.deepEqual(lookupText(table, '203.0.113.9'), { cidr: '203.0.113.0/24', asn: 4_200_000_001, org: 'Example Broadband', country: 'CN', kind: 'unknown' });
    assert.equal(lookupText(table, '192.0.2.1'), null);
  });
  it('agrees with the CSV table built from the same networks', () => {
    const table = mmdbLookup(bytes);
    const csv = buildIpTable([net('198.51.100.0/24', 'vpn', 64511), net('198.51.100.128/25', 'hosting', 64512), net('203.0.113.0/24', 'unknown', 4_200_000_001)]);
    for (const [from, to] of [['198.51.99.250', '198.51.101.5'], ['203.0.112.250', '203.0.114.5']] as const) {
      for (let ip = parseIpv4(from); ip < parseIpv4(to); ip++) {
        assert.deepEqual([table.lookup(ip)?.asn, table.lookup(ip)?.kind], [csv.lookup(ip)?.asn, csv.lookup(ip)?.kind], formatIpv4(ip));
      }
    }
  });
  it('rejects bytes that are not a MaxMind DB', () => {
    assert.throws(() => mmdbLookup(Buffer.from('network,asn\n')));
  });
});

describe('isAnonymisingKind', () => {
  it('agrees with ANONYMISING_KINDS for every network kind', () => {
    for (const kind of NETWORK_KINDS) assert.equal(isAnonymisingKind(kind), ANONYMISING_KINDS.has(kind), kind);
    assert.deepEqual(NETWORK_KINDS.filter(isAnonymisingKind), ['hosting', 'vpn', 'proxy', 'tor']);
  });
});
