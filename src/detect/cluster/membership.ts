/**
 * Community labels: compaction and the stable numbering every clustering output uses
 * (0..k-1 by decreasing size, ties broken by the smallest node id in the community).
 */
import { badClusterInput } from './bad-input.js';

/** A partition of nodes 0..n-1: `membership[i]` is node i's community, in 0..communityCount-1. */
export interface Partition {
  readonly membership: Int32Array;
  readonly communityCount: number;
}

/**
 * Relabels arbitrary non-negative labels to 0..k-1 in order of first appearance (so label order
 * is the order of each community's smallest node id). Returns a new array.
 */
export function compactLabels(labels: Int32Array, where = 'membership'): Partition {
  const n = labels.length;
  const out = new Int32Array(n);
  let count = 0;
  let small = true;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label < 0) throw badClusterInput(where, `node ${i} has community ${label}; communities must be non-negative integers`);
    if (label >= n) small = false;
  }
  if (small) {
    const map = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      let to = map[label]!;
      if (to < 0) map[label] = to = count++;
      out[i] = to;
    }
  } else {
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      let to = map.get(label);
      if (to === undefined) map.set(label, (to = count++));
      out[i] = to;
    }
  }
  return { membership: out, communityCount: count };
}

/**
 * Numbers communities 0..k-1 by decreasing size, ties by smallest node id, so that the same
 * partition always gets the same labels whatever labels it came with.
 * @example renumberBySize(Int32Array.of(7, 3, 3, 9)).membership // [1, 0, 0, 2]
 */
export function renumberBySize(labels: Int32Array): Partition {
  const { membership, communityCount } = compactLabels(labels);
  const size = new Int32Array(communityCount);
  for (let i = 0; i < membership.length; i++) size[membership[i]!]!++;
  // Compact labels are already in smallest-node order, so the tie-break is the label itself:
  // a counting sort by decreasing size, labels ascending within a size (sizes are at most n).
  let largest = 0;
  for (let c = 0; c < communityCount; c++) if (size[c]! > largest) largest = size[c]!;
  const first = new Int32Array(largest + 2); // rank of the first community of each size, largest first
  for (let c = 0; c < communityCount; c++) first[largest - size[c]! + 1]!++;
  for (let s = 0; s <= largest; s++) first[s + 1] = first[s + 1]! + first[s]!;
  const rank = new Int32Array(communityCount);
  for (let c = 0; c < communityCount; c++) rank[c] = first[largest - size[c]!]!++;
  for (let i = 0; i < membership.length; i++) membership[i] = rank[membership[i]!]!;
  return { membership, communityCount };
}

/**
 * Compacts `labels` (a refinement of `group`, labels in 0..n-1) to 0..k-1 so that the labels
 * of group 0 come first, then those of group 1, and so on; within a group, in order of first
 * appearance. Aggregate graphs numbered this way keep a community's nodes together in memory.
 */
export function compactGroupedBy(labels: Int32Array, group: Int32Array, groupCount: number): Partition {
  const { membership, communityCount } = compactLabels(labels);
  const groupOf = new Int32Array(communityCount);
  for (let i = 0; i < membership.length; i++) groupOf[membership[i]!] = group[i]!;
  const start = new Int32Array(groupCount + 1);
  for (let c = 0; c < communityCount; c++) start[groupOf[c]! + 1]!++;
  for (let g = 0; g < groupCount; g++) start[g + 1] = start[g + 1]! + start[g]!;
  const rank = new Int32Array(communityCount);
  for (let c = 0; c < communityCount; c++) rank[c] = start[groupOf[c]!]!++;
  for (let i = 0; i < membership.length; i++) membership[i] = rank[membership[i]!]!;
  return { membership, communityCount };
}
