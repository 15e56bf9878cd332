import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AliasTable, lognormal, mix32, mulberry32, permutation, poisson } from './rng.js';

describe('seeded randomness', () => {
  it('mulberry32 repeats for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 5 }, () => a());
    assert.deepEqual(Array.from({ length: 5 }, () => b()), first);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c()), first);
    for (const x of first) assert.ok(x >= 0 && x < 1);
  });

  it('mix32 separates keys, including the high bits of times in ms', () => {
    assert.notEqual(mix32(1, 2, 3), mix32(1, 3, 2));
    assert.notEqual(mix32(1, Date.UTC(2019, 0, 1)), mix32(1, Date.UTC(2019, 0, 1) + 4294967296));
    fc.assert(fc.property(fc.nat(), fc.nat(), (a, b) => {
      const h = mix32(a, b);
      assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
    }));
  });

  it('the alias table draws in proportion to the weights', () => {
    const table = new AliasTable([1, 0, 3, 6]);
    const rng = mulberry32(7);
    const counts = new Int32Array(4);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const k = table.sample(rng);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    assert.equal(counts[1], 0);
    assert.ok(Math.abs((counts[0] as number) / draws - 0.1) < 0.01);
    assert.ok(Math.abs((counts[2] as number) / draws - 0.3) < 0.01);
    assert.ok(Math.abs((counts[3] as number) / draws - 0.6) < 0.01);
    assert.throws(() => new AliasTable([]));
    assert.throws(() => new AliasTable([0, 0]));
  });

  it('poisson and lognormal have the asked mean and median', () => {
    const rng = mulberry32(11);
    for (const mean of [0.3, 4, 90]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += poisson(rng, mean);
      assert.ok(Math.abs(sum / 20_000 - mean) < 0.05 * mean + 0.02, `poisson(${mean}) mean ${sum / 20_000}`);
    }
    const draws = Array.from({ length: 20_001 }, () => lognormal(rng, 30, 1)).sort((x, y) => x - y);
    assert.ok(Math.abs((draws[10_000] as number) - 30) < 1.5);
  });

  it('permutation contains every index once', () => {
    const order = permutation(mulberry32(5), 1000);
    assert.deepEqual([...order].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
    assert.notDeepEqual([...order], Array.from({ length: 1000 }, (_, i) => i));
  });
});
