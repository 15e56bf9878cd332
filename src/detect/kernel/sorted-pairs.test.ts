import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { coActionPairs } from './kernel.js';
import { SortedPairs } from './sorted-pairs.js';
import { arbitraryTrace, traceOf } from './test-support/pairs.js';
import type { PairTable, TraceEvents } from './types.js';

const RUNS = Number(process.env.SORTED_PAIRS_RUNS ?? 200);

/** Traces of `actors` × `keys` with fractional times: float sums differ if added in another order. */
function traces(actors: { min: number; max: number }, keys: { min: number; max: number }, events: number): fc.Arbitrary<TraceEvents> {
  return fc.record({ actors: fc.integer(actors), keys: fc.integer(keys) }).chain(({ actors, keys }) =>
    fc.array(fc.tuple(fc.nat(actors - 1), fc.nat(keys - 1), fc.double({ min: 0, max: 300, noNaN: true })), { minLength: events / 10, maxLength: events, size: 'max' })
      .map((rows) => ({ ...traceOf(rows), actorCount: actors, keyCount: keys })));
}
/** Many actors on few keys: most pairs are new, as in the stream's partitions. */
const wide = traces({ min: 2, max: 400 }, { min: 1, max: 30 }, 600);
/** Few actors on many keys: every pair co-acts on many keys, many times each. */
const dense = traces({ min: 2, max: 12 }, { min: 1, max: 60 }, 800);

/** Every row in order, floats as their bits. */
function rows(pairs: PairTable): string[] {
  const bits = (x: number): string => Buffer.from(Float64Array.of(x).buffer).toString('hex');
  return Array.from({ length: pairs.size }, (_, r) => `${pairs.a[r]} ${pairs.b[r]} ${pairs.shared[r]} ${bits(pairs.idf[r]!)} ${pairs.coActions[r]} ${bits(pairs.sumDelta[r]!)}`);
}

describe('pairsBySort (the stream partials\' kernel)', () => {
  it('gives the rows of the grouped hash tables, in their order, with the same sums bit for bit', () => {
    fc.assert(
      fc.property(fc.oneof(arbitraryTrace, wide, dense), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom<number | 'auto'>('auto', 1, 16), (events, window, cap, partitions) => {
        const options = { window, maxPartnersPerEvent: cap, partitions, groupByFirstActor: true };
        const sorted = coActionPairs(events, { ...options, pairsBySort: true });
        const hashed = coActionPairs(events, { ...options, pairsBySort: false });
        assert.deepEqual(rows(sorted.pairs), rows(hashed.pairs));
        assert.deepEqual(sorted.stats, hashed.stats);
        assert.ok(sorted.pairs.a.length >= sorted.pairs.size);
      }),
      { numRuns: RUNS },
    );
  });

  it('orders one account\'s partners by their first co-action, not by id', () => {
    const pairs = new SortedPairs(4, 2, 8);
    pairs.coAct(0, 3, 0, 0.5, 1);
    pairs.coAct(1, 2, 0, 0.5, 2);
    pairs.coAct(0, 1, 1, 0.25, 3);
    pairs.coAct(0, 3, 1, 0.25, 4);
    const table = pairs.finish();
    const column = (values: Int32Array | Float64Array): number[] => [...values.subarray(0, table.size)];
    assert.deepEqual(column(table.a), [0, 0, 1]);
    assert.deepEqual(column(table.b), [3, 1, 2]);
    assert.deepEqual(column(table.shared), [2, 1, 1]);
    assert.deepEqual(column(table.idf), [0.75, 0.25, 0.5]);
    assert.deepEqual(column(table.sumDelta), [5, 3, 2]);
  });
});
