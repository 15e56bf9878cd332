import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { connectedComponents, splitDisconnected } from './components.js';
import { modularity } from './modularity.js';
import { communitiesAreConnected, edgeList, groupsOf, randomEdges, referenceComponents, toCsr } from './test-support/graphs.js';
import { mulberry32 } from './rng.js';

describe('connectedComponents', () => {
  it('handles the empty graph and isolated nodes', () => {
    assert.deepEqual([...connectedComponents(toCsr(edgeList(0, [])))], []);
    assert.deepEqual([...connectedComponents(toCsr(edgeList(3, [])))], [0, 1, 2]);
  });

  it('numbers components by decreasing size, the largest first', () => {
    const g = toCsr(edgeList(7, [[0, 1], [2, 3], [3, 4], [4, 2], [6, 6]]));
    assert.deepEqual([...connectedComponents(g)], [1, 1, 0, 0, 0, 2, 3]);
  });

  it('agrees with union-find on random sparse graphs (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 80 }), fc.nat(), (n, m, seed) => {
        const edges = randomEdges(n, m, mulberry32(seed));
        assert.deepEqual(groupsOf(connectedComponents(toCsr(edges))), referenceComponents(edges));
      }),
    );
  });
});

describe('splitDisconnected', () => {
  it('cuts a community into its connected pieces and leaves connected ones whole', () => {
    // 0-1 and 2-3 share community 0 without an edge between them; 4-5 is community 1.
    const g = toCsr(edgeList(6, [[0, 1], [2, 3], [1, 4], [4, 5]]));
    const { membership, communityCount } = splitDisconnected(g, Int32Array.of(0, 0, 0, 0, 1, 1));
    assert.equal(communityCount, 3);
    assert.deepEqual(groupsOf(membership), [[0, 1], [2, 3], [4, 5]]);
  });

  it('leaves only connected communities and never lowers modularity (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 3, noNaN: true }), fc.nat(), (n, m, k, gamma, seed) => {
        const rng = mulberry32(seed);
        const edges = randomEdges(n, m, rng, 3);
        const graph = toCsr(edges);
        const membership = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
        const split = splitDisconnected(graph, membership);
        assert.ok(communitiesAreConnected(edges, split.membership));
        assert.ok(modularity(graph, split.membership, gamma) >= modularity(graph, membership, gamma) - 1e-12);
      }),
    );
  });
});
