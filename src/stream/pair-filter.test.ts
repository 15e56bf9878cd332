import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FilterSet, labelHashes, PairFilter, pairKeys } from './pair-filter.js';

const RUNS = Number(process.env.PAIR_FILTER_RUNS ?? 100);

/** A partition's pairs as label pairs, in either order: up to 3,000 from a seed (fast-check's arrays stay small), so filters differ in size by up to 2^10. */
const partitionArbitrary = fc.record({ count: fc.integer({ min: 0, max: 3_000 }), seed: fc.nat(), bitsPerKey: fc.integer({ min: 1, max: 20 }) }).map(({ count, seed, bitsPerKey }) => {
  let state = seed;
  const next = (): number => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) >>> 8;
  return { pairs: Array.from({ length: count }, () => [next() % 500, next() % 500, next() % 2 === 0] as const), bitsPerKey };
});

describe('pair filters', () => {
  it('a set of filters of any sizes finds every pair a filter other than the skipped one was given, labelled in either order', () => {
    fc.assert(fc.property(fc.array(partitionArbitrary, { minLength: 1, maxLength: 6 }), fc.nat(5), (partitions, skip) => {
      const filters = partitions.map(({ pairs, bitsPerKey }, owner) => {
        const labels = pairs.flatMap(([x, y, flipped]) => (flipped ? [`u${y}`, `u${x}`] : [`u${x}`, `u${y}`]));
        const ids = Int32Array.from(labels.keys());
        const { block, bits } = pairKeys(labelHashes(labels), ids.filter((id) => id % 2 === 0), ids.filter((id) => id % 2 === 1), pairs.length);
        const filter = new PairFilter(pairs.length, bitsPerKey);
        for (let row = 0; row < pairs.length; row++) filter.add(block[row]!, bits[row]!);
        return { owner, filter, block, bits };
      });
      const set = new FilterSet(filters);
      for (const { owner, block, bits } of filters) {
        if (owner === skip) continue;
        for (let row = 0; row < block.length; row++) assert.ok(set.mayHold(block[row]!, bits[row]!, skip), `partition ${owner}'s pair ${row} not found`);
      }
    }), { numRuns: RUNS, seed: 18 });
  });

  it('keys a pair by its labels, not their order, and tells different pairs apart', () => {
    const { block, bits } = pairKeys(labelHashes(['bsky\u0000a', 'bsky\u0000b', 'bsky\u0000c']), Int32Array.of(0, 1, 0), Int32Array.of(1, 0, 2), 3);
    assert.deepEqual([block[0], bits[0]], [block[1], bits[1]]);
    assert.notDeepEqual([block[0], bits[0]], [block[2], bits[2]]);
  });
});
