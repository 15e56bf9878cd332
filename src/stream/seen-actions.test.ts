import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ReorderBuffer } from './reorder.js';
import { SeenActions } from './seen-actions.js';

describe('SeenActions', () => {
  it('answers as a set of (account, time, id) would, with same-millisecond actions of one account, and forgets only what expired', () => {
    const action = fc.record({ actor: fc.integer({ min: 0, max: 5 }), time: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_020 }), id: fc.constantFrom('a', 'b', 'c', 'd') });
    fc.assert(fc.property(fc.array(action, { maxLength: 200 }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_021 }), (actions, cutoff) => {
      const seen = new SeenActions(16);
      const oracle = new Map<string, number>();
      const half = actions.length >> 1;
      actions.forEach(({ actor, time, id }, i) => {
        if (i === half) {
          seen.expire(cutoff);
          for (const [key, t] of oracle) if (t < cutoff) oracle.delete(key);
        }
        const key = `${actor}/${time}/${id}`;
        assert.equal(seen.add(actor, id, time), !oracle.has(key), key);
        oracle.set(key, time);
      });
      assert.equal(seen.size, oracle.size);
    }));
  });
});

describe('ReorderBuffer', () => {
  it('releases items in (time, arrival) order with their tags, late ones at once', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), fc.integer({ min: 0, max: 20 }), (times, lateness) => {
      const buffer = new ReorderBuffer<number>(lateness);
      const out: number[] = [], tags: number[] = [];
      times.forEach((time, i) => buffer.push(time, i, out, 1000 + i, tags));
      buffer.release(Infinity, out, tags);
      assert.equal(out.length, times.length);
      assert.deepEqual(tags, out.map((i) => 1000 + i));
      assert.deepEqual([...out].sort((x, y) => x - y), times.map((_, i) => i));
      const stable = times.map((_, i) => i).sort((x, y) => times[x]! - times[y]! || x - y);
      if (buffer.late === 0) assert.deepEqual(out, stable, 'nothing late: exactly (time, arrival) order');
      const held = new ReorderBuffer<number>(100);
      const all: number[] = [];
      times.forEach((time, i) => held.push(time, i, all));
      assert.equal(all.length, 0, 'all held within the lateness');
      assert.deepEqual(held.release(Infinity, all), stable);
    }));
  });
});
