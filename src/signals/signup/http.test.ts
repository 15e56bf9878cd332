import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSignupScorer } from './scorer.js';
import { answerSignup, plainSignup, signupRequestSchema, signupScoreRoutes } from './http.js';
import { NETWORK_UA, testKnown, testTable } from './test-support/network.js';

const app = signupScoreRoutes(createSignupScorer(testKnown(), testTable()));
const good = { account_id: 'n1', time: Date.UTC(2019, 7, 20), ip: '203.0.113.5', user_agent: NETWORK_UA, handle: 'Mary48213902', email_domain: 'mailbox.example' };
const post = (body: unknown): Promise<Response> | Response => app.request('/score', { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function expect400(body: unknown, field: string, words: RegExp): Promise<void> {
  const response = await post(body);
  assert.equal(response.status, 400);
  const json = await response.json() as { error: { code: string; message: string; details: { issues: { field: string }[] } } };
  assert.equal(json.error.code, 'INVALID_REQUEST');
  assert.equal(json.error.details.issues[0]?.field, field);
  assert.match(json.error.message, words);
}

describe('POST /score', () => {
  it('scores a registration: decision, score and reasons', async () => {
    const response = await post(good);
    assert.equal(response.status, 200);
    const json = await response.json() as { account_id: string; decision: string; score: number; reasons: string[] };
    assert.equal(json.account_id, 'n1');
    assert.equal(json.decision, 'block');
    assert.ok(json.score > 0.7 && json.score <= 1);
    assert.ok(json.reasons.length >= 2);
  });
  it('takes an ISO time too', async () => {
    assert.equal((await post({ ...good, time: '2019-08-20T10:00:00Z', ip: '192.0.2.1', handle: 'someone' })).status, 200);
  });
  it('answers 400 naming the field for a bad IP, IPv6, a missing field, a bad time, and a body that is not JSON', async () => {
    await expect400({ ...good, ip: '300.1.1.1' }, 'ip', /not an IPv4 address/);
    await expect400({ ...good, ip: '2001:db8::1' }, 'ip', /IPv6 addresses are not supported/);
    const noHandle: Record<string, unknown> = { ...good };
    delete noHandle['handle'];
    await expect400(noHandle, 'handle', /handle is missing/);
    await expect400({ ...good, time: 'yesterday' }, 'time', /not an ISO 8601 time/);
    await expect400({ ...good, time: Date.now() + 3 * 86_400_000 }, 'time', /more than 24 h ahead of the server clock/);
    await expect400({ ...good, time: '3000-01-01T00:00:00Z' }, 'time', /3000-01-01T00:00:00.000Z is more than 24 h ahead/);
    await expect400({ ...good, account_id: 42 }, 'account_id', /must be a string/);
    await expect400('{"account_id":', '(body)', /not JSON/);
    await expect400([1, 2], '(body)', /JSON object/);
  });

  it('takes the server clock from its options: a day ahead of it is the limit', async () => {
    const clocked = signupScoreRoutes(createSignupScorer(testKnown(), testTable()), { now: () => Date.UTC(2019, 7, 20) });
    const at = (time: number): Promise<Response> | Response => clocked.request('/score', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...good, time }) });
    assert.equal((await at(Date.UTC(2019, 7, 21))).status, 200);
    assert.equal((await at(Date.UTC(2019, 7, 21, 0, 0, 1))).status, 400);
  });
});

describe('the plain-body shortcut (no zod for a well-formed registration)', () => {
  const text = (max: number): fc.Arbitrary<unknown> => fc.oneof(fc.string({ maxLength: max + 2 }), fc.constant(''), fc.string({ minLength: max - 1, maxLength: max + 1 }), fc.integer(), fc.constant(null));
  const field = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
  const fields = {
    account_id: field(fc.string({ minLength: 1, maxLength: 200 }), text(200)),
    time: field(fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.constant('2019-08-20T10:00:00Z')), fc.oneof(fc.double(), fc.constant(''), fc.constant(-1), fc.constant(2 ** 60), fc.boolean())),
    ip: field(fc.ipV4(), fc.oneof(fc.ipV6(), fc.string({ maxLength: 70 }), fc.constant('01.2.3.4'), fc.constant('1.2.3.256'))),
    user_agent: field(fc.string({ maxLength: 1000 }), text(1000)),
    handle: field(fc.string({ minLength: 1, maxLength: 100 }), text(100)),
    email_domain: field(fc.string({ maxLength: 255 }), text(255)),
    extra: fc.option(fc.string(), { nil: undefined }),
  };
  const body = fc.oneof(fc.record(fields), fc.record(fields, { requiredKeys: [] }));

  it('accepts only what the schema accepts, with the same fields', () => {
    let plain = 0;
    fc.assert(fc.property(fc.oneof(body, fc.anything()), (value) => {
      const fast = plainSignup(value);
      const parsed = signupRequestSchema.safeParse(value);
      if (fast === null) return;
      plain += 1;
      assert.ok(parsed.success, `the shortcut took a body the schema refuses: ${JSON.stringify(value)}`);
      assert.deepEqual(fast, parsed.data);
    }), { numRuns: 3000 });
    assert.ok(plain > 200, `the shortcut took only ${plain} bodies`);
  });

  it('answers as the sub-app does, byte for byte', async () => {
    const viaApp = signupScoreRoutes(createSignupScorer(testKnown(), testTable()));
    const direct = createSignupScorer(testKnown(), testTable());
    const bodies = [JSON.stringify(good), JSON.stringify(good), JSON.stringify({ ...good, ip: '2001:db8::1' }), '{"account_id":', '[1]', JSON.stringify({ ...good, handle: '' }), JSON.stringify({ ...good, time: '2019-08-20T10:00:00Z' })];
    for (const text of bodies) {
      const response = await viaApp.request('/score', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      const answer = answerSignup(direct, text);
      assert.equal(answer.status, response.status, text);
      assert.equal(answer.body, await response.text(), text);
      assert.equal(response.headers.get('content-type'), 'application/json');
    }
  });
});
