import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InfraObservation } from '../model/index.js';
import type { Signal } from './evidence.js';
import { infraBaseline, infraSignals } from './infra-signals.js';
import { buildIpTable } from './ip-table.js';
import { infraFixture } from './test-support/infra-world.js';

const find = (signals: readonly Signal[], name: string): Signal | undefined => signals.find((signal) => signal.name === name);
const login = (actorId: string, ip: string): InfraObservation => ({ platform: 'x', actorId, time: 0, ip, userAgent: null, event: 'login' });

describe('infraSignals', () => {
  it('returns nothing without logins, and skips IPv6 and unknown addresses without failing', () => {
    const table = buildIpTable([{ cidr: '198.51.100.0/24', asn: 1, org: 'VPN', country: 'NL', kind: 'vpn' }]);
    const base = infraBaseline([login('a', '198.51.100.1'), login('b', '2001:db8::1')], table);
    assert.deepEqual(infraSignals([], base, table), []);
    const signals = infraSignals([login('a', '2001:db8::1'), login('a', '192.0.2.1')], base, table);
    assert.equal(find(signals, 'anonymising_exits')?.count, 0);
    assert.equal(find(signals, 'fixed_addresses'), undefined);
  });

  for (const seed of [3, 11]) {
    it(`names the campaign's fixed addresses behind its VPN exits, and not for ordinary accounts (synthetic seed ${seed})`, () => {
      const fixture = infraFixture(seed, 0.3);
      const base = infraBaseline(fixture.logins, fixture.table);
      const members = new Set([...fixture.campaigns.values()][0]);
      const signals = infraSignals(fixture.logins.filter((entry) => members.has(entry.actorId)), base, fixture.table);
      const fixed = find(signals, 'fixed_addresses');
      assert.ok(fixed !== undefined, 'no fixed-address pattern');
      assert.equal(fixed.detail['country'], 'CN');
      const named = (fixed.detail['addresses'] as { ip: string }[]).map((entry) => entry.ip).sort();
      assert.ok(named.length > 0 && named.every((ip) => fixture.world.fixedAddresses.includes(ip)), named.join(','));
      assert.equal(fixed.direction, 'supports');
      assert.equal(find(signals, 'anonymising_exits')?.confidence, 'high');
      assert.equal(find(signals, 'shared_ips')?.direction, 'supports');
      const organic = new Set(fixture.organic.slice(0, 60));
      const ordinary = infraSignals(fixture.logins.filter((entry) => organic.has(entry.actorId)), base, fixture.table);
      assert.equal(find(ordinary, 'fixed_addresses'), undefined);
      assert.ok(ordinary.every((signal) => signal.direction !== 'supports'), ordinary.filter((s) => s.direction === 'supports').map((s) => s.name).join(','));
    });
  }
});
