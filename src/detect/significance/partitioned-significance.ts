/**
 * The null model of significance.ts run over pairs the kernel left in a PairStore (spilled
 * partitions), one partition at a time, so that a trace's pairs never all come back into memory.
 *
 * Passes over the store:
 * 1. each partition's chunks are merged by summing (as the kernel's in-memory merge does) and kept
 *    as one table; actor strengths W and the pair count are summed on the way, and the candidate
 *    pairs (shared >= minShared) collected when `occasions` needs them;
 * 2. ln p of every candidate (shared >= minShared) is computed and only those ln p are held: the
 *    Benjamini–Hochberg cut needs their order and the count of all tested pairs, nothing else;
 * 3. rows at or below the cut are collected as the trace's kept edges (ln p is recomputed: the same
 *    inputs give the same value, and ties never straddle a BH cut, so the kept set is exactly the
 *    in-memory test's).
 * Later, once the fused graph is known, `among` reads the partitions once more for the member
 * test's rows among the graph's actors; `release` drops them from the store.
 *
 * Strengths are sums of integers and activity is the same, so expectations and ln p are bitwise
 * the in-memory ones; only IDF and delay sums (summed in another order) may differ in the last bits.
 */
import { PairAccumulator, emptyPairTable } from '../kernel/partitioned-pairs.js';
import type { PairStore } from '../kernel/partitioned-pairs.js';
import type { PairTable } from '../kernel/index.js';
import { logPoissonUpperTail } from './poisson.js';
import { SHARED_KEYS } from './post-occasions.js';
import { SIGNIFICANCE_DEFAULTS } from './significance.js';
import type { PairRows, SignificanceOptions } from './significance.js';

export interface SpilledSignificance {
  /** The significant pairs, every row kept, with their ln p. */
  kept: { pairs: PairTable; kept: Int32Array; logP: Float64Array };
  /** Pairs tested (all distinct pairs of the trace). */
  tested: number;
  /** Sum of shared keys over all pairs (the kernel's pairsEmitted). */
  pairsEmitted: number;
  /** Actor strengths W_a over all pairs (as actorStrengths gives them). */
  strength: Float64Array;
  /** The largest ln p kept, or -Infinity. */
  logPCut: number;
  /** Partitions read back (merged tables held in the store). */
  partitions: number;
  /** Most pairs held in memory at once by a pass (one merged partition). */
  largestPartition: number;
  /** Rows (a, b, shared) whose two actors are both marked in `keep`, read from the store. */
  among(keep: Uint8Array): Pick<PairTable, 'a' | 'b' | 'shared' | 'size'>;
  /** Drops the merged partitions from the store. */
  release(): void;
}

/**
 * Tests the pairs held in `store` (every partition `held()`) against the null of significantPairs.
 * @example
 * const kernel = coActionPairs(events, { sink: store, maxPairsInMemory: 1e6 });
 * if (kernel.stats.spilledChunks > 0 && kernel.pairs.size === 0) {
 *   const { kept } = significantSpilledPairs(store, distinctKeysPerActor(events));
 * }
 */
export function significantSpilledPairs(store: PairStore, activity: Float64Array, options?: Partial<SignificanceOptions>): SpilledSignificance {
  const opts = { ...SIGNIFICANCE_DEFAULTS, ...options };
  const strength = new Float64Array(activity.length);
  const handles: number[] = [];
  let tested = 0, pairsEmitted = 0, largestPartition = 0;
  const candidateRows = opts.occasions === null ? null : new Rows();
  // Pass 1: merge each partition, sum strengths, keep the merged table.
  for (const partition of store.held()) {
    const merged = mergeChunks(store.take(partition));
    for (let r = 0; r < merged.size; r++) {
      const shared = merged.shared[r]!;
      strength[merged.a[r]!] = strength[merged.a[r]!]! + shared;
      strength[merged.b[r]!] = strength[merged.b[r]!]! + shared;
      pairsEmitted += shared;
      if (candidateRows !== null && shared >= opts.minShared) candidateRows.push(merged.a[r]!, merged.b[r]!, shared);
    }
    tested += merged.size;
    largestPartition = Math.max(largestPartition, merged.size);
    handles.push(store.keep(merged));
  }
  let total = 0;
  for (let a = 0; a < activity.length; a++) total += activity[a]!;
  // Occasions of the candidates (the test's count), as significantPairs takes them.
  const occasions = candidateRows === null || opts.occasions === null ? SHARED_KEYS : opts.occasions(candidateRows.table());
  const countOf = (table: PairTable, r: number): number => {
    const shared = table.shared[r]!;
    return shared < opts.minShared ? shared : occasions.of(table.a[r]!, table.b[r]!, shared);
  };
  const logPOf = (table: PairTable, r: number): number => {
    const a = table.a[r]!;
    const b = table.b[r]!;
    const mean = total > 0 ? (strength[a]! * activity[b]! + strength[b]! * activity[a]!) / (2 * total) : 0;
    return logPoissonUpperTail(countOf(table, r), Math.max(mean, 1e-12));
  };
  // Pass 2: ln p of the candidates only, for the Benjamini–Hochberg cut over all tested pairs.
  let candidates = new Float64Array(1024);
  let count = 0;
  for (const handle of handles) {
    const table = store.load(handle);
    for (let r = 0; r < table.size; r++) {
      if (countOf(table, r) < opts.minShared) continue;
      if (count === candidates.length) candidates = grown(candidates);
      candidates[count++] = logPOf(table, r);
    }
  }
  const sorted = candidates.subarray(0, count).sort();
  let cutRank = -1;
  const logFdr = Math.log(opts.fdr);
  for (let rank = 0; rank < count; rank++) if (sorted[rank]! <= logFdr + Math.log((rank + 1) / Math.max(1, tested))) cutRank = rank;
  const logPCut = cutRank >= 0 ? sorted[cutRank]! : -Infinity;
  candidates = new Float64Array(0);
  // Pass 3: the kept rows, partition by partition.
  const out = new KeptRows(cutRank + 1);
  if (cutRank >= 0) {
    for (const handle of handles) {
      const table = store.load(handle);
      for (let r = 0; r < table.size; r++) {
        if (countOf(table, r) < opts.minShared) continue;
        const logP = logPOf(table, r);
        if (logP <= logPCut) out.push(table, r, logP);
      }
    }
  }
  return {
    kept: out.result(), tested, pairsEmitted, strength, logPCut, partitions: handles.length, largestPartition,
    among: (keep) => amongActors(store, handles, keep),
    release: () => { for (const handle of handles.splice(0)) store.drop(handle); },
  };
}

/** One partition's chunks summed pair by pair (a single chunk is already distinct pairs). */
function mergeChunks(chunks: Iterable<PairTable>): PairTable {
  let first: PairTable | null = null;
  let merged: PairAccumulator | null = null;
  for (const chunk of chunks) {
    if (first === null) { first = chunk; continue; }
    if (merged === null) {
      merged = new PairAccumulator(first.size + chunk.size);
      addChunk(merged, first);
    }
    addChunk(merged, chunk);
  }
  return merged?.toPairTable() ?? first ?? emptyPairTable(0);
}

function addChunk(target: PairAccumulator, chunk: PairTable): void {
  for (let r = 0; r < chunk.size; r++) target.merge(chunk.a[r]!, chunk.b[r]!, chunk.shared[r]!, chunk.idf[r]!, chunk.coActions[r]!, chunk.sumDelta[r]!);
}

function amongActors(store: PairStore, handles: readonly number[], keep: Uint8Array): Pick<PairTable, 'a' | 'b' | 'shared' | 'size'> {
  let a = new Int32Array(1024), b = new Int32Array(1024), shared = new Int32Array(1024);
  let size = 0;
  for (const handle of handles) {
    const table = store.load(handle);
    for (let r = 0; r < table.size; r++) {
      const x = table.a[r]!;
      const y = table.b[r]!;
      if (keep[x] !== 1 || keep[y] !== 1) continue;
      if (size === a.length) { a = grown(a); b = grown(b); shared = grown(shared); }
      a[size] = x;
      b[size] = y;
      shared[size++] = table.shared[r]!;
    }
  }
  return { a: a.slice(0, size), b: b.slice(0, size), shared: shared.slice(0, size), size };
}

function grown<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Growable (a, b, shared) rows. */
class Rows {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private shared = new Int32Array(1024);
  private size = 0;

  push(a: number, b: number, shared: number): void {
    if (this.size === this.a.length) { this.a = grown(this.a); this.b = grown(this.b); this.shared = grown(this.shared); }
    this.a[this.size] = a;
    this.b[this.size] = b;
    this.shared[this.size++] = shared;
  }

  table(): PairRows {
    return { a: this.a, b: this.b, shared: this.shared, size: this.size };
  }
}

/** The kept rows as a table of their own, with their ln p. */
class KeptRows {
  private readonly table: PairTable;
  private readonly logP: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.table = emptyPairTable(capacity);
    this.logP = new Float64Array(capacity);
  }

  push(from: PairTable, r: number, logP: number): void {
    const t = this.table;
    if (this.size === this.logP.length) throw new Error('partitioned significance: more rows at or below the cut than ranks above it (a bug)');
    const i = this.size++;
    t.a[i] = from.a[r]!;
    t.b[i] = from.b[r]!;
    t.shared[i] = from.shared[r]!;
    t.idf[i] = from.idf[r]!;
    t.coActions[i] = from.coActions[r]!;
    t.sumDelta[i] = from.sumDelta[r]!;
    this.logP[i] = logP;
  }

  result(): { pairs: PairTable; kept: Int32Array; logP: Float64Array } {
    const size = this.size;
    return { pairs: { ...this.table, size }, kept: Int32Array.from({ length: size }, (_, i) => i), logP: this.logP };
  }
}
