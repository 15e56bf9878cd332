/**
 * An in-process workspace for API tests: in-memory DuckDB workspace store, detections served
 * from memory (every cluster id `cN` exists, with three accounts and a page), one user and
 * token per role, and an in-memory adapter that records what it was asked to do.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { CaseService } from '../../cases/service.js';
import type { WorkspaceStore } from '../../cases/port.js';
import type { Entity, Role } from '../../cases/types.js';
import { ROLES } from '../../cases/types.js';
import type { EnforcementAdapter, EnforcementRequest } from '../../cases/enforce/port.js';
import { openDuckDbWorkspace } from '../../store/duckdb/workspace-store.js';
import { createApp } from '../app.js';
import type { AppOptions } from '../app.js';
import { addUser } from '../auth.js';
import type { DetectionsReader } from '../detections-port.js';
import type { ClusterDetail } from '../detections-port.js';
import { clusterSource } from '../workspace.js';

export function entitiesOf(clusterId: string): Entity[] {
  return [
    { kind: 'account', id: `${clusterId}-a1`, handle: '@one' }, { kind: 'account', id: `${clusterId}-a2`, handle: null },
    { kind: 'account', id: `${clusterId}-a3`, handle: null }, { kind: 'page', id: `${clusterId}-p1`, handle: null },
  ];
}

function detail(id: string): ClusterDetail {
  const members = entitiesOf(id).map((entity) => ({ accountId: entity.id, handle: entity.handle, actions: 10, degree: 2, attachment: 1 }));
  return {
    id, score: 0.9, size: members.length, traces: ['co-repost'], topKeys: ['twitter:1'], firstTime: 0, lastTime: 1000, organic: null, flagged: true,
    members, edges: [{ source: `${id}-a1`, target: `${id}-a2`, weight: 3, traces: { 'co-repost': 3 } }], timeline: [{ time: 0, trace: 'co-repost', coActions: 4 }], evidence: {},
  };
}

export const fakeDetections: DetectionsReader = {
  latestRun: async () => ({ runId: 1 }),
  clusters: async () => Array.from({ length: 400 }, (_, i) => `c${i + 1}`).map((id) => {
    const full = detail(id);
    return { id, score: full.score, size: full.size, traces: full.traces, topKeys: full.topKeys, firstTime: full.firstTime, lastTime: full.lastTime, organic: full.organic, flagged: full.flagged };
  }),
  clustersWithMember: async () => new Set(),
  cluster: async (_run, id) => (/^c\d+$/.test(id) ? detail(id) : null),
  clusterEntities: async (_run, id) => entitiesOf(id),
  edgePosts: async (_run, id, source, target) => (source === `${id}-a1` && target === `${id}-a2`
    ? [{ trace: 'co-repost', key: 'twitter:1', deltaSeconds: 4, a: { actionId: 'p1', accountId: source, time: 0, kind: 'repost', text: null, urls: [] }, b: { actionId: 'p2', accountId: target, time: 4000, kind: 'repost', text: null, urls: [] } }]
    : null),
  account: async (_run, id) => ({ account: null, actions: id.endsWith('-a1') ? 10 : 0, firstTime: null, lastTime: null, clusters: [], signals: null, recent: [] }),
};

export function recordingAdapter(): EnforcementAdapter & { requests: EnforcementRequest[] } {
  const requests: EnforcementRequest[] = [];
  return { name: 'webhook', requests, enforce: async (request) => { requests.push(request); return { status: 'done', attempts: 1, detail: 'HTTP 202' }; } };
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  store: WorkspaceStore;
  cases: CaseService;
  tokens: Record<Role, string>;
  adapter: ReturnType<typeof recordingAdapter>;
  /** A JSON request as a role (or without a token with null). */
  call(role: Role | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<AppOptions> = {}, clock: { now: number } = { now: 1_700_000_000_000 }): Promise<Harness> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const store = await openDuckDbWorkspace(connection, async () => { connection.closeSync(); instance.closeSync(); });
  const adapter = recordingAdapter();
  let ids = 0;
  const now = (): number => clock.now;
  const cases = new CaseService({ store, clusters: clusterSource(fakeDetections), adapters: { webhook: adapter }, now, newId: () => `id${++ids}` });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) tokens[role] = (await addUser(store, { name: `${role}-user`, role, now: now() })).token;
  const app = createApp({ store, cases, detections: fakeDetections, adapterTargets: { mastodon: null, ozone: null, webhook: 'memory:' }, now }, { logError: () => undefined, ...options });
  return {
    app, store, cases, tokens, adapter,
    async call(role, method, path, body) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (role !== null) headers['authorization'] = `Bearer ${tokens[role]}`;
      const response = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try { parsed = text === '' ? {} : JSON.parse(text) as Record<string, unknown>; } catch { parsed = { text }; }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    close: () => store.close(),
  };
}
