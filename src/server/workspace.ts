/**
 * Opens what the server runs on: the DuckDB store (actions and detection runs), the workspace
 * store (the same file, or PostgreSQL with `pgUrl`), the case service and the enforcement
 * adapters configured from the environment.
 */
import { randomUUID } from 'node:crypto';
import { CaseService } from '../cases/service.js';
import type { ClusterSource } from '../cases/service.js';
import type { WorkspaceStore } from '../cases/port.js';
import type { AdapterName } from '../cases/types.js';
import type { EnforcementConfig } from '../config.js';
import { mastodonAdapter } from '../cases/enforce/mastodon.js';
import { ozoneAdapter } from '../cases/enforce/ozone.js';
import type { EnforcementAdapter } from '../cases/enforce/port.js';
import { webhookAdapter } from '../cases/enforce/webhook.js';
import { DuckDbStore } from '../store/index.js';
import { DuckDbDetections } from '../store/duckdb/detections-query.js';
import { openDuckDbWorkspace } from '../store/duckdb/workspace-store.js';
import { openPgWorkspace } from '../store/postgres/pg-workspace-store.js';
import type { DetectionsReader } from './detections-port.js';
import type { ApiDeps } from './route-spec.js';

export function clusterSource(detections: DetectionsReader): ClusterSource {
  const find = async (clusterId: string): Promise<{ runId: number; score: number } | null> => {
    const run = await detections.latestRun();
    if (run === null) return null;
    const cluster = (await detections.clusters(run.runId)).find((item) => item.id === clusterId);
    return cluster === undefined ? null : { runId: run.runId, score: cluster.score };
  };
  return {
    async clusterForCase(clusterId) {
      const found = await find(clusterId);
      return found === null ? null : { score: found.score, entities: await detections.clusterEntities(found.runId, clusterId) };
    },
    clusterScore: async (clusterId) => (await find(clusterId))?.score ?? null,
  };
}

export function enforcementAdapters(config: EnforcementConfig): { adapters: Partial<Record<AdapterName, EnforcementAdapter>>; targets: Record<AdapterName, string | null> } {
  const adapters: Partial<Record<AdapterName, EnforcementAdapter>> = {};
  if (config.mastodon !== null) adapters.mastodon = mastodonAdapter({ baseUrl: config.mastodon.url, token: config.mastodon.token });
  if (config.ozone !== null) adapters.ozone = ozoneAdapter({ baseUrl: config.ozone.url, token: config.ozone.token, moderatorDid: config.ozone.moderatorDid, mode: config.ozone.mode });
  if (config.webhook !== null) adapters.webhook = webhookAdapter({ url: config.webhook.url, secret: config.webhook.secret });
  return { adapters, targets: { mastodon: config.mastodon?.url ?? null, ozone: config.ozone?.url ?? null, webhook: config.webhook?.url ?? null } };
}

/** The workspace store alone (for `lockstep users` and `lockstep audit`). */
export async function openWorkspaceStore(dbPath: string, pgUrl: string | null): Promise<WorkspaceStore> {
  if (pgUrl !== null) return openPgWorkspace(pgUrl);
  const store = await DuckDbStore.open(dbPath);
  return openDuckDbWorkspace(store.connection, () => store.close());
}

export interface Workspace { deps: ApiDeps; duckdb: DuckDbStore; close(): Promise<void> }

export async function openWorkspace(input: { dbPath: string; pgUrl: string | null; enforcement: EnforcementConfig; now?: () => number }): Promise<Workspace> {
  const duckdb = await DuckDbStore.open(input.dbPath);
  const detections = await DuckDbDetections.open(duckdb.connection);
  const store = input.pgUrl === null ? await openDuckDbWorkspace(duckdb.connection) : await openPgWorkspace(input.pgUrl);
  const { adapters, targets } = enforcementAdapters(input.enforcement);
  const now = input.now ?? Date.now;
  const cases = new CaseService({ store, clusters: clusterSource(detections), adapters, now, newId: () => randomUUID().replaceAll('-', '').slice(0, 12) });
  return {
    deps: { store, cases, detections, adapterTargets: targets, now },
    duckdb,
    async close() {
      await store.close();
      await duckdb.close();
    },
  };
}
