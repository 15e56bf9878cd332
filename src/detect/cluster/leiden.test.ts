import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LockstepError } from '../../model/index.js';
import { LEIDEN_DEFAULTS, leiden } from './leiden.js';
import { modularity } from './modularity.js';
import { mulberry32 } from './rng.js';
import { communitiesAreConnected, edgeList, groupsOf, plantedPartition, randomEdges, referenceModularity, toCsr } from './test-support/graphs.js';
import type { EdgeList } from './test-support/graphs.js';

function clique(nodes: number[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < nodes.length; a++) for (let b = a + 1; b < nodes.length; b++) pairs.push([nodes[a]!, nodes[b]!]);
  return pairs;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** `count` cliques of `size` nodes in a ring, consecutive cliques joined by one edge. */
function ringOfCliques(count: number, size: number): EdgeList {
  const pairs: Array<[number, number]> = [];
  for (let c = 0; c < count; c++) {
    pairs.push(...clique(range(c * size, (c + 1) * size)));
    pairs.push([c * size, (((c + 1) % count) * size + 1) % (count * size)]);
  }
  return edgeList(count * size, pairs);
}

describe('leiden: edge cases', () => {
  it('returns nothing for the empty graph', () => {
    const result = leiden(toCsr(edgeList(0, [])));
    assert.deepEqual({ ...result, membership: [...result.membership] }, { membership: [], communityCount: 0, quality: 0, iterations: 0 });
  });

  it('leaves nodes without edges as singletons', () => {
    const result = leiden(toCsr(edgeList(4, [])));
    assert.deepEqual([...result.membership], [0, 1, 2, 3]);
    assert.equal(result.communityCount, 4);
    assert.equal(result.quality, 0);
  });

  it('puts the two ends of a single edge together and isolated nodes alone', () => {
    const result = leiden(toCsr(edgeList(4, [[1, 2]])));
    assert.deepEqual([...result.membership], [1, 0, 0, 2]);
    assert.equal(result.communityCount, 3);
    assert.equal(result.quality, 0);
  });

  it('splits two cliques joined by one edge into the two cliques', () => {
    const edges = edgeList(12, [...clique(range(0, 6)), ...clique(range(6, 12)), [5, 6]]);
    const result = leiden(toCsr(edges));
    assert.deepEqual(groupsOf(result.membership), [range(0, 6), range(6, 12)]);
    assert.deepEqual([...result.membership], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('finds each component of a disconnected graph, numbered by size, isolated nodes last', () => {
    // Components: a 4-clique on 0..3, a triangle on 5..7, a 6-clique on 8..13; 4 and 14 isolated.
    const edges = edgeList(15, [...clique(range(0, 4)), ...clique(range(5, 8)), ...clique(range(8, 14))]);
    const result = leiden(toCsr(edges));
    assert.equal(result.communityCount, 5);
    assert.deepEqual([...result.membership], [1, 1, 1, 1, 3, 2, 2, 2, 0, 0, 0, 0, 0, 0, 4]);
  });

  it('follows the weights: the same 4-cycle splits along its heavy edges', () => {
    const heavyFirst = leiden(toCsr(edgeList(4, [[0, 1, 10], [1, 2, 1], [2, 3, 10], [3, 0, 1]])));
    assert.deepEqual(groupsOf(heavyFirst.membership), [[0, 1], [2, 3]]);
    const heavySecond = leiden(toCsr(edgeList(4, [[0, 1, 1], [1, 2, 10], [2, 3, 1], [3, 0, 10]])));
    assert.deepEqual(groupsOf(heavySecond.membership), [[0, 3], [1, 2]]);
  });

  it('handles self-loops: the quality is the modularity of the partition, loops included', () => {
    const edges = edgeList(6, [...clique([0, 1, 2]), ...clique([3, 4, 5]), [2, 3], [0, 0, 5], [4, 4, 1]]);
    const result = leiden(toCsr(edges));
    assert.ok(communitiesAreConnected(edges, result.membership));
    assert.ok(Math.abs(result.quality - referenceModularity(edges, result.membership)) < 1e-12);
  });
});

describe('leiden: refinement that merges nothing', () => {
  // Found by searching random graphs: at some level of these runs refinement leaves every node
  // alone, so the level is aggregated on the unrefined partition (the leidenalg fallback) and
  // the result goes through the final cut into connected communities.
  const cases: Array<[string, EdgeList, number, number]> = [
    ['10 nodes, 15 edges', edgeList(10, [[6, 2], [0, 3], [0, 1], [2, 3], [7, 4], [8, 7], [4, 8], [4, 9], [0, 1], [7, 1], [4, 1], [7, 6], [1, 3], [8, 7], [2, 7]]), 2810, 0.8496318145189434],
    ['12 nodes, 13 edges', edgeList(12, [[0, 1], [0, 2], [1, 2], [2, 10], [4, 9], [5, 6], [5, 8], [5, 9], [5, 11], [6, 10], [6, 11], [8, 9], [8, 10]]), 3751, 1.0781804851721972],
  ];
  for (const [name, edges, seed, resolution] of cases) {
    it(`still ends with connected communities at least as good as singletons: ${name}`, () => {
      const result = leiden(toCsr(edges), { seed, resolution });
      assert.ok(communitiesAreConnected(edges, result.membership));
      assert.ok(Math.abs(result.quality - referenceModularity(edges, result.membership, resolution)) < 1e-12);
      assert.ok(result.quality > referenceModularity(edges, Int32Array.from({ length: edges.nodeCount }, (_, i) => i), resolution));
    });
  }
});

describe('leiden: resolution', () => {
  it('merges neighbouring cliques of a large ring at γ = 1 (the resolution limit) and separates them at γ = 3', () => {
    const edges = ringOfCliques(30, 5);
    const atOne = leiden(toCsr(edges));
    assert.ok(atOne.communityCount < 30, `expected merged cliques at γ = 1, got ${atOne.communityCount} communities`);
    const atThree = leiden(toCsr(edges), { resolution: 3 });
    assert.deepEqual(groupsOf(atThree.membership), Array.from({ length: 30 }, (_, c) => range(c * 5, c * 5 + 5)));
    assert.ok(Math.abs(atThree.quality - referenceModularity(edges, atThree.membership, 3)) < 1e-12);
  });

  it('puts each connected component in one community at γ = 0', () => {
    const edges = edgeList(8, [...clique(range(0, 3)), [3, 4], [4, 5], [5, 3], [6, 7], [2, 3]]);
    assert.deepEqual(groupsOf(leiden(toCsr(edges), { resolution: 0 }).membership), [range(0, 6), [6, 7]]);
  });
});

describe('leiden: guarantees', () => {
  it('returns connected communities, numbered by size, whose modularity is the reported quality (property)', () => {
    const graphArb = fc.oneof(
      fc.record({ n: fc.integer({ min: 1, max: 80 }), m: fc.integer({ min: 0, max: 200 }), seed: fc.nat() }).map(({ n, m, seed }) => randomEdges(n, m, mulberry32(seed), 3)),
      fc.record({ groups: fc.integer({ min: 1, max: 6 }), size: fc.integer({ min: 2, max: 12 }), seed: fc.nat() }).map(({ groups, size, seed }) => plantedPartition(groups, size, 0.5, 0.08, mulberry32(seed)).edges),
    );
    fc.assert(
      fc.property(graphArb, fc.nat(), fc.double({ min: 0.2, max: 2, noNaN: true }), (edges, seed, resolution) => {
        const result = leiden(toCsr(edges), { seed, resolution });
        assert.ok(communitiesAreConnected(edges, result.membership), 'a community is not connected');
        const sizes = Array.from({ length: result.communityCount }, (_, c) => result.membership.filter((x) => x === c).length);
        for (let c = 0; c < sizes.length; c++) assert.ok(sizes[c]! > 0 && (c === 0 || sizes[c - 1]! >= sizes[c]!), `community sizes out of order: ${sizes.join(',')}`);
        assert.ok(Math.abs(result.quality - referenceModularity(edges, result.membership, resolution)) < 1e-9);
        assert.ok(result.quality >= referenceModularity(edges, Int32Array.from({ length: edges.nodeCount }, (_, i) => i), resolution) - 1e-12, 'worse than singletons');
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same result leaving isolated nodes out as visiting them (property)', () => {
    // Edges among a random subset of the nodes (planted communities or random pairs), isolated
    // nodes interleaved anywhere: the random orders must be those of the whole graph.
    const graphArb = fc.record({
      n: fc.integer({ min: 2, max: 150 }), linkedShare: fc.double({ min: 0.05, max: 1, noNaN: true }), planted: fc.boolean(),
      groups: fc.integer({ min: 1, max: 6 }), size: fc.integer({ min: 2, max: 10 }), m: fc.integer({ min: 1, max: 200 }), seed: fc.nat(),
    }).map(({ n, linkedShare, planted, groups, size, m, seed }) => {
      const rng = mulberry32(seed);
      const ids = Array.from({ length: n }, (_, i) => i).filter(() => rng() < linkedShare);
      if (ids.length < 2) ids.splice(0, ids.length, 0, n - 1);
      const inner = planted ? plantedPartition(groups, size, 0.6, 0.08, rng).edges : randomEdges(ids.length, m, rng, 3);
      const pairs: Array<[number, number, number]> = [];
      for (let e = 0; e < inner.source.length; e++) {
        pairs.push([ids[inner.source[e]! % ids.length]!, ids[inner.target[e]! % ids.length]!, inner.weight[e]!]);
      }
      return edgeList(n, pairs);
    });
    fc.assert(
      fc.property(graphArb, fc.nat(), fc.double({ min: 0.2, max: 2, noNaN: true }), fc.integer({ min: 1, max: 5 }), (edges, seed, resolution, maxIterations) => {
        const graph = toCsr(edges);
        const skipping = leiden(graph, { seed, resolution, maxIterations });
        const visiting = leiden(graph, { seed, resolution, maxIterations, visitIsolated: true });
        assert.deepEqual([...skipping.membership], [...visiting.membership]);
        assert.deepEqual({ ...skipping, membership: null }, { ...visiting, membership: null });
      }),
      { numRuns: 200 },
    );
  });

  it('is node-optimal after a stable iteration: no single node move improves modularity (property)', () => {
    const graphArb = fc.record({ n: fc.integer({ min: 2, max: 25 }), m: fc.integer({ min: 1, max: 60 }), seed: fc.nat() }).map(({ n, m, seed }) => randomEdges(n, m, mulberry32(seed), 4));
    fc.assert(
      fc.property(graphArb, fc.nat(), (edges, seed) => {
        const graph = toCsr(edges);
        const result = leiden(graph, { seed });
        fc.pre(result.iterations < LEIDEN_DEFAULTS.maxIterations);
        const labels = [...new Set(result.membership), result.communityCount];
        for (let v = 0; v < edges.nodeCount; v++) {
          for (const target of labels) {
            if (target === result.membership[v]) continue;
            const moved = result.membership.slice();
            moved[v] = target;
            const gain = modularity(graph, moved) - result.quality;
            assert.ok(gain <= 1e-9, `moving node ${v} to community ${target} would gain ${gain}`);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('is reproducible: the same seed gives the same partition, an injected rng is used', () => {
    const { edges } = plantedPartition(8, 12, 0.3, 0.05, mulberry32(5));
    const graph = toCsr(edges);
    const first = leiden(graph, { seed: 9 });
    const again = leiden(graph, { seed: 9 });
    assert.deepEqual([...again.membership], [...first.membership]);
    assert.equal(again.quality, first.quality);
    const injected = leiden(graph, { rng: mulberry32(9) });
    assert.deepEqual([...injected.membership], [...first.membership]);
    let calls = 0;
    const counting = mulberry32(3);
    leiden(graph, { rng: () => (calls++, counting()) });
    assert.ok(calls > edges.nodeCount, `the injected rng was called only ${calls} times`);
  });

  it('stops at maxIterations and reports the iterations run', () => {
    const { edges } = plantedPartition(5, 10, 0.5, 0.05, mulberry32(2));
    assert.equal(leiden(toCsr(edges), { maxIterations: 1 }).iterations, 1);
    const unbounded = leiden(toCsr(edges), { maxIterations: Infinity });
    assert.ok(unbounded.iterations >= 2);
    const free = leiden(toCsr(edges));
    assert.ok(free.iterations >= 2 && free.iterations <= LEIDEN_DEFAULTS.maxIterations, `iterations ${free.iterations}`);
  });

  it('reports the same quality as modularity() on its membership', () => {
    const { edges } = plantedPartition(6, 10, 0.4, 0.05, mulberry32(8));
    const graph = toCsr(edges);
    for (const resolution of [0.5, 1, 2]) {
      const result = leiden(graph, { resolution });
      assert.ok(Math.abs(result.quality - modularity(graph, result.membership, resolution)) < 1e-12);
    }
  });

  it('rejects bad options and bad graphs with detect/bad-input', () => {
    const graph = toCsr(edgeList(2, [[0, 1]]));
    const bad = (options: Parameters<typeof leiden>[1], pattern: RegExp): void =>
      assert.throws(() => leiden(graph, options), (error: unknown) => error instanceof LockstepError && error.code === 'detect/bad-input' && pattern.test(error.message));
    bad({ resolution: -1 }, /resolution/);
    bad({ resolution: Number.NaN }, /resolution/);
    bad({ randomness: 0 }, /randomness/);
    bad({ maxIterations: 0 }, /maxIterations/);
    bad({ maxIterations: 1.5 }, /maxIterations/);
    assert.throws(() => leiden({ ...graph, targets: Int32Array.of(1, 5) }), /points to node 5/);
  });
});
