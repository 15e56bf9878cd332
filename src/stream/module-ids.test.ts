import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hashBytes } from './byte-ids.js';
import { JsonChecker } from './json-check.js';

/** Runs of the table-against-Map property (swept ×50 once when written). */
const RUNS = Number(process.env.MODULE_IDS_RUNS ?? 40);

/** A small xorshift, so a run's thousands of keys come from one seed. */
function random(seed: number): (n: number) => number {
  let x = seed | 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const DID = new TextEncoder().encode('did:plc:');

describe('ModuleIds (the accounts\' table in the WebAssembly memory)', () => {
  it('answers as a Map does, through colliding hashes, growth and the regions below it growing', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 6000 }), fc.integer({ min: 0, max: 32 }), fc.nat(6000), (seed, count, hashBits, growAt) => {
      const next = random(seed), checker = new JsonChecker([]), ids = checker.dids, map = new Map<string, number>();
      // Keys from a small alphabet (repeats), many with a did's prefix; hashes cut to `hashBits` bits (collisions).
      const keys = Array.from({ length: count }, () => {
        const key = new Uint8Array(next(3) === 0 ? next(4) : 8 + next(40));
        for (let k = 0; k < key.length; k++) key[k] = k < 8 && key.length >= 8 ? DID[k]! : 97 + next(3);
        return key;
      });
      const hashOf = (key: Uint8Array): number => (hashBits === 32 ? hashBytes(key, 0, key.length) : hashBytes(key, 0, key.length) & ((1 << hashBits) - 1));
      keys.forEach((key, k) => {
        if (k === growAt) {
          // A line longer than the line region: the regions below the table grow and it moves up.
          const line = new TextEncoder().encode(`{"a":"${'x'.repeat(5000 + next(20_000))}"}`);
          assert.equal(checker.check(line, 0, line.length), true);
        }
        // Half the keys are looked up where they lie in the module's memory (as a chunk's lines are).
        let bytes: Uint8Array = key, start = 0;
        if (next(2) === 0) {
          start = next(64);
          bytes = checker.chunk(start + key.length + 1);
          bytes.set(key, start);
        }
        const h = hashOf(key), expected = map.get(hex(key)) ?? -1;
        assert.equal(ids.get(bytes, start, start + key.length, h), expected, `key ${k} ${hex(key)}`);
        if (expected === -1) {
          const value = next(1 << 30);
          ids.set(bytes, start, start + key.length, value, h);
          map.set(hex(key), value);
        }
      });
      assert.equal(ids.size, map.size);
      for (const key of keys) assert.equal(ids.get(key, 0, key.length, hashOf(key)), map.get(hex(key)));
    }), { numRuns: RUNS });
  });

  it('forgets its entries when another front end claims it, and only then', () => {
    const ids = new JsonChecker([]).dids, key = new TextEncoder().encode('did:plc:abc'), h = hashBytes(key, 0, key.length);
    const first = {}, second = {};
    ids.claim(first);
    ids.set(key, 0, key.length, 7, h);
    ids.claim(first);
    assert.equal(ids.get(key, 0, key.length, h), 7);
    ids.claim(second);
    assert.equal(ids.get(key, 0, key.length, h), -1);
    assert.equal(ids.size, 0);
  });
});
