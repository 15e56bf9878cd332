import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bareAction, LockstepError } from '../../model/index.js';
import type { Action } from '../../model/index.js';
import { assemblePartials, PartitionWork } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { partitionActions, Partitioner } from '../partitioner.js';
import { assertSameAsBatch, batchDetect } from '../test-support/batch.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { decodeSliceMarker, encodeSliceMarker, SliceCutter, WindowedPartition } from './continuous-work.js';
import type { SliceOut } from './continuous-work.js';
import { cutAll, gatherSlices, seeded } from './test-support/slice-feeds.js';

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

  it('property: in any delivery order with repeats, each slice\'s merged partials equal a bounded job over the horizon\'s actions', () => {
    const action = fc.record({ actor: fc.integer({ min: 0, max: 5 }), post: fc.integer({ min: 0, max: 3 }), tag: fc.integer({ min: -1, max: 2 }), time: fc.integer({ min: 0, max: 400_000 }) });
    const options = { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32 };
    const edges = (merged: ReturnType<typeof assemblePartials>): string[] => Array.from({ length: merged.graph.size }, (_, e) => `${merged.actorIds[merged.graph.a[e]!]}|${merged.actorIds[merged.graph.b[e]!]}|${merged.graph.weight[e]!.toFixed(9)}`).sort();
    fc.assert(fc.property(fc.array(action, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 20, max: 200 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (raw, partitions, horizonSeconds, seed) => {
      const actions: Action[] = raw.map((entry, i) => {
        const made = bareAction('bluesky', `a${i}`, `did:plc:u${entry.actor}`, entry.tag >= 0 ? 'post' : 'repost', 1_720_000_000_000 + entry.time);
        if (entry.tag >= 0) made.hashtags = [`t${entry.tag}`];
        else made.targetPost = `at://p/${entry.post}`;
        return made;
      }).sort((x, y) => x.time - y.time);
      const horizonMs = horizonSeconds * 1000;
      const cutter = new SliceCutter(new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 7 }), 30_000);
      const out: SliceOut[] = [];
      for (const one of actions) cutter.push(one, out);
      cutter.finish(out);
      // Each partition's messages shuffled (seeded) with some delivered twice.
      const next = seeded(seed);
      const bySlice = new Map<number, { upTo: number; partials: PartitionPartial[] }>();
      for (let p = 0; p < partitions; p++) {
        const mine = out.filter((message) => message.partition === p);
        const delivered = [...mine, ...mine.filter(() => next() < 0.3)].map((message) => ({ message, order: next() })).sort((x, y) => x.order - y.order).map(({ message }) => message);
        const work = new WindowedPartition(p, { ...options, horizonMs });
        const open = gatherSlices(work, delivered, bySlice);
        assert.equal(open, cutter.slice, `partition ${p}: every slice closed`);
      }
      for (const { upTo, partials } of bySlice.values()) {
        const inHorizon = actions.filter((one) => one.time >= upTo - horizonMs && one.time < upTo);
        const bounded = [...partitionActions(inHorizon, { partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 7 })].map(([p, batches]) => {
          const work = new PartitionWork(p, options);
          for (const bytes of batches) work.add(bytes);
          return work.finish();
        });
        const mine = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
        const theirs = assemblePartials(bounded, { traces: DEFAULT_STREAM_TRACES });
        assert.deepEqual(mine.actorIds, theirs.actorIds);
        assert.deepEqual(edges(mine), edges(theirs));
        assert.equal(partials.reduce((sum, partial) => sum + partial.events, 0), bounded.reduce((sum, partial) => sum + partial.events, 0));
      }
    }), { numRuns: 60 });
  });

  it('without a publisher\'s horizon, a late action in the batch after a marker delivered before that marker stays out of its slice, as in order', () => {
    // Reposts 50 ms apart, one in eight late (up to 90 s old, within the horizon), cut into 20 s
    // slices with no publisher horizon: the batch after each marker holds late actions older than
    // that marker's upTo.
    const random = seeded(5);
    const horizonMs = 120_000, options = { traces: DEFAULT_STREAM_TRACES, windowMs: 20_000, maxPartnersPerEvent: 32 };
    const actions: Action[] = [];
    for (let n = 0; n < 4_000; n++) {
      const now = 1_720_000_000_000 + n * 50;
      const made = bareAction('bluesky', `a${n}`, `did:plc:u${Math.floor(random() * 40)}`, 'repost', random() < 0.125 ? now - Math.floor(random() * 90_000) : now);
      made.targetPost = `at://p/${Math.floor(n / 100)}-${Math.floor(random() * 8)}`;
      actions.push(made);
    }
    const cutter = new SliceCutter(new Partitioner({ partitions: 2, traces: DEFAULT_STREAM_TRACES, batchSize: 25 }), 20_000);
    const out: SliceOut[] = [], cameBefore = cutAll(cutter, actions, out);
    const slices = (swapped: boolean): Map<number, { upTo: number; partials: PartitionPartial[] }> => {
      const bySlice = new Map<number, { upTo: number; partials: PartitionPartial[] }>();
      for (let p = 0; p < 2; p++) {
        const delivered = out.filter((message) => message.partition === p);
        // A redelivery's order: each marker comes after the batch sent next (and that batch again after it).
        if (swapped) {
          for (let i = 0; i + 1 < delivered.length; i++) {
            if (delivered[i]!.marker === null || delivered[i + 1]!.marker !== null) continue;
            const batch = delivered[i + 1]!;
            delivered.splice(i, 2, batch, delivered[i]!, batch);
            i += 2;
          }
        }
        const work = new WindowedPartition(p, { ...options, horizonMs });
        const open = gatherSlices(work, delivered, bySlice);
        assert.equal(open, cutter.slice, `partition ${p}: every slice closed`);
      }
      return bySlice;
    };
    const inOrder = slices(false), swapped = slices(true);
    let lateAfterMarker = 0;
    for (const [slice, { upTo, partials }] of inOrder) {
      // The late actions sent after this slice's marker that its horizon would take if read early.
      lateAfterMarker += actions.slice(cameBefore[slice], cameBefore[slice + 1] ?? actions.length).filter((one) => one.time >= upTo - horizonMs && one.time < upTo).length;
      const inHorizon = actions.slice(0, cameBefore[slice]).filter((one) => one.time >= upTo - horizonMs && one.time < upTo).sort((x, y) => x.time - y.time);
      const bounded = [...partitionActions(inHorizon, { partitions: 2, traces: DEFAULT_STREAM_TRACES })].map(([p, batches]) => {
        const work = new PartitionWork(p, options);
        for (const bytes of batches) work.add(bytes);
        return work.finish();
      });
      const mine = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES }), theirs = assemblePartials(bounded, { traces: DEFAULT_STREAM_TRACES });
      const other = assemblePartials(swapped.get(slice)!.partials, { traces: DEFAULT_STREAM_TRACES });
      for (const [name, result] of [['a bounded job', theirs], ['each marker after the next batch', other]] as const) {
        assert.deepEqual(result.actorIds, mine.actorIds, `slice ${slice}: in order vs ${name}`);
        assert.deepEqual([...result.graph.weight].sort(), [...mine.graph.weight].sort(), `slice ${slice}: in order vs ${name}`);
      }
      assert.equal(swapped.get(slice)!.partials.reduce((sum, partial) => sum + partial.events, 0), partials.reduce((sum, partial) => sum + partial.events, 0), `slice ${slice}: events`);
    }
    assert.ok(inOrder.size >= 8 && lateAfterMarker > 20, `${inOrder.size} slices, ${lateAfterMarker} late actions after a marker`);
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
