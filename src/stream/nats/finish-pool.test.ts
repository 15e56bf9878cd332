import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LockstepError } from '../../model/index.js';
import { PartitionWork } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { partitionActions } from '../partitioner.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import type { CpuSample } from '../../ingest/columnar/idle-cores.js';
import { FinishPool } from './finish-pool.js';
import { packPartial } from './partial-pack.js';

const OPTIONS = { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 };

/** Each partition's work, every batch taken and the first taken twice (a redelivery, counted as duplicates). */
function partitionWorks(): PartitionWork[] {
  const { lines } = jetstreamStream({ durationMs: 1_800_000, organicPerSecond: 3, ringEveryMs: 120_000 });
  const parts = partitionActions(lines.flatMap((line) => parseJetstreamLine(line, '').actions), { partitions: 3, batchSize: 200 });
  return [...parts].map(([partition, batches]) => {
    const work = new PartitionWork(partition, OPTIONS);
    for (const batch of batches) work.add(batch);
    work.add(batches[0]!);
    return work;
  });
}

/** CPU counters of 2 cores that advance by 100 ticks a read, `idle` of them idle. */
const counters = (idle: number): (() => CpuSample) => {
  let reads = 0;
  return () => {
    reads++;
    return { idle: reads * idle, total: reads * 100, cpus: 2, source: 'proc-stat' };
  };
};

describe('FinishPool (a worker finishing partitions on threads)', () => {
  const pool = new FinishPool({ ...OPTIONS, threads: 2, warmUp: false, minIdleCores: 0 });
  after(() => pool.close());

  it('gives each partition the partial and stored bytes this thread gives, several at once', async () => {
    await pool.ready;
    const here = partitionWorks().map((work) => work.finish());
    const there = await Promise.all(partitionWorks().map((work) => pool.finish(work.columns(), 'gzip')));
    assert.equal(there.length, 3);
    for (const [p, finished] of there.entries()) {
      assert.ok(here[p]!.duplicates > 0 && here[p]!.traces.some((trace) => trace.pairs.size > 0));
      assert.deepEqual(finished.partial, here[p]);
      // The labels cross as code units; as strings they are the ones this thread makes.
      assert.ok(finished.partial.actors.length > 0);
      assert.deepEqual(finished.partial.actors, here[p]!.actors);
      assert.deepEqual(finished.packed, new Uint8Array(packPartial(here[p]!)));
      assert.ok(finished.seconds.finish >= 0 && finished.seconds.compress >= 0);
    }
    const raw = await pool.finish(partitionWorks()[1]!.columns(), 'none');
    assert.deepEqual(raw.packed, packPartial(here[1]!, 'none'));
  });

  it('starts a partition beside a running one only while a core stays idle', async () => {
    for (const [idle, alongside] of [[100, 1], [0, 0]] as const) {
      const gated = new FinishPool({ ...OPTIONS, threads: 2, warmUp: false, admitMs: 5, sampleCpu: counters(idle) });
      try {
        await gated.ready;
        const done = await Promise.all(partitionWorks().map((work) => gated.finish(work.columns(), 'gzip')));
        // Every tick idle: both cores free, so a second partition starts at once; none idle: one at a time.
        assert.equal(Math.max(...done.map((one) => one.alongside)), alongside, `${idle} idle ticks in 100`);
      } finally {
        await gated.close();
      }
    }
  });

  it('hands a thread\'s error back as the caller\'s, and refuses work once closed', async () => {
    await pool.ready;
    const columns = partitionWorks()[0]!.columns();
    // An event naming a key its trace does not have: the kernel refuses it.
    const trace = columns.traces.find((entry) => entry.events.key.length > 0)!;
    trace.events.key[0] = trace.events.keyCount + 5;
    await assert.rejects(pool.finish(columns, 'gzip'), (error: unknown) => error instanceof LockstepError && /co-action kernel: event 0: key \d+ outside/.test(error.message));
    await pool.close();
    await assert.rejects(pool.finish(partitionWorks()[0]!.columns(), 'gzip'), /closed/);
  });
});
