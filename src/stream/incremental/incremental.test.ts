import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bareAction } from '../../model/index.js';
import { assemblePartials } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { SliceCutter } from '../nats/continuous-work.js';
import type { SliceOut } from '../nats/continuous-work.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner } from '../partitioner.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { HorizonState } from './horizon-state.js';
import type { SliceDelta } from './slice-delta.js';
import { decodeSliceDelta, encodeSliceDelta } from './slice-delta-codec.js';
import { assertSameResult, assertSameSums, runSlices } from './test-support/slice-checks.js';
import type { BySlice } from './test-support/slice-checks.js';

/** Applies the slices' deltas in slice order and checks each slice's result against the whole partials'. */
function checkSlices(bySlice: BySlice, minDead?: number): { edges: number; pairs: number } {
  // minDead 0: the pair store compacts whenever dead pairs outnumber live ones.
  const coordinator = new HorizonState({ traces: DEFAULT_STREAM_TRACES }, minDead === undefined ? undefined : { minDead });
  const slices = [...bySlice.keys()].sort((x, y) => x - y);
  let edges = 0, pairs = 0;
  for (const slice of slices) {
    const { partials, deltas } = bySlice.get(slice)!;
    for (const delta of deltas) coordinator.apply(delta);
    const theirs = assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES });
    pairs += assertSameSums(coordinator, partials, `slice ${slice}`);
    assertSameResult(coordinator.result(), theirs, `slice ${slice}`);
    assert.equal(coordinator.events, partials.reduce((sum, partial) => sum + partial.events, 0), `slice ${slice}: events`);
    edges += theirs.graph.size;
  }
  return { edges, pairs };
}

describe('incremental continuous slices (deltas, not whole partials)', () => {
  it('on the synthetic Jetstream feed with a cap of 2 partners and late arrivals, every slice equals the whole-horizon result', () => {
    const { lines } = jetstreamStream({ durationMs: 1_200_000, organicPerSecond: 3, ringEveryMs: 60_000, seed: 11 });
    const actions = lines.flatMap((line) => parseJetstreamLine(line, '').actions);
    // Every 29th action arrives 90 s late (a slice or more after its time's).
    const delivered = actions.map((one, i) => ({ one, arrives: one.time + (i % 29 === 3 ? 90_000 : 0) })).sort((x, y) => x.arrives - y.arrives).map(({ one }) => one);
    const cutter = new SliceCutter(new Partitioner({ partitions: 3, traces: DEFAULT_STREAM_TRACES, batchSize: 40 }), 60_000);
    const out: SliceOut[] = [];
    for (const one of delivered) cutter.push(one, out);
    cutter.finish(out);
    const bySlice = runSlices(out, 3, { windowMs: 60_000, maxPartnersPerEvent: 2, horizonMs: 600_000 }, (mine) => mine);
    assert.ok(bySlice.size >= 18);
    assert.ok(checkSlices(bySlice).edges > 100, 'the slices have edges');
    assert.ok(checkSlices(bySlice, 0).edges > 100, 'the slices have edges (pairs compacted as they die)');
  });

  it('a late event tied in time with one already in goes after it (arrival order), moving the next event\'s only partner', () => {
    // Post p: u1 at 1 s and u3 at 2 s in slice 0; u2 at 1 s arrives in slice 1. The kernel's order is
    // u1, u2 (later arrival), u3, so with one partner u3 pairs with u2, not u1.
    const repost = (actor: string, post: string, time: number): ReturnType<typeof bareAction> => {
      const made = bareAction('bluesky', `${actor}-${time}-${post}`, `did:plc:${actor}`, 'repost', 1_720_000_000_000 + time);
      made.targetPost = `at://p/${post}`;
      return made;
    };
    const actions = [repost('u1', 'p', 1_000), repost('u3', 'p', 2_000), repost('u4', 'q', 11_000), repost('u2', 'p', 1_000), repost('u4', 'q', 21_000)];
    const cutter = new SliceCutter(new Partitioner({ partitions: 1, traces: DEFAULT_STREAM_TRACES, batchSize: 1 }), 10_000);
    const out: SliceOut[] = [];
    for (const one of actions) cutter.push(one, out);
    cutter.finish(out);
    const bySlice = runSlices(out, 1, { windowMs: 5_000, maxPartnersPerEvent: 1, horizonMs: 60_000 }, (mine) => mine);
    checkSlices(bySlice);
    const coordinator = new HorizonState({ traces: DEFAULT_STREAM_TRACES });
    for (const slice of [0, 1]) coordinator.apply(bySlice.get(slice)!.deltas[0]!);
    assert.deepEqual([...coordinator.traceSums('co-repost').pairs.keys()].sort(), ['bluesky\u0000did:plc:u1|bluesky\u0000did:plc:u2', 'bluesky\u0000did:plc:u2|bluesky\u0000did:plc:u3']);
  });

  it('a slice delta that is cut short or not one is refused', () => {
    const delta: SliceDelta = { partition: 2, slice: 7, follows: 5, upTo: 60_000, events: 3, labelsFrom: 0, labels: ['bluesky\u0000did:plc:é'], accountsBegan: Int32Array.of(0), accountsEnded: new Int32Array(0), traces: [] };
    const bytes = encodeSliceDelta(delta);
    assert.deepEqual(decodeSliceDelta(bytes, 'p'), delta);
    assert.throws(() => decodeSliceDelta(bytes.subarray(0, bytes.length - 8), 'p'), /cut short/);
    assert.throws(() => decodeSliceDelta(new Uint8Array(48), 'p'), /magic/);
  });

  it('property: in any delivery order with repeats and late events, each slice equals the whole-horizon partials merged', () => {
    const action = fc.record({ actor: fc.integer({ min: 0, max: 6 }), post: fc.integer({ min: 0, max: 3 }), tag: fc.integer({ min: -1, max: 2 }), time: fc.integer({ min: 0, max: 90_000 }), quarter: fc.integer({ min: 0, max: 3 }), late: fc.nat({ max: 4 }) });
    // Runs, and runs whose slices had co-acting pairs (most must, or the property checks little).
    let runs = 0, withPairs = 0;
    fc.assert(fc.property(fc.array(action, { minLength: 10, maxLength: 150 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(5_000, 20_000), fc.integer({ min: 20, max: 120 }), fc.constantFrom(5_000, 20_000, 30_000), fc.constantFrom(1, 1, 2, 3, 32), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (raw, partitions, windowMs, horizonSeconds, sliceMs, cap, seed) => {
      const actions = raw.map((entry, i) => {
        // Times on a 2 s grid (many ties), a quarter millisecond off it (exact in binary) on a quarter.
        const made = bareAction('bluesky', `a${i}`, `did:plc:u${entry.actor}`, entry.tag >= 0 ? 'post' : 'repost', 1_720_000_000_000 + Math.round(entry.time / 2_000) * 2_000 + (entry.quarter === 3 ? 0.25 : 0));
        if (entry.tag >= 0) made.hashtags = [`t${entry.tag}`];
        else made.targetPost = `at://p/${entry.post}`;
        // One in five arrives 40 s late (into a later slice than its time's).
        return { made, arrives: made.time + (entry.late === 0 ? 40_000 : 0) };
      }).sort((x, y) => x.arrives - y.arrives).map(({ made }) => made);
      const cutter = new SliceCutter(new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 7 }), sliceMs);
      const out: SliceOut[] = [];
      for (const one of actions) cutter.push(one, out);
      cutter.finish(out);
      let state = seed;
      const next = (): number => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
      const shuffled = (mine: SliceOut[]): SliceOut[] => [...mine, ...mine.filter(() => next() < 0.3)].map((message) => ({ message, order: next() })).sort((x, y) => x.order - y.order).map(({ message }) => message);
      runs++;
      if (checkSlices(runSlices(out, partitions, { windowMs, maxPartnersPerEvent: cap, horizonMs: Math.max(windowMs, horizonSeconds * 1000) }, shuffled), seed % 2 === 0 ? 0 : undefined).pairs > 0) withPairs++;
    }), { numRuns: 60 });
    assert.ok(withPairs > runs / 2, `${withPairs} of ${runs} runs had pairs`);
  });
});
