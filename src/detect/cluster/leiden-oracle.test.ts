// Leiden against planted truth and against graphology-communities-louvain (a dev dependency,
// used here as an oracle only).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leiden } from './leiden.js';
import { mulberry32 } from './rng.js';
import { adjustedRandIndex, normalizedMutualInformation } from './test-support/agreement.js';
import { louvainOracle } from './test-support/graphology-oracle.js';
import { communitiesAreConnected, plantedPartition, randomEdges, referenceModularity, toCsr } from './test-support/graphs.js';
import type { EdgeList } from './test-support/graphs.js';

describe('agreement metrics (test support)', () => {
  it('score identical partitions 1, relabelled ones 1, and unrelated ones near 0', () => {
    const a = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    assert.equal(normalizedMutualInformation(a, a), 1);
    assert.ok(Math.abs(adjustedRandIndex(a, [5, 5, 5, 3, 3, 3, 9, 9, 9]) - 1) < 1e-12);
    assert.ok(Math.abs(normalizedMutualInformation(a, [7, 7, 7, 0, 0, 0, 4, 4, 4]) - 1) < 1e-12);
    assert.ok(adjustedRandIndex(a, [0, 1, 2, 0, 1, 2, 0, 1, 2]) < 0);
    assert.equal(normalizedMutualInformation(a, [0, 1, 2, 0, 1, 2, 0, 1, 2]), 0);
    // By hand (and scikit-learn): ARI 4/7; NMI = ln 2 / ((ln 2 + 1.5 ln 2) / 2) = 0.8.
    assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 4 / 7) < 1e-12);
    assert.ok(Math.abs(normalizedMutualInformation([0, 0, 1, 1], [0, 0, 1, 2]) - 0.8) < 1e-12);
  });
});

describe('leiden recovers planted partitions', () => {
  for (const seed of [1, 2, 3]) {
    it(`finds the 20 groups of 30 (p_in 0.3, p_out 0.005), seed ${seed}`, () => {
      const { edges, truth } = plantedPartition(20, 30, 0.3, 0.005, mulberry32(seed));
      const result = leiden(toCsr(edges), { seed });
      const nmi = normalizedMutualInformation(truth, result.membership);
      const ari = adjustedRandIndex(truth, result.membership);
      assert.ok(nmi >= 0.95, `NMI ${nmi}`);
      assert.ok(ari >= 0.95, `ARI ${ari}`);
      assert.equal(result.communityCount, 20);
    });
  }

  it('still finds most of the structure when groups are noisier (p_in 0.2, p_out 0.02)', () => {
    const { edges, truth } = plantedPartition(10, 40, 0.2, 0.02, mulberry32(11));
    const result = leiden(toCsr(edges));
    assert.ok(normalizedMutualInformation(truth, result.membership) >= 0.8);
  });
});

describe('leiden against graphology-communities-louvain', () => {
  const cases: Array<[string, EdgeList]> = [
    ['planted 12×25, noisy', plantedPartition(12, 25, 0.25, 0.03, mulberry32(21)).edges],
    ['planted 30×10, very noisy', plantedPartition(30, 10, 0.5, 0.04, mulberry32(22)).edges],
    ['sparse random 300 nodes, 600 edges', withoutLoops(randomEdges(300, 600, mulberry32(23)))],
    ['weighted random 200 nodes, 800 edges', withoutLoops(randomEdges(200, 800, mulberry32(24), 9))],
    ['planted 6×40, weighted', weighted(plantedPartition(6, 40, 0.15, 0.02, mulberry32(25)).edges, 26)],
  ];
  for (const [name, edges] of cases) {
    it(`reaches at least Louvain's modularity (−0.002) with connected communities: ${name}`, () => {
      const ours = leiden(toCsr(edges));
      const theirs = louvainOracle(edges, mulberry32(1));
      const ourQ = referenceModularity(edges, ours.membership);
      const theirQ = referenceModularity(edges, theirs.membership);
      assert.ok(Math.abs(theirQ - theirs.modularity) < 1e-9, 'graphology and the reference disagree on modularity');
      assert.ok(ourQ >= theirQ - 0.002, `leiden ${ourQ} < louvain ${theirQ}`);
      assert.ok(communitiesAreConnected(edges, ours.membership));
    });
  }
});

function withoutLoops(edges: EdgeList): EdgeList {
  const keep = edges.source.map((s, e) => s !== edges.target[e]);
  return {
    nodeCount: edges.nodeCount,
    source: edges.source.filter((_, e) => keep[e]),
    target: edges.target.filter((_, e) => keep[e]),
    weight: edges.weight.filter((_, e) => keep[e]),
  };
}

function weighted(edges: EdgeList, seed: number): EdgeList {
  const rng = mulberry32(seed);
  return { ...edges, weight: edges.weight.map(() => 1 + Math.floor(rng() * 5)) };
}
