import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LockstepError } from '../../model/index.js';
import { assemblePartials, PartitionWork } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { partitionActions } from '../partitioner.js';
import { assertSameAsBatch, batchDetect } from '../test-support/batch.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { PublisherMerge } from './publisher-merge.js';
import { batchPublisher, batchPublishers } from '../wire-batch.js';

const PARTITIONS = 5;
const PUBLISHERS = 3;

/** A seeded shuffle (mulberry32), so a failure repeats. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('several publishers per job', () => {
  it('3 publishers on disjoint shares, delivered shuffled and partly twice, give the batch engine\'s edges, weights and clusters', async () => {
    const { lines } = jetstreamStream({ durationMs: 1_800_000, organicPerSecond: 3, ringEveryMs: 120_000, seed: 4 });
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-publishers-'));
    try {
      const file = join(dir, 'feed.jsonl');
      await writeFile(file, `${lines.join('\n')}\n`);
      const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
      // The firehose split by line across 3 front ends, each with its own partitioner.
      const shares = Array.from({ length: PUBLISHERS }, (_, publisher) => lines.filter((_, i) => i % PUBLISHERS === publisher).flatMap((line) => parseJetstreamLine(line, '').actions));
      const sent = shares.map((actions, publisher) => partitionActions(actions, { partitions: PARTITIONS, batchSize: 40, publisher }));
      let redelivered = 0;
      const partials: PartitionPartial[] = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const messages = sent.flatMap((byPartition) => byPartition.get(partition) ?? []);
        assert.deepEqual([...new Set(messages.map(batchPublisher))].sort(), [0, 1, 2]);
        // At least once, in any order: every message, shuffled, and a fifth of them again.
        const again = messages.filter((_, i) => i % 5 === 0);
        redelivered += again.length;
        const delivery = shuffled([...messages, ...again], 17 + partition);
        const merge = new PublisherMerge(partition, PUBLISHERS);
        const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
        for (const [i, bytes] of delivery.entries()) {
          for (const merged of merge.add(bytes, `p${partition} #${i}`)) work.add(merged);
          // Done only at the last publisher's end marker and the last batch before it.
          assert.equal(merge.complete, work.complete);
          if (i < messages.length - 1 - again.length) assert.equal(merge.complete, false);
        }
        assert.equal(merge.complete, true);
        assert.equal(work.duplicates, 0);
        const partial = work.finish();
        partial.duplicates += merge.duplicates;
        partials.push(partial);
      }
      assert.ok(redelivered > 10);
      // Every event sent counted once (the header's 4th word is a batch's event count).
      const events = sent.flatMap((byPartition) => [...byPartition.values()].flat()).reduce((sum, bytes) => sum + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true), 0);
      assert.equal(partials.reduce((sum, partial) => sum + partial.events, 0), events);
      assert.ok(partials.reduce((sum, partial) => sum + partial.duplicates, 0) > 0, 'redeliveries counted as duplicates');
      const merged = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
      assertSameAsBatch(merged, batch);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('waits for every publisher\'s end marker, and names a batch from a publisher the job does not have', () => {
    const { lines } = jetstreamStream({ durationMs: 300_000, seed: 2 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const half = Math.floor(actions.length / 2);
    const first = partitionActions(actions.slice(0, half), { partitions: 1, batchSize: 50, publisher: 0 }).get(0)!;
    const second = partitionActions(actions.slice(half), { partitions: 1, batchSize: 50, publisher: 1 }).get(0)!;
    const merge = new PublisherMerge(0, 2);
    const work = new PartitionWork(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    // Publisher 1's end marker first, then all of publisher 0: not done until publisher 1's batches are in.
    for (const merged of merge.add(second.at(-1)!)) work.add(merged);
    for (const bytes of first) for (const merged of merge.add(bytes)) work.add(merged);
    assert.equal(merge.complete, false);
    assert.equal(work.complete, false);
    for (const bytes of second.slice(0, -1)) for (const merged of merge.add(bytes)) work.add(merged);
    assert.equal(merge.complete, true);
    assert.equal(work.complete, true);
    assert.equal(work.finish().events, actions.length);
    const third = partitionActions(actions.slice(0, 10), { partitions: 1, publisher: 2 }).get(0)!;
    assert.throws(() => new PublisherMerge(0, 2).add(third[0]!, 'lockstep.events.j.0 #7'), (error: unknown) => error instanceof LockstepError && /lockstep\.events\.j\.0 #7: a batch from publisher 2, but the job has 2 publisher/.test(error.message));
  });

  it('batches that say the job\'s publisher count (--threads) make a merge made for one wait for all of them', () => {
    const { lines } = jetstreamStream({ durationMs: 300_000, seed: 3 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const half = Math.floor(actions.length / 2);
    const [first, second] = [actions.slice(0, half), actions.slice(half)].map((share, publisher) => partitionActions(share, { partitions: 1, batchSize: 50, publisher, publishers: 2 }).get(0)!);
    assert.deepEqual([batchPublisher(second![0]!), batchPublishers(second![0]!)], [1, 2]);
    const merge = new PublisherMerge(0, 1);
    const work = new PartitionWork(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    for (const bytes of first!) for (const merged of merge.add(bytes)) work.add(merged);
    // Publisher 0 is all in: a merge that took its count from the worker alone would be done now.
    assert.equal(merge.publishers, 2);
    assert.equal(work.complete, false);
    for (const bytes of second!) for (const merged of merge.add(bytes)) work.add(merged);
    assert.equal(work.complete, true);
    assert.equal(work.finish().events, actions.length);
    // A batch from a publisher beyond the count it says is named.
    const odd = partitionActions(actions.slice(0, 5), { partitions: 1, publisher: 1, publishers: 2 }).get(0)![0]!;
    const bad = new Uint8Array(odd);
    new DataView(bad.buffer).setUint32(28, 2 | (2 << 16), true);
    assert.throws(() => new PublisherMerge(0, 1).add(bad, 'm #1'), /m #1: a batch from publisher 2 of 2/);
  });
});
