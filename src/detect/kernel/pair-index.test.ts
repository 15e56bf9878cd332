import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PairIndex } from './pair-index.js';

describe('PairIndex', () => {
  it('numbers pairs densely in insertion order, stable across growth, like a Map', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })), { maxLength: 500 }), (pairs) => {
        const index = new PairIndex(2);
        const map = new Map<string, number>();
        for (const [a, b] of pairs) {
          const id = `${a},${b}`;
          if (!map.has(id)) map.set(id, map.size);
          assert.equal(index.entryOf(a, b), map.get(id));
        }
        assert.equal(index.size, map.size);
        for (const [id, e] of map) {
          const [a, b] = id.split(',').map(Number) as [number, number];
          assert.equal(index.find(a, b), e);
          assert.deepEqual([index.keys[2 * e], index.keys[2 * e + 1]], [a, b]);
        }
        assert.equal(index.find(61, 61), -1);
      }),
    );
  });

  it('forgets everything on clear and numbers from 0 again', () => {
    const index = new PairIndex();
    for (let i = 0; i < 1_000; i++) index.entryOf(i, i + 1);
    index.clear();
    assert.equal(index.size, 0);
    assert.equal(index.find(5, 6), -1);
    assert.equal(index.entryOf(7, 8), 0);
    assert.equal(index.entryOf(5, 6), 1);
  });

  it('tells (a, b) from (b, a)', () => {
    const index = new PairIndex();
    assert.notEqual(index.entryOf(1, 2), index.entryOf(2, 1));
  });
});
