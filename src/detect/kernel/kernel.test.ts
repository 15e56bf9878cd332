import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import { KERNEL_DEFAULTS, coActionPairs } from './kernel.js';
import { referenceCoActionPairs } from './reference.js';
import { arbitraryTrace, close, pairMap, traceOf } from './test-support/pairs.js';
import type { PairTable, TraceEvents } from './types.js';

const uncapped = { maxPartnersPerEvent: Infinity } as const;

describe('coActionPairs: edge cases', () => {
  it('returns no pairs and zero counts for empty input', () => {
    const { pairs, stats } = coActionPairs({ actor: new Int32Array(0), key: new Int32Array(0), time: new Float64Array(0), actorCount: 0, keyCount: 0 });
    assert.equal(pairs.size, 0);
    assert.deepEqual(
      [stats.events, stats.actors, stats.keys, stats.coActions, stats.pairs],
      [0, 0, 0, 0, 0],
    );
  });

  it('never pairs an actor with itself, however often it repeats a key', () => {
    const { pairs, stats } = coActionPairs(traceOf([[0, 0, 0], [0, 0, 0], [0, 0, 1], [0, 1, 2]]));
    assert.equal(pairs.size, 0);
    assert.equal(stats.actors, 1);
    assert.equal(stats.keys, 2);
  });

  it('pairs the actors of one key inside the window and not those outside', () => {
    const { pairs } = coActionPairs(traceOf([[0, 0, 0], [1, 0, 4_000], [2, 0, 60_000]]), { window: 10_000 });
    assert.deepEqual([...pairMap(pairs).values()], [{ a: 0, b: 1, shared: 1, idf: Math.log(3 / 3), coActions: 1, sumDelta: 4_000 }]);
  });

  it('includes the window bound itself and orders each pair a < b', () => {
    const { pairs } = coActionPairs(traceOf([[5, 0, 10_000], [2, 0, 0]]), { window: 10_000 });
    const map = pairMap(pairs);
    assert.deepEqual([...map.keys()], ['2,5']);
  });

  it('pairs every actor at identical times, with zero delay', () => {
    const { pairs } = coActionPairs(traceOf([[0, 0, 7], [1, 0, 7], [2, 0, 7]]), { window: 0 });
    const map = pairMap(pairs);
    assert.deepEqual([...map.keys()].sort(), ['0,1', '0,2', '1,2']);
    for (const pair of map.values()) assert.equal(pair.sumDelta, 0);
  });

  it('with window 0 pairs only identical times', () => {
    const { pairs } = coActionPairs(traceOf([[0, 0, 1], [1, 0, 1], [2, 0, 2]]), { window: 0 });
    assert.deepEqual([...pairMap(pairs).keys()], ['0,1']);
  });

  it('counts a key once in shared however many times the pair co-acts on it', () => {
    const { pairs } = coActionPairs(traceOf([[0, 0, 0], [1, 0, 500], [0, 0, 1_000], [1, 1, 0], [0, 1, 9_000]]), { window: 10_000 });
    const pair = pairMap(pairs).get('0,1');
    assert.equal(pair?.shared, 2);
    // key 0: (0@0, 1@500) and (1@500, 0@1000); key 1: (1@0, 0@9000)
    assert.equal(pair?.coActions, 3);
    assert.equal(pair?.sumDelta, 500 + 500 + 9_000);
  });

  it('weights keys by IDF: a key everybody touched adds 0, a rare key ln(N / 2)', () => {
    const rows: Array<[number, number, number]> = [[0, 0, 0], [1, 0, 0]];
    for (let a = 0; a < 4; a++) rows.push([a, 1, 0]);
    const pair = pairMap(coActionPairs(traceOf(rows)).pairs).get('0,1');
    assert.equal(pair?.shared, 2);
    assert.ok(close(pair?.idf ?? NaN, Math.log(4 / 2) + Math.log(4 / 4)));
  });

  it('rejects malformed input and options with a detect/bad-input error that names the problem', () => {
    const good = traceOf([[0, 0, 0], [1, 0, 1]]);
    const cases: Array<[TraceEvents, object, RegExp]> = [
      [{ ...good, time: new Float64Array(1) }, {}, /same length/],
      [{ ...good, actorCount: 1 }, {}, /event 1: actor 1 outside \[0, 1\)/],
      [{ ...good, key: Int32Array.of(0, 3) }, {}, /event 1: key 3/],
      [{ ...good, time: Float64Array.of(0, NaN) }, {}, /event 1: time NaN/],
      [good, { window: -1 }, /window/],
      [good, { maxPartnersPerEvent: 0 }, /maxPartnersPerEvent/],
      [good, { partitions: 3 }, /power of two/],
      [good, { pairsPerEventPair: 0 }, /pairsPerEventPair must be in \(0, 1\], got 0/],
      [good, { pairsPerEventPair: 2 }, /pairsPerEventPair/],
    ];
    for (const [events, options, message] of cases) {
      assert.throws(() => coActionPairs(events, options), (error: unknown) => error instanceof LockstepError && error.code === 'detect/bad-input' && message.test(error.message));
    }
  });

  it('lists as popular exactly the keys with more than popularKeyActors distinct actors, ascending', () => {
    // Keys 0..5 with 1, 4, 2, 3, 3, 1 distinct actors (key 2 twice by one actor); popular above 2.
    const rows: Array<[number, number, number]> = [[0, 0, 0], [1, 5, 9]];
    for (let a = 0; a < 4; a++) rows.push([a, 1, a]);
    rows.push([0, 2, 0], [0, 2, 1], [1, 2, 2]);
    for (let a = 0; a < 3; a++) rows.push([a, 3, a], [a + 3, 4, a]);
    const { popularKeys, stats } = coActionPairs(traceOf(rows), { popularKeyActors: 2 });
    assert.deepEqual([...popularKeys], [1, 3, 4]);
    assert.equal(stats.popularKeys, 3);
    assert.equal(popularKeys.buffer.byteLength, 3 * 4);
  });

  it('bounds a viral key: 100,000 actors never yield their 5 billion pairs; reported, capped and down-weighted', () => {
    const viral = 100_000;
    const rows: Array<[number, number, number]> = [];
    for (let a = 0; a < viral; a++) rows.push([a, 0, a % 1000]); // all within one second
    rows.push([0, 1, 0], [1, 1, 5]); // a rare key shared by actors 0 and 1 only
    const cap = 8;
    const { pairs, stats, popularKeys } = coActionPairs(traceOf(rows), { maxPartnersPerEvent: cap, popularKeyActors: 1_000 });
    assert.ok(stats.coActions <= viral * cap, `${stats.coActions} co-actions for ${viral} events, cap ${cap}`);
    assert.ok(pairs.size <= viral * cap + 1);
    assert.equal(stats.eventPairsExamined + stats.eventPairsSkipped, (viral * (viral - 1)) / 2 + 1);
    assert.equal(stats.keysCapped, 1);
    assert.deepEqual([...popularKeys], [0]);
    const map = pairMap(pairs);
    const rare = map.get('0,1');
    assert.ok(rare !== undefined && rare.shared >= 1);
    const viralOnly = [...map.values()].find((p) => p.a > 1);
    assert.ok(viralOnly !== undefined);
    assert.ok(viralOnly.idf < 1e-4, 'a key touched by every actor weighs next to nothing');
    assert.ok(rare.idf >= Math.log(viral / 2));
  });

  it('gives identical arrays for identical input (deterministic order)', () => {
    const rows: Array<[number, number, number]> = [];
    for (let i = 0; i < 3_000; i++) rows.push([(i * 7919) % 300, (i * 104_729) % 200, (i * 37) % 5_000]);
    const one = coActionPairs(traceOf(rows)).pairs;
    const two = coActionPairs(traceOf(rows)).pairs;
    assert.ok(one.size > 0);
    assert.deepEqual(one, two);
  });

  it('gives the same arrays however its tables are presized (pairsPerEventPair), so a stream partition\'s partial is the batch kernel\'s', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: 0, max: 40 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (events, window, pairsPerEventPair) => {
        const base = coActionPairs(events, { window, maxPartnersPerEvent: 3 }).pairs;
        assert.deepEqual(coActionPairs(events, { window, maxPartnersPerEvent: 3, pairsPerEventPair }).pairs, base);
      }),
      { numRuns: 200 },
    );
  });

  it('with groupByFirstActor gives the same pairs and sums, grouped by a ascending (the stream\'s partials)', () => {
    const wide = fc.record({ actors: fc.integer({ min: 2, max: 400 }), keys: fc.integer({ min: 1, max: 30 }) }).chain(({ actors, keys }) =>
      fc.array(fc.tuple(fc.nat(actors - 1), fc.nat(keys - 1), fc.integer({ min: 0, max: 200 })), { maxLength: 600 }).map((rows) => traceOf(rows)));
    fc.assert(
      fc.property(fc.oneof(arbitraryTrace, wide), fc.constantFrom<number | 'auto'>('auto', 1, 2, 16, 64), (events, partitions) => {
        const options = { window: 50, maxPartnersPerEvent: 3, partitions };
        const rows = (pairs: PairTable): string[] => Array.from({ length: pairs.size }, (_, r) => [pairs.a[r], pairs.b[r], pairs.shared[r], pairs.idf[r], pairs.coActions[r], pairs.sumDelta[r]].join(' '));
        const grouped = coActionPairs(events, { ...options, groupByFirstActor: true }).pairs;
        assert.deepEqual(rows(grouped).sort(), rows(coActionPairs(events, options).pairs).sort());
        for (let r = 1; r < grouped.size; r++) assert.ok(grouped.a[r - 1]! <= grouped.a[r]!, `row ${r}: a ${grouped.a[r]} after ${grouped.a[r - 1]}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('coActionPairs against the brute-force reference', () => {
  it('equals the reference exactly when no cap is hit', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 2, 4, 16), (events, window, partitions) => {
        const fast = pairMap(coActionPairs(events, { ...uncapped, window, partitions }).pairs);
        const slow = referenceCoActionPairs(events, window);
        assert.deepEqual([...fast.keys()].sort(), [...slow.keys()].sort());
        for (const [id, want] of slow) {
          const got = fast.get(id)!;
          assert.equal(got.shared, want.shared, `shared of ${id}`);
          assert.equal(got.coActions, want.coActions, `coActions of ${id}`);
          assert.ok(close(got.idf, want.idf), `idf of ${id}: ${got.idf} vs ${want.idf}`);
          assert.ok(close(got.sumDelta, want.sumDelta), `sumDelta of ${id}: ${got.sumDelta} vs ${want.sumDelta}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('with a partner cap returns a subset of the reference with weights no larger', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), (events, window, cap) => {
        const { pairs, stats } = coActionPairs(events, { window, maxPartnersPerEvent: cap });
        const slow = referenceCoActionPairs(events, window);
        assert.ok(stats.eventPairsExamined <= stats.events * cap);
        for (const [id, got] of pairMap(pairs)) {
          const want = slow.get(id);
          assert.ok(want !== undefined, `capped pair ${id} is not a co-acting pair`);
          assert.ok(got.shared <= want.shared && got.coActions <= want.coActions);
          assert.ok(got.idf <= want.idf + 1e-9 && got.sumDelta <= want.sumDelta + 1e-9);
        }
        if (stats.eventPairsSkipped === 0) assert.equal(pairs.size, slow.size);
      }),
      { numRuns: 400 },
    );
  });

  it('input already in (key, time) order, read in place, gives what the sort gives (capped or not)', () => {
    fc.assert(
      fc.property(arbitraryTrace, fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, 2, Infinity), (events, window, cap) => {
        const order = Array.from(events.actor, (_, i) => i).sort((x, y) => events.key[x]! - events.key[y]! || events.time[x]! - events.time[y]! || x - y);
        const inOrder: TraceEvents = {
          actor: Int32Array.from(order, (i) => events.actor[i]!), key: Int32Array.from(order, (i) => events.key[i]!),
          time: Float64Array.from(order, (i) => events.time[i]!), actorCount: events.actorCount, keyCount: events.keyCount,
        };
        assert.deepEqual(coActionPairs(inOrder, { window, maxPartnersPerEvent: cap }), coActionPairs(events, { window, maxPartnersPerEvent: cap }));
      }),
      { numRuns: 400 },
    );
  });

  it('defaults to a 10 s window, bounds included', () => {
    assert.equal(KERNEL_DEFAULTS.window, 10_000);
    const { pairs } = coActionPairs(traceOf([[0, 0, 0], [1, 0, 10_000], [2, 1, 0], [3, 1, 10_001]]));
    assert.deepEqual([...pairMap(pairs).keys()], ['0,1']);
  });
});
