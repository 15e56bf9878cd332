import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clusterAccounts } from '../detect/clusters.js';
import { LockstepError } from '../model/index.js';
import { assemblePartials, decodePartial, encodePartial, partitionEvents, PartitionWork } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { batchDetect } from './test-support/batch.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

describe('partitioned co-action work', () => {
  it('merged partials of 7 partitions equal the batch engine (edges, weights, clusters), and redelivered batches count once', async () => {
    const { lines } = jetstreamStream({ durationMs: 1_800_000, organicPerSecond: 3, ringEveryMs: 120_000 });
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-dist-'));
    try {
      const file = join(dir, 'feed.jsonl');
      await writeFile(file, `${lines.join('\n')}\n`);
      const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
      const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
      const parts = partitionEvents(actions, DEFAULT_STREAM_TRACES, 7);
      const partials = [...parts].map(([partition, events]) => {
        const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
        for (let start = 0; start < events.length; start += 100) work.add(events.slice(start, start + 100), start / 100);
        work.add(events.slice(0, 150), 1e6); // at-least-once: a redelivery
        assert.equal(work.duplicates, Math.min(150, events.length));
        // Through the wire format the object store holds.
        return decodePartial(encodePartial(work.finish()), `p${partition}`);
      });
      const merged = assemblePartials([...partials, partials[0]!], { traces: DEFAULT_STREAM_TRACES });
      assert.deepEqual(merged.actorIds, batch.actorIds);
      const edges = (graph: typeof merged.graph, ids: readonly string[]): Map<string, number> => {
        const out = new Map<string, number>();
        for (let edge = 0; edge < graph.size; edge++) out.set(`${ids[graph.a[edge]!]}|${ids[graph.b[edge]!]}`, graph.weight[edge]!);
        return out;
      };
      const mine = edges(merged.graph, merged.actorIds);
      const theirs = edges(batch.result.graph, batch.actorIds);
      assert.ok(theirs.size > 20);
      assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
      for (const [pair, weight] of theirs) assert.ok(Math.abs(mine.get(pair)! - weight) < 1e-9);
      const sets = (clusters: readonly { members: number[] }[], ids: readonly string[]): string[] => clusters.map((cluster) => cluster.members.map((m) => ids[m]).sort().join(',')).sort();
      assert.deepEqual(sets(merged.clusters, merged.actorIds), sets(clusterAccounts(batch.result.graph), batch.actorIds));
      for (const kept of sets(batch.result.clusters, batch.actorIds)) assert.ok(sets(merged.clusters, merged.actorIds).includes(kept));
      assert.ok(merged.clusters.length >= 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged partial, saying which', () => {
    const work = new PartitionWork(3, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    const { lines } = jetstreamStream({ durationMs: 300_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    for (const events of partitionEvents(actions, DEFAULT_STREAM_TRACES, 1).values()) work.add(events, 0);
    const bytes = encodePartial(work.finish());
    const back = decodePartial(bytes, 'job/p3');
    assert.equal(back.partition, 3);
    assert.ok(back.traces.some((entry) => entry.pairs.size > 0));
    assert.throws(() => decodePartial(bytes.subarray(0, bytes.length - 8), 'job/p3'), (error: unknown) => error instanceof LockstepError && /job\/p3: not a partial \(truncated\)/.test(error.message));
    assert.throws(() => decodePartial(new TextEncoder().encode('{"partition":1}'), 'job/p4'), /job\/p4: not a partial/);
  });

  it('gives the same partial whether events come in order (applied as they arrive) or far out of order (replayed at the end)', () => {
    const { lines } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 120_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const events = partitionEvents(actions, DEFAULT_STREAM_TRACES, 1).get(0) ?? [];
    const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 };
    const batches = Array.from({ length: Math.ceil(events.length / 100) }, (_, b) => events.slice(100 * b, 100 * b + 100));
    const inOrder = new PartitionWork(0, options);
    batches.forEach((batch, b) => inOrder.add(batch, b));
    const shuffled = new PartitionWork(0, options);
    // The last batch first: its events are minutes newer than the rest, which then all come late.
    shuffled.add(batches[batches.length - 1]!, batches.length - 1);
    batches.slice(0, -1).forEach((batch, b) => shuffled.add(batch, b));
    assert.equal(inOrder.outOfOrder, false);
    assert.equal(shuffled.outOfOrder, true);
    const rows = (partial: ReturnType<PartitionWork['finish']>): string[] => partial.traces.flatMap(({ trace, pairs }) =>
      Array.from({ length: pairs.size }, (_, row) => `${trace} ${[partial.actors[pairs.a[row]!], partial.actors[pairs.b[row]!]].sort().join(' ')} ${pairs.shared[row]} ${pairs.sumLogN[row]!.toFixed(9)} ${pairs.coActions[row]} ${pairs.sumDelta[row]}`)).sort();
    const expected = rows(inOrder.finish());
    assert.ok(expected.length > 50);
    assert.deepEqual(rows(shuffled.finish()), expected);
  });
});
