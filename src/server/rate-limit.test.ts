import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimiter } from './rate-limit.js';

describe('per-token rate limiter', () => {
  it('allows a burst of capacity, then answers the seconds to wait, refilling over time', () => {
    let now = 0;
    const limiter = rateLimiter({ capacity: 2, perMinute: 30, now: () => now });
    assert.equal(limiter.take('a'), null);
    assert.equal(limiter.take('a'), null);
    assert.equal(limiter.take('a'), 2, 'one request per 2 s');
    assert.equal(limiter.take('b'), null, 'per key');
    now += 2000;
    assert.equal(limiter.take('a'), null);
    assert.equal(limiter.take('a'), 2);
  });

  it('does not grow without bound on random keys', () => {
    let now = 0;
    const limiter = rateLimiter({ capacity: 1, perMinute: 1, now: () => now, maxKeys: 100 });
    assert.equal(limiter.take('busy'), null);
    for (let i = 0; i < 10_000; i++) { now += 1; limiter.take(`random-${i}`); }
    assert.ok(limiter.size() <= 100, `${limiter.size()} buckets`);
  });
});
