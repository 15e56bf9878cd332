/**
 * A small in-memory stand-in for the v1 API (docs/api-v1.md), serving dist/web at `/`: the UI's tests use it
 * where the real server's data would not do (a 5,000-account cluster). It implements the contract's shapes,
 * not its rules in full: the real server's own tests cover those.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AuditEntry, Case, CaseDetail, ClusterDetail, ClusterSummary, Decision, DecisionKind, EntityRef, Outcome, Role } from '../api-types.js';

export interface MockApi { url: string; close(): Promise<void> }
export interface MockApiOptions { clusters: ClusterDetail[]; tokens: Record<string, { name: string; role: Role }>; staticRoot: string }

function summaryOf(cluster: ClusterDetail): ClusterSummary {
  const { id, score, size, traces, topKeys, firstTime, lastTime, caseId, organic } = cluster;
  return { id, score, size, traces, topKeys, firstTime, lastTime, caseId, organic };
}

const fail = (c: Context, status: 400 | 401 | 404 | 409, code: string, message: string): Response => c.json({ error: { code, message } }, status);

/** Starts the mock on 127.0.0.1, port chosen by the OS. */
export async function startMockApi(options: MockApiOptions): Promise<MockApi> {
  const cases = new Map<string, CaseDetail>();
  const audit: AuditEntry[] = [];
  const byId = new Map(options.clusters.map((cluster) => [cluster.id, cluster]));
  const record = (actor: string, action: string, subject: string, payload: unknown): void => {
    const prevHash = audit[audit.length - 1]?.hash ?? '';
    const entry = { seq: audit.length + 1, time: Date.now(), actor, action, subject, payload };
    audit.push({ ...entry, prevHash, hash: createHash('sha256').update(prevHash + JSON.stringify(entry)).digest('hex') });
  };
  const app = new Hono<{ Variables: { user: { name: string; role: Role } } }>();
  app.use('/v1/*', async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const user = token === undefined ? undefined : options.tokens[token];
    if (user === undefined) return fail(c, 401, 'UNAUTHENTICATED', 'Sign in with a valid API token.');
    c.set('user', user);
    await next();
    return undefined;
  });
  app.get('/v1/me', (c) => c.json(c.get('user')));
  app.get('/v1/clusters', (c) => {
    const minScore = Number(c.req.query('minScore') ?? 0);
    const minSize = Number(c.req.query('minSize') ?? 0);
    const trace = c.req.query('trace');
    const q = c.req.query('q');
    const items = options.clusters
      .filter((cluster) => cluster.score >= minScore && cluster.size >= minSize && (trace === undefined || cluster.traces.includes(trace)))
      .filter((cluster) => q === undefined || cluster.id.includes(q) || cluster.members.some((member) => member.accountId === q))
      .map((cluster) => summaryOf(cluster))
      .sort((a, b) => b.score - a.score);
    return c.json({ items, total: items.length, runId: 'mock' });
  });
  app.get('/v1/clusters/:id', (c) => {
    const cluster = byId.get(c.req.param('id'));
    return cluster === undefined ? fail(c, 404, 'NOT_FOUND', `No cluster ${c.req.param('id')}.`) : c.json(cluster);
  });
  app.get('/v1/clusters/:id/edge', (c) => {
    const source = c.req.query('source') ?? '';
    const target = c.req.query('target') ?? '';
    const post = (accountId: string, time: number) => ({ actionId: `${accountId}-${time}`, accountId, time, kind: 'retweet', text: `RT @source: the same words (${accountId})`, urls: ['https://example.com/story'] });
    const start = Date.UTC(2019, 7, 14, 3);
    return c.json({ items: [0, 1, 2].map((index) => ({ trace: 'retweet', key: `tweet-${index}`, a: post(source, start + index * 60_000), b: post(target, start + index * 60_000 + 4_000), deltaSeconds: 4 })) });
  });
  app.get('/v1/accounts/:id', (c) => {
    const id = c.req.param('id');
    const clusters = options.clusters.filter((cluster) => cluster.members.some((member) => member.accountId === id)).map((cluster) => cluster.id);
    if (clusters.length === 0) return fail(c, 404, 'NOT_FOUND', `No account ${id}.`);
    return c.json({ account: { id, handle: id.replace('acct-', 'user_'), createdAt: '2019-06-01' }, actions: 42, firstTime: Date.UTC(2019, 7, 14), lastTime: Date.UTC(2019, 7, 16), clusters, signals: { accountAgeDays: 74, defaultProfileImage: true }, recent: [] });
  });
  app.post('/v1/cases', async (c) => {
    const body = await c.req.json<{ clusterId?: string; title?: string }>();
    const cluster = byId.get(body.clusterId ?? '');
    if (cluster === undefined) return fail(c, 404, 'NOT_FOUND', `No cluster ${body.clusterId ?? ''}.`);
    if (cluster.caseId !== null) return fail(c, 409, 'CONFLICT', `Cluster ${cluster.id} already has case ${cluster.caseId}.`);
    const id = `case-${cases.size + 1}`;
    const now = Date.now();
    const opened: CaseDetail = {
      id, clusterId: cluster.id, title: body.title ?? `Cluster ${cluster.id}`, status: 'open', assignee: null, createdAt: now, updatedAt: now,
      entities: cluster.members.map((member) => ({ kind: 'account', id: member.accountId, handle: member.handle })), notes: [], decisions: [], outcomes: [],
    };
    cases.set(id, opened);
    cluster.caseId = id;
    record(c.get('user').name, 'case.open', id, { clusterId: cluster.id });
    const summary: Case = { id, clusterId: opened.clusterId, title: opened.title, status: opened.status, assignee: null, createdAt: now, updatedAt: now };
    return c.json(summary, 201);
  });
  app.get('/v1/cases', (c) => c.json({ items: [...cases.values()], total: cases.size }));
  app.get('/v1/cases/:id', (c) => {
    const found = cases.get(c.req.param('id'));
    return found === undefined ? fail(c, 404, 'NOT_FOUND', `No case ${c.req.param('id')}.`) : c.json(found);
  });
  app.post('/v1/cases/:id/decisions', async (c) => {
    const found = cases.get(c.req.param('id'));
    if (found === undefined) return fail(c, 404, 'NOT_FOUND', `No case ${c.req.param('id')}.`);
    const body = await c.req.json<{ entities: EntityRef[] | 'all'; decision: DecisionKind; reason: string; dryRun?: boolean }>();
    const targets = body.entities === 'all' ? found.entities.map(({ kind, id }) => ({ kind, id })) : body.entities;
    const latest = new Map(found.decisions.map((decision) => [`${decision.entity.kind}:${decision.entity.id}`, decision.decision]));
    const decisions: Decision[] = targets.map((entity) => ({ entity, decision: body.decision, reason: body.reason }));
    const changes = targets.map((entity) => ({ entity, from: latest.get(`${entity.kind}:${entity.id}`) ?? null, to: body.decision }));
    if (body.dryRun !== true) {
      found.decisions.push(...decisions);
      record(c.get('user').name, 'case.decide', found.id, { decision: body.decision, count: targets.length });
    }
    return c.json({ dryRun: body.dryRun === true, decisions, changes });
  });
  app.post('/v1/cases/:id/actions', async (c) => {
    const found = cases.get(c.req.param('id'));
    if (found === undefined) return fail(c, 404, 'NOT_FOUND', `No case ${c.req.param('id')}.`);
    const body = await c.req.json<{ adapter: Outcome['adapter']; dryRun?: boolean }>();
    const done = new Set(found.outcomes.map((outcome) => `${outcome.entity.kind}:${outcome.entity.id}`));
    const outcomes: Outcome[] = found.decisions.map((decision) => ({
      entity: decision.entity, decision: decision.decision, adapter: body.adapter,
      status: done.has(`${decision.entity.kind}:${decision.entity.id}`) ? 'skipped' : 'done', attempts: 1, detail: body.dryRun === true ? 'would act' : 'mock', time: Date.now(),
    }));
    if (body.dryRun !== true) {
      found.outcomes.push(...outcomes.filter((outcome) => outcome.status === 'done'));
      record(c.get('user').name, 'case.action', found.id, { adapter: body.adapter, count: outcomes.length });
    }
    return c.json({ dryRun: body.dryRun === true, outcomes });
  });
  app.get('/v1/audit', (c) => {
    const caseId = c.req.query('caseId');
    const items = audit.filter((entry) => caseId === undefined || entry.subject === caseId);
    return c.json({ items, total: items.length });
  });
  app.all('/v1/*', (c) => fail(c, 404, 'NOT_FOUND', 'The mock does not implement this route.'));
  app.use('/*', serveStatic({ root: options.staticRoot }));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
