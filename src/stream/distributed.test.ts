import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LockstepError } from '../model/index.js';
import { assemblePartials, decodePartial, encodePartial, PartitionWork } from './distributed.js';
import type { PartitionPartial } from './distributed.js';
import { DEFAULT_STREAM_TRACES } from './extract.js';
import { parseJetstreamLine } from './jetstream-line.js';
import { packPartial, unpackPartial } from './nats/jobs.js';
import { partitionActions } from './partitioner.js';
import { decodeBatch, encodeBatch } from './wire-batch.js';
import { assertSameAsBatch, batchDetect } from './test-support/batch.js';
import { jetstreamStream } from './test-support/jetstream-stream.js';

describe('partitioned co-action work', () => {
  it('merged partials of 7 partitions equal the batch engine (edges, weights, clusters); repeated actions, redelivered and early batches count once', async () => {
    const { lines } = jetstreamStream({ durationMs: 1_800_000, organicPerSecond: 3, ringEveryMs: 120_000 });
    const dir = await mkdtemp(join(tmpdir(), 'lockstep-dist-'));
    try {
      const file = join(dir, 'feed.jsonl');
      await writeFile(file, `${lines.join('\n')}\n`);
      const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
      const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
      // The input repeats 300 actions (a source's redelivery): the partitioner drops them.
      const parts = partitionActions([...actions, ...actions.slice(0, 300)], { partitions: 7, batchSize: 100 });
      let early = 0;
      const partials = [...parts].map(([partition, batches]) => {
        const work = new PartitionWork(partition, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
        // At-least-once delivery: the third batch first (held until its turn), then all, then the first two again.
        if (batches.length > 3) early += work.add(batches[2]!) ? 1 : 0;
        for (const batch of batches) work.add(batch);
        const again = batches.slice(0, Math.min(2, batches.length - 1));
        for (const batch of again) assert.equal(work.add(batch), false);
        assert.equal(work.complete, true);
        assert.equal(work.duplicates > 0, again.length > 0 && batches.length > 3);
        // Through the wire format the object store holds.
        return decodePartial(encodePartial(work.finish()), `p${partition}`);
      });
      assert.ok(early > 0);
      const merged = assemblePartials([...partials, partials[0]!], { traces: DEFAULT_STREAM_TRACES });
      assertSameAsBatch(merged, batch);
      // Accounts not in label order (workers before sorted-partial.ts): ranked by label all the same, the same result.
      assert.deepStrictEqual(assemblePartials(partials.map(reversedAccounts), { traces: DEFAULT_STREAM_TRACES }), merged);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a damaged partial, saying which', () => {
    const work = new PartitionWork(3, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 });
    const { lines } = jetstreamStream({ durationMs: 300_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    for (const batch of partitionActions(actions, { partitions: 1 }).get(0) ?? []) work.add(batch);
    const bytes = encodePartial(work.finish());
    const back = decodePartial(bytes, 'job/p3');
    assert.equal(back.partition, 3);
    assert.ok(back.traces.some((entry) => entry.pairs.size > 0));
    assert.throws(() => decodePartial(bytes.subarray(0, bytes.length - 8), 'job/p3'), (error: unknown) => error instanceof LockstepError && /job\/p3: not a partial \(truncated\)/.test(error.message));
    assert.throws(() => decodePartial(new TextEncoder().encode('{"partition":1}'), 'job/p4'), /job\/p4: not a partial/);
    // As stored gzipped (run-length only: format 3 a quarter smaller here and on the bench), read back the same; damage is named.
    const packed = packPartial(back, 'gzip');
    assert.ok(packed.length * 4 < bytes.length * 3, `${packed.length} of ${bytes.length} bytes`);
    assert.deepEqual(encodePartial(unpackPartial(packed, 'job/p3')), encodePartial(back));
    assert.throws(() => unpackPartial(packed.subarray(0, packed.length - 5), 'job/p5'), (error: unknown) => error instanceof LockstepError && /job\/p5: not a partial/.test(error.message));
    // Gzipped in two members (the trailer's size is the last member's only, smaller than the whole): read back whole all the same.
    const half = bytes.length >> 1;
    const twoMembers = Buffer.concat([gzipSync(bytes.subarray(0, half)), gzipSync(bytes.subarray(half))]);
    assert.deepEqual(encodePartial(unpackPartial(twoMembers, 'job/p3')), encodePartial(back));
    // Stored without compression (stream-worker --partials-compression none): the encoded bytes behind a 4-byte mark, read back the same.
    const raw = packPartial(back, 'none');
    assert.equal(raw.length, bytes.length + 4);
    assert.deepEqual(encodePartial(unpackPartial(raw, 'job/p3')), encodePartial(back));
    assert.throws(() => unpackPartial(raw.subarray(0, raw.length - 8), 'job/p6'), (error: unknown) => error instanceof LockstepError && /job\/p6: not a partial \(truncated\)/.test(error.message));
  });

  it('gives the same partial whether events come in time order (applied as they arrive) or far out of order (replayed at the end)', () => {
    const { lines } = jetstreamStream({ durationMs: 900_000, organicPerSecond: 3, ringEveryMs: 120_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 };
    const work = (input: typeof actions): PartitionWork => {
      const partition = new PartitionWork(0, options);
      for (const batch of partitionActions(input, { partitions: 1, batchSize: 100 }).get(0) ?? []) partition.add(batch);
      return partition;
    };
    const inOrder = work(actions);
    // The last tenth first: its events are minutes newer than the rest, which then all come late.
    const cut = Math.floor(actions.length * 0.9);
    const shuffled = work([...actions.slice(cut), ...actions.slice(0, cut)]);
    assert.equal(inOrder.outOfOrder, false);
    assert.equal(shuffled.outOfOrder, true);
    const rows = (partial: ReturnType<PartitionWork['finish']>): string[] => partial.traces.flatMap(({ trace, pairs }) =>
      Array.from({ length: pairs.size }, (_, row) => `${trace} ${[partial.actors[pairs.a[row]!], partial.actors[pairs.b[row]!]].sort().join(' ')} ${pairs.shared[row]} ${pairs.sumLogN[row]!.toFixed(9)} ${pairs.coActions[row]} ${pairs.sumDelta[row]}`)).sort();
    const expected = rows(inOrder.finish());
    assert.ok(expected.length > 50);
    assert.deepEqual(rows(shuffled.finish()), expected);
  });

  it('refuses a damaged event batch, and an event naming an account its partition was never sent', () => {
    const { lines } = jetstreamStream({ durationMs: 120_000 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    const [first] = partitionActions(actions, { partitions: 1, batchSize: 50 }).get(0) ?? [];
    assert.ok(first !== undefined && first.length > 32);
    const decoded = decodeBatch(first, 'x');
    assert.equal(decoded.count, 50);
    // A message's bytes at an odd place in a pooled Node Buffer read the same.
    const shifted = decodeBatch(Buffer.concat([Buffer.alloc(3), first]).subarray(3), 'x');
    assert.deepEqual([...shifted.time], [...decoded.time]);
    assert.deepEqual(shifted.newKeys, decoded.newKeys);
    assert.ok(decoded.newActors.length > 0 && decoded.newActors.every((label) => label.startsWith('bluesky\u0000did:')));
    assert.throws(() => new PartitionWork(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 }).add(first.subarray(0, first.length - 3), 'job.0 #7'),
      (error: unknown) => error instanceof LockstepError && /job\.0 #7: not an event batch/.test(error.message));
    assert.throws(() => decodeBatch(new Uint8Array(64), 'job.0 #8'), /job\.0 #8: not an event batch \(wrong magic number\)/);
    // The same events with the dictionary left out (as if batch 0 were skipped).
    const bare = encodeBatch({ ...decoded, newActors: [], newKeys: [], newKeyTraces: [] });
    assert.throws(() => new PartitionWork(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32 }).add(bare), /batch 0: event 0 names account 0 or key \d+ not sent yet/);
  });
});

/** The partial with its accounts listed in reverse label order (ids renumbered to match). */
function reversedAccounts(partial: PartitionPartial): PartitionPartial {
  const last = partial.actors.length - 1;
  const flip = (ids: Int32Array): Int32Array => ids.map((id) => last - id);
  return {
    ...partial, actors: [...partial.actors].reverse(),
    traces: partial.traces.map((entry) => ({ ...entry, pairs: { ...entry.pairs, a: flip(entry.pairs.a), b: flip(entry.pairs.b) }, activity: { ...entry.activity, actor: flip(entry.activity.actor) } })),
  };
}
