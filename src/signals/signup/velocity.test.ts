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
});
