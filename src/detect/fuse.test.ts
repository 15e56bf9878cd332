import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuseTraces, meanDelayOf } from './fuse.js';
import type { FusedGraph, TraceEdgeEvidence, TraceEdges } from './fuse.js';
import type { TraceName } from './traces/trace-names.js';

/** The first fusion (a map from pair to edge, JS arrays), kept as the oracle. */
function referenceFuse(actorCount: number, inputs: readonly TraceEdges[]): FusedGraph {
  const index = new Map<number, number>();
  const a: number[] = [];
  const b: number[] = [];
  for (const input of inputs) {
    for (const row of input.kept) {
      const id = (input.pairs.a[row] ?? 0) * actorCount + (input.pairs.b[row] ?? 0);
      if (!index.has(id)) {
        index.set(id, a.length);
        a.push(input.pairs.a[row] ?? 0);
        b.push(input.pairs.b[row] ?? 0);
      }
    }
  }
  const size = a.length;
  const weight = new Float64Array(size);
  const logP = new Float64Array(size);
  const perTrace: FusedGraph['perTrace'] = new Map();
  const traces: TraceName[] = [];
  for (const input of inputs) {
    let evidence = perTrace.get(input.trace);
    if (evidence === undefined) {
      evidence = { shared: new Float64Array(size), meanDelay: new Float64Array(size).fill(Number.NaN) };
      perTrace.set(input.trace, evidence);
      traces.push(input.trace);
    }
    for (const row of input.kept) {
      const edge = index.get((input.pairs.a[row] ?? 0) * actorCount + (input.pairs.b[row] ?? 0)) ?? 0;
      if ((evidence.shared[edge] ?? 0) > 0) continue;
      const coActions = input.pairs.coActions[row] ?? 0;
      evidence.shared[edge] = input.pairs.shared[row] ?? 0;
      evidence.meanDelay[edge] = coActions > 0 ? (input.pairs.sumDelta[row] ?? 0) / coActions : Number.NaN;
      weight[edge] = (weight[edge] ?? 0) + Math.max(input.pairs.idf[row] ?? 0, 0.1 * (input.pairs.shared[row] ?? 0));
      logP[edge] = Math.min(logP[edge] ?? 0, input.logP[row] ?? 0);
    }
  }
  return { actorCount, a: Int32Array.from(a), b: Int32Array.from(b), weight, logP, traces, perTrace, size };
}

const TRACES: TraceName[] = ['co-repost', 'co-link', 'co-hashtag'];

/** A trace's pair table over few actors (so pairs repeat across traces), some rows kept. */
const arbitraryInput = (actorCount: number): fc.Arbitrary<TraceEdges> =>
  fc.record({
    trace: fc.constantFrom(...TRACES),
    rows: fc.array(fc.record({
      x: fc.integer({ min: 0, max: actorCount - 1 }), y: fc.integer({ min: 0, max: actorCount - 1 }),
      shared: fc.integer({ min: 1, max: 5 }), idf: fc.double({ min: 0, max: 5, noNaN: true }),
      coActions: fc.integer({ min: 0, max: 6 }), sumDelta: fc.integer({ min: 0, max: 100_000 }),
      logP: fc.double({ min: -50, max: 0, noNaN: true }), kept: fc.boolean(),
    }), { maxLength: 40 }),
  }).map(({ trace, rows }) => {
    const pairs = rows.filter((row) => row.x !== row.y);
    return {
      trace,
      pairs: {
        a: Int32Array.from(pairs, (row) => Math.min(row.x, row.y)), b: Int32Array.from(pairs, (row) => Math.max(row.x, row.y)),
        shared: Int32Array.from(pairs, (row) => row.shared), idf: Float64Array.from(pairs, (row) => row.idf),
        coActions: Int32Array.from(pairs, (row) => row.coActions), sumDelta: Float64Array.from(pairs, (row) => row.sumDelta), size: pairs.length,
      },
      kept: Int32Array.from(pairs.flatMap((row, index) => (row.kept ? [index] : []))),
      logP: Float64Array.from(pairs, (row) => row.logP),
    };
  });

describe('fuseTraces', () => {
  it('numbers edges and fuses evidence exactly as the map-based oracle (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.array(arbitraryInput(n), { maxLength: 5 }))), ([actorCount, inputs]) => {
        const fast = fuseTraces(actorCount, inputs);
        const slow = referenceFuse(actorCount, inputs);
        assert.equal(fast.size, slow.size);
        assert.deepEqual([...fast.a], [...slow.a]);
        assert.deepEqual([...fast.b], [...slow.b]);
        assert.deepEqual([...fast.weight], [...slow.weight]);
        assert.deepEqual([...fast.logP], [...slow.logP]);
        assert.deepEqual(fast.traces, slow.traces);
        for (const trace of slow.traces) {
          assert.deepEqual([...(fast.perTrace.get(trace)?.shared ?? [])], [...(slow.perTrace.get(trace)?.shared ?? [])]);
          const delays = (graph: FusedGraph): number[] => Array.from({ length: graph.size }, (_, edge) => meanDelayOf(graph.perTrace.get(trace), edge));
          assert.deepEqual(delays(fast), delays(slow));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives a pair seen in two traces one edge, numbered where it first appears', () => {
    const table = (a: number[], b: number[]): TraceEdges['pairs'] => ({
      a: Int32Array.from(a), b: Int32Array.from(b), shared: Int32Array.from(a, () => 2), idf: Float64Array.from(a, () => 1),
      coActions: Int32Array.from(a, () => 2), sumDelta: Float64Array.from(a, () => 10), size: a.length,
    });
    const graph = fuseTraces(5, [
      { trace: 'co-link', pairs: table([3, 0], [4, 1]), kept: Int32Array.of(0, 1), logP: Float64Array.of(-3, -4) },
      { trace: 'co-repost', pairs: table([0, 1], [1, 2]), kept: Int32Array.of(0, 1), logP: Float64Array.of(-9, -2) },
    ]);
    assert.deepEqual([...graph.a], [3, 0, 1]);
    assert.deepEqual([...graph.b], [4, 1, 2]);
    assert.deepEqual([...graph.weight], [1, 2, 1]);
    assert.deepEqual([...graph.logP], [-3, -9, -2]);
    assert.deepEqual([...(graph.perTrace.get('co-repost')?.shared ?? [])], [0, 2, 2]);
  });

  it('keeps shared counts exact in the narrowest column that holds them (a byte per edge when below 256)', () => {
    const fused = (counts: number[]): TraceEdgeEvidence | undefined => fuseTraces(counts.length + 1, [{
      trace: 'co-repost',
      pairs: {
        a: Int32Array.from(counts, () => 0), b: Int32Array.from(counts, (_, i) => i + 1), shared: Int32Array.from(counts), idf: Float64Array.from(counts, () => 1),
        coActions: Int32Array.from(counts), sumDelta: Float64Array.from(counts, () => 5), size: counts.length,
      },
      kept: Int32Array.from(counts, (_, i) => i), logP: Float64Array.from(counts, () => -5),
    }]).perTrace.get('co-repost');
    const small = fused([2, 255, 7]);
    assert.ok(small?.shared instanceof Uint8Array);
    assert.deepEqual([...(small?.shared ?? [])], [2, 255, 7]);
    const wide = fused([2, 300, 65_535]);
    assert.ok(wide?.shared instanceof Uint16Array);
    assert.deepEqual([...(wide?.shared ?? [])], [2, 300, 65_535]);
    assert.deepEqual([...(fused([1, 70_000])?.shared ?? [])], [1, 70_000]);
  });

  it('holds a trace linking few edges as mean delays of those edges only, read the same way', () => {
    const table = (a: number[], b: number[], delays: number[]): TraceEdges['pairs'] => ({
      a: Int32Array.from(a), b: Int32Array.from(b), shared: Int32Array.from(a, () => 2), idf: Float64Array.from(a, () => 1),
      coActions: Int32Array.from(a, () => 2), sumDelta: Float64Array.from(delays, (delay) => 2 * delay), size: a.length,
    });
    const graph = fuseTraces(8, [
      { trace: 'co-repost', pairs: table([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [10, 20, 30, 40, 50]), kept: Int32Array.of(0, 1, 2, 3, 4), logP: new Float64Array(5).fill(-5) },
      { trace: 'co-link', pairs: table([3, 6], [4, 7], [7, 9]), kept: Int32Array.of(0, 1), logP: Float64Array.of(-3, -4) },
    ]);
    const link = graph.perTrace.get('co-link');
    assert.deepEqual([...(link?.delayEdges ?? [])], [3, 5]);
    assert.deepEqual(Array.from({ length: graph.size }, (_, edge) => meanDelayOf(link, edge)), [NaN, NaN, NaN, 7, NaN, 9]);
    assert.equal(graph.perTrace.get('co-repost')?.delayEdges, undefined);
    assert.deepEqual(Array.from({ length: graph.size }, (_, edge) => meanDelayOf(graph.perTrace.get('co-repost'), edge)), [10, 20, 30, 40, 50, NaN]);
  });
});
