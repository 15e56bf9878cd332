import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PartitionWork } from './distributed.js';
import type { PartitionPartial } from './distributed.js';
import { STREAM_TRACES } from './extract.js';
import { columnStrings } from './label-units.js';
import type { StreamTrace } from './extract.js';
import { TraceWindow } from './trace-window.js';
import { sendEvents } from './test-support/event-batches.js';

const TRACES: readonly StreamTrace[] = [STREAM_TRACES[0]!, STREAM_TRACES[1]!];

interface Event {
  actor: number;
  key: number;
  time: number;
}

/** Rows of a partial, one string per (trace, pair) and per (trace, account), in a fixed order. */
function rows(partial: PartitionPartial): string[] {
  const out: string[] = [];
  for (const { trace, pairs, activity } of partial.traces) {
    for (let row = 0; row < pairs.size; row++) {
      const [x, y] = [partial.actors[pairs.a[row]!]!, partial.actors[pairs.b[row]!]!].sort();
      out.push(`${trace} ${x} ${y} shared ${pairs.shared[row]} logN ${pairs.sumLogN[row]!.toFixed(9)} co ${pairs.coActions[row]} delta ${pairs.sumDelta[row]!.toFixed(6)}`);
    }
    for (let row = 0; row < activity.actor.length; row++) out.push(`${trace} ${partial.actors[activity.actor[row]!]} keys ${activity.keys[row]}`);
  }
  return out.sort();
}

/**
 * The oracle: the stream's TraceWindow, applied event by event in (time, arrival) order — what
 * PartitionWork did before it ran the kernel at the end.
 */
function windowed(events: readonly Event[], keyTrace: readonly number[], actors: readonly string[], windowMs: number, cap: number): PartitionPartial {
  const order = events.map((_, i) => i).sort((x, y) => events[x]!.time - events[y]!.time || x - y);
  const windows = TRACES.map(() => new TraceWindow({ windowMs, horizonMs: Infinity, maxPartnersPerEvent: cap }));
  for (const i of order) {
    const { actor, key, time } = events[i]!;
    const trace = keyTrace[key]!;
    if (trace >= 0) windows[trace]!.add(actor, `k${key}`, time);
  }
  return {
    partition: 0, actors: [...actors], events: events.length, duplicates: 0,
    traces: TRACES.map((trace, t) => {
      const entries = [...windows[t]!.activityEntries()];
      return { trace, pairs: windows[t]!.pairPartials(), activity: { actor: Int32Array.from(entries, ([a]) => a), keys: Int32Array.from(entries, ([, k]) => k) } };
    }),
  };
}

/** The events sent as batches of `size` in arrival order (labels with their first use), taken by a PartitionWork. */
function worked(events: readonly Event[], keyTrace: readonly number[], actors: readonly string[], windowMs: number, cap: number, size: number): PartitionPartial {
  const work = new PartitionWork(0, { traces: TRACES, windowMs, maxPartnersPerEvent: cap });
  sendEvents(work, events, actors, keyTrace, TRACES, size);
  assert.equal(work.complete, true);
  // Partition-local actor ids are in order of first use (the oracle's are global): rows() compares labels.
  return work.finish();
}

describe('PartitionWork (the batch kernel at the end) against the stream windows event by event', () => {
  it('gives the same pairs, shared keys, Σ ln n_k, co-actions, delays and per-account keys, whatever the arrival order, window and partner cap', () => {
    const event = fc.record({ actor: fc.integer({ min: 0, max: 11 }), key: fc.integer({ min: 0, max: 7 }), time: fc.oneof(fc.integer({ min: 0, max: 300_000 }), fc.double({ min: 0, max: 300_000, noNaN: true })) });
    fc.assert(fc.property(
      fc.array(event, { minLength: 1, maxLength: 300 }),
      fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 8, maxLength: 8 }),
      fc.constantFrom(0, 1_000, 60_000, 1e9),
      fc.constantFrom(1, 2, 3, 32),
      fc.integer({ min: 1, max: 64 }),
      (events, keyTrace, windowMs, cap, size) => {
        const actors = Array.from({ length: 12 }, (_, a) => `bluesky\u0000did:plc:a${a}`);
        const mine = worked(events, keyTrace, actors, windowMs, cap, size);
        const theirs = windowed(events, keyTrace, actors, windowMs, cap);
        assert.deepEqual(rows(mine), rows(theirs));
      },
    ), { numRuns: 300, seed: 7 });
  });

  it('equal times on one key are taken in arrival order, as the windows take them (the partner cap decides who pairs)', () => {
    // Four events at one moment, cap 1: each event pairs with the one that arrived just before it.
    const events: Event[] = [{ actor: 0, key: 0, time: 5 }, { actor: 1, key: 0, time: 5 }, { actor: 2, key: 0, time: 5 }, { actor: 3, key: 0, time: 5 }];
    const actors = ['bluesky\u0000a', 'bluesky\u0000b', 'bluesky\u0000c', 'bluesky\u0000d'];
    const mine = rows(worked(events, [0], actors, 60_000, 1, 2)).filter((row) => row.includes('shared'));
    assert.deepEqual(mine, [
      `${TRACES[0]} bluesky\u0000a bluesky\u0000b shared 1 logN ${Math.log(4).toFixed(9)} co 1 delta 0.000000`,
      `${TRACES[0]} bluesky\u0000b bluesky\u0000c shared 1 logN ${Math.log(4).toFixed(9)} co 1 delta 0.000000`,
      `${TRACES[0]} bluesky\u0000c bluesky\u0000d shared 1 logN ${Math.log(4).toFixed(9)} co 1 delta 0.000000`,
    ]);
  });

  it('hands the kernel each trace\'s events grouped by key in order of first appearance, in arrival order within a key', () => {
    // The kernel then takes a feed whose keys' events come in time order as it is, without its sort.
    const event = fc.record({ actor: fc.integer({ min: 0, max: 5 }), key: fc.integer({ min: 0, max: 9 }), time: fc.integer({ min: 0, max: 1_000 }) });
    fc.assert(fc.property(fc.array(event, { maxLength: 200 }), fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 10, maxLength: 10 }), fc.integer({ min: 1, max: 64 }), (events, keyTrace, size) => {
      const actors = Array.from({ length: 6 }, (_, a) => `bluesky\u0000did:plc:a${a}`);
      const work = new PartitionWork(0, { traces: TRACES, windowMs: 1_000, maxPartnersPerEvent: 4 });
      sendEvents(work, events, actors, keyTrace, TRACES, size);
      const columns = work.columns();
      // A worker's labels come as code units (label-units.ts), in the columns' account order.
      const labels = columnStrings(columns.actorUnits!);
      TRACES.forEach((_, t) => {
        const mine = events.filter(({ key }) => keyTrace[key] === t);
        const keys = [...new Set(mine.map(({ key }) => key))];
        const expected = keys.flatMap((key, local) => mine.filter((e) => e.key === key).map(({ actor, time }) => `${local} ${actors[actor]} ${time}`));
        const { events: got } = columns.traces[t]!;
        assert.equal(got.keyCount, keys.length);
        assert.deepEqual(Array.from(got.key, (key, i) => `${key} ${labels[got.actor[i]!]} ${got.time[i]}`), expected);
      });
    }), { numRuns: Number(process.env.PARTITION_WORK_RUNS ?? 200) });
  });
});
