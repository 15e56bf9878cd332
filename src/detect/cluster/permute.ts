/**
 * Renumbering nodes for memory locality. Every phase of Leiden reads per-node arrays at the
 * ids of a node's neighbours; with ids in arbitrary order those reads miss cache and TLB on
 * almost every edge (measured: ~4× slower phases at 10^7 edges). Numbering the nodes of one
 * community consecutively makes most of those reads local.
 */
import type { CsrGraph } from './csr.js';
import type { WholeLabels } from './isolated.js';
import { randomPermutation } from './rng.js';
import type { Rng } from './rng.js';

/**
 * The order that lists nodes community by community (communities in label order, nodes in id
 * order within one): `order[newId] = oldId`. Labels must be in 0..count-1.
 */
export function orderByCommunity(labels: Int32Array, count: number): Int32Array {
  const start = new Int32Array(count + 1);
  for (let i = 0; i < labels.length; i++) start[labels[i]! + 1]!++;
  for (let c = 0; c < count; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[start[labels[i]!]!++] = i;
  return order;
}

/** The inverse of a permutation: `inverse[order[p]] = p`. */
export function invertPermutation(order: Int32Array): Int32Array {
  const inverse = new Int32Array(order.length);
  for (let p = 0; p < order.length; p++) inverse[order[p]!] = p;
  return inverse;
}

/**
 * The same graph with node `order[p]` renamed `p`. Rows keep their old entry order, so they are
 * not sorted by target: fine for the clustering phases, which never rely on row order.
 */
export function permuteGraph(graph: CsrGraph, order: Int32Array, inverse: Int32Array): CsrGraph {
  const { nodeCount: n, offsets, targets, weights } = graph;
  const newOffsets = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) {
    const old = order[p]!;
    newOffsets[p + 1] = newOffsets[p]! + (offsets[old + 1]! - offsets[old]!);
  }
  const newTargets = new Int32Array(targets.length);
  const newWeights = new Float64Array(weights.length);
  for (let p = 0; p < n; p++) {
    const old = order[p]!;
    let write = newOffsets[p]!;
    for (let k = offsets[old]!, end = offsets[old + 1]!; k < end; k++) {
      newTargets[write] = inverse[targets[k]!]!;
      newWeights[write++] = weights[k]!;
    }
  }
  return { nodeCount: n, offsets: newOffsets, targets: newTargets, weights: newWeights };
}

/** `values` read in the new order: `out[p] = values[order[p]]`. */
export function permuteValues<T extends Int32Array | Float64Array>(values: T, order: Int32Array): T {
  const out = values.slice() as T;
  for (let p = 0; p < order.length; p++) out[p] = values[order[p]!]!;
  return out;
}

/**
 * A random visiting order that keeps each community's nodes together: communities in random
 * order, nodes in random order within each. With nodes numbered community by community this
 * touches one region of memory at a time; a uniform permutation would jump on every node.
 * Labels must be in 0..labelBound-1. With all-singleton labels it is a uniform permutation.
 * `whole` (see isolated.ts) makes it the order of the whole level, isolated nodes left out.
 */
export function shuffledByCommunity(membership: Int32Array, labelBound: number, rng: Rng, whole?: WholeLabels): Int32Array {
  // With `whole`, the order is the whole level's with its isolated nodes left out: the same
  // permutation of every label of the whole level, read at the linked labels' whole values.
  const bound = labelBound + (whole?.isolated ?? 0);
  const rank = randomPermutation(bound, rng);
  const key = new Int32Array(membership.length);
  if (whole === undefined) for (let i = 0; i < membership.length; i++) key[i] = rank[membership[i]!]!;
  else for (let i = 0; i < membership.length; i++) key[i] = rank[whole.label[membership[i]!]!]!;
  const order = orderByCommunity(key, bound);
  let blockStart = 0;
  for (let p = 1; p <= order.length; p++) {
    if (p < order.length && key[order[p]!] === key[order[blockStart]!]) continue;
    for (let i = p - 1; i > blockStart; i--) {
      const j = blockStart + Math.floor(rng() * (i - blockStart + 1));
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    blockStart = p;
  }
  return order;
}
