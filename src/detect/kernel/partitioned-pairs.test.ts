import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mulberry32 } from '../cluster/index.js';
import { detectCoordination } from '../pipeline.js';
import { significantSpilledPairs } from '../significance/partitioned-significance.js';
import { actorStrengths, distinctKeysPerActor, significantPairs } from '../significance/index.js';
import type { TraceData, TraceName } from '../traces/trace-names.js';
import { coActionPairs } from './kernel.js';
import { MemoryPairStore, PartitionedPairs } from './partitioned-pairs.js';
import { MemorySink, arbitraryTrace, close, pairMap, traceOf } from './test-support/pairs.js';
import type { PairSink, PairTable } from './types.js';

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

/** Traces of up to 400 events over 40 actors and 25 keys, so that some pairs share several keys. */
const mediumTrace = fc
  .record({ actors: fc.integer({ min: 2, max: 40 }), keys: fc.integer({ min: 1, max: 25 }) })
  .chain(({ actors, keys }) => fc
    .array(fc.tuple(fc.integer({ min: 0, max: actors - 1 }), fc.integer({ min: 0, max: keys - 1 }), fc.integer({ min: 0, max: 600 })), { maxLength: 400 })
    .map((rows) => ({ ...traceOf(rows), actorCount: actors, keyCount: keys })));

/** A random trace with a ring of 8 accounts acting on 20 keys within seconds, among 200 others. */
function ringTrace(seed: number, keys: number): TraceData {
  const random = mulberry32(seed);
  const rows: [number, number, number][] = [];
  for (let account = 8; account < 200; account++) {
    for (let i = 0; i < 20; i++) rows.push([account, Math.floor(keys * random() ** 2), Math.floor(random() * 864_000_000)]);
  }
  for (let s = 0; s < 20; s++) {
    const at = Math.floor(random() * 864_000_000);
    for (let member = 0; member < 8; member++) if (random() < 0.9) rows.push([member, keys + s, at + Math.floor(random() * 20_000)]);
  }
  const events = traceOf(rows);
  return { ...events, action: Int32Array.from({ length: rows.length }, (_, i) => i), actorCount: 200, keyCount: keys + 20 };
}

describe('the in-memory pair store (the default without a spill target)', () => {
  it('takes every partition, and the partitioned test keeps bitwise the one-table test\'s pairs, ln p, strengths and member rows', () => {
    fc.assert(
      fc.property(mediumTrace, fc.integer({ min: 0, max: 120 }), fc.constantFrom(1, 4, 16, 'auto' as const), fc.constantFrom(0.001, 0.05, 1), fc.constantFrom(1, 2),
        (events, window, partitions, fdr, minShared) => {
          const plain = coActionPairs(events, { window, partitions });
          const store = new MemoryPairStore();
          const kernel = coActionPairs(events, { window, partitions, sink: store });
          assert.equal(kernel.pairs.size, 0, 'no table of the whole trace');
          let rows = 0;
          for (const partition of store.held()) {
            const chunks = store.take(partition);
            assert.equal(chunks.length, 1, 'each partition handed over once');
            rows += chunks[0]!.size;
            store.spill(partition, chunks[0]!);
          }
          assert.equal(rows, plain.pairs.size);
          const activity = distinctKeysPerActor(events);
          const one = significantPairs(plain.pairs, activity, { fdr, minShared });
          const parts = significantSpilledPairs(store, activity, { fdr, minShared });
          assert.equal(parts.tested, one.tested);
          assert.deepEqual(parts.strength, actorStrengths(plain.pairs, events.actorCount).strength);
          const kept = parts.kept;
          assert.equal(kept.kept.length, one.kept.length);
          one.kept.forEach((row, i) => {
            assert.equal(kept.pairs.a[i], plain.pairs.a[row]);
            assert.equal(kept.pairs.b[i], plain.pairs.b[row]);
            assert.equal(kept.pairs.shared[i], plain.pairs.shared[row]);
            assert.equal(kept.pairs.coActions[i], plain.pairs.coActions[row]);
            // Bitwise: no sum is taken in another order.
            assert.ok(Object.is(kept.pairs.idf[i], plain.pairs.idf[row]) && Object.is(kept.pairs.sumDelta[i], plain.pairs.sumDelta[row]), `idf/sumDelta of row ${row}`);
            assert.ok(Object.is(kept.logP[i], one.logP[row]), `ln p of row ${row}`);
          });
          store.slim();
          const everyone = new Uint8Array(events.actorCount).fill(1);
          const among = parts.among(everyone);
          assert.deepEqual([...among.a.subarray(0, among.size)], [...plain.pairs.a.subarray(0, plain.pairs.size)]);
          assert.deepEqual([...among.b.subarray(0, among.size)], [...plain.pairs.b.subarray(0, plain.pairs.size)]);
          assert.deepEqual([...among.shared.subarray(0, among.size)], [...plain.pairs.shared.subarray(0, plain.pairs.size)]);
        }),
      { numRuns: 300 },
    );
  });

  it('gives detectCoordination the same result as one table of all pairs', () => {
    // A sink that keeps no partitions and never receives a chunk (no budget): the one-table path.
    const oneTable: PairSink = { spill: () => { throw new Error('nothing spills without a budget'); }, take: () => [] };
    for (const seed of [1, 2, 3]) {
      const traces = new Map<TraceName, TraceData>([['co-repost', ringTrace(seed, 300)], ['co-link', ringTrace(seed + 100, 60)]]);
      const input = { actorCount: 200, traces };
      const byDefault = detectCoordination(input);
      const viaOneTable = detectCoordination(input, { pairSink: oneTable });
      assert.ok(byDefault.clusters.length > 0, 'the ring is found');
      assert.ok(byDefault.traces.every((trace) => trace.kernel.spilledChunks === 0), 'nothing reported as spilled');
      assert.deepEqual(byDefault, viaOneTable);
    }
  });
});
