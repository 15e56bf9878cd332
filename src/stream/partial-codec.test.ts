import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { decodePartial, encodePartial, PARTIAL_FORMAT } from './partial-codec.js';
import { PRUNED_PARTIAL_FORMAT } from './partial-decode.js';
import type { PartitionPartial } from './partial-codec.js';
import { encodePartialV2, frameColumns } from './partial-codec-v2.js';

const RUNS = Number(process.env.PARTIAL_CODEC_RUNS ?? 100);
const TRACES: readonly StreamTrace[] = STREAM_TRACES;
const PAIR_COLUMNS = ['a', 'b', 'shared', 'sumLogN', 'coActions', 'sumDelta'] as const;

/** A column's bytes: equal bytes are equal values to the bit (-0 apart from 0). */
const bytesOf = (column: Int32Array | Float64Array, size: number): Buffer => Buffer.from(column.buffer, column.byteOffset, size * column.BYTES_PER_ELEMENT);

/** Equal partials: every column's values to the bit. */
function same(x: PartitionPartial, y: PartitionPartial): void {
  assert.deepEqual({ ...x, traces: [] }, { ...y, traces: [] });
  assert.equal(x.traces.length, y.traces.length);
  for (let t = 0; t < x.traces.length; t++) {
    const [p, q] = [x.traces[t]!, y.traces[t]!];
    assert.equal(p.trace, q.trace);
    assert.equal(p.pairs.size, q.pairs.size);
    for (const column of PAIR_COLUMNS) assert.ok(bytesOf(p.pairs[column], p.pairs.size).equals(bytesOf(q.pairs[column], q.pairs.size)), `${p.trace} ${column}`);
    for (const column of ['actor', 'keys'] as const) assert.deepEqual([...p.activity[column]], [...q.activity[column]], column);
  }
}

/** Bytes the columns take: the partial's length less the same partial's with no traces. */
const columnBytes = (p: PartitionPartial): number => encodePartial(p).length - encodePartial({ ...p, traces: [] }).length;

const partial = (actors: number, shared: number): PartitionPartial => ({
  partition: 2, actors: Array.from({ length: actors }, (_, i) => `bluesky\u0000a${i}`), events: 9, duplicates: 1,
  traces: [{
    trace: TRACES[0]!,
    pairs: { a: Int32Array.of(0, 5, actors - 2), b: Int32Array.of(1, 7, actors - 1), shared: Int32Array.of(1, shared, 2), sumLogN: Float64Array.of(0.5, 1.25, Math.PI), coActions: Int32Array.of(1, 3, shared + 1), sumDelta: Float64Array.of(0.001, 12.5, 1e-3 / 3), size: 3 },
    activity: { actor: Int32Array.of(0, actors - 1), keys: Int32Array.of(4, 1) },
  }],
});

/** `rows` pairs as the bench's partials have them: grouped by `a`, one shared key and co-action each, few Σ ln n_k, whole-ms delays. */
function benchLike(rows: number, delay: (row: number) => number): PartitionPartial {
  const logNs = [Math.log(3), -0, Math.log(7) + Math.log(11)];
  const pairs = {
    a: Int32Array.from({ length: rows }, (_, i) => Math.floor(i / 10)), b: Int32Array.from({ length: rows }, (_, i) => Math.floor(i / 10) + 1 + (i % 10)), shared: new Int32Array(rows).fill(1),
    sumLogN: Float64Array.from({ length: rows }, (_, i) => logNs[i % 3]!), coActions: new Int32Array(rows).fill(1), sumDelta: Float64Array.from({ length: rows }, (_, i) => delay(i)), size: rows,
  };
  const base = partial(rows / 10 + 10, 7);
  return { ...base, traces: [{ ...base.traces[0]!, pairs }] };
}

describe('partials on the wire (format 3)', () => {
  it('read back the same with narrow columns (few accounts, small counts) and with wide ones (70,000 accounts, counts past 255)', () => {
    for (const p of [partial(100, 7), partial(70_000, 300)]) same(decodePartial(encodePartial(p), 'p'), p);
    assert.ok(columnBytes(partial(100, 300)) < columnBytes(partial(70_000, 300)));
  });

  it('takes about 5 bytes a pair of the bench\'s kind (format 2: 12), Σ ln n_k and delays read back to the bit', () => {
    const rows = 10_000;
    const compact = benchLike(rows, (i) => (i * 4_001) % 60_001);
    const back = decodePartial(encodePartial(compact), 'c');
    same(back, compact);
    assert.ok(Object.is(back.traces[0]!.pairs.sumLogN[1], -0));
    // b 2 + Σ ln n_k index 1 + Σ |Δt| 2, and a row count per account.
    assert.ok(columnBytes(compact) < 5.2 * rows, `${columnBytes(compact)} bytes`);
    assert.ok(encodePartialV2(compact).length - encodePartialV2({ ...compact, traces: [] }).length >= 12 * rows);
    // Delays of 65,535 ms and more escape to varints; a fraction of a ms takes 8-byte floats; both exact.
    const escaped = benchLike(rows, (i) => (i % 2 === 0 ? 65_535 + i : i));
    const fractional = benchLike(rows, (i) => i + 0.5);
    same(decodePartial(encodePartial(escaped), 'e'), escaped);
    same(decodePartial(encodePartial(fractional), 'f'), fractional);
    assert.ok(columnBytes(escaped) > columnBytes(compact) + rows);
    assert.ok(columnBytes(fractional) >= columnBytes(compact) + 6 * rows);
  });

  it('reads partials written in format 2 and before (no mark), and refuses a newer format saying what to do', () => {
    const p = partial(100, 7);
    same(decodePartial(encodePartialV2(p), 'v2'), p);
    const entry = p.traces[0]!;
    const header = new TextEncoder().encode(JSON.stringify({ partition: 2, actors: p.actors, events: 9, duplicates: 1, traces: [{ trace: entry.trace, pairs: 3, activity: 2 }] }));
    const columns = [entry.pairs.sumLogN, entry.pairs.sumDelta, entry.pairs.a, entry.pairs.b, entry.pairs.shared, entry.pairs.coActions, entry.activity.actor, entry.activity.keys];
    same(decodePartial(frameColumns(header, columns), 'v1'), p);
    const bytes = encodePartial(p);
    assert.equal(bytes[3], PARTIAL_FORMAT);
    const newer = bytes.slice();
    newer[3] = PRUNED_PARTIAL_FORMAT + 1;
    assert.throws(() => decodePartial(newer, 'job/p2'), (error: unknown) => error instanceof LockstepError && /job\/p2: a partial in format 5, which this lockstep does not read .*run the coordinator from the same version as the workers/.test(error.message));
  });

  it('refuses a partial that is cut short, or whose pairs name accounts it does not list, saying which', () => {
    const bytes = encodePartial(partial(100, 7));
    assert.throws(() => decodePartial(bytes.subarray(0, bytes.length - 3), 'job/p3'), (error: unknown) => error instanceof LockstepError && /job\/p3: not a partial \(truncated\)/.test(error.message));
    assert.throws(() => decodePartial(bytes.subarray(0, 20), 'job/p3'), /job\/p3: not a partial/);
    const lying = encodePartial({ ...partial(100, 7), actors: partial(100, 7).actors.slice(0, 50) });
    assert.throws(() => decodePartial(lying, 'job/p2'), (error: unknown) => error instanceof LockstepError && /job\/p2: not a partial \(co-\w+: pair 2 names an account outside the 50 it lists\)/.test(error.message));
  });

  it('round-trips random partials exactly, narrow and wide (formats 3 and 2)', () => {
    const traceSpec = fc.record({
      rows: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: fc.constant(0) }),
      grouped: fc.boolean(),
      counts: fc.constantFrom('ones', 'some', 'wide'),
      logN: fc.oneof({ weight: 3, arbitrary: fc.constant('few' as const) }, { weight: 2, arbitrary: fc.constant('fractions' as const) }, { weight: 1, arbitrary: fc.constant('over' as const) }),
      delays: fc.constantFrom('small', 'escaped', 'fractional', 'negativeZero', 'huge'),
      activity: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(fc.property(fc.integer(), fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 300 }) }, { weight: 1, arbitrary: fc.constant(70_000) }), fc.array(traceSpec, { maxLength: 3 }), fc.option(fc.integer({ min: 0, max: 2 ** 52 }), { nil: undefined }), (seed, actorCount, specs, upTo) => {
      const p = randomPartial(seed, actorCount, specs, upTo);
      same(decodePartial(encodePartial(p), 'random'), p);
      same(decodePartial(encodePartialV2(p), 'random v2'), p);
    }), { numRuns: RUNS });
  });
});

type TraceSpec = { rows: number; grouped: boolean; counts: 'ones' | 'some' | 'wide'; logN: 'few' | 'fractions' | 'over'; delays: 'small' | 'escaped' | 'fractional' | 'negativeZero' | 'huge'; activity: number };

/** A partial drawn from a seed: labels with shared prefixes, NULs, accents, surrogate pairs and lone halves. */
function randomPartial(seed: number, actorCount: number, specs: readonly TraceSpec[], upTo: number | undefined): PartitionPartial {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (below: number): number => Math.floor(next() * below);
  const pieces = ['bluesky\u0000did:plc:', 'a', 'b', 'é', '\u{1f600}', '\ud800', '\udc00', 'x'.repeat(40), ''];
  const actors = Array.from({ length: actorCount }, (_, i) => `${pieces[int(pieces.length)]}${pieces[int(pieces.length)]}${i % 7 === 0 ? '' : i}`).sort();
  const pick = <T>(values: readonly T[]): T => values[int(values.length)]!;
  const traces = specs.map((spec, t) => {
    // More distinct Σ ln n_k than a table holds needs more rows than that.
    const n = actorCount === 0 ? 0 : spec.logN === 'over' ? 66_000 : spec.rows;
    const a = Int32Array.from({ length: n }, () => int(actorCount));
    if (spec.grouped) a.sort();
    const b = Int32Array.from({ length: n }, () => int(actorCount));
    const count = (): number => (spec.counts === 'ones' ? 1 : spec.counts === 'some' ? pick([1, 1, 1, 2, 3]) : pick([0, 1, 255, 256, 70_000, 2 ** 31 - 1]));
    const logNs = Array.from({ length: 5 }, () => Math.log(1 + int(1_000)));
    const sumLogN = Float64Array.from({ length: n }, (_, i) => (spec.logN === 'few' ? pick(logNs) : spec.logN === 'fractions' ? next() * 50 : i / 7));
    const delay = (): number => {
      switch (spec.delays) {
        case 'small': return int(65_535);
        case 'escaped': return pick([0, 65_534, 65_535, 65_536, 2 ** 32 - 1, int(1_000)]);
        case 'fractional': return next() * 1e5;
        case 'negativeZero': return pick([-0, 0, 7]);
        case 'huge': return pick([2 ** 32, 1e15, 3]);
      }
    };
    const activityActors = Int32Array.from({ length: actorCount === 0 ? 0 : spec.activity }, () => int(actorCount));
    return {
      trace: TRACES[t % TRACES.length]!,
      pairs: { a, b, shared: Int32Array.from({ length: n }, count), sumLogN, coActions: Int32Array.from({ length: n }, count), sumDelta: Float64Array.from({ length: n }, delay), size: n },
      activity: { actor: activityActors, keys: Int32Array.from(activityActors, () => pick([1, 2, int(2 ** 31)])) },
    };
  });
  return { partition: int(64), actors, events: int(1e6), duplicates: int(10), traces, ...(upTo === undefined ? {} : { upTo }) };
}
