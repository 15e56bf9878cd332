import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodePartial, PartitionWork } from './distributed.js';
import { ARRIVAL_TABLES, labelTables } from './arrival-pairs.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { sendEvents } from './test-support/event-batches.js';
import type { TestEvent } from './test-support/event-batches.js';

const TRACES: readonly StreamTrace[] = [STREAM_TRACES[0]!, STREAM_TRACES[1]!];
const RUNS = Number(process.env.ARRIVAL_PAIRS_RUNS ?? 100);

/**
 * Labels whose order exercises every table rule: the common prefix ('bluesky NUL did:plc:'), labels
 * below and above it, one equal to it, units past 126 and labels ending early.
 */
const LABELS = [
  'bluesky\u0000did:plc:abc', 'bluesky\u0000did:plc:abd', 'bluesky\u0000did:plc:b', 'bluesky\u0000did:plc:', 'bluesky\u0000did:plc:zz7',
  'bluesky\u0000did:plc:\u00ffa', 'bluesky\u0000did:plc:\u0100', 'bluesky\u0000did:plc:a\u00ff', 'bluesky\u0000did:plc:a\u007f',
  'bluesky\u0000did:web:x', 'aaa', 'zzz', 'bluesky\u0000did:plc:2', 'bluesky\u0000did:plc:7q', 'bluesky\u0000did:plc:q2', 'x:y:z',
];

/** The events as batches of `size` in arrival order, taken by a PartitionWork; its partial, and why it ran the kernel. */
function worked(events: readonly TestEvent[], keyTrace: readonly number[], windowMs: number, cap: number, size: number, pairsOnArrival: boolean): { bytes: Uint8Array; kernel: string | null } {
  const work = new PartitionWork(0, { traces: TRACES, windowMs, maxPartnersPerEvent: cap, pairsOnArrival });
  sendEvents(work, events, LABELS, keyTrace, TRACES, size);
  return { bytes: encodePartial(work.finish()), kernel: work.kernelAtFinish };
}

const event = fc.record({ actor: fc.integer({ min: 0, max: LABELS.length - 1 }), key: fc.integer({ min: 0, max: 11 }), time: fc.integer({ min: 0, max: 40_000 }) });
/** Few accounts on few keys, close in time: pairs meet on several keys, back and forth (k1, k2, k1). */
const denseEvent = fc.record({ actor: fc.integer({ min: 0, max: 3 }), key: fc.integer({ min: 0, max: 2 }), time: fc.integer({ min: 0, max: 3_000 }) });
const streams = fc.oneof(fc.array(event, { maxLength: 300 }), fc.array(denseEvent, { minLength: 10, maxLength: 120 }));
const keyTraces = fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 12, maxLength: 12 });
const shape = fc.record({ windowMs: fc.constantFrom(0, 1_000, 5_000, 60_000), cap: fc.constantFrom(1, 2, 3, 32), size: fc.constantFrom(1, 7, 500) });

describe('pairs found as events arrive (arrival-pairs.ts) against the kernel at the end', () => {
  it('give the same partial, byte for byte, when each key\'s events come in time order (ties in arrival order)', () => {
    fc.assert(fc.property(streams, keyTraces, shape, (list, keyTrace, { windowMs, cap, size }) => {
      // Time order (ties kept in generated order): every key's events then arrive in time order.
      const events = list.map((e, i) => ({ ...e, i })).sort((x, y) => x.time - y.time || x.i - y.i);
      const arrival = worked(events, keyTrace, windowMs, cap, size, true);
      const kernel = worked(events, keyTrace, windowMs, cap, size, false);
      assert.equal(arrival.kernel, null);
      assert.deepEqual(arrival.bytes, kernel.bytes);
    }), { numRuns: RUNS });
  });

  it('leave a stream out of time order on a key to the kernel, with the same partial', () => {
    fc.assert(fc.property(fc.array(event, { minLength: 2, maxLength: 200 }), keyTraces, shape, (list, keyTrace, { windowMs, cap, size }) => {
      const events = [...list, { actor: list[0]!.actor === 0 ? 1 : 0, key: list[0]!.key, time: -1 }];
      const arrival = worked(events, keyTrace.map(() => 0), windowMs, cap, size, true);
      const kernel = worked(events, keyTrace.map(() => 0), windowMs, cap, size, false);
      assert.match(arrival.kernel ?? '', /an event at -?\d+ after one at/);
      assert.deepEqual(arrival.bytes, kernel.bytes);
    }), { numRuns: RUNS });
  });

  it('leave times that are not whole ms to the kernel (sums of fractions depend on their order)', () => {
    const events = [{ actor: 0, key: 0, time: 0.5 }, { actor: 1, key: 0, time: 1.25 }, { actor: 2, key: 0, time: 2 }];
    const arrival = worked(events, [0], 60_000, 32, 2, true);
    assert.match(arrival.kernel ?? '', /not whole ms/);
    assert.deepEqual(arrival.bytes, worked(events, [0], 60_000, 32, 2, false).bytes);
  });

  it('place accounts in tables that never decrease in label order', () => {
    const labels = [...LABELS, 'bluesky\u0000did:plc:\uffff', 'bluesky\u0000did:plc:a', 'bluesky\u0000did:plc:a\u0000', 'bluesky\u0000did:plc:ab\uffff'];
    const tables = new Int32Array(labels.length);
    labelTables(labels, 0, 'bluesky\u0000did:plc:', tables);
    const sorted = labels.map((label, id) => ({ label, table: tables[id]! })).sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
    for (let r = 1; r < sorted.length; r++) assert.ok(sorted[r - 1]!.table <= sorted[r]!.table, `${JSON.stringify(sorted[r - 1])} before ${JSON.stringify(sorted[r])}`);
    assert.ok(tables.every((table) => table >= 0 && table < ARRIVAL_TABLES));
    // Labels below the prefix's range go first, above it last, did:plc's base32 letters between.
    assert.equal(tables[LABELS.indexOf('aaa')], 0);
    assert.equal(tables[LABELS.indexOf('zzz')], ARRIVAL_TABLES - 1);
    assert.ok(tables[0]! > 0 && tables[0]! < tables[LABELS.indexOf('bluesky\u0000did:plc:zz7')]!);
  });
});
