/** The batch engine's result on files, through the same path `lockstep detect --via-store` takes, for equivalence tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraces } from '../../cli/detect/load-traces.js';
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
    const result = detectCoordination({ actorCount: loaded.actorIds.length, traces: loaded.traces }, { window: windowMs, group: false });
    return { result, actorIds: loaded.actorIds };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
