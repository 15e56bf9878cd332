import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { distinctActorsPerKey } from './distinct.js';
import { arbitraryTrace } from './test-support/pairs.js';

describe('distinct actors per key', () => {
  it('equals counting (key, actor) pairs in a set', () => {
    fc.assert(fc.property(arbitraryTrace, (events) => {
      const want = new Array<number>(events.keyCount).fill(0);
      for (const id of new Set(Array.from(events.actor, (a, i) => `${events.key[i]}:${a}`))) want[Number(id.split(':')[0])]!++;
      assert.deepEqual([...distinctActorsPerKey(events)], want);
    }), { numRuns: 300 });
  });

  it('counts a key with one actor acting many times once, and a key without events as 0', () => {
    const got = distinctActorsPerKey({ actor: Int32Array.of(3, 3, 3, 1), key: Int32Array.of(2, 2, 2, 0), actorCount: 4, keyCount: 3 });
    assert.deepEqual([...got], [1, 0, 1]);
  });
});
