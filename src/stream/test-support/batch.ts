/** The batch engine's result on files, through the same path `lockstep detect --via-store` takes, for equivalence tests. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraces } from '../../cli/detect/load-traces.js';
import { clusterAccounts } from '../../detect/clusters.js';
import { detectCoordination } from '../../detect/pipeline.js';
import type { DetectionResult } from '../../detect/pipeline.js';
import { RejectsFile, ingestFile } from '../../ingest/index.js';
import { DuckDbStore } from '../../store/index.js';
import type { StreamTrace } from '../extract.js';

export async function batchDetect(files: readonly string[], traces: readonly StreamTrace[], windowMs: number): Promise<{ result: DetectionResult; actorIds: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'lockstep-batch-'));
  const store = await DuckDbStore.open(':memory:');
  try {
    const rejects = new RejectsFile(join(dir, 'rejects.csv'));
    for (const file of files) await ingestFile(file, store, rejects);
    await rejects.close();
    const loaded = await loadTraces(store, traces, { fastRepostMs: 60_000, platforms: [] }, () => undefined);
    // The coordinator runs the pair test on merged pair weights: it has no group test, and it counts a
    // pair's shared keys, not its posts (a post's tags can fall in different partitions, so post
    // occasions would need post ids in the partials). So the batch engine is compared with both off.
    const result = detectCoordination({ actorCount: loaded.actorIds.length, traces: loaded.traces }, { window: windowMs, group: false, postOccasions: false });
    return { result, actorIds: loaded.actorIds };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The coordinator's merged result, as far as the equivalence tests compare it. */
export interface MergedResult {
  actorIds: readonly string[];
  graph: { size: number; a: Int32Array; b: Int32Array; weight: Float64Array };
  clusters: readonly { members: number[] }[];
}

/**
 * Asserts that a distributed run's merged result is the batch engine's: the same accounts in the
 * same order, the same edges with the same weights (to 1e-9), and the same clusters.
 */
export function assertSameAsBatch(merged: MergedResult, batch: { result: DetectionResult; actorIds: readonly string[] }): void {
  assert.deepEqual(merged.actorIds, batch.actorIds);
  const edges = (graph: MergedResult['graph'], ids: readonly string[]): Map<string, number> => {
    const out = new Map<string, number>();
    for (let edge = 0; edge < graph.size; edge++) out.set(`${ids[graph.a[edge]!]}|${ids[graph.b[edge]!]}`, graph.weight[edge]!);
    return out;
  };
  const mine = edges(merged.graph, merged.actorIds);
  const theirs = edges(batch.result.graph, batch.actorIds);
  assert.ok(theirs.size > 20);
  assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
  for (const [pair, weight] of theirs) assert.ok(Math.abs(mine.get(pair)! - weight) < 1e-9, pair);
  const sets = (clusters: readonly { members: number[] }[], ids: readonly string[]): string[] => clusters.map((cluster) => cluster.members.map((m) => ids[m]).sort().join(',')).sort();
  assert.deepEqual(sets(merged.clusters, merged.actorIds), sets(clusterAccounts(batch.result.graph), batch.actorIds));
  for (const kept of sets(batch.result.clusters, batch.actorIds)) assert.ok(sets(merged.clusters, merged.actorIds).includes(kept));
  assert.ok(merged.clusters.length >= 2);
}
