import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { coActionPairs } from '../kernel/index.js';
import type { PairTable, TraceEvents } from '../kernel/index.js';
import type { PairStore } from '../kernel/partitioned-pairs.js';
import { significantSpilledPairs } from './partitioned-significance.js';
import { postOccasions } from './post-occasions.js';
import { distinctKeysPerActor, significantPairs } from './significance.js';

/** A PairStore in memory: chunks per partition and kept tables, copied in and out. */
class MemoryStore implements PairStore {
  readonly keepsPartitions = true;
  chunks = 0;
  readonly parts = new Map<number, PairTable[]>();
  readonly kept = new Map<number, PairTable>();
  private next = 0;
  spill(partition: number, chunk: PairTable): void {
    this.chunks++;
    this.parts.set(partition, [...(this.parts.get(partition) ?? []), copy(chunk)]);
  }
  take(partition: number): PairTable[] {
    const chunks = this.parts.get(partition) ?? [];
    this.parts.delete(partition);
    return chunks;
  }
  held(): number[] { return [...this.parts.keys()].sort((x, y) => x - y); }
  keep(table: PairTable): number { this.kept.set(this.next, copy(table)); return this.next++; }
  load(handle: number): PairTable { return copy(this.kept.get(handle)!); }
  drop(handle: number): void { this.kept.delete(handle); }
}

function copy(t: PairTable): PairTable {
  const n = t.size;
  return { a: t.a.slice(0, n), b: t.b.slice(0, n), shared: t.shared.slice(0, n), idf: t.idf.slice(0, n), coActions: t.coActions.slice(0, n), sumDelta: t.sumDelta.slice(0, n), size: n };
}

/** Rows as sorted text: pair, shared, co-actions, IDF and delay to 9 digits, ln p exact. */
function rows(t: PairTable, logP: (row: number) => number, only?: Iterable<number>): string[] {
  const list = only === undefined ? Array.from({ length: t.size }, (_, r) => r) : [...only];
  return list.map((r) => `${t.a[r]},${t.b[r]},${t.shared[r]},${t.coActions[r]},${t.idf[r]!.toPrecision(9)},${t.sumDelta[r]!.toPrecision(9)},${logP(r)}`).sort();
}

// Few actors and many keys, so pairs recur on several keys and some pass the test; enough
// co-actions that the kernel's buffers flush and partitions over budget spill.
const trace: fc.Arbitrary<TraceEvents> = fc.record({ actors: fc.integer({ min: 3, max: 40 }), keys: fc.integer({ min: 1, max: 60 }) })
  .chain(({ actors, keys }) => fc.array(fc.tuple(fc.nat(actors - 1), fc.nat(keys - 1), fc.integer({ min: 0, max: 100 })), { minLength: 500, maxLength: 3_000 })
    .map((events) => ({
      actor: Int32Array.from(events, (e) => e[0]), key: Int32Array.from(events, (e) => e[1]), time: Float64Array.from(events, (e) => e[2]),
      actorCount: actors, keyCount: keys,
    })));

describe('significance over spilled partitions', () => {
  it('keeps exactly the pairs the in-memory test keeps, with the same ln p, strengths and member-test rows', () => {
    let spilledRuns = 0, keptRuns = 0;
    fc.assert(fc.property(trace, fc.integer({ min: 1, max: 30 }), fc.constantFrom(1, 4, 16), fc.constantFrom(0.001, 0.2, 1), fc.constantFrom(1, 2, 3), fc.uint8Array({ minLength: 40, maxLength: 40, max: 1 }),
      (events, budget, partitions, fdr, minShared, keep) => {
        const plain = coActionPairs(events, { window: 30, partitions });
        const activity = distinctKeysPerActor(events);
        const want = significantPairs(plain.pairs, activity, { fdr, minShared });
        const store = new MemoryStore();
        const kernel = coActionPairs(events, { window: 30, partitions, sink: store, maxPairsInMemory: budget });
        if (kernel.stats.spilledChunks === 0) {
          assert.equal(kernel.pairs.size, plain.pairs.size, 'nothing spilled: the pairs come back in memory');
          return;
        }
        spilledRuns++;
        assert.equal(kernel.pairs.size, 0, 'a store that keeps partitions gets every pair');
        const got = significantSpilledPairs(store, activity, { fdr, minShared });
        assert.equal(got.tested, want.tested);
        assert.equal(got.pairsEmitted, plain.stats.pairsEmitted);
        assert.equal(got.logPCut, want.logPCut);
        assert.deepEqual(rows(got.kept.pairs, (r) => got.kept.logP[r]!), rows(plain.pairs, (r) => want.logP[r]!, want.kept));
        if (want.kept.length > 0) keptRuns++;
        // Strengths as the in-memory test's actorStrengths sums them.
        const strength = new Float64Array(events.actorCount);
        for (let r = 0; r < plain.pairs.size; r++) {
          strength[plain.pairs.a[r]!] = strength[plain.pairs.a[r]!]! + plain.pairs.shared[r]!;
          strength[plain.pairs.b[r]!] = strength[plain.pairs.b[r]!]! + plain.pairs.shared[r]!;
        }
        assert.deepEqual(got.strength, strength);
        const among = got.among(keep);
        const inKeep = Array.from({ length: plain.pairs.size }, (_, r) => r).filter((r) => keep[plain.pairs.a[r]!] === 1 && keep[plain.pairs.b[r]!] === 1);
        const text = (t: Pick<PairTable, 'a' | 'b' | 'shared'>, list: number[]): string[] => list.map((r) => `${t.a[r]},${t.b[r]},${t.shared[r]}`).sort();
        assert.deepEqual(text(among, Array.from({ length: among.size }, (_, r) => r)), text(plain.pairs, inKeep));
        got.release();
        assert.equal(store.kept.size, 0, 'release drops every merged partition');
        assert.equal(store.parts.size, 0, 'every chunk was taken');
      }), { numRuns: 300 });
    assert.ok(spilledRuns > 100 && keptRuns > 20, `${spilledRuns} runs spilled, ${keptRuns} kept pairs`);
  });

  it('counts one post\'s keys as one occasion exactly as the in-memory test does', () => {
    let spilledRuns = 0, loweredRuns = 0;
    fc.assert(fc.property(trace, fc.integer({ min: 1, max: 30 }), fc.constantFrom(1, 4, 16), fc.constantFrom(0.001, 0.2, 1), fc.constantFrom(2, 3), (events, budget, partitions, fdr, minShared) => {
      // An actor's events at one time are one post, so posts often carry several keys.
      const data = { ...events, action: Int32Array.from(events.actor, (actor, i) => actor * 101 + events.time[i]!) };
      let lowered = 0;
      const occasions = (rows: Parameters<typeof postOccasions>[1]) => {
        const counted = postOccasions(data, rows, { window: 30, minShared });
        lowered = counted.lowered;
        return counted;
      };
      const plain = coActionPairs(events, { window: 30, partitions });
      const activity = distinctKeysPerActor(events);
      const want = significantPairs(plain.pairs, activity, { fdr, minShared, occasions });
      const store = new MemoryStore();
      const kernel = coActionPairs(events, { window: 30, partitions, sink: store, maxPairsInMemory: budget });
      if (kernel.stats.spilledChunks === 0) return;
      spilledRuns++;
      const wantLowered = lowered;
      const got = significantSpilledPairs(store, activity, { fdr, minShared, occasions });
      assert.equal(lowered, wantLowered, 'the same pairs lowered');
      if (lowered > 0) loweredRuns++;
      assert.equal(got.logPCut, want.logPCut);
      assert.deepEqual(rows(got.kept.pairs, (r) => got.kept.logP[r]!), rows(plain.pairs, (r) => want.logP[r]!, want.kept));
      got.release();
    }), { numRuns: 150 });
    assert.ok(spilledRuns > 50 && loweredRuns > 20, `${spilledRuns} runs spilled, ${loweredRuns} with pairs lowered`);
  });

  it('holds one merged partition at a time: the largest is a fraction of the pairs', () => {
    let seed = 5;
    const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    const n = 40_000;
    const events: TraceEvents = {
      actor: Int32Array.from({ length: n }, () => Math.floor(next() * 2_000)), key: Int32Array.from({ length: n }, () => Math.floor(next() * 1_000)),
      time: Float64Array.from({ length: n }, () => Math.floor(next() * 300_000)), actorCount: 2_000, keyCount: 1_000,
    };
    const store = new MemoryStore();
    const kernel = coActionPairs(events, { window: 60_000, partitions: 64, sink: store, maxPairsInMemory: 5_000 });
    const got = significantSpilledPairs(store, distinctKeysPerActor(events));
    assert.ok(kernel.stats.spilledChunks >= 64 && got.partitions === 64, `${kernel.stats.spilledChunks} chunks, ${got.partitions} partitions`);
    assert.ok(got.tested > 100_000 && got.largestPartition < got.tested / 32, `largest partition ${got.largestPartition} of ${got.tested} pairs`);
  });
});
