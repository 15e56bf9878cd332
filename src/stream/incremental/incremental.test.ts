import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { meanDelayOf } from '../../detect/fuse.js';
import { bareAction } from '../../model/index.js';
import { assemblePartials } from '../distributed.js';
import type { PartitionPartial } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { WindowedPartition, SliceCutter } from '../nats/continuous-work.js';
import type { SliceMarker, SliceOut } from '../nats/continuous-work.js';
import { parseJetstreamLine } from '../jetstream-line.js';
import { Partitioner } from '../partitioner.js';
import { jetstreamStream } from '../test-support/jetstream-stream.js';
import { HorizonState } from './horizon-state.js';
import type { SliceResult } from './horizon-state.js';
import { IncrementalPartition } from './incremental-partition.js';
import type { SliceDelta } from './slice-delta.js';
import { decodeSliceDelta, encodeSliceDelta } from './slice-delta-codec.js';

type Merged = ReturnType<typeof assemblePartials>;

/** Asserts the incremental result is the whole-horizon one: accounts, edges with logP exactly, weights and mean delays within 1e-9, clusters. */
function assertSameResult(mine: SliceResult, theirs: Merged, where: string): void {
  assert.deepEqual(mine.actorIds, theirs.actorIds, `${where}: accounts`);
  assert.deepEqual(mine.actorPlatforms, theirs.actorPlatforms, `${where}: platforms`);
  const edges = (result: SliceResult | Merged): Map<string, number> => {
    const out = new Map<string, number>();
    for (let e = 0; e < result.graph.size; e++) out.set(`${result.actorIds[result.graph.a[e]!]}|${result.actorIds[result.graph.b[e]!]}`, e);
    return out;
  };
  const mineEdges = edges(mine), theirEdges = edges(theirs);
  assert.deepEqual([...mineEdges.keys()].sort(), [...theirEdges.keys()].sort(), `${where}: edges`);
  for (const [pair, e] of theirEdges) {
    const m = mineEdges.get(pair)!;
    assert.ok(Math.abs(mine.graph.weight[m]! - theirs.graph.weight[e]!) < 1e-9, `${where}: weight of ${pair}`);
    assert.equal(mine.graph.logP[m], theirs.graph.logP[e], `${where}: logP of ${pair}`);
    for (const trace of theirs.graph.traces) {
      const x = mine.graph.perTrace.get(trace), y = theirs.graph.perTrace.get(trace)!;
      assert.equal(x?.shared[m] ?? 0, y.shared[e], `${where}: ${trace} shared of ${pair}`);
      const dx = meanDelayOf(x, m), dy = meanDelayOf(y, e);
      assert.ok(Number.isNaN(dy) ? Number.isNaN(dx) : Math.abs(dx - dy) <= 1e-9 * Math.max(1, Math.abs(dy)), `${where}: ${trace} mean delay of ${pair}: ${dx} vs ${dy}`);
    }
  }
  assert.deepEqual(mine.graph.traces, theirs.graph.traces, `${where}: traces`);
  const sets = (result: SliceResult | Merged): string[] => result.clusters.map((cluster) => cluster.members.map((m) => result.actorIds[m]).sort().join(',')).sort();
  assert.deepEqual(sets(mine), sets(theirs), `${where}: clusters`);
}

/** The same sums, by label, from whole partials: what assemblePartials' traceSums adds up. */
function assertSameSums(coordinator: HorizonState, partials: readonly PartitionPartial[], where: string): number {
  let rows = 0;
  for (const trace of DEFAULT_STREAM_TRACES) {
    const pairs = new Map<string, { shared: number; coActions: number; delay: number; sumLogN: number }>();
    const activity = new Map<string, number>();
    for (const partial of partials) {
      const entry = partial.traces.find((one) => one.trace === trace);
      if (entry === undefined) continue;
      for (let r = 0; r < entry.pairs.size; r++) {
        const [p, q] = [partial.actors[entry.pairs.a[r]!]!, partial.actors[entry.pairs.b[r]!]!].sort();
        const sum = pairs.get(`${p}|${q}`) ?? { shared: 0, coActions: 0, delay: 0, sumLogN: 0 };
        sum.shared += entry.pairs.shared[r]!;
        sum.coActions += entry.pairs.coActions[r]!;
        sum.delay += entry.pairs.sumDelta[r]!;
        sum.sumLogN += entry.pairs.sumLogN[r]!;
        pairs.set(`${p}|${q}`, sum);
      }
      for (let i = 0; i < entry.activity.actor.length; i++) {
        const label = partial.actors[entry.activity.actor[i]!]!;
        activity.set(label, (activity.get(label) ?? 0) + entry.activity.keys[i]!);
      }
    }
    const mine = coordinator.traceSums(trace);
    assert.deepEqual([...mine.activity].sort(), [...activity].sort(), `${where}, ${trace}: activity`);
    assert.deepEqual([...mine.pairs.keys()].sort(), [...pairs.keys()].sort(), `${where}, ${trace}: pairs`);
    for (const [pair, theirs] of pairs) {
      const row = mine.pairs.get(pair)!;
      assert.equal(row.shared, theirs.shared, `${where}, ${trace}: shared keys of ${pair}`);
      assert.equal(row.coActions, theirs.coActions, `${where}, ${trace}: co-actions of ${pair}`);
      assert.ok(Math.abs(row.delay - theirs.delay) <= 1e-9 * Math.max(1, theirs.delay), `${where}, ${trace}: delay of ${pair}`);
      assert.ok(Math.abs(row.sumLogN - theirs.sumLogN) <= 1e-9, `${where}, ${trace}: Σ ln n_k of ${pair}`);
    }
    rows += pairs.size;
  }
  return rows;
}

/**
 * Feeds each partition's messages (in `order`) to a WindowedPartition and an IncrementalPartition
 * alike, closing slices as their markers and batches are in; returns per slice the whole partials
 * and the deltas.
 */
function runSlices(out: readonly SliceOut[], partitions: number, options: { windowMs: number; maxPartnersPerEvent: number; horizonMs: number }, order: (mine: SliceOut[]) => SliceOut[]): Map<number, { upTo: number; partials: PartitionPartial[]; deltas: SliceDelta[] }> {
  const bySlice = new Map<number, { upTo: number; partials: PartitionPartial[]; deltas: SliceDelta[] }>();
  for (let p = 0; p < partitions; p++) {
    const whole = new WindowedPartition(p, { traces: DEFAULT_STREAM_TRACES, ...options });
    const incremental = new IncrementalPartition(p, { traces: DEFAULT_STREAM_TRACES, ...options });
    const pending = new Map<number, SliceMarker>();
    let open = 0;
    for (const message of order(out.filter((one) => one.partition === p))) {
      if (message.marker === null) assert.equal(incremental.add(message.bytes), whole.add(message.bytes));
      else if (message.marker.slice >= open) pending.set(message.marker.slice, message.marker);
      for (let marker = pending.get(open); marker !== undefined && whole.ready(marker); marker = pending.get(open)) {
        assert.equal(incremental.ready(marker), true);
        pending.delete(open++);
        const entry = bySlice.get(marker.slice) ?? { upTo: marker.upTo, partials: [], deltas: [] };
        entry.partials.push(whole.partialAt(marker.upTo));
        // Through the codec, as a store would carry it.
        const delta = incremental.deltaAt(marker.upTo);
        const decoded = decodeSliceDelta(encodeSliceDelta(delta), `partition ${p}`);
        assert.deepEqual(decoded, delta);
        entry.deltas.push(decoded);
        bySlice.set(marker.slice, entry);
      }
    }
    assert.equal(incremental.ended, true);
    assert.equal(incremental.duplicates, whole.duplicates);
  }
  return bySlice;
}

/** Applies the slices' deltas in slice order and checks each slice's result against the whole partials'. */
function checkSlices(bySlice: ReturnType<typeof runSlices>, minDead?: number): { edges: number; pairs: number } {
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
    const delta: SliceDelta = { partition: 2, upTo: 60_000, events: 3, labelsFrom: 0, labels: ['bluesky\u0000did:plc:é'], accountsBegan: Int32Array.of(0), accountsEnded: new Int32Array(0), traces: [] };
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
