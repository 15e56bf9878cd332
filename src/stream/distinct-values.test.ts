import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { distinctValues, MAX_DISTINCT } from './distinct-values.js';

const RUNS = Number(process.env.DISTINCT_VALUES_RUNS ?? 200);
const bits = (x: number): bigint => new BigInt64Array(Float64Array.of(x).buffer)[0]!;
/** Values whose bit patterns differ in one word only (the low or the high 32 bits), and 0 / -0. */
const NEIGHBOURS = [1, 1 + 2 ** -52, 1 + 2 ** -30, 2, 0, -0, Math.LN2, Math.LN2 + 2 ** -40, 3.5e9, 3.5e9 + 2 ** -20];

describe('distinctValues (the partial codec\'s Σ ln n_k table)', () => {
  it('gives each row the index of its value to the bit, values distinct by bits in order of first use', () => {
    // Runs of one value (as a partial's rows repeat the row before's) among neighbours to the bit.
    const column = fc.array(fc.tuple(fc.constantFrom(...NEIGHBOURS), fc.integer({ min: 1, max: 4 })), { maxLength: 200 })
      .map((runs) => Float64Array.from(runs.flatMap(([value, times]) => Array<number>(times).fill(value))));
    fc.assert(
      fc.property(column, (values) => {
        const distinct = distinctValues(values);
        assert.ok(distinct !== null);
        const firstUse = [...new Set(Array.from(values, bits))];
        assert.deepEqual(Array.from(distinct.values, bits), firstUse);
        for (let row = 0; row < values.length; row++) assert.equal(bits(distinct.values[distinct.index[row]!]!), bits(values[row]!), `row ${row}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives up past MAX_DISTINCT values', () => {
    assert.equal(distinctValues(Float64Array.from({ length: MAX_DISTINCT + 1 }, (_, i) => i / 7)), null);
    assert.equal(distinctValues(Float64Array.from({ length: MAX_DISTINCT }, (_, i) => i / 7))?.values.length, MAX_DISTINCT);
  });
});
