import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LockstepError } from '../../model/index.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { Partitioner } from '../partitioner.js';
import { SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';
import { closeSlices, returningRingActions, seeded } from './test-support/slice-feeds.js';
import { decodeCheckpoint, encodeCheckpoint } from './worker-checkpoint.js';

const SLICE = 20_000;
const HORIZON = 60_000;
const T0 = 1_720_000_000_000;
const PARTITIONS = 3;
const OPTIONS = { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32, horizonMs: HORIZON };

/** Feeds `messages` to `work` as followPartition does; each closed slice's partial and checkpoint bytes. */
function follow(work: WindowedPartition, messages: readonly SliceOut[], fromSlice: number): Map<number, { partial: PartitionPartial; checkpoint: Uint8Array }> {
  const closed = new Map<number, { partial: PartitionPartial; checkpoint: Uint8Array }>();
  closeSlices(work, messages, fromSlice, (marker) => {
    const partial = work.partialAt(marker.upTo);
    closed.set(marker.slice, { partial, checkpoint: encodeCheckpoint(work.checkpoint(0, false)) });
  });
  return closed;
}

/** A partial less its count of repeats (a replacement reads batches again: it counts them). */
const content = (partial: PartitionPartial): unknown => ({ ...partial, duplicates: 0 });

describe('a continuous worker\'s checkpoints', () => {
  const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 200, seenRetentionMs: HORIZON }), SLICE, { horizonMs: HORIZON });
  const out: SliceOut[] = [];
  for (const action of returningRingActions(T0, HORIZON)) cutter.push(action, out);
  cutter.finish(out);

  it('a worker restored from the checkpoint of slice c and given the batches after it makes every slice at least a horizon later bit for bit as the uninterrupted worker, in order or shuffled with repeats', () => {
    assert.ok(cutter.actorsFreed > 1_000 && cutter.keysForgotten > 50, `${cutter.actorsFreed} ids freed, ${cutter.keysForgotten} keys forgotten`);
    const next = seeded(5);
    let compared = 0, withFreeIds = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = out.filter((message) => message.partition === p);
      const uninterrupted = follow(new WindowedPartition(p, OPTIONS), mine, 0);
      assert.equal(uninterrupted.size, cutter.slice);
      // The feed's first action may be late (up to two horizons back): its first slices are empty.
      const first = [...uninterrupted.keys()].find((slice) => uninterrupted.get(slice)!.partial.events > 100)!;
      for (const c of [first + 2, first + 6, first + 7, cutter.slice - 4]) {
        const checkpoint = decodeCheckpoint(uninterrupted.get(c)!.checkpoint, `partition ${p}`);
        assert.ok(checkpoint.labels.length > 20 && checkpoint.keyTraces.length > 20, `partition ${p}, slice ${c}: ${checkpoint.labels.length} labels, ${checkpoint.keyTraces.length} keys`);
        if (checkpoint.freeStack.length > 0) withFreeIds++;
        const after = mine.slice(mine.findIndex((message) => message.marker?.slice === c) + 1);
        const before = mine.slice(0, mine.length - after.length);
        // In order; then shuffled, with a third of them again and some batches before the checkpoint (a redelivery).
        const shuffled = [...after, ...after.filter(() => next() < 0.3), ...before.filter((message) => message.marker === null && next() < 0.2)]
          .map((message) => ({ message, order: next() })).sort((x, y) => x.order - y.order).map(({ message }) => message);
        for (const delivered of [after, shuffled]) {
          const restored = follow(new WindowedPartition(p, OPTIONS, checkpoint), delivered, c + 1);
          assert.equal(restored.size, cutter.slice - c - 1);
          for (const [slice, { partial }] of restored) {
            if (partial.upTo! - HORIZON < checkpoint.upTo) continue;
            assert.deepEqual(content(partial), content(uninterrupted.get(slice)!.partial), `partition ${p}: slice ${slice} after checkpoint ${c}`);
            assert.ok(partial.events > 0);
            compared++;
          }
        }
      }
    }
    assert.ok(compared > 60 && withFreeIds >= 3, `${compared} slices compared, ${withFreeIds} checkpoints with freed ids not yet taken again`);
  });

  it('a checkpoint cut short, damaged or of another version is refused with the reason', () => {
    const work = new WindowedPartition(0, OPTIONS);
    const bytes = follow(work, out.filter((message) => message.partition === 0), 0).get(5)!.checkpoint;
    const checkpoint = decodeCheckpoint(bytes, 'p0');
    assert.deepEqual(decodeCheckpoint(encodeCheckpoint(checkpoint), 'p0'), checkpoint);
    const refused = (damaged: Uint8Array, reason: RegExp): void => assert.throws(() => decodeCheckpoint(damaged, 'partition 0'), (error: unknown) => error instanceof LockstepError && /partition 0: checkpoint refused/.test(error.message) && reason.test(error.message));
    refused(bytes.subarray(0, bytes.length - 8), /cut short/);
    const flipped = bytes.slice();
    flipped[40]! ^= 1;
    refused(flipped, /checksum/);
    const later = bytes.slice();
    later[4] = 2;
    refused(later, /version 2/);
    // A free stack that names a label in use.
    refused(encodeCheckpoint({ ...checkpoint, freeStack: Int32Array.of(checkpoint.labels.findIndex((label) => label !== '')) }), /not a freed label/);
    assert.throws(() => new WindowedPartition(1, OPTIONS, checkpoint), /partition 0 given to partition 1/);
  });
});
