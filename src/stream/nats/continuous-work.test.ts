import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LockstepError } from '../../model/index.js';
import { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner } from '../partitioner.js';
import { assertSameAsBatch, batchDetect } from '../test-support/batch.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { decodeSliceMarker, encodeSliceMarker, SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';

const PARTITIONS = 5;
const SLICE = 60_000;
const HORIZON = 600_000;

describe('continuous partitions (slices over a horizon)', () => {
  it('a slice marker reads back; an event batch is not one', () => {
    const marker = { slice: 7, upTo: 1_720_000_123_456.5, batches: 42, last: true };
    assert.deepEqual(decodeSliceMarker(encodeSliceMarker(marker)), marker);
    assert.equal(decodeSliceMarker(new Uint8Array(24)), null);
    assert.throws(() => new WindowedPartition(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, horizonMs: 1_000 }), LockstepError);
  });

  it('each slice\'s merged partials equal batch detection over that horizon\'s events; older events leave the state; redeliveries count once', async () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 60_000, seed: 11 });
    const parsed = lines.map((line) => ({ line, actions: parseJetstreamLine(line, '').actions }));
    const cutter = new SliceCutter(new Partitioner({ partitions: PARTITIONS, traces: DEFAULT_STREAM_TRACES, batchSize: 40 }), SLICE);
    const out: SliceOut[] = [];
    for (const { actions } of parsed) for (const action of actions) cutter.push(action, out);
    cutter.finish(out);
    const markers = out.filter((message) => message.marker !== null);
    assert.equal(markers.length, PARTITIONS * cutter.slice);
    assert.equal(markers.filter((message) => message.marker?.last === true).length, PARTITIONS);

    // Per partition, messages delivered at least once: every fifth batch twice, the batch after a marker before it.
    const works = Array.from({ length: PARTITIONS }, (_, p) => new WindowedPartition(p, { traces: DEFAULT_STREAM_TRACES, windowMs: 60_000, maxPartnersPerEvent: 32, horizonMs: HORIZON }));
    const bySlice = new Map<number, PartitionPartial[]>();
    const upTo = new Map<number, number>();
    let most = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = out.filter((message) => message.partition === p);
      const work = works[p]!;
      const pending = [];
      for (let i = 0; i < mine.length; i++) {
        const message = mine[i]!;
        if (message.marker !== null) {
          pending.push(message.marker);
        } else {
          work.add(message.bytes);
          if (i % 5 === 0) assert.equal(work.add(message.bytes), message.id === 'end');
        }
        while (pending.length > 0 && work.ready(pending[0]!)) {
          const marker = pending.shift()!;
          const partial = work.partialAt(marker.upTo);
          // Bounded by the horizon: nothing older than upTo − H is held.
          most = Math.max(most, work.size);
          bySlice.set(marker.slice, [...(bySlice.get(marker.slice) ?? []), partial]);
          upTo.set(marker.slice, marker.upTo);
        }
      }
      assert.equal(work.ended, true);
      assert.ok(work.dropped > 0, 'events older than the horizon leave the state');
      assert.ok(work.duplicates > 0);
    }
    const times = parsed.flatMap(({ actions }) => actions.map((action) => action.time));
    // No partition held more than its share of the horizon plus a slice (the events not yet in a slice).
    const perWindow = Math.max(...[...upTo.values()].map((end) => times.filter((t) => t >= end - HORIZON && t < end + SLICE).length));
    assert.ok(most <= perWindow, `${most} events held, at most ${perWindow} in a horizon and a slice`);

    const dir = await mkdtemp(join(tmpdir(), 'lockstep-cont-'));
    try {
      // Two slices: one with the horizon still filling, one whose horizon dropped the stream's start.
      for (const slice of [6, 16]) {
        const end = upTo.get(slice)!;
        const file = join(dir, `slice-${slice}.jsonl`);
        const inHorizon = parsed.filter(({ actions }) => actions.some((action) => action.time >= end - HORIZON && action.time < end));
        assert.ok(parsed.every(({ actions }) => actions.every((action) => action.time === actions[0]!.time)));
        await writeFile(file, `${inHorizon.map(({ line }) => line).join('\n')}\n`);
        const batch = await batchDetect([file], DEFAULT_STREAM_TRACES, 60_000);
        const partials = bySlice.get(slice)!;
        assert.equal(partials.length, PARTITIONS);
        const merged = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
        assert.ok(merged.clusters.length >= 2, `slice ${slice}: ${merged.clusters.length} clusters`);
        assertSameAsBatch(merged, batch);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
