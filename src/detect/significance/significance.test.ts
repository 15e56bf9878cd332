import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { logGamma, logPoissonUpperTail } from './poisson.js';
import { distinctKeysPerActor, keyActorCounts, significantPairs } from './significance.js';
import type { PairTable } from '../kernel/index.js';

function table(rows: readonly (readonly [number, number, number])[]): PairTable {
  return {
    a: Int32Array.from(rows.map((r) => r[0])), b: Int32Array.from(rows.map((r) => r[1])), shared: Int32Array.from(rows.map((r) => r[2])),
    idf: new Float64Array(rows.length), coActions: Int32Array.from(rows.map((r) => r[2])), sumDelta: new Float64Array(rows.length), size: rows.length,
  };
}

/** Slow obvious Poisson tail by summing the mass function far out. */
function slowTail(k: number, mean: number): number {
  let total = 0;
  for (let i = k; i < k + 2000; i++) total += Math.exp(-mean + i * Math.log(mean) - logGamma(i + 1));
  return total;
}

test('logGamma matches factorials', () => {
  for (let n = 1; n < 30; n++) {
    let factorial = 1;
    for (let i = 2; i < n; i++) factorial *= i;
    assert.ok(Math.abs(logGamma(n) - Math.log(factorial)) < 1e-9, `n=${n}`);
  }
});

test('Poisson upper tail agrees with a slow sum, and keeps tiny p-values', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 40, noNaN: true }), (k, mean) => {
    const expected = slowTail(k, mean);
    const got = Math.exp(logPoissonUpperTail(k, mean));
    assert.ok(Math.abs(got - expected) <= 1e-9 + 1e-6 * expected, `k=${k} mean=${mean}: ${got} vs ${expected}`);
  }));
  assert.ok(logPoissonUpperTail(200, 0.5) < -700, 'far below double precision, still finite in log space');
  assert.equal(logPoissonUpperTail(0, 3), 0);
});

test('a ring that meets again and again is significant; a crowd that meets by popularity is not', () => {
  // 410 active accounts with 40 distinct keys each; 200 of them never co-act.
  const activity = new Float64Array(410).fill(40);
  const rows: [number, number, number][] = [];
  // Ring: actors 0..9 share 30 keys with each other.
  for (let a = 0; a < 10; a++) for (let b = a + 1; b < 10; b++) rows.push([a, b, 30]);
  // Crowd: actors 10..209 each co-act with 150 random others once or twice (a viral burst).
  let seed = 1;
  const random = (): number => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
  for (let a = 10; a < 210; a++) for (let b = a + 1; b < 210; b++) if (random() < 0.75) rows.push([a, b, random() < 0.3 ? 2 : 1]);
  const result = significantPairs(table(rows), activity, { fdr: 0.001 });
  const keptPairs = [...result.kept].map((row) => [rows[row]?.[0] ?? -1, rows[row]?.[1] ?? -1]);
  assert.equal(keptPairs.filter(([a]) => (a ?? 0) < 10).length, 45, 'every ring pair kept');
  assert.equal(keptPairs.filter(([a]) => (a ?? 0) >= 10).length, 0, 'no crowd pair kept');
});

test('distinct keys per actor counts each key once however often the actor used it', () => {
  const events = { actor: Int32Array.of(0, 0, 0, 1, 1), key: Int32Array.of(0, 0, 1, 1, 1), time: Float64Array.of(1, 2, 3, 4, 5), actorCount: 3, keyCount: 2 };
  assert.deepEqual([...distinctKeysPerActor(events)], [2, 1, 0]);
});

test('pairs below the minimum of shared keys are never kept; empty input keeps nothing', () => {
  assert.equal(significantPairs(table([[0, 1, 1]]), Float64Array.of(5, 5, 5)).kept.length, 0);
  assert.equal(significantPairs(table([]), new Float64Array(0)).kept.length, 0);
});

test('a campaign that makes most of a trace\'s co-actions does not explain itself away', () => {
  // 60 members sharing 40 keys pairwise, among 3,000 active accounts that never co-act.
  const rows: [number, number, number][] = [];
  for (let a = 0; a < 60; a++) for (let b = a + 1; b < 60; b++) rows.push([a, b, 40]);
  const activity = new Float64Array(3060).fill(30);
  for (let a = 0; a < 60; a++) activity[a] = 60;
  assert.equal(significantPairs(table(rows), activity).kept.length, rows.length);
});

test('keyActorCounts: distinct keys per actor and distinct actors per key, as sets count them, in key order or not (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }), fc.boolean(), (actorCount, keyCount, rows, keyOrder) => {
    const events = rows.map(([a, k]) => [a % actorCount, k % keyCount] as const);
    if (keyOrder) events.sort((x, y) => x[1] - y[1]);
    const data = { actor: Int32Array.from(events, ([a]) => a), key: Int32Array.from(events, ([, k]) => k), time: new Float64Array(events.length), actorCount, keyCount };
    const keysOf = Array.from({ length: actorCount }, () => new Set<number>());
    const actorsOf = Array.from({ length: keyCount }, () => new Set<number>());
    for (const [a, k] of events) { keysOf[a]!.add(k); actorsOf[k]!.add(a); }
    const { perActor, perKey } = keyActorCounts(data);
    assert.deepEqual([...perActor], keysOf.map((set) => set.size));
    assert.deepEqual([...perKey], actorsOf.map((set) => set.size));
    assert.deepEqual(distinctKeysPerActor(data), perActor);
  }), { numRuns: 500 });
});
