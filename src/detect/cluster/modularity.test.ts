import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { modularity } from './modularity.js';
import { mulberry32 } from './rng.js';
import { louvainOracle } from './test-support/graphology-oracle.js';
import { edgeList, plantedPartition, randomEdges, referenceModularity, toCsr } from './test-support/graphs.js';

const close = (actual: number, expected: number, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe('modularity', () => {
  it('gives the textbook value for two triangles joined by one edge', () => {
    // m = 7; each triangle has L = 3 and degree sum 7: Q = 2 (3/7 − (7/14)²) = 5/14.
    const edges = edgeList(6, [[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]]);
    close(modularity(toCsr(edges), Int32Array.of(0, 0, 0, 1, 1, 1)), 5 / 14);
    close(modularity(toCsr(edges), new Int32Array(6)), 0);
    close(modularity(toCsr(edges), Int32Array.of(0, 0, 0, 1, 1, 1), 2), 2 * (3 / 7 - 2 * 0.25));
  });

  it('is 0 for a graph without edges and for the empty graph', () => {
    assert.equal(modularity(toCsr(edgeList(3, [])), Int32Array.of(0, 1, 2)), 0);
    assert.equal(modularity(toCsr(edgeList(0, [])), new Int32Array(0)), 0);
  });

  it('counts a self-loop once inside its community and twice in its degree', () => {
    // Loop of weight 2 on node 0, edge 0-1: m = 3, partition {0} {1}: Q = 2/3 − (5/6)² − (1/6)².
    const edges = edgeList(2, [[0, 0, 2], [0, 1, 1]]);
    close(modularity(toCsr(edges), Int32Array.of(0, 1)), 2 / 3 - (5 / 6) ** 2 - (1 / 6) ** 2);
  });

  it('matches the edge-list reference on random weighted multigraphs with loops (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 6 }), fc.double({ min: 0, max: 3, noNaN: true }), fc.nat(), (n, m, k, gamma, seed) => {
        const rng = mulberry32(seed);
        const edges = randomEdges(n, m, rng, 5);
        const membership = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
        close(modularity(toCsr(edges), membership, gamma), referenceModularity(edges, membership, gamma));
      }),
    );
  });

  it("agrees with graphology-communities-louvain's own modularity of its partition", () => {
    for (const seed of [1, 2, 3]) {
      const { edges } = plantedPartition(6, 15, 0.4, 0.05, mulberry32(seed));
      for (const gamma of [0.5, 1, 1.5]) {
        const oracle = louvainOracle(edges, mulberry32(seed), gamma);
        close(modularity(toCsr(edges), oracle.membership, gamma), oracle.modularity);
      }
    }
  });

  it('rejects a membership of the wrong length, negative labels and a bad resolution', () => {
    const g = toCsr(edgeList(2, [[0, 1]]));
    assert.throws(() => modularity(g, Int32Array.of(0)), /1 entries for a graph of 2 nodes/);
    assert.throws(() => modularity(g, Int32Array.of(0, -3)), /node 1 has community -3/);
    assert.throws(() => modularity(g, Int32Array.of(0, 1), -1), /resolution/);
  });
});
