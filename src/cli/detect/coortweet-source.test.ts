import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mulberry32 } from '../../model/index.js';
import { keyTimeOrdered } from './key-time-order.js';

/** The obvious version: events (actions with a key) stably sorted by key, then time. */
function reference(eventKey: Int32Array, actionActor: Int32Array, actionTime: Float64Array): { actor: number[]; key: number[]; time: number[]; action: number[] } {
  const events = [...eventKey.keys()].filter((a) => eventKey[a]! >= 0);
  events.sort((x, y) => eventKey[x]! - eventKey[y]! || actionTime[x]! - actionTime[y]! || x - y);
  return { actor: events.map((a) => actionActor[a]!), key: events.map((a) => eventKey[a]!), time: events.map((a) => actionTime[a]!), action: events };
}

describe('keyTimeOrdered', () => {
  it('orders events by key, then time, ties in action order, with few keys (one pass) and many (two passes) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 30_000 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (keyCount, n, times, seed) => {
        const rng = mulberry32(seed);
        // Every key used at least once when there are enough actions (keys are numbered densely); some actions are no event.
        const eventKey = Int32Array.from({ length: n }, (_, a) => (rng() < 0.1 ? -1 : a < keyCount ? a : Math.floor(rng() * keyCount)));
        const used = new Set([...eventKey].filter((k) => k >= 0));
        const keys = Math.max(0, ...used) + 1;
        const start = new Int32Array(keys + 1);
        for (const k of eventKey) if (k >= 0) start[k + 1]!++;
        const actionActor = Int32Array.from({ length: n }, () => Math.floor(rng() * 100));
        // Few distinct times, so that ties are common.
        const actionTime = Float64Array.from({ length: n }, () => Math.floor(rng() * times) * 1000);
        const events = [...eventKey].filter((k) => k >= 0).length;
        const data = keyTimeOrdered(eventKey, start, events, actionActor, actionTime, 100);
        const expected = reference(eventKey, actionActor, actionTime);
        assert.deepEqual([...data.key], expected.key);
        assert.deepEqual([...data.time], expected.time);
        assert.deepEqual([...data.action], expected.action);
        assert.deepEqual([...data.actor], expected.actor);
        assert.equal(data.keyCount, keys);
      }),
      { numRuns: 40 },
    );
  });
});
