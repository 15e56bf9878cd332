import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  candidateProbability,
  chooseBanding,
  estimateJaccard,
  exactJaccard,
  fmix32,
  minhashPermutations,
  minhashSignature,
  sCurveThreshold,
} from './minhash.js';

/** Two sets drawn from one pool of well-mixed hashes: A = pool[0..a), B = pool[shift..shift+b). */
const arbitraryPair = fc
  .record({ seed: fc.integer(), a: fc.integer({ min: 1, max: 150 }), b: fc.integer({ min: 1, max: 150 }), shift: fc.integer({ min: 0, max: 150 }) })
  .map(({ seed, a, b, shift }) => {
    const pool = Array.from({ length: 300 }, (_, i) => fmix32(seed + i * 0x9e3779b9));
    const x = Int32Array.from(pool.slice(0, a)).sort();
    const y = Int32Array.from(pool.slice(shift, shift + b)).sort();
    return { x, y };
  });

function referenceJaccard(x: Int32Array, y: Int32Array): number {
  const a = new Set(x);
  const b = new Set(y);
  const common = [...a].filter((v) => b.has(v)).length;
  const union = a.size + b.size - common;
  return union === 0 ? 0 : common / union;
}

describe('exactJaccard', () => {
  it('agrees with a Set-based reference', () => {
    fc.assert(fc.property(arbitraryPair, ({ x, y }) => assert.equal(exactJaccard(x, y), referenceJaccard(x, y))));
  });

  it('is 1 for equal sets, 0 for disjoint or empty ones', () => {
    assert.equal(exactJaccard(Int32Array.of(-5, 1, 9), Int32Array.of(-5, 1, 9)), 1);
    assert.equal(exactJaccard(Int32Array.of(1, 2), Int32Array.of(3, 4)), 0);
    assert.equal(exactJaccard(new Int32Array(0), new Int32Array(0)), 0);
  });
});

describe('minhashSignature', () => {
  const perms = minhashPermutations(256, 11);

  it('estimates Jaccard within 5 standard errors (k = 256) on random sets', () => {
    fc.assert(
      fc.property(arbitraryPair, ({ x, y }) => {
        const exact = exactJaccard(x, y);
        const estimate = estimateJaccard(minhashSignature(x, x.length, perms), minhashSignature(y, y.length, perms));
        const sigma = Math.sqrt((exact * (1 - exact)) / 256);
        assert.ok(Math.abs(estimate - exact) <= 5 * sigma + 0.02, `exact ${exact}, estimate ${estimate}`);
      }),
      { numRuns: 300 },
    );
  });

  it('is unbiased: the mean error over many pairs is near zero', () => {
    const pairs = fc.sample(arbitraryPair, { numRuns: 400, seed: 3 });
    let error = 0;
    for (const { x, y } of pairs) {
      error += estimateJaccard(minhashSignature(x, x.length, perms), minhashSignature(y, y.length, perms)) - exactJaccard(x, y);
    }
    assert.ok(Math.abs(error / pairs.length) < 0.01, `mean error ${error / pairs.length}`);
  });

  it('gives equal sets equal signatures whatever the order and repeats, and the empty set all maxima', () => {
    const x = Int32Array.from([5, 9, 1, 5, 9].map(fmix32));
    const y = Int32Array.from([1, 9, 5].map(fmix32));
    assert.deepEqual(minhashSignature(x, x.length, perms), minhashSignature(y, y.length, perms));
    assert.ok(minhashSignature(x, 0, perms).every((v) => v === 0x7fffffff));
  });

  it('draws the same permutations for the same seed and different ones otherwise', () => {
    assert.deepEqual(minhashPermutations(64, 7), minhashPermutations(64, 7));
    assert.notDeepEqual(minhashPermutations(64, 7).a, minhashPermutations(64, 8).a);
    assert.ok(minhashPermutations(64, 7).a.every((a) => (a & 1) === 1), 'odd multipliers are bijections');
  });
});

describe('LSH banding', () => {
  it('computes the S-curve and its threshold (1/b)^(1/r)', () => {
    const banding = { bands: 20, rows: 5 };
    assert.ok(Math.abs(sCurveThreshold(banding) - 0.5493) < 1e-4);
    assert.ok(Math.abs(candidateProbability(0.8, banding) - 0.99964) < 1e-5);
    assert.equal(candidateProbability(0, banding), 0);
    assert.equal(candidateProbability(1, banding), 1);
  });

  it('chooses the most rows that still reach the recall at the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 256 }), fc.double({ min: 0.3, max: 0.95, noNaN: true }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (k, t, recall) => {
        const banding = chooseBanding(k, t, recall);
        assert.ok(banding.bands * banding.rows <= k);
        if (banding.rows > 1) {
          assert.ok(candidateProbability(t, banding) >= recall);
          const more = { bands: Math.floor(k / (banding.rows + 1)), rows: banding.rows + 1 };
          assert.ok(more.bands === 0 || candidateProbability(t, more) < recall);
        }
      }),
    );
    assert.deepEqual(chooseBanding(64, 0.8, 0.95), { bands: 10, rows: 6 });
  });
});
