/** What the API reads of stored detection runs (DuckDbDetections implements it). */
import type { AccountView, ClusterDetail, ClusterSummary, SharedAction } from '../store/duckdb/detections-query.js';
import type { Entity } from '../cases/types.js';

export type { AccountView, ClusterDetail, ClusterSummary, SharedAction };

export interface DetectionsReader {
  latestRun(): Promise<{ runId: number } | null>;
  clusters(runId: number): Promise<ClusterSummary[]>;
  clustersWithMember(runId: number, text: string): Promise<Set<string>>;
  cluster(runId: number, clusterId: string): Promise<ClusterDetail | null>;
  clusterEntities(runId: number, clusterId: string): Promise<Entity[]>;
  edgePosts(runId: number, clusterId: string, source: string, target: string): Promise<SharedAction[] | null>;
  account(runId: number | null, accountId: string): Promise<AccountView>;
}
