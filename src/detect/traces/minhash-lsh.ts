/**
 * LSH candidate generation and verification (Leskovec, Rajaraman & Ullman, "Mining of Massive
 * Datasets", ch. 3.4): texts whose band hashes are equal in some band are candidates; a
 * candidate pair is kept when the exact Jaccard similarity of the two shingle sets reaches the
 * threshold, and kept pairs are merged with union-find. Grouping is therefore transitive
 * (single linkage): A ~ B and B ~ C put A and C in one group even if A and C are less similar.
 *
 * Buckets are found by radix-sorting the texts by band hash, one band at a time, so memory is
 * O(texts) beyond the band hashes themselves. Each text is compared with at most
 * `maxBucketSize − 1` of the texts just before it in its bucket (input order), and never with a
 * text already in its group, so a bucket of 100,000 variants costs O(100,000 × cap), not O(n²).
 */
import { exactJaccardRange } from './minhash.js';

/** Distinct texts as the LSH stage sees them. */
export interface LshTexts {
  /** Number of texts (ids 0..count-1). */
  count: number;
  /** One column per band: text t's hash in band j is `bandHash[j][t]` (columns may be longer than `count`). */
  bandHash: readonly Int32Array[];
  /** Sorted distinct shingle hashes of text t: `shingles[shingleStart[t] .. shingleStart[t + 1])`. */
  shingles: Int32Array;
  shingleStart: Int32Array;
}

export interface LshOptions {
  threshold: number;
  maxBucketSize: number;
}

export interface LshStats {
  /** Text pairs taken from band buckets (a pair sharing several bands counts once per band). */
  candidatePairs: number;
  /** Candidate pairs whose exact Jaccard was computed (not already grouped, sizes compatible). */
  comparisons: number;
  /** Compared pairs at or above the threshold. */
  similarPairs: number;
  /** Buckets (band, hash) holding more than `maxBucketSize` texts. */
  bucketsCapped: number;
  /** In-bucket pairs never taken because of `maxBucketSize`. */
  candidatePairsSkipped: number;
}

/**
 * Groups near-duplicate texts. Returns, for each text, the smallest text id of its group (its
 * root), with the stage's counts.
 */
export function groupNearDuplicates(texts: LshTexts, options: LshOptions): { root: Int32Array; stats: LshStats } {
  const { count, bandHash, shingles, shingleStart } = texts;
  const { threshold, maxBucketSize } = options;
  const parent = new Int32Array(count);
  for (let t = 0; t < count; t++) parent[t] = t;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const up = parent[parent[x]!]!;
      parent[x] = up;
      x = up;
    }
    return x;
  };
  const stats: LshStats = { candidatePairs: 0, comparisons: 0, similarPairs: 0, bucketsCapped: 0, candidatePairsSkipped: 0 };
  if (count < 2) return { root: parent, stats };

  const order = new Int32Array(count);
  const sorter = new RadixSorter(count);
  for (const column of bandHash) {
    const keys = column.subarray(0, count);
    sorter.sort(keys, order);
    for (let start = 0; start < count; ) {
      const h = keys[order[start]!]!;
      let end = start + 1;
      while (end < count && keys[order[end]!] === h) end++;
      const size = end - start;
      if (size > 1) {
        if (size > maxBucketSize) {
          stats.bucketsCapped++;
          const over = size - maxBucketSize;
          // Member p (0-based) skips max(0, p - (cap - 1)) partners: sum over p = over·(over+1)/2.
          stats.candidatePairsSkipped += (over * (over + 1)) / 2;
        }
        for (let p = start + 1; p < end; p++) {
          const t = order[p]!;
          let rootT = find(t);
          const lenT = shingleStart[t + 1]! - shingleStart[t]!;
          for (let q = p - 1, stop = Math.max(start, p - maxBucketSize + 1); q >= stop; q--) {
            stats.candidatePairs++;
            const u = order[q]!;
            const rootU = find(u);
            if (rootU === rootT) continue;
            const lenU = shingleStart[u + 1]! - shingleStart[u]!;
            // |A ∩ B| / |A ∪ B| <= min / max: skip pairs whose sizes alone rule the threshold out.
            if (Math.min(lenT, lenU) < threshold * Math.max(lenT, lenU)) continue;
            stats.comparisons++;
            const j = exactJaccardRange(shingles, shingleStart[t]!, shingleStart[t + 1]!, shingleStart[u]!, shingleStart[u + 1]!);
            if (j >= threshold) {
              stats.similarPairs++;
              const low = Math.min(rootT, rootU);
              parent[rootT] = low;
              parent[rootU] = low;
              rootT = low;
            }
          }
        }
      }
      start = end;
    }
  }
  for (let t = 0; t < count; t++) parent[t] = find(t);
  return { root: parent, stats };
}

/** Stable LSD radix sort of ids 0..n-1 by 32-bit keys, in three 11-bit passes. */
class RadixSorter {
  private readonly scratch: Int32Array;
  private readonly counts = new Int32Array(2048);

  constructor(n: number) {
    this.scratch = new Int32Array(n);
  }

  /** Writes to `order` the ids 0..keys.length-1 sorted by key bits (equal keys keep id order). */
  sort(keys: Int32Array, order: Int32Array): void {
    const n = keys.length;
    const counts = this.counts;
    let src = this.scratch;
    let dst = order;
    for (let i = 0; i < n; i++) src[i] = i;
    for (let shift = 0; shift < 32; shift += 11) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(keys[i]! >>> shift) & 0x7ff]!++;
      let sum = 0;
      for (let d = 0; d < 2048; d++) {
        const c = counts[d]!;
        counts[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const id = src[i]!;
        dst[counts[(keys[id]! >>> shift) & 0x7ff]!++] = id;
      }
      const swap = src;
      src = dst;
      dst = swap;
    }
    // Three passes leave the result in `scratch`'s partner: copy it into `order` if needed.
    if (src !== order) order.set(src);
  }
}
