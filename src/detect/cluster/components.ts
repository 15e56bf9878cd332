/**
 * Connected components by breadth-first search on the CSR arrays, and the split of
 * communities into their connected pieces (which never lowers modularity for resolution ≥ 0:
 * the pieces share no edge, so only negative expected-weight terms disappear).
 */
import { checkCsr } from './csr.js';
import type { CsrGraph } from './csr.js';
import { renumberBySize } from './membership.js';
import type { Partition } from './membership.js';

/**
 * The connected component of every node, numbered 0..k-1 by decreasing size (ties by smallest
 * node id), so component 0 is the largest. Isolated nodes are components of their own.
 * @example connectedComponents(buildCsr(4, Int32Array.of(2), Int32Array.of(3), Float64Array.of(1))) // [1, 2, 0, 0]
 */
export function connectedComponents(graph: CsrGraph): Int32Array {
  checkCsr(graph, 'connectedComponents');
  return splitDisconnected(graph, new Int32Array(graph.nodeCount)).membership;
}

/**
 * Refines `membership` so that every community induces a connected subgraph: each community
 * is cut into the connected components of its induced subgraph. Output numbered by size.
 */
export function splitDisconnected(graph: CsrGraph, membership: Int32Array): Partition {
  const { nodeCount, offsets, targets } = graph;
  const piece = new Int32Array(nodeCount).fill(-1);
  const queue = new Int32Array(nodeCount);
  let pieces = 0;
  for (let start = 0; start < nodeCount; start++) {
    if (piece[start]! >= 0) continue;
    const community = membership[start]!;
    piece[start] = pieces;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    while (head < tail) {
      const v = queue[head++]!;
      for (let k = offsets[v]!, end = offsets[v + 1]!; k < end; k++) {
        const u = targets[k]!;
        if (piece[u]! < 0 && membership[u] === community) {
          piece[u] = pieces;
          queue[tail++] = u;
        }
      }
    }
    pieces++;
  }
  return renumberBySize(piece);
}
