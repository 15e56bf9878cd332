/**
 * The role matrix: every route × every role. Exactly the roles the route allows succeed (2xx),
 * the others get 403, and a request without a token gets 401. Each call gets fresh state
 * prepared as an admin so that an allowed call can succeed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { ROLES, roleAllows } from '../cases/types.js';
import type { Role, User } from '../cases/types.js';
import { API_ROUTES } from './app.js';
import { startHarness } from './test-support/harness.js';
import type { Harness } from './test-support/harness.js';

type Sample = { method: string; path: string; body?: unknown };
const admin: User = { name: 'admin-user', role: 'admin', createdAt: 0 };

describe('role matrix', () => {
  let h: Harness;
  let fresh = 100;
  const freshCase = async (): Promise<string> => (await h.cases.open(admin, { clusterId: `c${fresh++}` })).id;
  const samples: Record<string, () => Promise<Sample>> = {
    me: async () => ({ method: 'GET', path: '/v1/me' }),
    listClusters: async () => ({ method: 'GET', path: '/v1/clusters?minScore=0.5' }),
    getCluster: async () => ({ method: 'GET', path: '/v1/clusters/c1' }),
    getEdgePosts: async () => ({ method: 'GET', path: '/v1/clusters/c1/edge?source=c1-a1&target=c1-a2' }),
    getAccount: async () => ({ method: 'GET', path: '/v1/accounts/c1-a1' }),
    createCase: async () => ({ method: 'POST', path: '/v1/cases', body: { clusterId: `c${fresh++}` } }),
    listCases: async () => ({ method: 'GET', path: '/v1/cases?status=open' }),
    getCase: async () => ({ method: 'GET', path: `/v1/cases/${await freshCase()}` }),
    transitionCase: async () => ({ method: 'POST', path: `/v1/cases/${await freshCase()}/transition`, body: { to: 'in_review' } }),
    assignCase: async () => ({ method: 'POST', path: `/v1/cases/${await freshCase()}/assign`, body: { assignee: 'reviewer-user' } }),
    addNote: async () => ({ method: 'POST', path: `/v1/cases/${await freshCase()}/notes`, body: { text: 'same text, 40 s apart' } }),
    decide: async () => {
      const id = await freshCase();
      return { method: 'POST', path: `/v1/cases/${id}/decisions`, body: { entities: [{ kind: 'account', id: `c${fresh - 1}-a1` }], decision: 'suspend', reason: 'retweet ring' } };
    },
    runActions: async () => {
      const id = await freshCase();
      await h.cases.decide(admin, id, { entities: 'all', decision: 'suspend', reason: 'retweet ring', dryRun: false });
      await h.cases.transition(admin, id, { to: 'in_review' });
      await h.cases.transition(admin, id, { to: 'decided' });
      return { method: 'POST', path: `/v1/cases/${id}/actions`, body: { adapter: 'webhook' } };
    },
    listAudit: async () => ({ method: 'GET', path: '/v1/audit?limit=5' }),
    listUsers: async () => ({ method: 'GET', path: '/v1/users' }),
    createUser: async () => ({ method: 'POST', path: '/v1/users', body: { name: `new-${fresh++}`, role: 'viewer' } }),
    listAdapters: async () => ({ method: 'GET', path: '/v1/adapters' }),
  };
  const signups = new Hono().post('/score', (c) => c.json({ account_id: 'x', decision: 'allow', score: 0, reasons: [] }));

  before(async () => { h = await startHarness({ signups, rateLimit: { capacity: 10_000 } }); });
  after(async () => { await h.close(); });

  it('has a sample for every route', () => {
    assert.deepEqual(API_ROUTES.map((route) => route.id).filter((id) => samples[id] === undefined), []);
  });

  const routes = [...API_ROUTES.map((route) => ({ id: route.id, role: route.role })), { id: 'scoreSignup', role: 'investigator' as Role }];
  samples['scoreSignup'] = async () => ({ method: 'POST', path: '/v1/signups/score', body: {} });
  for (const route of routes) {
    it(`${route.id} (${route.role}+): allowed roles succeed, others 403, no token 401`, async () => {
      const seen: string[] = [];
      for (const role of ROLES) {
        const sample = await (samples[route.id] as () => Promise<Sample>)();
        const answer = await h.call(role, sample.method, sample.path, sample.body);
        const allowed = roleAllows(role, route.role);
        seen.push(`${role}:${answer.status}`);
        if (allowed) assert.ok(answer.status >= 200 && answer.status < 300, `${role} should succeed on ${sample.method} ${sample.path}: ${answer.status} ${JSON.stringify(answer.body)}`);
        else {
          assert.equal(answer.status, 403, `${role} on ${sample.method} ${sample.path}`);
          assert.equal((answer.body['error'] as { code: string }).code, 'FORBIDDEN');
        }
      }
      const sample = await (samples[route.id] as () => Promise<Sample>)();
      const anonymous = await h.call(null, sample.method, sample.path, sample.body);
      assert.equal(anonymous.status, 401, seen.join(' '));
      assert.equal((anonymous.body['error'] as { code: string }).code, 'UNAUTHENTICATED');
    });
  }
});
