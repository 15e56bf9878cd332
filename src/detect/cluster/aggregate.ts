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

  // Two passes (count, then fill) so the result is allocated at its exact size: at 10^7 edges a
  // growing buffer's copies cost more memory than the extra pass costs time.
  const seenBy = new Int32Array(count).fill(-1);
  const newOffsets = new Int32Array(count + 1);
  for (let c = 0; c < count; c++) {
    let distinct = 0;
    for (let m = memberStart[c]!, mEnd = memberStart[c + 1]!; m < mEnd; m++) {
      const i = members[m]!;
      for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
        const d = labels[targets[k]!]!;
        if (seenBy[d] !== c) {
          seenBy[d] = c;
          distinct++;
        }
      }
    }
    newOffsets[c + 1] = newOffsets[c]! + distinct;
  }

  const newTargets = new Int32Array(newOffsets[count]!);
  const newWeights = new Float64Array(newOffsets[count]!);
  const sum = new Float64Array(count);
  seenBy.fill(-1);
  let write = 0;
  for (let c = 0; c < count; c++) {
    const rowStart = write;
    for (let m = memberStart[c]!, mEnd = memberStart[c + 1]!; m < mEnd; m++) {
      const i = members[m]!;
      for (let k = offsets[i]!, end = offsets[i + 1]!; k < end; k++) {
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
  }
  return { nodeCount: count, offsets: newOffsets, targets: newTargets, weights: newWeights };
}
