/** Clusters of the latest detection run, the posts behind an edge, and accounts. */
import { ApiError } from '../errors.js';
import { defineRoute } from '../route-spec.js';
import type { ApiDeps, RouteSpec } from '../route-spec.js';
import { accountSchema, clusterDetailSchema, clusterSummarySchema, clustersQuery, edgeQuery, sharedActionSchema } from '../schemas.js';
import { z } from 'zod';

/** Per cluster, its case that is not closed, or else its newest case. */
async function caseByCluster(deps: ApiDeps): Promise<Map<string, string>> {
  const chosen = new Map<string, { id: string; closed: boolean }>();
  // listCases answers newest first: the first case seen wins unless it is closed and a later one is not.
  for (const record of await deps.store.listCases({})) {
    const current = chosen.get(record.clusterId);
    if (current === undefined || (current.closed && record.status !== 'closed')) chosen.set(record.clusterId, { id: record.id, closed: record.status === 'closed' });
  }
  return new Map([...chosen].map(([clusterId, value]) => [clusterId, value.id]));
}

async function runOrEmpty(deps: ApiDeps): Promise<number | null> {
  return (await deps.detections.latestRun())?.runId ?? null;
}

export const clusterRoutes: RouteSpec[] = [
  defineRoute({
    id: 'listClusters', method: 'get', path: '/v1/clusters', role: 'viewer', summary: 'Clusters of the latest detection run, flagged first by score',
    body: null, query: clustersQuery, response: z.object({ items: z.array(clusterSummarySchema), total: z.number(), runId: z.number().nullable() }),
    async handle({ query, deps }) {
      const runId = await runOrEmpty(deps);
      if (runId === null) return { items: [], total: 0, runId: null };
      let clusters = await deps.detections.clusters(runId);
      if (query.minScore !== undefined) clusters = clusters.filter((cluster) => cluster.score >= (query.minScore ?? 0));
      if (query.minSize !== undefined) clusters = clusters.filter((cluster) => cluster.size >= (query.minSize ?? 0));
      if (query.trace !== undefined) clusters = clusters.filter((cluster) => cluster.traces.includes(query.trace ?? ''));
      if (query.q !== undefined && query.q.trim() !== '') {
        const text = query.q.trim().toLowerCase();
        const withMember = await deps.detections.clustersWithMember(runId, text);
        clusters = clusters.filter((cluster) => cluster.id === text || withMember.has(cluster.id) || cluster.topKeys.some((key) => key.toLowerCase().includes(text)));
      }
      const cases = await caseByCluster(deps);
      const items = clusters.slice(query.offset, query.offset + query.limit).map((cluster) => ({ ...cluster, caseId: cases.get(cluster.id) ?? null }));
      return { items, total: clusters.length, runId };
    },
  }),
  defineRoute({
    id: 'getCluster', method: 'get', path: '/v1/clusters/:id', role: 'viewer', summary: 'A cluster with its members, edges, timeline and evidence',
    body: null, query: null, response: clusterDetailSchema,
    async handle({ params, deps }) {
      const runId = await runOrEmpty(deps);
      const cluster = runId === null ? null : await deps.detections.cluster(runId, params['id'] ?? '');
      if (cluster === null) throw new ApiError('NOT_FOUND', `cluster ${params['id'] ?? ''} not found in the latest detection run`);
      return { ...cluster, caseId: (await caseByCluster(deps)).get(cluster.id) ?? null };
    },
  }),
  defineRoute({
    id: 'getEdgePosts', method: 'get', path: '/v1/clusters/:id/edge', role: 'viewer', summary: 'The posts behind an edge between two members',
    body: null, query: edgeQuery, response: z.object({ items: z.array(sharedActionSchema) }),
    async handle({ params, query, deps }) {
      const runId = await runOrEmpty(deps);
      const items = runId === null ? null : await deps.detections.edgePosts(runId, params['id'] ?? '', query.source, query.target);
      if (items === null) throw new ApiError('NOT_FOUND', `no edge between ${query.source} and ${query.target} in cluster ${params['id'] ?? ''}`);
      return { items };
    },
  }),
  defineRoute({
    id: 'getAccount', method: 'get', path: '/v1/accounts/:id', role: 'viewer', summary: 'An account: profile, activity, clusters, recent posts',
    body: null, query: null, response: accountSchema,
    async handle({ params, deps }) {
      const view = await deps.detections.account(await runOrEmpty(deps), params['id'] ?? '');
      if (view.account === null && view.actions === 0) throw new ApiError('NOT_FOUND', `account ${params['id'] ?? ''} not found in the store`);
      return view;
    },
  }),
];
