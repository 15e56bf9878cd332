import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IntTupleTable } from './int-table.js';
import { KeyRings } from './key-rings.js';

describe('IntTupleTable', () => {
  it('agrees with a Map under any sequence of inserts and removes (small key range: long probe chains, wrap-around, growth)', () => {
    const op = fc.record({ remove: fc.boolean(), x: fc.nat(40), y: fc.nat(40), z: fc.nat(3) });
    fc.assert(fc.property(fc.array(op, { maxLength: 600 }), fc.constantFrom<2 | 3>(2, 3), (ops, arity) => {
      const table = new IntTupleTable(arity, 16);
      const reference = new Map<string, number>();
      for (const { remove, x, y, z: rawZ } of ops) {
        const z = arity === 3 ? rawZ : 0;
        const id = `${x},${y},${z}`;
        if (remove) {
          const e = table.find(x, y, z);
          assert.equal(e, reference.get(id) ?? -1);
          if (e >= 0) {
            table.remove(e);
            reference.delete(id);
          }
        } else {
          const e = table.insert(x, y, z);
          assert.equal(table.created, !reference.has(id));
          if (reference.has(id)) assert.equal(e, reference.get(id));
          reference.set(id, e);
        }
      }
      assert.equal(table.size, reference.size);
      const entries = new Set(reference.values());
      assert.equal(entries.size, reference.size, 'live entries are distinct');
      for (const [id, e] of reference) {
        const [x = 0, y = 0, z = 0] = id.split(',').map(Number);
        assert.equal(table.find(x, y, z), e);
        assert.ok(table.isLive(e));
        assert.deepEqual([...table.keys.subarray(e * arity, e * arity + arity)], arity === 3 ? [x, y, z] : [x, y]);
      }
      let live = 0;
      for (let e = 0; e < table.highWater; e++) if (table.isLive(e)) live++;
      assert.equal(live, reference.size);
    }), { numRuns: 200 });
  });

  it('reuses freed entries instead of growing', () => {
    const table = new IntTupleTable(2, 16);
    for (let round = 0; round < 50; round++) {
      const made = Array.from({ length: 10 }, (_, i) => table.insert(round, i));
      for (const e of made) table.remove(e);
    }
    assert.equal(table.size, 0);
    assert.ok(table.highWater <= 10, `high water ${table.highWater}`);
  });
});

describe('KeyRings', () => {
  it('returns the nearest in-window predecessors (at most the cap), as a plain list per key does', () => {
    const event = fc.record({ key: fc.nat(5), actor: fc.nat(9), gap: fc.nat(30) });
    fc.assert(fc.property(fc.array(event, { maxLength: 300 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 60 }), (events, cap, windowMs) => {
      const rings = new KeyRings(cap);
      const lists = new Map<number, { actor: number; time: number }[]>();
      let time = 0;
      let buffered = 0;
      for (const { key, actor, gap } of events) {
        time += gap;
        const list = (lists.get(key) ?? []).filter((entry) => time - entry.time <= windowMs).slice(-cap);
        const n = rings.push(key, actor, time, windowMs);
        assert.deepEqual(
          Array.from({ length: n }, (_, i) => [rings.partnerActor[i], rings.partnerTime[i]]),
          list.map((entry) => [entry.actor, entry.time]),
        );
        list.push({ actor, time });
        lists.set(key, list.slice(-cap));
        buffered = [...lists.values()].reduce((sum, entries) => sum + entries.length, 0);
        assert.equal(rings.buffered, buffered, 'each key keeps its last in-window events, at most the cap');
      }
      rings.expire(time + windowMs + 1, windowMs);
      assert.equal(rings.buffered, 0, 'everything expires a window after the last event');
    }), { numRuns: 200 });
  });
});
