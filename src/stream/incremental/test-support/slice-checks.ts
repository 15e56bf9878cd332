/** Checks shared by the incremental tests: a slice's result and sums against whole partials, and a runner feeding both kinds of worker. */
import assert from 'node:assert/strict';
import { meanDelayOf } from '../../../detect/fuse.js';
import type { assemblePartials, PartitionPartial } from '../../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../../extract.js';
import { WindowedPartition } from '../../nats/continuous-work.js';
import type { SliceMarker, SliceOut } from '../../nats/continuous-work.js';
import { decodeBatch } from '../../wire-batch.js';
import type { HorizonState, SliceResult } from '../horizon-state.js';
import { IncrementalPartition } from '../incremental-partition.js';
import type { SliceDelta } from '../slice-delta.js';
import { decodeSliceDelta, encodeSliceDelta } from '../slice-delta-codec.js';

type Merged = ReturnType<typeof assemblePartials>;

/** Asserts the incremental result is the whole-horizon one: accounts, edges with logP exactly, weights and mean delays within 1e-9, clusters. */
export function assertSameResult(mine: SliceResult, theirs: Merged | SliceResult, where: string): void {
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
export function assertSameSums(coordinator: HorizonState, partials: readonly PartitionPartial[], where: string): number {
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

export type BySlice = Map<number, { upTo: number; partials: PartitionPartial[]; deltas: SliceDelta[] }>;

/**
 * Feeds each partition's messages (in `order`) to a WindowedPartition and an IncrementalPartition
 * alike, closing slices as their markers and batches are in; returns per slice the whole partials
 * and the deltas. With `killAfter(p)` ≥ 0, partition p's incremental worker dies right after that
 * slice's delta and comes back from its snapshot, reading again what the snapshot says it must:
 * the batches delivered so far numbered at or past the snapshot's (the harness keeps the markers
 * not yet closed, as a consumer resumed there would get them again).
 */
export function runSlices(out: readonly SliceOut[], partitions: number, options: { windowMs: number; maxPartnersPerEvent: number; horizonMs: number }, order: (mine: SliceOut[]) => SliceOut[], killAfter: (partition: number) => number = () => -1): BySlice {
  const bySlice: BySlice = new Map();
  const workOptions = { traces: DEFAULT_STREAM_TRACES, ...options };
  for (let p = 0; p < partitions; p++) {
    const whole = new WindowedPartition(p, workOptions);
    let incremental = new IncrementalPartition(p, workOptions);
    const pending = new Map<number, SliceMarker>();
    const delivered: Uint8Array[] = [];
    const kill = killAfter(p);
    let open = 0;
    for (const message of order(out.filter((one) => one.partition === p))) {
      if (message.marker === null) {
        delivered.push(message.bytes);
        assert.equal(incremental.add(message.bytes), whole.add(message.bytes));
      } else if (message.marker.slice >= open) pending.set(message.marker.slice, message.marker);
      for (let marker = pending.get(open); marker !== undefined && whole.ready(marker); marker = pending.get(open)) {
        assert.equal(incremental.ready(marker), true);
        pending.delete(open++);
        const entry = bySlice.get(marker.slice) ?? { upTo: marker.upTo, partials: [], deltas: [] };
        entry.partials.push(whole.partialAt(marker.upTo));
        // Through the codec, as a store would carry it.
        const delta = incremental.deltaAt(marker.upTo, marker.slice);
        const decoded = decodeSliceDelta(encodeSliceDelta(delta), `partition ${p}`);
        assert.deepEqual(decoded, delta);
        entry.deltas.push(decoded);
        bySlice.set(marker.slice, entry);
        if (marker.slice === kill) {
          incremental = IncrementalPartition.restore(incremental.snapshot(), p, workOptions);
          const again = new Set<number>();
          for (const bytes of delivered) {
            const b = decodeBatch(bytes, 'again').b;
            if (b < incremental.batches || again.has(b)) continue;
            again.add(b);
            incremental.add(bytes);
          }
        }
      }
    }
    assert.equal(incremental.ended, true);
    assert.equal(incremental.duplicates, whole.duplicates);
  }
  return bySlice;
}
