/**
 * Newman–Girvan modularity with a resolution parameter (Reichardt & Bornholdt 2006):
 * Q = Σ_c [ in_c / 2m − γ (K_c / 2m)² ], where in_c is the sum of adjacency entries inside c
 * (a self-loop of weight w counts w into L_c = in_c / 2), K_c the total strength of c's nodes
 * and 2m the total strength of the graph. Same convention as networkx and igraph.
 */
import { badClusterInput } from './bad-input.js';
import { checkCsr, nodeStrengths } from './csr.js';
import type { CsrGraph } from './csr.js';
import { compactLabels } from './membership.js';

/**
 * The modularity of a partition. `membership[i]` is node i's community (any non-negative
 * integers). A graph without edges has modularity 0 by convention.
 * @example modularity(twoTrianglesJoinedByAnEdge, Int32Array.of(0, 0, 0, 1, 1, 1)) // ≈ 0.357
 */
export function modularity(graph: CsrGraph, membership: Int32Array, resolution = 1): number {
  checkCsr(graph, 'modularity');
  if (membership.length !== graph.nodeCount) {
    throw badClusterInput('modularity', `membership has ${membership.length} entries for a graph of ${graph.nodeCount} nodes`);
  }
  if (!(resolution >= 0 && resolution < Infinity)) throw badClusterInput('modularity', `resolution must be finite and ≥ 0, got ${resolution}`);
  const { membership: labels, communityCount } = compactLabels(membership);
  return modularityOfCompact(graph, labels, communityCount, resolution, nodeStrengths(graph));
}

/** Modularity for labels already in 0..count-1 and precomputed strengths (no checks). */
export function modularityOfCompact(graph: CsrGraph, labels: Int32Array, count: number, resolution: number, strength: Float64Array): number {
  const { nodeCount, offsets, targets, weights } = graph;
  const inside = new Float64Array(count);
  const total = new Float64Array(count);
  let twoM = 0;
  for (let i = 0; i < nodeCount; i++) {
    const c = labels[i]!;
    total[c] = total[c]! + strength[i]!;
    twoM += strength[i]!;
    let own = 0;
    for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
      if (labels[targets[k]!] === c) own += weights[k]!;
    }
    inside[c] = inside[c]! + own;
  }
  if (twoM === 0) return 0;
  let q = 0;
  for (let c = 0; c < count; c++) {
    const share = total[c]! / twoM;
    q += inside[c]! / twoM - resolution * share * share;
  }
  return q;
}
