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
 * boundary (so no key straddles two chunks) and cleared; `finish` merges chunks back by summing.
 */
import { LockstepError } from '../../model/index.js';
import { PairIndex, partitionHash } from './pair-index.js';
import type { PairSink, PairTable } from './types.js';

/** Largest result table: every output column stays below 2^30 elements. */
export const MAX_RESULT_PAIRS = 2 ** 30 - 1;
const BUFFER = 512;
/** Values per entry: shared, idf, coActions, sumDelta. */
const WIDTH = 4;

/** One partition: pair index, value columns [shared, idf, coActions, sumDelta] and last key per entry. */
export class PairAccumulator {
  readonly index: PairIndex;
  private values: Float64Array;
  private lastKey: Int32Array;

  constructor(initialCapacity = 1024) {
    this.index = new PairIndex(initialCapacity);
    this.values = new Float64Array(this.index.capacity * WIDTH);
    this.lastKey = new Int32Array(this.index.capacity).fill(-1);
  }

  get size(): number {
    return this.index.size;
  }

  /** One co-action of (a, b) on `key` with delay `delta`; keys must come in increasing order. */
  coAct(a: number, b: number, key: number, idf: number, delta: number): void {
    const e = this.entry(a, b);
    const v = e * WIDTH;
    const values = this.values;
    if (this.lastKey[e] !== key) {
      this.lastKey[e] = key;
      values[v] = values[v]! + 1;
      values[v + 1] = values[v + 1]! + idf;
    }
    values[v + 2] = values[v + 2]! + 1;
    values[v + 3] = values[v + 3]! + delta;
  }

  /** Adds already aggregated weights (a spilled chunk's row). */
  merge(a: number, b: number, shared: number, idf: number, coActions: number, sumDelta: number): void {
    const v = this.entry(a, b) * WIDTH;
    const values = this.values;
    values[v] = values[v]! + shared;
    values[v + 1] = values[v + 1]! + idf;
    values[v + 2] = values[v + 2]! + coActions;
    values[v + 3] = values[v + 3]! + sumDelta;
  }

  /** Copies the pairs into `target` from row `offset` on; returns the rows written. */
  copyTo(target: PairTable, offset: number): number {
    const keys = this.index.keys;
    const values = this.values;
    const n = this.index.size;
    for (let e = 0; e < n; e++) {
      const row = offset + e;
      const v = e * WIDTH;
      target.a[row] = keys[2 * e]!;
      target.b[row] = keys[2 * e + 1]!;
      target.shared[row] = values[v]!;
      target.idf[row] = values[v + 1]!;
      target.coActions[row] = values[v + 2]!;
      target.sumDelta[row] = values[v + 3]!;
    }
    return n;
  }

  toPairTable(): PairTable {
    const table = emptyPairTable(this.index.size);
    this.copyTo(table, 0);
    return table;
  }

  clear(): void {
    this.values.fill(0, 0, this.index.size * WIDTH);
    this.lastKey.fill(-1, 0, this.index.size);
    this.index.clear();
  }

  private entry(a: number, b: number): number {
    const e = this.index.entryOf(a, b);
    const capacity = this.index.capacity;
    if (capacity > this.lastKey.length) {
      const values = new Float64Array(capacity * WIDTH);
      values.set(this.values);
      this.values = values;
      const lastKey = new Int32Array(capacity).fill(-1);
      lastKey.set(this.lastKey);
      this.lastKey = lastKey;
    }
    return e;
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
  private readonly budget: number;
  private readonly overBudget: number[] = [];

  /** `partitions` must be a power of two (the kernel validates options). */
  constructor(partitions: number, private readonly sink: PairSink | null = null, maxPairsInMemory = Infinity) {
    this.tables = Array.from({ length: partitions }, () => new PairAccumulator());
    this.shift = 32 - Math.log2(partitions);
    this.fill = new Int32Array(partitions);
    this.bufInts = new Int32Array(partitions * BUFFER * 3);
    this.bufFloats = new Float64Array(partitions * BUFFER * 2);
    this.budget = Math.max(1, Math.floor(maxPairsInMemory / partitions));
  }

  /** One co-action of a < b on `key`; keys must come in increasing order across calls. */
  coAct(a: number, b: number, key: number, idf: number, delta: number): void {
    // `h >>> 32` is `h >>> 0` in JavaScript, hence the explicit single-partition case.
    const p = this.shift === 32 ? 0 : partitionHash(a, b) >>> this.shift;
    const slot = p * BUFFER + this.fill[p]!;
    this.bufInts[3 * slot] = a;
    this.bufInts[3 * slot + 1] = b;
    this.bufInts[3 * slot + 2] = key;
    this.bufFloats[2 * slot] = idf;
    this.bufFloats[2 * slot + 1] = delta;
    if (++this.fill[p]! === BUFFER) this.flush(p);
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

  /** Applies every buffer, merges spilled chunks back and returns all pairs, partition by partition. */
  finish(): PairTable {
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
    if (total > MAX_RESULT_PAIRS) {
      throw new LockstepError(
        'detect/bad-input',
        `co-action kernel: ${total} distinct pairs exceed one result table (${MAX_RESULT_PAIRS}). ` +
          'Lower maxPartnersPerEvent or the window, or split the trace by time.',
      );
    }
    const out = emptyPairTable(total);
    let offset = 0;
    for (let p = 0; p < this.tables.length; p++) {
      offset += this.tables[p]!.copyTo(out, offset);
      this.tables[p] = new PairAccumulator(8); // release the partition's memory early
    }
    return out;
  }

  private flush(p: number, watchBudget = true): void {
    const n = this.fill[p]!;
    const table = this.tables[p]!;
    const ints = this.bufInts;
    const floats = this.bufFloats;
    for (let slot = p * BUFFER, end = slot + n; slot < end; slot++) {
      table.coAct(ints[3 * slot]!, ints[3 * slot + 1]!, ints[3 * slot + 2]!, floats[2 * slot]!, floats[2 * slot + 1]!);
    }
    this.fill[p] = 0;
    if (watchBudget && this.sink !== null && table.size > this.budget && !this.overBudget.includes(p)) this.overBudget.push(p);
  }
}
