import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { identityOrder, sortByKeyTime } from './sort.js';

function check(key: Int32Array, time: Float64Array, keyCount: number): void {
  const identity = Int32Array.from({ length: key.length }, (_, i) => i);
  const { payload: order, time: sorted, keyStart } = sortByKeyTime(key, time, keyCount, identity);
  const n = key.length;
  assert.equal(order.length, n);
  assert.deepEqual([...order].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i), 'order is a permutation');
  for (let p = 0; p < n; p++) assert.equal(sorted[p], time[order[p]!]);
  for (let p = 1; p < n; p++) {
    const i = order[p - 1]!;
    const j = order[p]!;
    const before = key[i]! < key[j]! || (key[i] === key[j] && (time[i]! < time[j]! || (time[i] === time[j] && i < j)));
    assert.ok(before, `position ${p}: event ${i} must come before event ${j}`);
  }
  for (let k = 0; k < keyCount; k++) {
    for (let p = keyStart[k]!; p < keyStart[k + 1]!; p++) assert.equal(key[order[p]!], k);
  }
  assert.equal(keyStart[keyCount], n);
}

describe('sortByKeyTime', () => {
  it('identityOrder numbers positions, and as the payload gives the sorting permutation', () => {
    assert.deepEqual([...identityOrder(0)], []);
    assert.deepEqual([...identityOrder(5)], [0, 1, 2, 3, 4]);
    const sorted = sortByKeyTime(Int32Array.of(1, 0, 1, 0), Float64Array.of(5, 9, 2, 1), 2, identityOrder(4));
    assert.deepEqual([...sorted.payload], [3, 1, 2, 0]);
  });
  it('handles no events and keys without events', () => {
    check(new Int32Array(0), new Float64Array(0), 0);
    check(Int32Array.of(2, 2), Float64Array.of(3, 1), 4);
  });

  it('sorts by key, then time, then input index, for short and long segments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((keys) =>
          fc.tuple(fc.constant(keys), fc.array(fc.tuple(fc.integer({ min: 0, max: keys - 1 }), fc.integer({ min: -20, max: 20 })), { maxLength: 300 })),
        ),
        ([keys, rows]) => check(Int32Array.from(rows.map((r) => r[0])), Float64Array.from(rows.map((r) => r[1])), keys),
      ),
      { numRuns: 300 },
    );
  });

  it('sorts buckets of several keys with long segments (each bucket sorted back into its own range)', () => {
    // 1,024 keys: buckets of 4 keys; keys 500-515 fill 4 buckets past the first, with segments
    // long enough for the merge sort through the scratch the bucket was copied to.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 500, max: 515 }), fc.integer({ min: -20, max: 20 })), { maxLength: 900 }), (rows) =>
        check(Int32Array.from(rows.map((r) => r[0])), Float64Array.from(rows.map((r) => r[1])), 1024),
      ),
      { numRuns: 200 },
    );
  });

  it('gives input already in (key, time) order back as it is, ties in input order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 4 })), { maxLength: 200 }), (rows) => {
        rows.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        const key = Int32Array.from(rows.map((r) => r[0]));
        const time = Float64Array.from(rows.map((r) => r[1]));
        check(key, time, 7);
        const payload = Int32Array.from(rows.map((_, i) => 1000 - i));
        const sorted = sortByKeyTime(key, time, 7, payload);
        assert.deepEqual([...sorted.payload], [...payload]);
        assert.deepEqual([...sorted.time], [...time]);
        assert.notEqual(sorted.payload, payload, 'a copy, not the caller\'s array');
        // Read only: the same order and key starts, the caller's memory itself instead of a copy.
        const shared = sortByKeyTime(key, time, 7, payload, true);
        assert.deepEqual([...shared.keyStart], [...sorted.keyStart]);
        assert.equal(shared.payload.buffer, payload.buffer);
        assert.equal(shared.time.buffer, time.buffer);
      }),
      { numRuns: 200 },
    );
  });

  it('sorts unsorted input alike whether the result is read only or not', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 9 })), { minLength: 2, maxLength: 400 }), (rows) => {
        const key = Int32Array.from(rows.map((r) => r[0]));
        const time = Float64Array.from(rows.map((r) => r[1]));
        const payload = Int32Array.from(rows.map((_, i) => i));
        const copied = sortByKeyTime(key, time, 301, payload);
        const shared = sortByKeyTime(key, time, 301, payload, true);
        assert.deepEqual([...shared.payload], [...copied.payload]);
        assert.deepEqual([...shared.time], [...copied.time]);
        assert.deepEqual([...shared.keyStart], [...copied.keyStart]);
        assert.deepEqual([...payload], rows.map((_, i) => i), 'the input is left alone');
      }),
      { numRuns: 200 },
    );
  });

  it('sorts a long reversed segment and keeps an already sorted one', () => {
    const n = 5_000;
    const reversed = Float64Array.from({ length: n }, (_, i) => n - i);
    check(new Int32Array(n), reversed, 1);
    const { payload: order } = sortByKeyTime(new Int32Array(n), Float64Array.from({ length: n }, (_, i) => i), 1, Int32Array.from({ length: n }, (_, i) => i));
    assert.deepEqual([...order.subarray(0, 5)], [0, 1, 2, 3, 4]);
  });
});
