import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { actorsByKey, sortByKeyTime } from '../kernel/index.js';
import type { TraceEvents } from '../kernel/index.js';
import { keyRuns, rareKeyEvents, unionEvents } from './rare-objects.js';

/** Random events: up to 12 actors on up to 8 keys, times with ties. */
const eventsArb = fc.array(fc.record({ actor: fc.nat(11), key: fc.nat(7), time: fc.nat(20) }), { maxLength: 80 }).map((rows): TraceEvents => ({
  actor: Int32Array.from(rows, (row) => row.actor), key: Int32Array.from(rows, (row) => row.key), time: Float64Array.from(rows, (row) => row.time * 60_000),
  actorCount: 12, keyCount: 8,
}));

/** The same events in (key, time) order, as the readers hand them over. */
function sorted(events: TraceEvents): TraceEvents {
  const { payload, keyStart } = sortByKeyTime(events.key, events.time, events.keyCount, Int32Array.from(events.key, (_, i) => i));
  const key = new Int32Array(payload.length);
  for (let k = 0; k < events.keyCount; k++) key.fill(k, keyStart[k]!, keyStart[k + 1]!);
  return { actor: Int32Array.from(payload, (i) => events.actor[i]!), key, time: Float64Array.from(payload, (i) => events.time[i]!), actorCount: events.actorCount, keyCount: events.keyCount };
}

/** Events as (actor, key, time) tuples, for comparing in a stated order. */
const tuples = (events: TraceEvents): [number, number, number][] => Array.from(events.actor, (actor, i) => [actor, events.key[i]!, events.time[i]!]);

test('keyRuns buckets actors by key as the kernel does, on key-ordered input without copying', () => {
  fc.assert(fc.property(eventsArb, (events) => {
    for (const input of [events, sorted(events)]) {
      const runs = keyRuns(input);
      const reference = actorsByKey(input);
      assert.deepEqual(runs.start, reference.start);
      assert.deepEqual(runs.actors, reference.actors);
    }
    const inOrder = sorted(events);
    assert.equal(keyRuns(inOrder).actors, inOrder.actor);
  }), { numRuns: 300 });
});

test('rareKeyEvents keeps exactly the events on keys with 2..max distinct actors, in input order, sorted or not', () => {
  fc.assert(fc.property(eventsArb, fc.integer({ min: 1, max: 6 }), (events, max) => {
    for (const input of [events, sorted(events)]) {
      const actorsOn = new Map<number, Set<number>>();
      input.key.forEach((key, i) => actorsOn.set(key, (actorsOn.get(key) ?? new Set()).add(input.actor[i]!)));
      const expected = tuples(input).filter(([, key]) => { const size = actorsOn.get(key)!.size; return size >= 2 && size <= max; });
      const rare = rareKeyEvents(input, max);
      assert.deepEqual(tuples(rare), expected);
      assert.equal(rare.keyCount, input.keyCount);
    }
  }), { numRuns: 300 });
});

test('unionEvents of one trace is that trace; of several, keys are offset per trace', () => {
  const a: TraceEvents = { actor: Int32Array.of(0, 1), key: Int32Array.of(0, 1), time: Float64Array.of(5, 6), actorCount: 3, keyCount: 2 };
  const b: TraceEvents = { actor: Int32Array.of(2), key: Int32Array.of(0), time: Float64Array.of(7), actorCount: 3, keyCount: 1 };
  const one = unionEvents([a], 3);
  assert.deepEqual(tuples(one), tuples(a));
  assert.equal(one.keyCount, 2);
  const both = unionEvents([a, b], 3);
  assert.deepEqual(tuples(both), [[0, 0, 5], [1, 1, 6], [2, 2, 7]]);
  assert.equal(both.keyCount, 3);
});
