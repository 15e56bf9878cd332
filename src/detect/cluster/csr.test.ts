import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import { buildCsr, checkCsr, nodeStrengths } from './csr.js';
import type { CsrGraph } from './csr.js';

/** The neighbours of node i as [target, weight] pairs, in stored order. */
function row(graph: CsrGraph, i: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = graph.offsets[i]!; k < graph.offsets[i + 1]!; k++) out.push([graph.targets[k]!, graph.weights[k]!]);
  return out;
}

const build = (n: number, edges: Array<[number, number, number]>): CsrGraph =>
  buildCsr(n, Int32Array.from(edges.map((e) => e[0])), Int32Array.from(edges.map((e) => e[1])), Float64Array.from(edges.map((e) => e[2])));

describe('buildCsr', () => {
  it('builds an empty graph and a graph of isolated nodes', () => {
    const empty = build(0, []);
    assert.equal(empty.nodeCount, 0);
    assert.deepEqual([...empty.offsets], [0]);
    const isolated = build(3, []);
    assert.deepEqual([...isolated.offsets], [0, 0, 0, 0]);
    assert.equal(isolated.targets.length, 0);
  });

  it('stores each edge in both directions, rows sorted by target', () => {
    const g = build(4, [[2, 0, 1], [0, 3, 2], [1, 0, 4]]);
    assert.deepEqual(row(g, 0), [[1, 4], [2, 1], [3, 2]]);
    assert.deepEqual(row(g, 1), [[0, 4]]);
    assert.deepEqual(row(g, 2), [[0, 1]]);
    assert.deepEqual(row(g, 3), [[0, 2]]);
  });

  it('sums parallel edges given in either direction', () => {
    const g = build(2, [[0, 1, 1], [1, 0, 2.5], [0, 1, 0.5]]);
    assert.deepEqual(row(g, 0), [[1, 4]]);
    assert.deepEqual(row(g, 1), [[0, 4]]);
  });

  it('keeps a self-loop of weight w as one entry of 2w, so the strength counts it twice', () => {
    const g = build(2, [[0, 0, 3], [0, 1, 1], [0, 0, 1]]);
    assert.deepEqual(row(g, 0), [[0, 8], [1, 1]]);
    assert.deepEqual([...nodeStrengths(g)], [9, 1]);
  });

  it('sorts and merges long rows too (a hub with 60 neighbours given out of order, twice)', () => {
    const leaves = Array.from({ length: 60 }, (_, i) => 1 + ((i * 37) % 60));
    const g = build(61, [...leaves, ...leaves].map((leaf) => [0, leaf, 1] as [number, number, number]));
    assert.deepEqual(row(g, 0), Array.from({ length: 60 }, (_, i) => [i + 1, 2]));
  });

  it('rejects ids out of range, bad weights and mismatched lengths with detect/bad-input', () => {
    const bad = (f: () => unknown, pattern: RegExp): void =>
      assert.throws(f, (error: unknown) => error instanceof LockstepError && error.code === 'detect/bad-input' && pattern.test(error.message));
    bad(() => build(2, [[0, 2, 1]]), /edge 0 joins 0 and 2.*0\.\.1/);
    bad(() => build(2, [[0, 1, 1], [-1, 1, 1]]), /edge 1/);
    bad(() => build(2, [[0, 1, 0]]), /weight 0/);
    bad(() => build(2, [[0, 1, Number.NaN]]), /weight NaN/);
    bad(() => build(2, [[0, 1, -1]]), /weight -1/);
    bad(() => build(2, [[0, 1, Infinity]]), /weight Infinity/);
    bad(() => buildCsr(2, Int32Array.of(0), Int32Array.of(1, 0), Float64Array.of(1)), /same length/);
    bad(() => buildCsr(-1, new Int32Array(0), new Int32Array(0), new Float64Array(0)), /nodeCount/);
  });

  it('matches a map-of-maps adjacency for random multigraphs (property)', () => {
    const edgeArb = fc.tuple(fc.nat(14), fc.nat(14), fc.integer({ min: 1, max: 5 }));
    fc.assert(
      fc.property(fc.array(edgeArb, { maxLength: 60 }), (edges) => {
        const n = 15;
        const g = build(n, edges);
        checkCsr(g, 'test');
        const expected = Array.from({ length: n }, () => new Map<number, number>());
        for (const [a, b, w] of edges) {
          if (a === b) expected[a]!.set(a, (expected[a]!.get(a) ?? 0) + 2 * w);
          else {
            expected[a]!.set(b, (expected[a]!.get(b) ?? 0) + w);
            expected[b]!.set(a, (expected[b]!.get(a) ?? 0) + w);
          }
        }
        for (let i = 0; i < n; i++) {
          assert.deepEqual(row(g, i), [...expected[i]!].sort((x, y) => x[0] - y[0]));
        }
      }),
    );
  });
});

describe('checkCsr', () => {
  it('rejects hand-made graphs whose arrays disagree', () => {
    const g = build(3, [[0, 1, 1]]);
    assert.throws(() => checkCsr({ ...g, offsets: Int32Array.of(0, 1, 2) }, 'leiden'), /inconsistent/);
    assert.throws(() => checkCsr({ ...g, targets: Int32Array.of(1, 7) }, 'leiden'), /entry 1 points to node 7/);
    assert.throws(() => checkCsr({ ...g, weights: Float64Array.of(1, -2) }, 'leiden'), /entry 1 has weight -2/);
    assert.throws(() => checkCsr({ ...g, offsets: Int32Array.of(0, 2, 1, 2) }, 'leiden'), /decrease at node 1/);
  });
});
