// The phases of Leiden one by one, against slow obvious references on small random graphs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { aggregateGraph } from './aggregate.js';
import { nodeStrengths } from './csr.js';
import { moveNodesFast } from './local-moving.js';
import { compactGroupedBy, compactLabels } from './membership.js';
import { modularity } from './modularity.js';
import { invertPermutation, orderByCommunity, permuteGraph, permuteValues } from './permute.js';
import { refinePartition } from './refine.js';
import { mulberry32 } from './rng.js';
import { communitiesAreConnected, edgeList, groupsOf, plantedPartition, randomEdges, toCsr } from './test-support/graphs.js';
import type { EdgeList } from './test-support/graphs.js';
import { moveNodesVisitingAll, refineVisitingAll } from './test-support/visiting-all.js';

const smallGraph = fc.oneof(
  fc.record({ n: fc.integer({ min: 1, max: 25 }), m: fc.integer({ min: 0, max: 60 }), seed: fc.nat() }).map(({ n, m, seed }) => randomEdges(n, m, mulberry32(seed), 4)),
  fc.record({ groups: fc.integer({ min: 1, max: 4 }), size: fc.integer({ min: 2, max: 7 }), seed: fc.nat() }).map(({ groups, size, seed }) => plantedPartition(groups, size, 0.6, 0.1, mulberry32(seed)).edges),
);

function strengthsAndScale(edges: EdgeList): { strength: Float64Array; scale: number } {
  const strength = nodeStrengths(toCsr(edges));
  const twoM = strength.reduce((a, b) => a + b, 0);
  return { strength, scale: twoM === 0 ? 0 : 1 / twoM };
}

describe('moveNodesFast', () => {
  // Node optimality itself is guaranteed only after a stable Leiden iteration (a node whose
  // non-neighbours joined its community is not revisited): leiden.test.ts checks it there.
  it('never lowers modularity and says whether it moved anything (property)', () => {
    fc.assert(
      fc.property(smallGraph, fc.nat(), fc.integer({ min: 1, max: 5 }), (edges, seed, k) => {
        const graph = toCsr(edges);
        const { strength, scale } = strengthsAndScale(edges);
        const rng = mulberry32(seed);
        // moveNodesFast takes labels in 0..n-1.
        const start = Int32Array.from({ length: edges.nodeCount }, () => Math.floor(rng() * Math.min(k, edges.nodeCount)));
        const membership = start.slice();
        const moved = moveNodesFast(graph, strength, membership, scale, rng);
        assert.ok(modularity(graph, membership) >= modularity(graph, start) - 1e-12);
        assert.equal(moved, membership.some((c, i) => c !== start[i]));
      }),
      { numRuns: 150 },
    );
  });

  it('reports whether anything moved', () => {
    const graph = toCsr(edgeList(3, [[0, 1]]));
    const { strength, scale } = strengthsAndScale(edgeList(3, [[0, 1]]));
    const membership = Int32Array.of(0, 1, 2);
    assert.equal(moveNodesFast(graph, strength, membership, scale, mulberry32(1)), true);
    assert.equal(membership[0], membership[1]);
    assert.equal(moveNodesFast(graph, strength, membership, scale, mulberry32(1)), false);
  });
});

describe('refinePartition', () => {
  it('splits every community into connected sub-communities that stay inside it (property)', () => {
    fc.assert(
      fc.property(smallGraph, fc.nat(), fc.integer({ min: 1, max: 4 }), fc.boolean(), (edges, seed, k, fromLocalMoving) => {
        const graph = toCsr(edges);
        const { strength, scale } = strengthsAndScale(edges);
        const rng = mulberry32(seed);
        // Either the partition Leiden would refine, or an arbitrary (often disconnected) one.
        const raw = Int32Array.from({ length: edges.nodeCount }, (_, i) => (fromLocalMoving ? i : Math.floor(rng() * k)));
        if (fromLocalMoving) moveNodesFast(graph, strength, raw, scale, rng);
        const { membership, communityCount } = compactLabels(raw);
        const communityWeight = new Float64Array(communityCount);
        for (let i = 0; i < edges.nodeCount; i++) communityWeight[membership[i]!] = communityWeight[membership[i]!]! + strength[i]!;
        const refined = refinePartition(graph, strength, membership, communityWeight, scale, 0.01, rng);
        for (let i = 0; i < edges.nodeCount; i++) {
          for (let j = 0; j < edges.nodeCount; j++) {
            if (refined[i] === refined[j]) assert.equal(membership[i], membership[j], `nodes ${i} and ${j} share a sub-community across communities`);
          }
        }
        assert.ok(communitiesAreConnected(edges, refined), 'a sub-community is not connected');
      }),
      { numRuns: 150 },
    );
  });

  it('merges the nodes of a clique community and never merges across communities', () => {
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) pairs.push([a, b], [a + 6, b + 6]);
    const edges = edgeList(12, [...pairs, [0, 6]]);
    const { strength, scale } = strengthsAndScale(edges);
    const membership = Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
    const weight = Float64Array.of(strength.slice(0, 6).reduce((a, b) => a + b), strength.slice(6).reduce((a, b) => a + b));
    const refined = refinePartition(toCsr(edges), strength, membership, weight, scale, 0.01, mulberry32(4));
    const groups = groupsOf(refined);
    assert.ok(groups.length < 12, 'refinement merged nothing');
    for (const group of groups) assert.ok(group.every((i) => i < 6) || group.every((i) => i >= 6));
  });
});

describe('aggregateGraph', () => {
  it('keeps modularity: a coarse partition scores the same on the aggregate as expanded on the graph (property)', () => {
    fc.assert(
      fc.property(smallGraph, fc.nat(), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 2, noNaN: true }), (edges, seed, k, k2, gamma) => {
        const rng = mulberry32(seed);
        const graph = toCsr(edges);
        const { membership: labels, communityCount } = compactLabels(Int32Array.from({ length: edges.nodeCount }, () => Math.floor(rng() * k)));
        const aggregate = aggregateGraph(graph, labels, communityCount);
        const coarse = Int32Array.from({ length: communityCount }, () => Math.floor(rng() * k2));
        const expanded = Int32Array.from(labels, (l) => coarse[l]!);
        assert.ok(Math.abs(modularity(aggregate, coarse, gamma) - modularity(graph, expanded, gamma)) < 1e-9);
        const total = (g: { weights: Float64Array }): number => g.weights.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total(aggregate) - total(graph)) < 1e-9);
      }),
    );
  });
});

describe('node renumbering', () => {
  it('compactGroupedBy numbers sub-communities group by group', () => {
    const { membership, communityCount } = compactGroupedBy(Int32Array.of(4, 4, 9, 1, 1, 0), Int32Array.of(1, 1, 0, 1, 1, 0), 2);
    assert.equal(communityCount, 4);
    assert.deepEqual([...membership], [2, 2, 0, 3, 3, 1]);
  });

  it('a permuted graph has the same modularity and components as the original (property)', () => {
    fc.assert(
      fc.property(smallGraph, fc.nat(), fc.integer({ min: 1, max: 5 }), (edges, seed, k) => {
        const rng = mulberry32(seed);
        const graph = toCsr(edges);
        const { membership, communityCount } = compactLabels(Int32Array.from({ length: edges.nodeCount }, () => Math.floor(rng() * k)));
        const order = orderByCommunity(membership, communityCount);
        const local = permuteGraph(graph, order, invertPermutation(order));
        const localMembership = permuteValues(membership, order);
        for (let p = 1; p < order.length; p++) assert.ok(localMembership[p - 1]! <= localMembership[p]!, 'communities are not contiguous');
        assert.ok(Math.abs(modularity(local, localMembership) - modularity(graph, membership)) < 1e-12);
        assert.deepEqual([...permuteValues(nodeStrengths(graph), order)], [...nodeStrengths(local)]);
      }),
    );
  });
});

describe('nodes without edges', () => {
  // Sparse co-action graphs are mostly such nodes: the phases skip them, which must change nothing.
  it('local moving and refinement give exactly what visiting every node gives, random draws included (property)', () => {
    fc.assert(
      fc.property(smallGraph, fc.integer({ min: 0, max: 30 }), fc.nat(), (edges, isolated, seed) => {
        // The graph's nodes, then `isolated` more without edges, interleaved by a random relabelling.
        const n = edges.nodeCount + isolated;
        const shuffle = mulberry32(seed ^ 0x5bd1e995);
        const relabel = Int32Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) { const j = Math.floor(shuffle() * (i + 1)); [relabel[i], relabel[j]] = [relabel[j]!, relabel[i]!]; }
        const wide: EdgeList = { ...edges, nodeCount: n, source: edges.source.map((s) => relabel[s]!), target: edges.target.map((t) => relabel[t]!) };
        const graph = toCsr(wide);
        const { strength, scale } = strengthsAndScale(wide);
        const fast = Int32Array.from({ length: n }, (_, i) => i);
        const slow = fast.slice();
        const rngFast = mulberry32(seed), rngSlow = mulberry32(seed);
        assert.equal(moveNodesFast(graph, strength, fast, scale, rngFast), moveNodesVisitingAll(graph, strength, slow, scale, rngSlow));
        assert.deepEqual([...fast], [...slow]);
        const { membership, communityCount } = compactLabels(fast);
        const communityWeight = new Float64Array(communityCount);
        for (let i = 0; i < n; i++) communityWeight[membership[i]!] = communityWeight[membership[i]!]! + strength[i]!;
        assert.deepEqual([...refinePartition(graph, strength, membership, communityWeight, scale, 0.01, rngFast)], [...refineVisitingAll(graph, strength, membership, communityWeight, scale, 0.01, rngSlow)]);
        assert.equal(rngFast(), rngSlow(), 'the phases drew a different number of random numbers');
      }),
      { numRuns: 200 },
    );
  });
});
