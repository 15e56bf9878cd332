/**
 * The sign-up route's fast path (createApiServer's listener) against the app alone: the same
 * sequence of requests gets the same status, content type, Retry-After and body, byte for byte —
 * scores, velocity counted across requests, 400s, auth, role, rate limit, body limit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { CaseService } from '../cases/service.js';
import { openDuckDbWorkspace } from '../store/duckdb/workspace-store.js';
import type { WorkspaceStore } from '../cases/port.js';
import { answerSignup, createSignupScorer, signupScoreRoutes } from '../signals/signup/index.js';
import { NETWORK_UA, testKnown, testTable } from '../signals/signup/test-support/network.js';
import { createApiServer, createApp } from './app.js';
import type { AppOptions } from './app.js';
import { addUser } from './auth.js';
import { listen } from './server.js';
import type { RunningServer } from './server.js';
import { clusterSource } from './workspace.js';
import { fakeDetections } from './test-support/harness.js';

const good = { account_id: 'n1', time: Date.UTC(2019, 7, 20), ip: '203.0.113.5', user_agent: NETWORK_UA, handle: 'Mary48213902', email_domain: 'mailbox.example' };

interface Answer { status: number; type: string | null; retryAfter: string | null; body: string }

describe('POST /v1/signups/score on the fast path', () => {
  let store: WorkspaceStore;
  let fast: RunningServer;
  let plain: RunningServer;
  let fastAnswers = 0;
  const tokens: Record<string, string> = {};
  before(async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    store = await openDuckDbWorkspace(connection, async () => { connection.closeSync(); instance.closeSync(); });
    const now = (): number => Date.now();
    const cases = new CaseService({ store, clusters: clusterSource(fakeDetections), adapters: {}, now, newId: () => 'id' });
    tokens['investigator'] = (await addUser(store, { name: 'registration-service', role: 'investigator', now: now() })).token;
    tokens['viewer'] = (await addUser(store, { name: 'viewer-user', role: 'viewer', now: now() })).token;
    const deps = { store, cases, detections: fakeDetections, adapterTargets: { mastodon: null, ozone: null, webhook: null }, now };
    // Each server its own scorer (state) and limits; a small budget so the test reaches the limit,
    // on a stopped clock (no refill however slow the machine).
    const options = (): Partial<AppOptions> => ({ bodyLimitBytes: 2000, signupRateLimit: { capacity: 12, perMinute: 60, now: () => 1_700_000_000_000 }, logError: () => undefined });
    const fastScorer = createSignupScorer(testKnown(), testTable());
    const server = createApiServer(deps, { ...options(), signups: signupScoreRoutes(fastScorer), signupAnswer: (text) => { fastAnswers += 1; return answerSignup(fastScorer, text); } });
    fast = await listen(server.app, { listener: server.listener });
    plain = await listen(createApp(deps, { ...options(), signups: signupScoreRoutes(createSignupScorer(testKnown(), testTable())) }));
  });
  after(async () => {
    await fast.close();
    await plain.close();
    await store.close();
  });

  const post = async (server: RunningServer, body: string, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${server.url}/v1/signups/score`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, type: response.headers.get('content-type'), retryAfter: response.headers.get('retry-after'), body: await response.text() };
  };
  const both = async (body: string, headers: Record<string, string>): Promise<Answer> => {
    const [a, b] = [await post(fast, body, headers), await post(plain, body, headers)];
    assert.deepEqual(a, b, `${JSON.stringify(headers)} ${body.slice(0, 80)}`);
    return a;
  };

  it('answers what the app answers, and takes the requests of a known investigator itself', async () => {
    const auth = { authorization: `Bearer ${tokens['investigator'] as string}` };
    const first = await both(JSON.stringify(good), auth); // the app's: the user is not remembered yet
    assert.equal(first.status, 200);
    assert.equal(fastAnswers, 0);
    const sequence = [
      JSON.stringify({ ...good, account_id: 'n2' }), JSON.stringify({ ...good, account_id: 'n3', ip: '192.0.2.9' }), JSON.stringify({ ...good, account_id: 'n4', ip: '192.0.2.9' }),
      JSON.stringify({ ...good, account_id: 'n5', ip: '192.0.2.9' }), JSON.stringify({ ...good, ip: '2001:db8::1' }), JSON.stringify({ ...good, ip: '300.1.1.1' }),
      '{"account_id":', '[1,2]', `\uFEFF${JSON.stringify({ ...good, account_id: 'bom' })}`, JSON.stringify({ ...good, handle: '' }), JSON.stringify({ ...good, time: '2019-08-20T10:00:00Z', extra: 1 }),
    ];
    const answers = [];
    for (const body of sequence) answers.push(await both(body, auth));
    assert.equal(fastAnswers, sequence.length, 'every one of these went the fast way');
    assert.match(answers[3]?.body ?? '', /3 sign-ups from IP 192\.0\.2\.9/, 'velocity counted across requests');
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200, 200, 400, 400, 400, 400, 200, 400, 200]);
    // Over the budget (12 a minute): the same 429 and Retry-After from both.
    const limited = await both(JSON.stringify(good), auth);
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfter, '1');
    assert.equal(fastAnswers, sequence.length, 'a refused request is not scored');
  });

  it('leaves anything else to the app: no token, an unknown token, a viewer, a body over the limit', async () => {
    const before = fastAnswers;
    assert.equal((await both(JSON.stringify(good), {})).status, 401);
    assert.equal((await both(JSON.stringify(good), { authorization: 'Bearer lst_nobody' })).status, 401);
    const viewer = { authorization: `Bearer ${tokens['viewer'] as string}` };
    assert.equal((await both(JSON.stringify(good), viewer)).status, 403);
    assert.equal((await both(JSON.stringify(good), viewer)).status, 403);
    assert.equal((await both(JSON.stringify({ ...good, user_agent: 'x'.repeat(3000) }), { authorization: `Bearer ${tokens['investigator'] as string}` })).status, 413);
    assert.equal(fastAnswers, before);
  });
});
