import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bareAction } from '../../model/index.js';
import { assemblePartials } from '../distributed.js';
import { DEFAULT_STREAM_TRACES } from '../extract.js';
import { SliceCutter } from '../nats/continuous-work.js';
import type { SliceOut } from '../nats/continuous-work.js';
import { Partitioner } from '../partitioner.js';
import { HorizonState } from './horizon-state.js';
import { IncrementalPartition } from './incremental-partition.js';
import { OrderedHorizon } from './ordered-horizon.js';
import type { SliceDelta } from './slice-delta.js';
import { assertSameResult, assertSameSums, runSlices } from './test-support/slice-checks.js';

/** A delta that moves only the partition's event count: enough to see which deltas were applied. */
const bare = (partition: number, slice: number, follows: number, events: number): SliceDelta => ({ partition, slice, follows, upTo: slice, events, labelsFrom: 0, labels: [], accountsBegan: new Int32Array(0), accountsEnded: new Int32Array(0), traces: [] });

/** Offers each delta, then applies every slice that is ready; the slices applied. */
function deliver(horizon: OrderedHorizon, deltas: SliceDelta[]): { slice: number; complete: boolean }[] {
  const applied: { slice: number; complete: boolean }[] = [];
  for (const delta of deltas) {
    horizon.offer(delta);
    for (let next = horizon.next(); next !== undefined; next = horizon.next()) applied.push(next);
  }
  return applied;
}

describe('incremental slices: order, repeats and restart', () => {
  it('a partition\'s deltas apply in slice order, once each, a slice only when every partition has closed it', () => {
    const horizon = new OrderedHorizon(2, { traces: DEFAULT_STREAM_TRACES });
    // Partition 1's slice 1 comes before its slice 0; partition 0's slice 0 comes twice.
    assert.equal(horizon.offer(bare(1, 1, 0, 30)), 'held');
    assert.equal(horizon.offer(bare(0, 0, -1, 1)), 'held');
    assert.equal(horizon.next(), undefined, 'partition 1 has no slice 0 yet');
    assert.equal(horizon.offer(bare(0, 0, -1, 1)), 'repeat');
    assert.deepEqual(deliver(horizon, [bare(1, 0, -1, 10)]), [{ slice: 0, complete: true }]);
    assert.equal(horizon.state.events, 11);
    assert.equal(horizon.offer(bare(1, 0, -1, 10)), 'repeat', 'slice 0 is applied: its delta again changes nothing');
    assert.equal(horizon.state.events, 11);
    assert.deepEqual(deliver(horizon, [bare(0, 1, 0, 3)]), [{ slice: 1, complete: true }]);
    assert.equal(horizon.state.events, 33);
    // Partition 0 skips slice 2 (its slice 3 follows 1): slice 2 is applied for partition 1 but is not complete.
    assert.deepEqual(deliver(horizon, [bare(1, 2, 1, 50), bare(0, 3, 1, 5), bare(1, 3, 2, 70)]), [{ slice: 2, complete: false }, { slice: 3, complete: true }]);
    assert.equal(horizon.state.events, 75);
    assert.deepEqual(horizon.applied, [3, 3]);
    assert.equal(horizon.held, 0);
  });

  it('a delta that contradicts its partition\'s chain is refused', () => {
    const horizon = new OrderedHorizon(2, { traces: DEFAULT_STREAM_TRACES });
    deliver(horizon, [bare(0, 0, -1, 1), bare(1, 0, -1, 1), bare(0, 1, 0, 1), bare(1, 1, 0, 1)]);
    assert.throws(() => horizon.offer(bare(0, 2, 0, 1)), /slice 1 is applied already/);
    horizon.offer(bare(0, 3, 1, 1));
    assert.throws(() => horizon.offer(bare(0, 2, 1, 1)), /slice 3 follows 1 too/);
    assert.throws(() => horizon.offer(bare(2, 2, 1, 1)), /partition 2, the job has 2/);
    assert.throws(() => horizon.offer(bare(1, 1, 1, 1)), /must follow an earlier slice/);
    const worker = new IncrementalPartition(0, { traces: DEFAULT_STREAM_TRACES, windowMs: 1_000, maxPartnersPerEvent: 2, horizonMs: 10_000 });
    assert.deepEqual([worker.deltaAt(1_000, 0).follows, worker.deltaAt(2_000, 2).follows], [-1, 0]);
    assert.throws(() => worker.deltaAt(3_000, 2), /slice 2 after slice 2/);
  });

  it('a checkpoint cut short, damaged, of another version or kind, or for other options is refused', () => {
    const workOptions = { traces: DEFAULT_STREAM_TRACES, windowMs: 1_000, maxPartnersPerEvent: 2, horizonMs: 10_000 };
    const worker = new IncrementalPartition(0, workOptions);
    const snapshot = worker.snapshot();
    assert.equal(IncrementalPartition.restore(snapshot, 0, workOptions).batches, 0);
    assert.throws(() => IncrementalPartition.restore(snapshot.subarray(0, snapshot.length - 4), 0, workOptions), /cut short/);
    const damaged = Uint8Array.from(snapshot);
    damaged[damaged.length - 1]! ^= 1;
    assert.throws(() => IncrementalPartition.restore(damaged, 0, workOptions), /checksum/);
    const newer = Uint8Array.from(snapshot);
    newer[4] = 9;
    assert.throws(() => IncrementalPartition.restore(newer, 0, workOptions), /version 9, this build reads version 1/);
    assert.throws(() => HorizonState.restore(snapshot, { traces: DEFAULT_STREAM_TRACES }), /wrong magic/);
    assert.throws(() => IncrementalPartition.restore(snapshot, 1, workOptions), /taken for partition/);
    assert.throws(() => IncrementalPartition.restore(snapshot, 0, { ...workOptions, maxPartnersPerEvent: 3 }), /taken for partition/);
    const coordinator = new OrderedHorizon(3, { traces: DEFAULT_STREAM_TRACES }).snapshot();
    assert.deepEqual(OrderedHorizon.restore(coordinator, { traces: DEFAULT_STREAM_TRACES }).applied, [-1, -1, -1]);
    assert.throws(() => OrderedHorizon.restore(coordinator.subarray(0, 40), { traces: DEFAULT_STREAM_TRACES }), /cut short/);
    assert.throws(() => OrderedHorizon.restore(coordinator, { traces: ['co-repost'] }), /taken with minShared/);
  });

  it('property: workers and coordinator killed at random slices and restored, deltas twice and out of order: every slice equals the whole-horizon result', () => {
    const action = fc.record({ actor: fc.integer({ min: 0, max: 6 }), post: fc.integer({ min: 0, max: 3 }), tag: fc.integer({ min: -1, max: 2 }), time: fc.integer({ min: 0, max: 90_000 }), late: fc.nat({ max: 4 }) });
    let runs = 0, withPairs = 0, restored = 0;
    fc.assert(fc.property(fc.array(action, { minLength: 10, maxLength: 150 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(5_000, 20_000), fc.integer({ min: 20, max: 120 }), fc.constantFrom(5_000, 20_000), fc.constantFrom(1, 2, 3, 32), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (raw, partitions, windowMs, horizonSeconds, sliceMs, cap, seed) => {
      const actions = raw.map((entry, i) => {
        // Times on a 2 s grid (many ties); one in five arrives 40 s late.
        const made = bareAction('bluesky', `a${i}`, `did:plc:u${entry.actor}`, entry.tag >= 0 ? 'post' : 'repost', 1_720_000_000_000 + Math.round(entry.time / 2_000) * 2_000);
        if (entry.tag >= 0) made.hashtags = [`t${entry.tag}`];
        else made.targetPost = `at://p/${entry.post}`;
        return { made, arrives: made.time + (entry.late === 0 ? 40_000 : 0) };
      }).sort((x, y) => x.arrives - y.arrives).map(({ made }) => made);
      const cutter = new SliceCutter(new Partitioner({ partitions, traces: DEFAULT_STREAM_TRACES, batchSize: 7 }), sliceMs);
      const out: SliceOut[] = [];
      for (const one of actions) cutter.push(one, out);
      cutter.finish(out);
      let state = seed;
      const next = (): number => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
      const shuffled = <T>(items: T[]): T[] => [...items, ...items.filter(() => next() < 0.3)].map((item) => ({ item, order: next() })).sort((x, y) => x.order - y.order).map(({ item }) => item);
      const slices = Math.max(...out.map((one) => one.marker?.slice ?? 0)) + 1;
      // Each worker dies after a random slice (or, one time in four, not at all).
      const bySlice = runSlices(out, partitions, { windowMs, maxPartnersPerEvent: cap, horizonMs: Math.max(windowMs, horizonSeconds * 1000) }, shuffled, () => (next() < 0.25 ? -1 : Math.floor(next() * slices)));
      const whole = new Map([...bySlice].map(([slice, { partials }]) => [slice, assemblePartials(partials, { traces: DEFAULT_STREAM_TRACES })]));
      // The coordinator dies after a random delivery and comes back from its checkpoint; the deltas
      // delivered so far come again (held ones were lost with it; applied ones are repeats).
      const store = seed % 2 === 0 ? { minDead: 0 } : undefined;
      let coordinator = new OrderedHorizon(partitions, new HorizonState({ traces: DEFAULT_STREAM_TRACES }, store));
      const deliveries = shuffled([...bySlice.values()].flatMap(({ deltas }) => deltas));
      const killAt = Math.floor(next() * deliveries.length);
      const done: number[] = [];
      const drain = (): void => {
        for (let ready = coordinator.next(); ready !== undefined; ready = coordinator.next()) {
          assert.equal(ready.complete, true, `slice ${ready.slice}: every partition closes every slice`);
          done.push(ready.slice);
          // The sums (pairs' keys, co-actions, delays, Σ ln n_k; activity) and the result.
          if (assertSameSums(coordinator.state, bySlice.get(ready.slice)!.partials, `slice ${ready.slice}`) > 0) withPairs++;
          assertSameResult(coordinator.result(), whole.get(ready.slice)!, `slice ${ready.slice}`);
        }
      };
      for (let i = 0; i < deliveries.length; i++) {
        coordinator.offer(deliveries[i]!);
        drain();
        if (i === killAt) {
          coordinator = OrderedHorizon.restore(coordinator.snapshot(), { traces: DEFAULT_STREAM_TRACES }, store);
          restored++;
          for (const again of deliveries.slice(0, i + 1)) coordinator.offer(again);
          drain();
        }
      }
      assert.deepEqual(done, [...bySlice.keys()].sort((x, y) => x - y), 'every slice once, in order');
      assert.equal(coordinator.held, 0);
      runs++;
    }), { numRuns: 60 });
    assert.ok(withPairs > runs, `${withPairs} slices with co-acting pairs over ${runs} runs`);
    assert.equal(restored, runs);
  });
});
