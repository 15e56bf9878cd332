/**
 * The kernel's pair table: P hash partitions (chosen by the top bits of a pair hash), each a
 * PairIndex with value columns. Co-actions are first appended to a small buffer per partition and
 * applied a buffer at a time, so the inserts of one flush hit one partition's table while it is
 * in cache (a single global table was about 5x slower in an earlier probe).
 *
 * Distinct keys are counted exactly without a per-key set: keys are fed in increasing order and
 * each entry remembers the last key that touched it, so a co-action adds a shared key (and the
 * key's IDF) only when its key differs from the entry's last one. With a PairSink and a memory
 * budget, a partition that outgrows its share of the budget is handed to the sink at the next key
 * boundary (so no key straddles two chunks) and cleared; `finish` merges chunks back by summing,
 * or, with a PairStore that keeps partitions, hands every partition's rest to it as well and
 * returns no rows, so that the caller reads the pairs back one partition at a time
 * (significance/partitioned-significance.ts) and they never all come back into memory.
 */
import { LockstepError } from '../../model/index.js';
import { PairIndex, partitionHash } from './pair-index.js';
import type { PairSink, PairTable } from './types.js';

/**
 * A spill target that can keep partitions for reading back one at a time: when `keepsPartitions`
 * is true and anything was spilled, the kernel's `finish` leaves every pair in the store (its
 * result then has no rows and `spilledChunks > 0`). `keep` stores a table (e.g. a merged
 * partition) under a new handle, `load` reads it back as often as needed, `drop` forgets it.
 */
export interface PairStore extends PairSink {
  readonly keepsPartitions: boolean;
  /**
   * True: `finish` hands every partition over even when nothing spilled (MemoryPairStore), so the
   * pairs are tested partition by partition and never copied into one table beside the kernel's.
   */
  readonly takesEveryPartition?: boolean;
  /** Partitions holding spilled chunks, ascending. */
  held(): number[];
  keep(table: PairTable): number;
  load(handle: number): PairTable;
  drop(handle: number): void;
}

/** Whether `sink` keeps partitions for a partition-by-partition pass (see PairStore). */
export function keepsPartitions(sink: PairSink | null): sink is PairStore {
  return sink !== null && (sink as Partial<PairStore>).keepsPartitions === true;
}

/**
 * A PairStore in memory that takes every partition at the kernel's `finish` (see
 * `takesEveryPartition`), as views of one table of all pairs, so that the significance test reads
 * them partition by partition and holds ln p for candidates only (the one-table test holds ln p and
 * expectations for every pair and sorts all candidates' rows; significance/partitioned-significance.ts),
 * with the same kept pairs, ln p, strengths and member rows as the one-table test: a partition handed over
 * once is one chunk, so no sum is taken in another order. `slim` drops the columns the member
 * test does not read once the test is done.
 */
export class MemoryPairStore implements PairStore {
  readonly keepsPartitions = true;
  readonly takesEveryPartition = true;
  /** Chunks handed over (one per non-empty partition unless a budget made the kernel spill early). */
  chunks = 0;
  private readonly partitions = new Map<number, PairTable[]>();
  private readonly kept = new Map<number, PairTable>();
  private handles = 0;

  spill(partition: number, chunk: PairTable): void {
    const list = this.partitions.get(partition);
    if (list === undefined) this.partitions.set(partition, [chunk]);
    else list.push(chunk);
    this.chunks++;
  }

  take(partition: number): PairTable[] {
    const list = this.partitions.get(partition) ?? [];
    this.partitions.delete(partition);
    return list;
  }

  held(): number[] {
    return [...this.partitions.keys()].sort((x, y) => x - y);
  }

  keep(table: PairTable): number {
    const handle = this.handles++;
    this.kept.set(handle, table);
    return handle;
  }

  load(handle: number): PairTable {
    const table = this.kept.get(handle);
    if (table === undefined) throw new LockstepError('detect/bad-input', `pair store: no table under handle ${handle}`);
    return table;
  }

  drop(handle: number): void {
    this.kept.delete(handle);
  }

  /** Keeps only a, b and shared of every kept table (what the member test reads back). */
  slim(): void {
    const none = emptyPairTable(0);
    for (const [handle, table] of this.kept) this.kept.set(handle, { ...none, a: table.a, b: table.b, shared: table.shared, size: table.size });
  }
}

/** Largest result table: every output column stays below 2^30 elements. */
export const MAX_RESULT_PAIRS = 2 ** 30 - 1;
/** Buffered co-actions across all partitions (about 3.5 MB), split evenly. */
const BUFFERED = 1 << 17;
/**
 * Values per entry: a 32-byte record, [idf, sumDelta] as Float64 and [shared, coActions, last key]
 * as Int32 over the same bytes (one unused Int32), so updating an entry touches one cache line
 * (a 40-byte record of five Float64 straddled two lines half the time) and a pair costs 32 bytes
 * of values, not 40.
 */
const RECORD_BYTES = 32;
const FLOATS = RECORD_BYTES / 8, INTS = RECORD_BYTES / 4;
const IDF = 0, SUM_DELTA = 1;
const SHARED = 4, CO_ACTIONS = 5, LAST_KEY = 6;
/**
 * The value records grow by half (not by doubling with the index's capacity): at most about a
 * third of them are unused, where doubling left up to half.
 */
const GROWTH = 1.5;

/** One partition: pair index and per entry a record of [shared, idf, coActions, sumDelta, last key]. */
export class PairAccumulator {
  readonly index: PairIndex;
  private floats: Float64Array;
  private ints: Int32Array;
  private records: number;

  constructor(initialCapacity = 1024) {
    this.index = new PairIndex(initialCapacity);
    this.records = Math.max(8, Math.min(this.index.capacity, initialCapacity));
    [this.floats, this.ints] = newValues(this.records);
  }

  get size(): number {
    return this.index.size;
  }

  /** One co-action of (a, b) on `key` with delay `delta`; keys must come in increasing order. */
  coAct(a: number, b: number, key: number, idf: number, delta: number): void {
    const e = this.entry(a, b);
    const floats = this.floats;
    const ints = this.ints;
    const f = e * FLOATS, i = e * INTS;
    if (ints[i + LAST_KEY] !== key) {
      ints[i + LAST_KEY] = key;
      ints[i + SHARED] = ints[i + SHARED]! + 1;
      floats[f + IDF] = floats[f + IDF]! + idf;
    }
    ints[i + CO_ACTIONS] = ints[i + CO_ACTIONS]! + 1;
    floats[f + SUM_DELTA] = floats[f + SUM_DELTA]! + delta;
  }

  /** Adds already aggregated weights (a spilled chunk's row). */
  merge(a: number, b: number, shared: number, idf: number, coActions: number, sumDelta: number): void {
    const e = this.entry(a, b);
    const floats = this.floats;
    const ints = this.ints;
    const f = e * FLOATS, i = e * INTS;
    ints[i + SHARED] = ints[i + SHARED]! + shared;
    floats[f + IDF] = floats[f + IDF]! + idf;
    ints[i + CO_ACTIONS] = ints[i + CO_ACTIONS]! + coActions;
    floats[f + SUM_DELTA] = floats[f + SUM_DELTA]! + sumDelta;
  }

  /**
   * Copies the pairs into `target` from row `offset` on; returns the rows written. With `grouped`,
   * rows go out grouped by `a` ascending (a counting sort over the partition's range of `a`, in
   * entry order within one `a`).
   */
  copyTo(target: PairTable, offset: number, grouped = false): number {
    const keys = this.index.keys;
    const floats = this.floats;
    const ints = this.ints;
    const n = this.index.size;
    let firstA = 0, next: Int32Array | null = null;
    if (grouped && n > 0) {
      let lastA = (firstA = keys[0]!);
      for (let e = 1; e < n; e++) [firstA, lastA] = [Math.min(firstA, keys[2 * e]!), Math.max(lastA, keys[2 * e]!)];
      const span = lastA - firstA + 1;
      next = new Int32Array(span + 1);
      for (let e = 0; e < n; e++) next[keys[2 * e]! - firstA + 1]!++;
      next[0] = offset;
      for (let x = 0; x < span; x++) next[x + 1]! += next[x]!;
    }
    for (let e = 0; e < n; e++) {
      const row = next === null ? offset + e : next[keys[2 * e]! - firstA]!++;
      const f = e * FLOATS, i = e * INTS;
      target.a[row] = keys[2 * e]!;
      target.b[row] = keys[2 * e + 1]!;
      target.shared[row] = ints[i + SHARED]!;
      target.idf[row] = floats[f + IDF]!;
      target.coActions[row] = ints[i + CO_ACTIONS]!;
      target.sumDelta[row] = floats[f + SUM_DELTA]!;
    }
    return n;
  }

  toPairTable(): PairTable {
    const table = emptyPairTable(this.index.size);
    this.copyTo(table, 0);
    return table;
  }

  clear(): void {
    [this.floats, this.ints] = newValues(this.records);
    this.index.clear();
  }

  private entry(a: number, b: number): number {
    const e = this.index.entryOf(a, b);
    if (e >= this.records) {
      const records = Math.max(e + 1, Math.min(this.index.capacity, Math.ceil(this.records * GROWTH)));
      const [floats, ints] = newValues(records);
      ints.set(this.ints);
      this.floats = floats;
      this.ints = ints;
      this.records = records;
    }
    return e;
  }
}

/** Value records for `records` entries over one buffer, every last key -1 (no key yet). */
function newValues(records: number): [Float64Array, Int32Array] {
  const buffer = new ArrayBuffer(records * RECORD_BYTES);
  const ints = new Int32Array(buffer);
  for (let i = LAST_KEY; i < ints.length; i += INTS) ints[i] = -1;
  return [new Float64Array(buffer), ints];
}

function checkResultSize(total: number): void {
  if (total > MAX_RESULT_PAIRS) {
    throw new LockstepError(
      'detect/bad-input',
      `co-action kernel: ${total} distinct pairs exceed one result table (${MAX_RESULT_PAIRS}). ` +
        'Lower maxPartnersPerEvent or the window, or split the trace by time.',
    );
  }
}

/** A pair table with room for `size` rows, all zero. */
export function emptyPairTable(size: number): PairTable {
  return {
    a: new Int32Array(size),
    b: new Int32Array(size),
    shared: new Int32Array(size),
    idf: new Float64Array(size),
    coActions: new Int32Array(size),
    sumDelta: new Float64Array(size),
    size,
  };
}

export class PartitionedPairs {
  /** Chunks handed to the sink so far. */
  spilledChunks = 0;
  private readonly tables: PairAccumulator[];
  private readonly shift: number;
  private readonly fill: Int32Array;
  /** Per buffered co-action: a, b, key. */
  private readonly bufInts: Int32Array;
  /** Per buffered co-action: idf of the key, delay. */
  private readonly bufFloats: Float64Array;
  private readonly buffer: number;
  private readonly budget: number;
  private readonly overBudget: number[] = [];
  /** With `firstActors`: 1 / firstActors, and a partition is a range of `a` (see coAct); else 0 (a pair hash). */
  private readonly perActor: number;

  /**
   * `partitions` must be a power of two (the kernel validates options); `expectedPairs` presizes
   * the partitions (an estimate: they grow as needed). `firstActors` > 0 (every `a` below it)
   * partitions by ranges of `a`, so `finish` gives the pairs grouped by `a` ascending.
   */
  constructor(partitions: number, private readonly sink: PairSink | null = null, maxPairsInMemory = Infinity, expectedPairs = 0, firstActors = 0) {
    this.perActor = firstActors > 0 ? 1 / firstActors : 0;
    // Presize for the estimate, but never more than 2^22 entries (about 230 MB) in all up front.
    const perPartition = Math.min(2 ** 22 / partitions, Math.ceil(expectedPairs / partitions));
    this.tables = Array.from({ length: partitions }, () => new PairAccumulator(Math.max(64, perPartition)));
    this.shift = 32 - Math.log2(partitions);
    this.fill = new Int32Array(partitions);
    this.buffer = Math.max(64, Math.min(1024, BUFFERED / partitions));
    this.bufInts = new Int32Array(partitions * this.buffer * 3);
    this.bufFloats = new Float64Array(partitions * this.buffer * 2);
    this.budget = Math.max(1, Math.floor(maxPairsInMemory / partitions));
  }

  /** One co-action of a < b on `key`; keys must come in increasing order across calls. */
  coAct(a: number, b: number, key: number, idf: number, delta: number): void {
    // `h >>> 32` is `h >>> 0` in JavaScript, hence the explicit single-partition case.
    // By ranges of `a`: a pair's `a` is the smaller id, so about (N - a) of them fall on each `a`;
    // P (1 - (1 - a / N)^2) gives each partition about as many (equal ranges gave the first 2x).
    const p = this.perActor > 0 ? this.rangeOf(a) : this.shift === 32 ? 0 : partitionHash(a, b) >>> this.shift;
    const slot = p * this.buffer + this.fill[p]!;
    this.bufInts[3 * slot] = a;
    this.bufInts[3 * slot + 1] = b;
    this.bufInts[3 * slot + 2] = key;
    this.bufFloats[2 * slot] = idf;
    this.bufFloats[2 * slot + 1] = delta;
    if (++this.fill[p]! === this.buffer) this.flush(p);
  }

  private rangeOf(a: number): number {
    const rest = 1 - a * this.perActor;
    return Math.min(this.tables.length - 1, Math.floor(this.tables.length * (1 - rest * rest)));
  }

  /** Marks the end of a key: partitions over budget are spilled now, so no key straddles chunks. */
  endKey(): void {
    while (this.overBudget.length > 0) {
      const p = this.overBudget.pop()!;
      this.flush(p, false);
      const table = this.tables[p]!;
      this.sink!.spill(p, table.toPairTable());
      table.clear();
      this.spilledChunks++;
    }
  }

  /**
   * Applies every buffer, merges spilled chunks back and returns all pairs, partition by partition;
   * with a PairStore that keeps partitions, once anything was spilled, spills the rest too and
   * returns an empty table.
   */
  finish(): PairTable {
    if (keepsPartitions(this.sink) && this.spilledChunks === 0 && this.sink.takesEveryPartition === true) return this.handOver(this.sink);
    if (keepsPartitions(this.sink) && this.spilledChunks > 0) {
      for (let p = 0; p < this.tables.length; p++) {
        this.flush(p, false);
        const table = this.tables[p]!;
        if (table.size > 0) {
          this.sink.spill(p, table.toPairTable());
          this.spilledChunks++;
        }
        this.tables[p] = new PairAccumulator(8);
      }
      return emptyPairTable(0);
    }
    for (let p = 0; p < this.tables.length; p++) {
      this.flush(p, false);
      const table = this.tables[p]!;
      if (this.sink !== null) {
        for (const chunk of this.sink.take(p)) {
          for (let r = 0; r < chunk.size; r++) {
            table.merge(chunk.a[r]!, chunk.b[r]!, chunk.shared[r]!, chunk.idf[r]!, chunk.coActions[r]!, chunk.sumDelta[r]!);
          }
        }
      }
    }
    let total = 0;
    for (const table of this.tables) total += table.size;
    checkResultSize(total);
    const out = emptyPairTable(total);
    let offset = 0;
    for (let p = 0; p < this.tables.length; p++) {
      offset += this.tables[p]!.copyTo(out, offset, this.perActor > 0);
      this.tables[p] = new PairAccumulator(8); // release the partition's memory early
    }
    return out;
  }

  /**
   * Every partition to `store` as views of one table of all pairs: one large block the allocator
   * maps and unmaps whole (partition-sized tables were left in the C heap, which kept their memory
   * after they were freed and the later stages piled on it).
   */
  private handOver(store: PairStore): PairTable {
    let total = 0;
    for (let p = 0; p < this.tables.length; p++) {
      this.flush(p, false);
      total += this.tables[p]!.size;
    }
    checkResultSize(total);
    const block = emptyPairTable(total);
    let offset = 0;
    for (let p = 0; p < this.tables.length; p++) {
      const size = this.tables[p]!.copyTo(block, offset);
      this.tables[p] = new PairAccumulator(8);
      if (size === 0) continue;
      const end = offset + size;
      store.spill(p, {
        a: block.a.subarray(offset, end), b: block.b.subarray(offset, end), shared: block.shared.subarray(offset, end),
        idf: block.idf.subarray(offset, end), coActions: block.coActions.subarray(offset, end), sumDelta: block.sumDelta.subarray(offset, end), size,
      });
      this.spilledChunks++;
      offset = end;
    }
    return emptyPairTable(0);
  }

  private flush(p: number, watchBudget = true): void {
    const n = this.fill[p]!;
    const table = this.tables[p]!;
    const ints = this.bufInts;
    const floats = this.bufFloats;
    for (let slot = p * this.buffer, end = slot + n; slot < end; slot++) {
      table.coAct(ints[3 * slot]!, ints[3 * slot + 1]!, ints[3 * slot + 2]!, floats[2 * slot]!, floats[2 * slot + 1]!);
    }
    this.fill[p] = 0;
    if (watchBudget && this.sink !== null && table.size > this.budget && !this.overBudget.includes(p)) this.overBudget.push(p);
  }
}
