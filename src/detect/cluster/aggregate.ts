/**
 * Aggregation, the last phase of each Leiden level: every community becomes one node, and
 * the edges between two communities one edge whose weight is their sum. Edges inside a
 * community become its self-loop entry, which keeps the {@link CsrGraph} convention (row sum =
 * strength) so modularity of the aggregate equals modularity of the expanded partition.
 */
import type { CsrGraph } from './csr.js';

/**
 * The graph of communities of `labels` (compact, 0..count-1). Rows come out in traversal order,
 * not sorted by target (sorting cost a quarter of the time and no phase needs it).
 */
export function aggregateGraph(graph: CsrGraph, labels: Int32Array, count: number): CsrGraph {
  const { nodeCount: n, offsets, targets, weights } = graph;
  const memberStart = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) memberStart[labels[i]! + 1]!++;
  for (let c = 0; c < count; c++) memberStart[c + 1] = memberStart[c + 1]! + memberStart[c]!;
  const members = new Int32Array(n);
  const cursor = memberStart.slice(0, count);
  for (let i = 0; i < n; i++) members[cursor[labels[i]!]!++] = i;

  // One pass over the edges into buffers that grow as needed (a second, counting pass would
  // cost as much again in random reads of `labels`).
  const seenBy = new Int32Array(count).fill(-1);
  const sum = new Float64Array(count);
  const newOffsets = new Int32Array(count + 1);
  let capacity = Math.max(16, Math.min(targets.length, count * 8));
  let newTargets = new Int32Array(capacity);
  let newWeights = new Float64Array(capacity);
  let write = 0;
  for (let c = 0; c < count; c++) {
    const rowStart = write;
    for (let m = memberStart[c]!, mEnd = memberStart[c + 1]!; m < mEnd; m++) {
      const i = members[m]!;
      const end = offsets[i + 1]!;
      if (write + (end - offsets[i]!) > capacity) {
        capacity = Math.min(targets.length, Math.max(write + (end - offsets[i]!), Math.ceil(capacity * 1.5)));
        newTargets = grow(newTargets, new Int32Array(capacity));
        newWeights = grow(newWeights, new Float64Array(capacity));
      }
      for (let k = offsets[i]!; k < end; k++) {
        const d = labels[targets[k]!]!;
        if (seenBy[d] !== c) {
          seenBy[d] = c;
          sum[d] = weights[k]!;
          newTargets[write++] = d;
        } else {
          sum[d] = sum[d]! + weights[k]!;
        }
      }
    }
    for (let k = rowStart; k < write; k++) newWeights[k] = sum[newTargets[k]!]!;
    newOffsets[c + 1] = write;
  }
  if (write < capacity) {
    newTargets = newTargets.slice(0, write);
    newWeights = newWeights.slice(0, write);
  }
  return { nodeCount: count, offsets: newOffsets, targets: newTargets, weights: newWeights };
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
