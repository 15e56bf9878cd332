/**
 * The one contract every WorkspaceStore adapter passes (DuckDB and PostgreSQL): call it from
 * the adapter's test file with a factory giving a fresh, empty store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAuditChain } from '../audit.js';
import type { WorkspaceStore } from '../port.js';
import type { CaseRecord, Entity } from '../types.js';

function caseRecord(id: string, clusterId: string, overrides: Partial<CaseRecord> = {}): CaseRecord {
  return { id, clusterId, title: `cluster ${clusterId}`, status: 'open', assignee: null, createdAt: 1000, updatedAt: 1000, ...overrides };
}

export function workspaceStoreContract(name: string, open: () => Promise<WorkspaceStore>): void {
  void describe(`WorkspaceStore contract: ${name}`, () => {
    let store: WorkspaceStore;
    before(async () => { store = await open(); });
    after(async () => { await store.close(); });

    void it('finds a user by token hash only, and lists users', async () => {
      await store.addUser({ name: 'ana', role: 'investigator', tokenHash: 'h-ana', createdAt: 1 });
      await store.addUser({ name: 'vic', role: 'viewer', tokenHash: 'h-vic', createdAt: 2 });
      assert.deepEqual(await store.userByTokenHash('h-ana'), { name: 'ana', role: 'investigator', createdAt: 1 });
      assert.equal(await store.userByTokenHash('h-nobody'), null);
      assert.equal(await store.setUserRole('vic', 'reviewer'), true);
      assert.equal(await store.setUserRole('ghost', 'admin'), false);
      assert.deepEqual((await store.listUsers()).map((user) => [user.name, user.role]), [['ana', 'investigator'], ['vic', 'reviewer']]);
    });

    void it('stores cases with their entities in order, filters and updates them', async () => {
      const entities: Entity[] = Array.from({ length: 1203 }, (_, i) => ({ kind: i % 3 === 0 ? 'page' : 'account', id: `e${i}`, handle: i % 2 === 0 ? `@h${i}` : null }));
      await store.insertCase(caseRecord('c1', '7'), entities);
      await store.insertCase(caseRecord('c2', '8', { createdAt: 2000, updatedAt: 2000 }), [{ kind: 'group', id: 'g1', handle: null }]);
      assert.deepEqual(await store.caseEntities('c1'), entities);
      assert.deepEqual(await store.getCase('c2'), caseRecord('c2', '8', { createdAt: 2000, updatedAt: 2000 }));
      assert.equal(await store.getCase('nope'), null);
      await store.updateCase({ ...caseRecord('c1', '7'), status: 'in_review', assignee: 'ana', updatedAt: 3000 });
      assert.deepEqual((await store.listCases({})).map((record) => record.id), ['c2', 'c1']);
      assert.deepEqual((await store.listCases({ status: 'in_review' })).map((record) => [record.id, record.assignee, record.updatedAt]), [['c1', 'ana', 3000]]);
      assert.deepEqual((await store.listCases({ assignee: 'ana', clusterId: '7' })).map((record) => record.id), ['c1']);
      assert.deepEqual(await store.listCases({ clusterId: '99' }), []);
    });

    void it('keeps notes in time order and the latest decision per entity in force', async () => {
      await store.addNote({ id: 'n2', caseId: 'c1', author: 'vic', text: 'second', time: 20 });
      await store.addNote({ id: 'n1', caseId: 'c1', author: 'ana', text: 'first, with ünïcode and \'quotes\'', time: 10 });
      assert.deepEqual((await store.notes('c1')).map((note) => note.text), ['first, with ünïcode and \'quotes\'', 'second']);
      await store.addDecisions([
        { caseId: 'c1', entity: { kind: 'account', id: 'e1' }, decision: 'suspend', reason: 'r', author: 'ana', time: 5 },
        { caseId: 'c1', entity: { kind: 'account', id: 'e2' }, decision: 'label', reason: 'r', author: 'ana', time: 5 },
      ]);
      await store.addDecisions([{ caseId: 'c1', entity: { kind: 'account', id: 'e1' }, decision: 'no_action', reason: 'changed mind', author: 'vic', time: 6 }]);
      const inForce = await store.decisions('c1');
      assert.deepEqual(inForce.map((decision) => [decision.entity.id, decision.decision, decision.author]), [['e2', 'label', 'ana'], ['e1', 'no_action', 'vic']]);
      assert.deepEqual(await store.decisions('c2'), []);
    });

    void it('records outcomes per entity in order', async () => {
      await store.addOutcome({ caseId: 'c1', entity: { kind: 'account', id: 'e2' }, decision: 'label', adapter: 'mastodon', status: 'failed', attempts: 5, detail: 'HTTP 503', time: 7 });
      await store.addOutcome({ caseId: 'c1', entity: { kind: 'account', id: 'e2' }, decision: 'label', adapter: 'mastodon', status: 'done', attempts: 1, detail: 'HTTP 200', time: 8 });
      assert.deepEqual((await store.outcomes('c1')).map((outcome) => [outcome.status, outcome.attempts]), [['failed', 5], ['done', 1]]);
    });

    void it('chains audit entries, pages and filters them, and keeps the head', async () => {
      assert.equal(await store.auditHead(), null);
      const written = await store.appendAudit([
        { time: 1, actor: 'ana', action: 'case.open', subject: 'case:c1', caseId: 'c1', payload: { clusterId: '7', nested: { b: 1, a: [1, 'x'] } } },
        { time: 2, actor: 'ana', action: 'user.add', subject: 'user:vic', caseId: null, payload: null },
      ]);
      assert.deepEqual(written.map((entry) => entry.seq), [1, 2]);
      await store.appendAudit([{ time: 3, actor: 'vic', action: 'case.note', subject: 'case:c1', caseId: 'c1', payload: { text: 'x' } }]);
      const page = await store.audit({ caseId: 'c1', limit: 1, offset: 1 });
      assert.equal(page.total, 2);
      assert.deepEqual(page.items.map((entry) => entry.seq), [3]);
      const all = await store.allAudit();
      assert.deepEqual(all[0]?.payload, { clusterId: '7', nested: { b: 1, a: [1, 'x'] } });
      assert.deepEqual(verifyAuditChain(all, await store.auditHead()), { ok: true, entries: 3, head: all[2]?.hash });
    });

    void it('serialises concurrent appends into one unbroken chain', async () => {
      await Promise.all(Array.from({ length: 25 }, (_, i) => store.appendAudit([{ time: 100 + i, actor: 'ana', action: 'test', subject: `n:${i}`, caseId: null, payload: { i } }])));
      const all = await store.allAudit();
      assert.deepEqual(all.map((entry) => entry.seq), Array.from({ length: 28 }, (_, i) => i + 1));
      assert.equal(verifyAuditChain(all, await store.auditHead()).ok, true);
      assert.equal((await store.auditHead())?.count, 28);
    });
  });
}
