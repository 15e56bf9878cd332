import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { coActionPairs } from './kernel.js';
import { PartitionedPairs } from './partitioned-pairs.js';
import { MemorySink, arbitraryTrace, close, pairMap } from './test-support/pairs.js';
import type { PairTable } from './types.js';

function assertSamePairs(got: PairTable, want: PairTable): void {
  const g = pairMap(got);
  const w = pairMap(want);
  assert.deepEqual([...g.keys()].sort(), [...w.keys()].sort());
  for (const [id, x] of w) {
    const y = g.get(id)!;
    assert.equal(y.shared, x.shared, `shared of ${id}`);
    assert.equal(y.coActions, x.coActions, `coActions of ${id}`);
    assert.ok(close(y.idf, x.idf) && close(y.sumDelta, x.sumDelta), `idf/sumDelta of ${id}`);
  }
}

describe('pair table partitions and the spill hook', () => {
  it('sums co-actions per pair and counts each key once, across buffer flushes', () => {
    const table = new PartitionedPairs(4);
    // Key k carries 3 co-actions of each of its pairs; pair (i % 50, 100 + i % 7) recurs every 350 keys.
    for (let k = 0; k < 5_000; k++) {
      for (let repeat = 0; repeat < 3; repeat++) table.coAct(k % 50, 100 + (k % 7), k, 0.5, 10);
      table.endKey();
    }
    const map = pairMap(table.finish());
    assert.equal(map.size, 350);
    // keys 0, 350, 700, ... < 5000 all carry (0, 100): 15 of them.
    assert.equal(map.get('0,100')?.shared, 15);
    let keys = 0;
    for (const p of map.values()) {
      keys += p.shared;
      assert.equal(p.coActions, 3 * p.shared);
      assert.ok(close(p.idf, 0.5 * p.shared) && close(p.sumDelta, 30 * p.shared));
    }
    assert.equal(keys, 5_000);
  });

  it('gives the same pairs with a tiny budget and a sink as without spilling', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 2, 8), fc.integer({ min: 1, max: 6 }), (events, window, partitions, budget) => {
        const plain = coActionPairs(events, { window, partitions });
        const sink = new MemorySink();
        const spilled = coActionPairs(events, { window, partitions, sink, maxPairsInMemory: budget });
        assertSamePairs(spilled.pairs, plain.pairs);
        assert.equal(spilled.stats.spilledChunks, sink.spilled);
        assert.equal(sink.pending, 0, 'every spilled chunk was taken back');
      }),
      { numRuns: 300 },
    );
  });

  it('really spills on a larger trace and still merges to the unspilled result', () => {
    const n = 40_000;
    const actor = new Int32Array(n);
    const key = new Int32Array(n);
    const time = new Float64Array(n);
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    for (let i = 0; i < n; i++) {
      actor[i] = Math.floor(next() * 2_000);
      key[i] = Math.floor(next() * 3_000);
      time[i] = Math.floor(next() * 600_000);
    }
    const events = { actor, key, time, actorCount: 2_000, keyCount: 3_000 };
    const plain = coActionPairs(events, { window: 60_000 });
    const sink = new MemorySink();
    const spilled = coActionPairs(events, { window: 60_000, sink, maxPairsInMemory: 5_000 });
    assert.ok(plain.pairs.size > 20_000, `${plain.pairs.size} pairs`);
    assert.ok(sink.spilled >= 16, `${sink.spilled} chunks spilled`);
    assert.ok(sink.rows > plain.pairs.size / 2);
    assertSamePairs(spilled.pairs, plain.pairs);
  });
});
