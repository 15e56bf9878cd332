/**
 * Types of the co-action kernel: events in (typed arrays), weighted actor pairs out.
 * Kept apart from the code so adapters (a disk-spilling sink, a SQL twin) can depend on the
 * shapes without pulling in the hot loop.
 */

/**
 * One trace as parallel typed arrays: event i is `actor[i]` acting on `key[i]` at `time[i]`.
 * Ids are dense integers interned at ingest: `0 <= actor[i] < actorCount`, `0 <= key[i] < keyCount`.
 * Times are ms since the epoch (any finite number; only differences matter).
 */
export interface TraceEvents {
  actor: Int32Array;
  key: Int32Array;
  time: Float64Array;
  actorCount: number;
  keyCount: number;
}

/**
 * Weighted actor pairs, row `i < size` of every column describing the pair `a[i] < b[i]`.
 * Columns may be longer than `size`; read only the first `size` entries.
 */
export interface PairTable {
  a: Int32Array;
  b: Int32Array;
  /** Distinct keys on which the pair co-acted at least once. */
  shared: Int32Array;
  /** Sum over those keys of the key's IDF weight, ln(actors in the trace / actors on the key). */
  idf: Float64Array;
  /** Co-acting event pairs (an event pair, not a key, per co-action). */
  coActions: Int32Array;
  /** Sum of |Δt| in ms over the co-acting event pairs; mean delay = sumDelta / coActions. */
  sumDelta: Float64Array;
  size: number;
}

/**
 * Where the kernel sends a partition's pairs when they exceed the memory budget, and where it
 * takes them back for the final merge. The kernel is synchronous and pure, so a disk adapter
 * writes synchronously (or keeps a bounded queue); every chunk handed to `spill` must come back,
 * unchanged, from `take` for the same partition. Contributions are additive (each (pair, key)
 * is counted once, before it reaches any partition), so merging chunks by summing is exact.
 */
export interface PairSink {
  /** Keeps `chunk` (the kernel no longer uses its arrays) for `partition`. */
  spill(partition: number, chunk: PairTable): void;
  /** Returns, and forgets, every chunk spilled for `partition`. */
  take(partition: number): Iterable<PairTable>;
}

export interface KernelOptions {
  /** Largest |Δt| in ms for two events on one key to co-act (inclusive: Δt = window counts). */
  window: number;
  /**
   * At most this many preceding events (the nearest in time, same-actor ones included) are
   * examined for each event, so a key with n events yields at most n × this many event pairs.
   * `Infinity` examines every event in the window (exact, quadratic on viral keys).
   */
  maxPartnersPerEvent: number;
  /** Keys with more distinct actors than this are reported as popular (their IDF is already low). */
  popularKeyActors: number;
  /**
   * Hash partitions of the pair table (a power of two, 1..4096), or `'auto'` (16 to 256, about
   * 16k estimated pairs each).
   */
  partitions: number | 'auto';
  /** Distinct pairs kept in memory before a partition is spilled to `sink` (ignored without a sink). */
  maxPairsInMemory: number;
  /** Spill target; `null` keeps everything in memory. */
  sink: PairSink | null;
  /**
   * Distinct pairs expected per in-window event pair (the kernel counts those first), to presize
   * the pair tables: in (0, 1]. 0.5 by default (batch traces repeat pairs across keys); 1 where
   * nearly every co-action is a new pair (the stream bench's 8 partitions: 4.03M co-actions, 3.90M
   * pairs), so the tables never grow.
   */
  pairsPerEventPair: number;
  /**
   * Pairs come out grouped by `a` ascending (within one `a`, in the order they were first seen):
   * the tables are partitioned by ranges of `a` instead of a pair hash. False by default (batch
   * detection's order); the stream's partials ask for it, so the coordinator merges them without
   * hashing (stream/pair-merge.ts). The pairs and their sums are the same either way.
   */
  groupByFirstActor: boolean;
  /**
   * With `groupByFirstActor` and no sink: co-actions are collected as records and counting-sorted
   * by `a` instead of probed into hash tables (sorted-pairs.ts), while the kernel's estimate of them
   * is at most MAX_SORTED_RECORDS. The same rows, sums bit for bit and order either way.
   */
  pairsBySort: boolean;
}

export interface KernelStats {
  /** Input events. */
  events: number;
  /** Distinct actors with at least one event (the N of the IDF). */
  actors: number;
  /** Keys with at least one event. */
  keys: number;
  /** Keys on which the partner cap left at least one in-window event pair unexamined. */
  keysCapped: number;
  /** Keys with more than `popularKeyActors` distinct actors (ids in `KernelResult.popularKeys`). */
  popularKeys: number;
  /** In-window event pairs examined (same-actor ones included). */
  eventPairsExamined: number;
  /** In-window event pairs not examined because of `maxPartnersPerEvent`. */
  eventPairsSkipped: number;
  /** Co-acting event pairs found (sum of `coActions`). */
  coActions: number;
  /** Distinct (pair, key) co-action combinations (the sum of `shared`). */
  pairsEmitted: number;
  /** Distinct pairs in the result. */
  pairs: number;
  /** Chunks handed to the sink. */
  spilledChunks: number;
}

export interface KernelResult {
  pairs: PairTable;
  stats: KernelStats;
  /** Ids of the popular keys, ascending. */
  popularKeys: Int32Array;
}
