import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MergeBuffers, sumCandidatePairs, sumPairs } from './pair-merge.js';
import type { PartialPairs } from './trace-window.js';

/** Rows of one partial: (a, b) local ids, shared, Σ ln n_k, co-actions, summed delay. */
type Row = [number, number, number, number, number, number];

const partialOf = (rows: readonly Row[]): PartialPairs => ({
  a: Int32Array.from(rows, (r) => r[0]), b: Int32Array.from(rows, (r) => r[1]), shared: Int32Array.from(rows, (r) => r[2]),
  sumLogN: Float64Array.from(rows, (r) => r[3]), coActions: Int32Array.from(rows, (r) => r[4]), sumDelta: Float64Array.from(rows, (r) => r[5]), size: rows.length,
});

/** The plain sum: a Map by global pair, rows taken in partition order. */
function oracle(inputs: readonly { rows: readonly Row[]; global: Int32Array }[], logN: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { rows, global } of inputs) {
    for (const [a, b, shared, sumLogN, coActions, sumDelta] of rows) {
      const x = global[a]!, y = global[b]!;
      const key = `${Math.min(x, y)},${Math.max(x, y)}`;
      const sums = out.get(key) ?? [0, 0, 0, 0];
      out.set(key, [sums[0]! + shared, sums[1]! + sumLogN, sums[2]! + coActions, sums[3]! + sumDelta]);
    }
  }
  return new Map([...out].map(([key, [shared, sumLogN, coActions, sumDelta]]) => [key, [shared!, shared! * logN - sumLogN!, coActions!, sumDelta!]]));
}

describe('sumPairs (the coordinator\'s merge)', () => {
  it('equals a plain sum by global pair, every pair once with a < b, in any number of buckets', () => {
    const row = (actors: number): fc.Arbitrary<Row> => fc.tuple(fc.nat(actors - 1), fc.nat(actors - 1), fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 1, max: 300 }), fc.nat(1e9))
      .filter(([a, b]) => a !== b);
    const input = fc.integer({ min: 2, max: 40 }).chain((actors) => fc.record({
      // A partial's accounts map onto distinct accounts of the job (a permutation's prefix).
      global: fc.shuffledSubarray(Array.from({ length: 60 }, (_, i) => i), { minLength: actors, maxLength: actors }).map((ids) => Int32Array.from(ids)),
      rows: fc.array(row(actors), { maxLength: 400 }),
    }));
    fc.assert(fc.property(fc.array(input, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 10, noNaN: true }), (inputs, bucketRows, logN) => {
      // Rows may repeat a pair within a partial too (the merge does not rely on a partial's pairs being distinct).
      const table = sumPairs(inputs.map(({ rows, global }) => ({ pairs: partialOf(rows), global })), logN, { bucketRows });
      const expected = oracle(inputs, logN);
      assert.equal(table.size, expected.size);
      const seen = new Set<string>();
      for (let e = 0; e < table.size; e++) {
        assert.ok(table.a[e]! < table.b[e]!);
        const key = `${table.a[e]},${table.b[e]}`;
        assert.ok(!seen.has(key), `pair ${key} twice`);
        seen.add(key);
        assert.deepEqual([table.shared[e], table.idf[e], table.coActions[e], table.sumDelta[e]], expected.get(key), key);
      }
    }), { numRuns: 300 });
  });

  it('merges partials grouped by first account (accounts in job order) as the plain sum, and any other partial among them too', () => {
    const row = fc.tuple(fc.nat(29), fc.nat(29), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 1, max: 5 }), fc.nat(1e6)).filter(([a, b]) => a !== b);
    // What workers write: a < b, rows grouped by a, accounts numbered in the job's order (a sorted subset); or not (unsorted).
    const input = fc.record({ accounts: fc.subarray(Array.from({ length: 50 }, (_, i) => i), { minLength: 30, maxLength: 30 }), rows: fc.array(row, { maxLength: 300 }), unsorted: fc.boolean() })
      .chain(({ accounts, rows, unsorted }) => (unsorted ? fc.shuffledSubarray(accounts, { minLength: 30, maxLength: 30 }) : fc.constant(accounts)).map((ids) => ({
        global: Int32Array.from(ids),
        rows: unsorted ? rows : rows.map(([a, b, ...sums]): Row => [Math.min(a, b), Math.max(a, b), ...sums]).sort((x, y) => x[0] - y[0]),
      })));
    fc.assert(fc.property(fc.array(input, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 4 }), (inputs, minShared) => {
      const partials = inputs.map(({ rows, global }) => ({ pairs: partialOf(rows), global }));
      const expected = oracle(inputs, 2.5);
      const table = sumPairs(partials, 2.5);
      assert.equal(table.size, expected.size);
      for (let e = 0; e < table.size; e++) assert.deepEqual([table.shared[e], table.idf[e], table.coActions[e], table.sumDelta[e]], expected.get(`${table.a[e]},${table.b[e]}`));
      const { pairs, distinct, strength } = sumCandidatePairs(partials, 2.5, 50, { minShared });
      assert.equal(distinct, expected.size);
      assert.equal(pairs.size, [...expected.values()].filter(([shared]) => shared! >= minShared).length);
      for (let e = 0; e < pairs.size; e++) assert.deepEqual([pairs.shared[e], pairs.idf[e], pairs.coActions[e], pairs.sumDelta[e]], expected.get(`${pairs.a[e]},${pairs.b[e]}`));
      const strong = new Float64Array(50);
      for (const [key, [shared]] of expected) for (const id of key.split(',')) strong[Number(id)]! += shared!;
      assert.deepEqual([...strength], [...strong]);
    }), { numRuns: 300 });
  });

  it('gives with one MergeBuffers reused merge after merge (as a job\'s traces do) what fresh arrays give', () => {
    const row = fc.tuple(fc.nat(29), fc.nat(29), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 1, max: 5 }), fc.nat(1e6)).filter(([a, b]) => a !== b);
    // Grouped by first account in job order (the merge that takes the buffers), as workers write.
    const input = fc.record({ accounts: fc.subarray(Array.from({ length: 50 }, (_, i) => i), { minLength: 30, maxLength: 30 }), rows: fc.array(row, { maxLength: 300 }) })
      .map(({ accounts, rows }) => ({ pairs: partialOf(rows.map(([a, b, ...sums]): Row => [Math.min(a, b), Math.max(a, b), ...sums]).sort((x, y) => x[0] - y[0])), global: Int32Array.from(accounts) }));
    // Made once, larger than any run needs: every run starts from the last one's leftovers.
    const buffers = new MergeBuffers(64);
    const rowsOf = (table: ReturnType<typeof sumCandidatePairs>['pairs']): string[] => Array.from({ length: table.size }, (_, e) => [table.a[e], table.b[e], table.shared[e], table.idf[e], table.coActions[e], table.sumDelta[e]].join(' '));
    fc.assert(fc.property(fc.array(input, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 4 }), (partials, minShared) => {
      const fresh = sumCandidatePairs(partials, 2.5, 50, { minShared });
      const reused = sumCandidatePairs(partials, 2.5, 50, { minShared, buffers });
      assert.deepEqual(rowsOf(reused.pairs), rowsOf(fresh.pairs));
      assert.equal(reused.distinct, fresh.distinct);
      assert.deepEqual([...reused.strength], [...fresh.strength]);
    }), { numRuns: 300 });
  });

  it('handles a null (a partition without the trace) and more than 8,192 rows (several buckets at the default size)', () => {
    const rows: Row[] = [];
    for (let i = 0; i < 20_000; i++) rows.push([i % 500, 500 + (i % 700), 1, Math.log(2 + (i % 5)), 1, i]);
    const global = Int32Array.from({ length: 1_200 }, (_, i) => 1_199 - i);
    const table = sumPairs([{ pairs: partialOf(rows), global }, null, { pairs: partialOf(rows.slice(0, 3_000)), global }], 3);
    const expected = oracle([{ rows, global }, { rows: rows.slice(0, 3_000), global }], 3);
    assert.equal(table.size, expected.size);
    for (let e = 0; e < table.size; e++) assert.deepEqual([table.shared[e], table.idf[e], table.coActions[e], table.sumDelta[e]], expected.get(`${table.a[e]},${table.b[e]}`));
    assert.equal(table.shared.reduce((x, y) => x + y, 0), 23_000);
  });

  it('with minShared keeps only the pairs whose summed shared keys reach it, in the whole table\'s order, and counts every pair and each actor\'s strength', () => {
    const row = fc.tuple(fc.nat(29), fc.nat(29), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 1, max: 5 }), fc.nat(1e6)).filter(([a, b]) => a !== b);
    const input = fc.record({ global: fc.shuffledSubarray(Array.from({ length: 40 }, (_, i) => i), { minLength: 30, maxLength: 30 }).map((ids) => Int32Array.from(ids)), rows: fc.array(row, { maxLength: 300 }) });
    fc.assert(fc.property(fc.array(input, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 5 }), (inputs, bucketRows, minShared) => {
      const partials = inputs.map(({ rows, global }) => ({ pairs: partialOf(rows), global }));
      const whole = sumPairs(partials, 2.5, { bucketRows });
      const { pairs, distinct, strength } = sumCandidatePairs(partials, 2.5, 40, { bucketRows, minShared });
      const rowsOf = (table: typeof whole, e: number): string => [table.a[e], table.b[e], table.shared[e], table.idf[e], table.coActions[e], table.sumDelta[e]].join(' ');
      const expected = Array.from({ length: whole.size }, (_, e) => e).filter((e) => whole.shared[e]! >= minShared).map((e) => rowsOf(whole, e));
      assert.deepEqual(Array.from({ length: pairs.size }, (_, e) => rowsOf(pairs, e)), expected);
      assert.equal(distinct, whole.size);
      const strong = new Float64Array(40);
      for (let e = 0; e < whole.size; e++) {
        strong[whole.a[e]!]! += whole.shared[e]!;
        strong[whole.b[e]!]! += whole.shared[e]!;
      }
      assert.deepEqual([...strength], [...strong]);
    }), { numRuns: 200 });
  });
});
