import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mastodonAdapter } from './mastodon.js';
import { ozoneAdapter } from './ozone.js';
import { webhookAdapter } from './webhook.js';
import { idempotencyKey } from './port.js';
import type { EnforcementRequest } from './port.js';
import type { DecisionKind, EntityKind } from '../types.js';
import { FAKE_MASTODON_TOKEN, mastodonRateLimited, startFakeMastodon } from './test-support/fake-mastodon.js';
import type { FakeMastodon } from './test-support/fake-mastodon.js';
import { FAKE_OZONE_TOKEN, ozoneRateLimited, startFakeOzone } from './test-support/fake-ozone.js';
import type { FakeOzone } from './test-support/fake-ozone.js';
import { startFakeWebhook } from './test-support/fake-webhook.js';
import type { FakeWebhook } from './test-support/fake-webhook.js';

function request(id: string, decision: DecisionKind = 'suspend', kind: EntityKind = 'account'): EnforcementRequest {
  const entity = { kind, id, handle: null };
  return { caseId: 'c1', clusterId: '7', score: 0.83, entity, decision, reason: 'retweet ring', idempotencyKey: idempotencyKey('c1', entity, decision) };
}

/** Sleeps recorded, none taken; a fixed clock. */
function fakeTime(): { sleeps: number[]; retry: { sleep: (ms: number) => Promise<void>; random: () => number; now: () => number; maxAttempts: number } } {
  const sleeps: number[] = [];
  return { sleeps, retry: { sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, now: () => Date.now(), maxAttempts: 4 } };
}

describe('Mastodon admin adapter against a Mastodon-shaped server', () => {
  let fake: FakeMastodon;
  before(async () => { fake = await startFakeMastodon({ knownAccounts: (id) => id !== 'ghost' }); });
  after(async () => { await fake.close(); });

  it('suspends an account with the documented request and records one attempt', async () => {
    const time = fakeTime();
    const adapter = mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: time.retry });
    const result = await adapter.enforce(request('a+b/c='));
    assert.equal(result.status, 'done');
    assert.equal(result.attempts, 1);
    const sent = fake.requests.at(-1);
    assert.equal(sent?.path, `/api/v1/admin/accounts/${encodeURIComponent('a+b/c=')}/action`);
    assert.equal(sent?.headers['authorization'], `Bearer ${FAKE_MASTODON_TOKEN}`);
    const body = sent?.parsed as { type: string; text: string };
    assert.equal(body.type, 'suspend');
    assert.match(body.text, /case c1.*cluster 7.*retweet ring/);
    assert.deepEqual(fake.actions.get('a+b/c='), ['suspend']);
  });

  it('maps label to sensitive, skips pages and no_action without a request', async () => {
    const adapter = mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: fakeTime().retry });
    assert.equal((await adapter.enforce(request('42', 'label'))).status, 'done');
    assert.deepEqual(fake.actions.get('42'), ['sensitive']);
    const before = fake.requests.length;
    assert.equal((await adapter.enforce(request('p1', 'suspend', 'page'))).status, 'skipped');
    assert.equal((await adapter.enforce(request('43', 'no_action'))).status, 'skipped');
    assert.equal(fake.requests.length, before);
  });

  it('waits out 429s (honouring the rate-limit reset) and then succeeds', async () => {
    const time = fakeTime();
    const adapter = mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: time.retry });
    fake.failNext(mastodonRateLimited(5), 2);
    const result = await adapter.enforce(request('100'));
    assert.equal(result.status, 'done');
    assert.equal(result.attempts, 3);
    assert.equal(time.sleeps.length, 2);
    assert.ok(time.sleeps.every((ms) => ms >= 3_000), `slept ${time.sleeps.join(', ')} ms; the reset was 5 s away`);
  });

  it('gives up after the last attempt on 5xx, and does not retry a 404 or a bad token', async () => {
    const time = fakeTime();
    const adapter = mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: time.retry });
    fake.failNext({ status: 503, body: { error: 'down' } }, 4);
    const down = await adapter.enforce(request('101'));
    assert.deepEqual([down.status, down.attempts], ['failed', 4]);
    assert.match(down.detail, /HTTP 503/);
    const missing = await adapter.enforce(request('ghost'));
    assert.deepEqual([missing.status, missing.attempts], ['failed', 1]);
    assert.match(missing.detail, /404.*Record not found/);
    const badToken = await mastodonAdapter({ baseUrl: fake.url, token: 'wrong', retry: time.retry }).enforce(request('102'));
    assert.deepEqual([badToken.status, badToken.attempts], ['failed', 1]);
    assert.match(badToken.detail, /401/);
    assert.equal(fake.actions.has('101') || fake.actions.has('102'), false);
  });

  it('blocks sign-ups from a network once; blocking it again is already done', async () => {
    const adapter = mastodonAdapter({ baseUrl: fake.url, token: FAKE_MASTODON_TOKEN, retry: fakeTime().retry });
    assert.equal((await adapter.blockSignupNetwork('203.0.113.0/24', 'lockstep case c1')).status, 'done');
    const again = await adapter.blockSignupNetwork('203.0.113.0/24', 'lockstep case c1');
    assert.equal(again.status, 'done');
    assert.match(again.detail, /already/);
    assert.deepEqual(fake.ipBlocks.map((block) => [block.ip, block.severity]), [['203.0.113.0/24', 'sign_up_block']]);
    assert.equal((await adapter.blockSignupNetwork('not-an-ip', 'x')).status, 'failed');
  });
});

describe('Ozone adapter against an Ozone-shaped XRPC server', () => {
  let fake: FakeOzone;
  before(async () => { fake = await startFakeOzone(); });
  after(async () => { await fake.close(); });
  const options = (): Parameters<typeof ozoneAdapter>[0] => ({ baseUrl: fake.url, token: FAKE_OZONE_TOKEN, moderatorDid: 'did:plc:moderator', retry: fakeTime().retry });

  it('tags and takes down with externalId and modTool; a re-run emits nothing new', async () => {
    const adapter = ozoneAdapter(options());
    const result = await adapter.enforce(request('did:plc:abc123'));
    assert.equal(result.status, 'done');
    assert.deepEqual(fake.events.map((event) => event.type), ['tools.ozone.moderation.defs#modEventTag', 'tools.ozone.moderation.defs#modEventTakedown']);
    const takedown = fake.events[1]?.body as { modTool: unknown; externalId: string; subject: unknown };
    assert.deepEqual(takedown.modTool, { name: 'lockstep', meta: { caseId: 'c1', clusterId: '7', score: 0.83 } });
    assert.equal(takedown.externalId, 'lockstep:c1:account:did:plc:abc123:suspend');
    assert.deepEqual(takedown.subject, { $type: 'com.atproto.admin.defs#repoRef', did: 'did:plc:abc123' });
    const again = await adapter.enforce(request('did:plc:abc123'));
    assert.equal(again.status, 'done');
    assert.match(again.detail, /DuplicateExternalId/);
    assert.equal(fake.events.length, 2);
  });

  it('labels with createLabelVals, retries a 429, refuses a subject that is not a DID', async () => {
    const time = fakeTime();
    const adapter = ozoneAdapter({ ...options(), tagCases: false, retry: time.retry });
    fake.failNext(ozoneRateLimited(2));
    const result = await adapter.enforce(request('did:plc:lab', 'label'));
    assert.deepEqual([result.status, result.attempts], ['done', 2]);
    assert.ok((time.sleeps[0] ?? 0) >= 1_000);
    const label = fake.events.at(-1)?.body as { event: { createLabelVals: string[] } };
    assert.deepEqual(label.event.createLabelVals, ['coordinated-inauthentic']);
    const before = fake.requests.length;
    assert.equal((await adapter.enforce(request('12345'))).status, 'failed');
    assert.equal(fake.requests.length, before);
  });

  it('files a report with a reasonType as a reporter who is not a moderator', async () => {
    const adapter = ozoneAdapter({ ...options(), mode: 'reporter' });
    assert.equal((await adapter.enforce(request('did:plc:rep'))).status, 'done');
    assert.deepEqual(fake.reports.at(-1), { id: fake.reports.at(-1)?.id, reasonType: 'tools.ozone.report.defs#reasonMisleadingBot', did: 'did:plc:rep' });
    const wrongToken = await ozoneAdapter({ ...options(), token: 'nope' }).enforce(request('did:plc:x'));
    assert.deepEqual([wrongToken.status, wrongToken.attempts], ['failed', 1]);
    assert.match(wrongToken.detail, /AuthMissing/);
  });
});

describe('signed webhook adapter', () => {
  let fake: FakeWebhook;
  before(async () => { fake = await startFakeWebhook('s3cret'); });
  after(async () => { await fake.close(); });

  it('signs with HMAC-SHA256 the receiver verifies, and sends one key per entity and decision', async () => {
    const adapter = webhookAdapter({ url: `${fake.url}/hook`, secret: 's3cret', retry: fakeTime().retry });
    assert.equal((await adapter.enforce(request('u1', 'remove', 'group'))).status, 'done');
    assert.equal((await adapter.enforce(request('u1', 'remove', 'group'))).status, 'done');
    assert.equal(fake.accepted.size, 1);
    const payload = fake.accepted.get('lockstep:c1:group:u1:remove') as { entity: { kind: string }; decision: string };
    assert.deepEqual([payload.entity.kind, payload.decision], ['group', 'remove']);
    assert.match(fake.requests[0]?.headers['x-lockstep-signature'] ?? '', /^sha256=[0-9a-f]{64}$/);
  });

  it('fails without retrying when the receiver rejects the signature', async () => {
    const adapter = webhookAdapter({ url: `${fake.url}/hook`, secret: 'wrong', retry: fakeTime().retry });
    const result = await adapter.enforce(request('u2'));
    assert.deepEqual([result.status, result.attempts], ['failed', 1]);
    assert.equal(fake.accepted.has('lockstep:c1:account:u2:suspend'), false);
  });
});
