/** The API in-process: a case from cluster to action and appeal, with every step on the audit trail; errors and limits. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { verifyAuditChain } from '../cases/audit.js';
import { API_ROUTES } from './app.js';
import { listen } from './server.js';
import { startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

const code = (body: Record<string, unknown>): string => (body['error'] as { code: string } | undefined)?.code ?? '';

describe('workspace API: a case from cluster to enforcement', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h.close(); });

  it('opens one case per cluster, decides with a dry run first, acts idempotently, and audits every step', async () => {
    const created = await h.call('investigator', 'POST', '/v1/cases', { clusterId: 'c2', title: 'Retweet ring' });
    assert.equal(created.status, 201);
    const id = String(created.body['id']);
    assert.equal(code((await h.call('investigator', 'POST', '/v1/cases', { clusterId: 'c2' })).body), 'CONFLICT');
    const listed = await h.call('viewer', 'GET', '/v1/clusters?limit=3');
    assert.equal((listed.body['items'] as { id: string; caseId: string | null }[]).find((item) => item.id === 'c2')?.caseId, id);

    const auditBefore = (await h.store.allAudit()).length;
    const dry = await h.call('investigator', 'POST', `/v1/cases/${id}/decisions`, { entities: 'all', decision: 'suspend', reason: 'retweet ring', dryRun: true });
    assert.equal(dry.status, 200);
    assert.equal((dry.body['changes'] as unknown[]).length, 4);
    assert.equal((await h.store.allAudit()).length, auditBefore, 'a dry run writes no audit entry');
    assert.deepEqual(await h.store.decisions(id), [], 'a dry run decides nothing');

    assert.equal((await h.call('reviewer', 'POST', `/v1/cases/${id}/decisions`, { entities: 'all', decision: 'suspend', reason: 'x' })).status, 403, 'bulk needs investigator');
    const one = await h.call('reviewer', 'POST', `/v1/cases/${id}/decisions`, { entities: [{ kind: 'account', id: 'c2-a1' }], decision: 'label', reason: 'first look' });
    assert.equal(one.status, 200);
    const bulk = await h.call('investigator', 'POST', `/v1/cases/${id}/decisions`, { entities: 'all', decision: 'suspend', reason: 'retweet ring' });
    assert.deepEqual((bulk.body['changes'] as { from: string | null }[]).map((change) => change.from), ['label', null, null, null]);
    const foreign = await h.call('reviewer', 'POST', `/v1/cases/${id}/decisions`, { entities: [{ kind: 'account', id: 'not-in-case' }], decision: 'remove', reason: 'x' });
    assert.equal(foreign.status, 400);
    assert.match(String((foreign.body['error'] as { message: string }).message), /not-in-case not in case/);

    assert.equal(code((await h.call('investigator', 'POST', `/v1/cases/${id}/actions`, { adapter: 'webhook' })).body), 'CONFLICT', 'actions wait for a decided case');
    assert.equal((await h.call('reviewer', 'POST', `/v1/cases/${id}/transition`, { to: 'in_review' })).status, 200);
    assert.equal((await h.call('reviewer', 'POST', `/v1/cases/${id}/transition`, { to: 'decided' })).status, 403, 'deciding a case is an investigator\'s');
    assert.equal((await h.call('investigator', 'POST', `/v1/cases/${id}/transition`, { to: 'closed' })).status, 409);
    assert.equal((await h.call('investigator', 'POST', `/v1/cases/${id}/transition`, { to: 'decided' })).status, 200);
    assert.equal((await h.call('investigator', 'POST', `/v1/cases/${id}/assign`, { assignee: 'investigator-user' })).status, 200);
    assert.equal((await h.call('reviewer', 'POST', `/v1/cases/${id}/notes`, { text: 'all four post within 10 s' })).status, 201);

    const dryActions = await h.call('investigator', 'POST', `/v1/cases/${id}/actions`, { adapter: 'webhook', dryRun: true });
    assert.equal((dryActions.body['outcomes'] as unknown[]).length, 4);
    assert.equal(h.adapter.requests.length, 0, 'a dry run sends nothing');
    const acted = await h.call('investigator', 'POST', `/v1/cases/${id}/actions`, { adapter: 'webhook' });
    assert.deepEqual((acted.body['outcomes'] as { status: string }[]).map((outcome) => outcome.status), ['done', 'done', 'done', 'done']);
    assert.equal(h.adapter.requests.length, 4);
    assert.equal(h.adapter.requests[0]?.idempotencyKey, `lockstep:${id}:account:c2-a1:suspend`);
    const detail = await h.call('viewer', 'GET', `/v1/cases/${id}`);
    assert.equal(detail.body['status'], 'actioned');
    assert.equal(detail.body['assignee'], 'investigator-user');
    assert.equal((detail.body['outcomes'] as unknown[]).length, 4);
    const again = await h.call('investigator', 'POST', `/v1/cases/${id}/actions`, { adapter: 'webhook' });
    assert.deepEqual((again.body['outcomes'] as { status: string }[]).map((outcome) => outcome.status), ['skipped', 'skipped', 'skipped', 'skipped']);
    assert.equal(h.adapter.requests.length, 4, 'a re-run sends nothing again');
    assert.equal(code((await h.call('investigator', 'POST', `/v1/cases/${id}/actions`, { adapter: 'mastodon' })).body), 'INVALID_REQUEST', 'an unconfigured adapter');

    assert.equal((await h.call('investigator', 'POST', `/v1/cases/${id}/transition`, { to: 'closed' })).status, 200);
    assert.equal((await h.call('investigator', 'POST', `/v1/cases/${id}/transition`, { to: 'open' })).status, 409);
    const appeal = await h.call('investigator', 'POST', `/v1/cases/${id}/transition`, { to: 'open', appeal: true, reason: 'owner shows the account is a newsroom' });
    assert.equal(appeal.body['status'], 'open');

    const audit = await h.call('viewer', 'GET', `/v1/audit?caseId=${id}&limit=1000`);
    const actions = (audit.body['items'] as { action: string }[]).map((entry) => entry.action);
    assert.equal(actions.filter((action) => action === 'decision').length, 5, 'one entry per entity decision');
    assert.equal(actions.filter((action) => action === 'action.outcome').length, 4, 'one entry per outcome');
    for (const action of ['case.open', 'case.transition', 'case.assign', 'case.note', 'action.run', 'case.appeal']) assert.ok(actions.includes(action), action);
    assert.equal(verifyAuditChain(await h.store.allAudit(), await h.store.auditHead()).ok, true);
  });

  it('answers errors as JSON with stable codes, naming the field', async () => {
    const bad = await h.call('investigator', 'POST', '/v1/cases', { title: 3 });
    assert.equal(bad.status, 400);
    assert.equal(code(bad.body), 'INVALID_REQUEST');
    assert.match((bad.body['error'] as { message: string }).message, /^body\.clusterId: /);
    assert.equal(code((await h.call('investigator', 'POST', '/v1/cases', '{not json')).body), 'INVALID_REQUEST');
    assert.equal(code((await h.call('viewer', 'GET', '/v1/clusters?limit=5000')).body), 'INVALID_REQUEST');
    assert.equal((await h.call('viewer', 'GET', '/v1/cases/nope')).status, 404);
    assert.equal((await h.call('viewer', 'GET', '/v1/clusters/zz')).status, 404);
    assert.equal((await h.call('viewer', 'GET', '/v1/clusters/c1/edge?source=c1-a1&target=c1-a3')).status, 404);
    assert.equal((await h.call('viewer', 'GET', '/v1/no-such-route')).status, 404);
    const edge = await h.call('viewer', 'GET', '/v1/clusters/c1/edge?source=c1-a1&target=c1-a2');
    assert.equal((edge.body['items'] as { deltaSeconds: number }[])[0]?.deltaSeconds, 4);
    const wrong = await h.app.request('/v1/me', { headers: { authorization: 'Bearer lst_not-a-token' } });
    assert.equal(wrong.status, 401);
  });

  it('publishes an OpenAPI 3.1 document with every route and the role it needs', async () => {
    const response = await h.app.request('/openapi.json');
    assert.equal(response.status, 200);
    const document = await response.json() as { openapi: string; paths: Record<string, Record<string, { operationId: string; 'x-required-role': string }>> };
    assert.equal(document.openapi, '3.1.0');
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    for (const route of API_ROUTES) {
      const operation = operations.find((item) => item.operationId === route.id);
      assert.equal(operation?.['x-required-role'], route.role, route.id);
    }
    assert.ok(document.paths['/v1/cases/{id}/decisions']?.['post'] !== undefined);
  });
});

describe('workspace API limits and the static UI', () => {
  it('refuses a body over the limit with 413, and a token over its rate with 429 and Retry-After', async () => {
    const clock = { now: 1_700_000_000_000 };
    const h = await startHarness({ bodyLimitBytes: 1000, rateLimit: { capacity: 3, perMinute: 60, now: () => clock.now } }, clock);
    try {
      const big = await h.call('reviewer', 'POST', '/v1/cases/x/notes', { text: 'x'.repeat(5000) });
      assert.equal(big.status, 413);
      assert.equal(code(big.body), 'PAYLOAD_TOO_LARGE');
      assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200);
      assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200);
      assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200);
      const limited = await h.call('viewer', 'GET', '/v1/me');
      assert.equal(limited.status, 429);
      assert.equal(code(limited.body), 'RATE_LIMITED');
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal((await h.call('admin', 'GET', '/v1/me')).status, 200, 'the limit is per token');
      clock.now += 1000;
      assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200, 'a second later one request is allowed again');
    } finally {
      await h.close();
    }
  });

  it('over real HTTP, refuses a body over the limit whether sent with a length or chunked, and reads one under it', async () => {
    const signups = new Hono().post('/score', async (c) => c.json({ got: (await c.req.json() as { text: string }).text.length }));
    const h = await startHarness({ signups, bodyLimitBytes: 1000 });
    const server = await listen(h.app);
    try {
      const post = (body: string | ReadableStream<Uint8Array>, extra: RequestInit = {}): Promise<Response> => fetch(`${server.url}/v1/signups/score`, {
        method: 'POST', headers: { authorization: `Bearer ${h.tokens.investigator}`, 'content-type': 'application/json' }, body, ...extra,
      });
      const small = await post(JSON.stringify({ text: 'x'.repeat(500) }));
      assert.deepEqual([small.status, await small.json()], [200, { got: 500 }]);
      const big = await post(JSON.stringify({ text: 'x'.repeat(5000) }));
      assert.equal(big.status, 413);
      const chunks = [JSON.stringify({ text: 'x'.repeat(600) }).slice(0, 300), 'y'.repeat(900)];
      const stream = new ReadableStream<Uint8Array>({ start(controller) { for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk)); controller.close(); } });
      const chunked = await post(stream, { duplex: 'half' } as RequestInit);
      assert.equal(chunked.status, 413);
      assert.equal(code(await chunked.json() as Record<string, unknown>), 'PAYLOAD_TOO_LARGE');
    } finally {
      await server.close();
      await h.close();
    }
  });

  it('reads a token\'s user from the store once per userCache.ttlMs, not on every request', async () => {
    const clock = { now: 1_700_000_000_000 };
    const h = await startHarness({ userCache: { ttlMs: 1000, now: () => clock.now } }, clock);
    try {
      const lookup = h.store.userByTokenHash.bind(h.store);
      let queries = 0;
      h.store.userByTokenHash = async (hash) => { queries++; return lookup(hash); };
      for (let i = 0; i < 5; i++) assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200);
      assert.equal(queries, 1);
      clock.now += 1000;
      assert.equal((await h.call('viewer', 'GET', '/v1/me')).status, 200);
      assert.equal(queries, 2);
    } finally {
      await h.close();
    }
  });

  it('gives the sign-up scorer its own per-token limit, far above the investigation routes\' one', async () => {
    const clock = { now: 1_700_000_000_000 };
    const signups = new Hono().post('/score', (c) => c.json({ account_id: 'x', decision: 'allow', score: 0, reasons: [] }));
    const h = await startHarness({ signups, rateLimit: { capacity: 2, perMinute: 60, now: () => clock.now }, signupRateLimit: { capacity: 5, perMinute: 60, now: () => clock.now } }, clock);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await h.call('investigator', 'GET', '/v1/me')).status, 200);
      assert.equal((await h.call('investigator', 'GET', '/v1/me')).status, 429);
      for (let i = 0; i < 5; i++) assert.equal((await h.call('investigator', 'POST', '/v1/signups/score', {})).status, 200, `sign-up ${i + 1}`);
      const limited = await h.call('investigator', 'POST', '/v1/signups/score', {});
      assert.equal(limited.status, 429);
      assert.equal(code(limited.body), 'RATE_LIMITED');
      assert.equal((await h.call('viewer', 'POST', '/v1/signups/score', {})).status, 403, 'the role is still checked');
    } finally {
      await h.close();
    }
  });

  it('serves dist/web files, and index.html for client-side routes, without a token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-ui-'));
    try {
      await mkdir(join(dir, 'assets'));
      await writeFile(join(dir, 'index.html'), '<!doctype html><title>lockstep</title>');
      await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
      const h = await startHarness({ uiDir: dir });
      try {
        assert.match(await (await h.app.request('/')).text(), /<title>lockstep/);
        assert.equal(await (await h.app.request('/assets/app.js')).text(), 'console.log(1)');
        assert.match(await (await h.app.request('/clusters/3')).text(), /<title>lockstep/);
        assert.equal((await h.app.request('/v1/clusters')).status, 401, 'the API is not shadowed by the UI');
      } finally {
        await h.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
