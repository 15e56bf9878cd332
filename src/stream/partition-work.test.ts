import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { decodePartial, encodePartial, PartitionWork } from './distributed.js';
import type { PartitionPartial } from './distributed.js';
import { frameColumns } from './partial-codec.js';
import { STREAM_TRACES } from './extract.js';
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
});

describe('partials on the wire', () => {
  const partial = (actors: number, shared: number): PartitionPartial => ({
    partition: 2, actors: Array.from({ length: actors }, (_, i) => `bluesky\u0000a${i}`), events: 9, duplicates: 1,
    traces: [{
      trace: TRACES[0]!,
      pairs: { a: Int32Array.of(0, 5, actors - 2), b: Int32Array.of(1, 7, actors - 1), shared: Int32Array.of(1, shared, 2), sumLogN: Float64Array.of(0.5, 1.25, Math.PI), coActions: Int32Array.of(1, 3, shared + 1), sumDelta: Float64Array.of(0.001, 12.5, 1e-3 / 3), size: 3 },
      activity: { actor: Int32Array.of(0, actors - 1), keys: Int32Array.of(4, 1) },
    }],
  });
  const same = (x: PartitionPartial, y: PartitionPartial): void => {
    assert.deepEqual({ ...x, traces: [] }, { ...y, traces: [] });
    for (let t = 0; t < x.traces.length; t++) {
      const [p, q] = [x.traces[t]!, y.traces[t]!];
      for (const column of ['a', 'b', 'shared', 'sumLogN', 'coActions', 'sumDelta'] as const) assert.deepEqual([...p.pairs[column].subarray(0, p.pairs.size)], [...q.pairs[column].subarray(0, q.pairs.size)], column);
      assert.deepEqual([...p.activity.actor], [...q.activity.actor]);
      assert.deepEqual([...p.activity.keys], [...q.activity.keys]);
    }
  };

  it('read back the same with narrow columns (few accounts, small counts) and with wide ones (70,000 accounts, counts past 255)', () => {
    const narrow = partial(100, 7);
    const wide = partial(70_000, 300);
    same(decodePartial(encodePartial(narrow), 'n'), narrow);
    same(decodePartial(encodePartial(wide), 'w'), wide);
    // 3 pairs: 16 bytes of floats each, then 2 + 2 + 1 + 1 narrow against 4 + 4 + 4 + 4 wide.
    const columns = (p: PartitionPartial): number => encodePartial(p).length - encodePartial({ ...p, traces: [] }).length;
    assert.ok(columns(narrow) < columns(partial(100, 300)));
    assert.ok(columns(partial(100, 300)) < columns(partial(70_000, 300)));
  });

  it('sends Σ ln n_k as a table of its distinct values and whole-ms delays in 4 bytes, read back to the bit; other columns stay 8-byte floats', () => {
    const rows = 1_000;
    const base = partial(100, 7);
    const entry = base.traces[0]!;
    // Three distinct logN values (one of them -0, which must not come back as 0) and whole-ms delays.
    const logNs = [Math.log(3), -0, Math.log(7) + Math.log(11)];
    const pairs = {
      a: Int32Array.from({ length: rows }, (_, i) => i % 99), b: Int32Array.from({ length: rows }, (_, i) => (i % 99) + 1), shared: new Int32Array(rows).fill(1),
      sumLogN: Float64Array.from({ length: rows }, (_, i) => logNs[i % 3]!), coActions: new Int32Array(rows).fill(1), sumDelta: Float64Array.from({ length: rows }, (_, i) => i * 4_001), size: rows,
    };
    const compact = { ...base, traces: [{ ...entry, pairs }] };
    const back = decodePartial(encodePartial(compact), 'c');
    same(back, compact);
    assert.ok(Object.is(back.traces[0]!.pairs.sumLogN[1], -0));
    // 2 + 4 + 2 + 2 + 1 + 1 bytes a pair (and the 3-value table) instead of 8 + 8 + 2 + 2 + 1 + 1.
    const columns = (p: PartitionPartial): number => encodePartial(p).length - encodePartial({ ...p, traces: [] }).length;
    assert.ok(columns(compact) < 13 * rows, `${columns(compact)} bytes`);
    // A fraction of a ms or more distinct values than a 2-byte index holds: 8-byte floats, still exact.
    const fractional = { ...base, traces: [{ ...entry, pairs: { ...pairs, sumDelta: pairs.sumDelta.map((x) => x + 0.5) } }] };
    const manyLogN = { ...base, traces: [{ ...entry, pairs: { ...pairs, size: 70_000, a: new Int32Array(70_000), b: new Int32Array(70_000).fill(1), shared: new Int32Array(70_000).fill(1), coActions: new Int32Array(70_000).fill(1), sumDelta: new Float64Array(70_000), sumLogN: Float64Array.from({ length: 70_000 }, (_, i) => i / 7) } }] };
    same(decodePartial(encodePartial(fractional), 'f'), fractional);
    same(decodePartial(encodePartial(manyLogN), 'm'), manyLogN);
    assert.ok(columns(fractional) > 16 * rows);
    assert.ok(columns(manyLogN) > 14 * 70_000);
  });

  it('reads a partial written before the columns were narrowed (4-byte ids and counts, no widths in the header)', () => {
    const old = partial(100, 7);
    const entry = old.traces[0]!;
    const header = new TextEncoder().encode(JSON.stringify({ partition: 2, actors: old.actors, events: 9, duplicates: 1, traces: [{ trace: entry.trace, pairs: 3, activity: 2 }] }));
    const columns = [entry.pairs.sumLogN, entry.pairs.sumDelta, entry.pairs.a, entry.pairs.b, entry.pairs.shared, entry.pairs.coActions, entry.activity.actor, entry.activity.keys];
    same(decodePartial(frameColumns(header, columns), 'old'), old);
  });

  it('refuses a partial whose pairs name accounts it does not list, saying which', () => {
    const bytes = encodePartial(partial(100, 7));
    const lying = encodePartial({ ...partial(100, 7), actors: partial(100, 7).actors.slice(0, 50) });
    assert.ok(bytes.length > 0);
    assert.throws(() => decodePartial(lying, 'job/p2'), (error: unknown) => error instanceof LockstepError && /job\/p2: not a partial \(co-\w+: pair 2 names an account outside the 50 it lists\)/.test(error.message));
  });
});
