/** The case service enforcing through the Mastodon adapter against the Mastodon-shaped server. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { mastodonAdapter } from './enforce/mastodon.js';
import { FAKE_MASTODON_TOKEN, mastodonRateLimited, startFakeMastodon } from './enforce/test-support/fake-mastodon.js';
import type { FakeMastodon } from './enforce/test-support/fake-mastodon.js';
import { openDuckDbWorkspace } from '../store/duckdb/workspace-store.js';
import { verifyAuditChain } from './audit.js';
import type { WorkspaceStore } from './port.js';
import { CaseService } from './service.js';
import type { Entity, User } from './types.js';

const investigator: User = { name: 'inv', role: 'investigator', createdAt: 0 };
const reviewer: User = { name: 'rev', role: 'reviewer', createdAt: 0 };
const members: Entity[] = [
  { kind: 'account', id: '101', handle: '@a' }, { kind: 'account', id: '102', handle: null }, { kind: 'account', id: 'gone', handle: null }, { kind: 'group', id: 'g1', handle: null },
];

describe('case service with the Mastodon adapter', () => {
  let fake: FakeMastodon;
  let store: WorkspaceStore;
  let service: CaseService;
  let ids = 0;
  before(async () => {
    fake = await startFakeMastodon({ knownAccounts: (id) => id !== 'gone' });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    store = await openDuckDbWorkspace(connection, async () => { connection.closeSync(); instance.closeSync(); });
    const sleeps: number[] = [];
    service = new CaseService({
      store,
      clusters: { clusterForCase: async (id) => (id === '7' ? { score: 0.9, entities: members } : null), clusterScore: async () => 0.9 },
      adapters: { mastodon: mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0, maxAttempts: 3 } }) },
      now: () => 1_700_000_000_000 + ids, newId: () => `case${++ids}`,
    });
  });
  after(async () => { await store.close(); await fake.close(); });

  it('refuses a cluster that is not in the latest run, and a reviewer moving a case past review', async () => {
    await assert.rejects(service.open(investigator, { clusterId: '99' }), /cluster 99 not found/);
    const record = await service.open(investigator, { clusterId: '7' });
    await service.transition(reviewer, record.id, { to: 'in_review' });
    await assert.rejects(service.transition(reviewer, record.id, { to: 'decided' }), (error: Error & { code?: string }) => error.code === 'case/forbidden');
    await assert.rejects(service.transition(investigator, record.id, { to: 'decided' }), /at least one entity has a decision/);
  });

  it('records an outcome per entity: done, failed (404), skipped (a group); a re-run retries only the failure', async () => {
    const [record] = await service.list({ clusterId: '7' });
    assert.ok(record !== undefined);
    await service.decide(investigator, record.id, { entities: 'all', decision: 'suspend', reason: 'retweet ring', dryRun: false });
    await service.decide(reviewer, record.id, { entities: [{ kind: 'account', id: '102' }], decision: 'label', reason: 'amplifier, not operator', dryRun: false });
    await service.transition(investigator, record.id, { to: 'decided' });
    fake.failNext(mastodonRateLimited(0));
    const first = await service.act(investigator, record.id, { adapter: 'mastodon', dryRun: false });
    const byId = new Map(first.outcomes.map((outcome) => [outcome.entity.id, outcome]));
    assert.deepEqual([byId.get('101')?.status, byId.get('101')?.attempts], ['done', 2], 'a 429 is waited out');
    assert.equal(byId.get('102')?.status, 'done');
    assert.deepEqual([byId.get('gone')?.status, byId.get('gone')?.attempts], ['failed', 1]);
    assert.match(byId.get('gone')?.detail ?? '', /404/);
    assert.equal(byId.get('g1')?.status, 'skipped');
    assert.deepEqual(fake.actions.get('101'), ['suspend']);
    assert.deepEqual(fake.actions.get('102'), ['sensitive']);
    assert.equal((await store.getCase(record.id))?.status, 'decided', 'a failure keeps the case decided');

    const requestsBefore = fake.requests.length;
    const second = await service.act(investigator, record.id, { adapter: 'mastodon', dryRun: false });
    assert.deepEqual(second.outcomes.map((outcome) => [outcome.entity.id, outcome.status]), [['101', 'skipped'], ['gone', 'failed'], ['g1', 'skipped'], ['102', 'skipped']]);
    assert.equal(fake.requests.length, requestsBefore + 1, 'only the failed entity is sent again');
    assert.deepEqual(fake.actions.get('101'), ['suspend'], 'never suspended twice');

    await service.decide(investigator, record.id, { entities: [{ kind: 'account', id: 'gone' }], decision: 'no_action', reason: 'already deleted', dryRun: false });
    const third = await service.act(investigator, record.id, { adapter: 'mastodon', dryRun: false });
    assert.ok(third.outcomes.every((outcome) => outcome.status !== 'failed'));
    assert.equal((await store.getCase(record.id))?.status, 'actioned');
    const audit = await store.allAudit();
    assert.equal(audit.filter((entry) => entry.action === 'action.outcome').length, first.outcomes.length + 2 + 2);
    assert.equal(verifyAuditChain(audit, await store.auditHead()).ok, true);
  });
});
