import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { velocityCounter } from './velocity.js';

describe('velocityCounter', () => {
  it('counts nothing for an unseen key and forgets a key after two windows', () => {
    const counter = velocityCounter(1000);
    assert.equal(counter.peek('a', 5000), 0);
    assert.equal(counter.hit('a', 5000), 1);
    assert.equal(counter.hit('a', 5100), 2);
    assert.equal(counter.peek('b', 5100), 0);
    assert.equal(counter.peek('a', 7100), 0);
    assert.equal(counter.hit('a', 7100), 1);
  });

  it('stays between the exact sliding count\'s bounds for any event sequence (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 200 }), (times) => {
      const window = 1000;
      times.sort((x, y) => x - y);
      const counter = velocityCounter(window);
      times.forEach((time, i) => {
        const approx = counter.hit('k', time);
        const exact = times.slice(0, i + 1).filter((t) => t > time - window).length;
        // The approximation counts the current bucket exactly and a share of the previous one.
        const bucket = time - (time % window);
        const current = times.slice(0, i + 1).filter((t) => t >= bucket).length;
        const previous = times.slice(0, i + 1).filter((t) => t >= bucket - window && t < bucket).length;
        assert.ok(approx >= current && approx <= current + previous, `approx ${approx} outside [${current}, ${current + previous}]`);
        assert.ok(exact >= current && exact <= current + previous);
      });
    }), { numRuns: 200 });
  });

  it('restores from a snapshot to the same counts', () => {
    const counter = velocityCounter(1000);
    for (let t = 0; t < 1500; t += 100) counter.hit(t % 200 === 0 ? 'a' : 'b', t);
    counter.hit('old', -5000);
    const restored = velocityCounter(1000, counter.snapshot(1500));
    assert.equal(restored.size, 2);
    for (const key of ['a', 'b']) assert.equal(restored.peek(key, 1600), counter.peek(key, 1600));
  });

  it('holds only recent keys: a stream of ever-new addresses does not grow the table without bound', () => {
    const counter = velocityCounter(1000);
    for (let i = 0; i < 200_000; i++) counter.hit(i, i); // 200 windows, 1,000 new keys each
    assert.ok(counter.size <= 8_000, `holds ${counter.size} keys`);
    assert.equal(counter.peek(199_999, 199_999), 1);
    assert.equal(counter.peek(5, 199_999), 0);
  });

  it('counts the same with and without dropping stale keys (numbers, strings and pairs alike)', () => {
    const counter = velocityCounter(1000);
    const reference = new Map<string, number[]>();
    for (let i = 0; i < 30_000; i++) {
      const time = i * 7;
      const key = i % 3;
      const ip = (i * 2654435761) % 5000;
      const got = key === 0 ? counter.hit(ip - 2500, time) : key === 1 ? counter.hit(`t${ip % 40}`, time) : counter.hitPair(`t${ip % 40}`, ip, time);
      const name = key === 0 ? `#${ip - 2500}` : key === 1 ? `t${ip % 40}` : `t${ip % 40}|${ip}`;
      const times = reference.get(name) ?? [];
      times.push(time);
      reference.set(name, times);
      // The two-bucket count from the key's own events.
      const bucket = time - (time % 1000);
      const cur = times.filter((t) => t >= bucket).length;
      const prev = times.filter((t) => t >= bucket - 1000 && t < bucket).length;
      assert.equal(got, cur + prev * Math.max(0, 1 - (time - bucket) / 1000), `${name} at ${time}`);
    }
  });

  it('stores a pair key as text|n, as the state files of earlier versions did, and restores it', () => {
    const counter = velocityCounter(1000);
    counter.hitPair('Aa#8', -12345, 100);
    counter.hitPair('Aa#8', -12345, 200);
    counter.hit(-7, 200);
    const snapshot = counter.snapshot(300);
    assert.deepEqual([...snapshot.keys].sort(), ['#-7', 'Aa#8|-12345']);
    const restored = velocityCounter(1000, snapshot);
    assert.equal(restored.hitPair('Aa#8', -12345, 300), 3);
    assert.equal(restored.hit(-7, 300), 2);
  });

  it('gives every key once when taken in parts, even if the table regrows during the walk', () => {
    const counter = velocityCounter(1000);
    for (let i = 0; i < 3000; i++) counter.hit(i, 500);
    const parts = counter.snapshotParts(500, 100);
    const first = parts.next().value;
    assert.equal(first?.keys.length, 100);
    for (let i = 3000; i < 20_000; i++) counter.hit(i, 600); // regrows the table
    const keys = [...(first?.keys ?? []), ...[...parts].flatMap((part) => part.keys)];
    const seen = new Set(keys);
    assert.equal(seen.size, keys.length, 'no key twice');
    for (let i = 0; i < 3000; i++) assert.ok(seen.has(`#${i}`), `#${i} was there when the walk began`);
    assert.deepEqual(counter.snapshot(600).keys.length, 20_000);
  });

  it('keeps counting when one event has a wild time (a typo\'d year does not make every key stale)', () => {
    const counter = velocityCounter(1000);
    const future = Date.UTC(2999, 0, 1);
    for (let i = 0; i < 50_000; i++) {
      counter.hit(i % 7, i);
      counter.hit(100 + i, i); // ever-new keys: the table drops stale ones as it goes
      if (i === 10) counter.hit('typo', future);
    }
    for (let k = 0; k < 7; k++) assert.ok(counter.peek(k, 49_999) > 100, `key ${k}: ${counter.peek(k, 49_999)}`);
    assert.ok(counter.size < 20_000, `holds ${counter.size} keys`);
  });
});
