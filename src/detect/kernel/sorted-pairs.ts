/**
 * The kernel's pairs grouped by the first actor without a hash table (KernelOptions.pairsBySort):
 * each co-action is appended as a record (a, b, key, delay) to flat typed arrays, and `finish`
 * counting-sorts the records by `a` (stable, so one `a`'s records stay in co-action order) and
 * reduces each `a`'s records with arrays indexed by `b`. A pair's row is made at its first
 * co-action and its sums add the same values in the same order as PairAccumulator.coAct adds them
 * (shared keys and IDF when the key changes, every co-action's delay), so the rows, their sums bit
 * for bit and their order (by `a`, then by first co-action) are those of PartitionedPairs grouped
 * by `a`. Appending costs a few sequential writes per co-action where the hash path probed a table.
 */
import { LockstepError } from '../../model/index.js';
import { emptyPairTable } from './partitioned-pairs.js';
import type { PairTable } from './types.js';

/**
 * Most co-action records one kernel call collects (the kernel's estimate, an upper bound of its
 * co-actions, decides before the first one): 2^24 records are 320 MB of records and about as much
 * again while they are sorted; larger traces take the hash tables, which hold distinct pairs only.
 */
export const MAX_SORTED_RECORDS = 2 ** 24;

export class SortedPairs {
  /** Never spills (the kernel takes this path only without a sink). */
  readonly spilledChunks = 0;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly key: Int32Array;
  private readonly delta: Float64Array;
  /** The IDF of each key, as the kernel passed it with the key's co-actions. */
  private readonly idfOfKey: Float64Array;
  private size = 0;

  /** Every `a` and `b` below `actors`, every key below `keys`; at most `maxRecords` co-actions (≤ MAX_SORTED_RECORDS). */
  constructor(private readonly actors: number, keys: number, maxRecords: number) {
    if (maxRecords > MAX_SORTED_RECORDS) throw new LockstepError('detect/bad-input', `sorted pairs: ${maxRecords} records exceed ${MAX_SORTED_RECORDS}`);
    this.a = new Int32Array(maxRecords);
    this.b = new Int32Array(maxRecords);
    this.key = new Int32Array(maxRecords);
    this.delta = new Float64Array(maxRecords);
    this.idfOfKey = new Float64Array(keys);
  }

  /** One co-action of a < b on `key`; keys must come in increasing order across calls. */
  coAct(a: number, b: number, key: number, idf: number, delta: number): void {
    const r = this.size++;
    this.a[r] = a;
    this.b[r] = b;
    this.key[r] = key;
    this.delta[r] = delta;
    this.idfOfKey[key] = idf;
  }

  /** Nothing to do at a key's end: nothing spills. */
  endKey(): void {}

  /** All pairs, grouped by `a` ascending, within one `a` in the order of their first co-action. */
  finish(): PairTable {
    const n = this.size, actors = this.actors;
    // Counting sort by a: start[a] is the first slot of a's records.
    const start = new Int32Array(actors + 1);
    for (let r = 0; r < n; r++) start[this.a[r]! + 1]!++;
    for (let x = 0; x < actors; x++) start[x + 1]! += start[x]!;
    const next = start.slice(0, actors);
    const byB = new Int32Array(n), byKey = new Int32Array(n), byDelta = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const slot = next[this.a[r]!]!++;
      byB[slot] = this.b[r]!;
      byKey[slot] = this.key[r]!;
      byDelta[slot] = this.delta[r]!;
    }
    // Per b while one a is reduced: mark a + 1 if (a, b) has a row, its row and its last key.
    const mark = new Int32Array(actors), rowOf = new Int32Array(actors), lastKey = new Int32Array(actors);
    const out = emptyPairTable(n);
    const idfOfKey = this.idfOfKey;
    let rows = 0;
    for (let a = 0; a < actors; a++) {
      const end = start[a + 1]!;
      for (let s = start[a]!; s < end; s++) {
        const b = byB[s]!, key = byKey[s]!;
        if (mark[b] !== a + 1) {
          mark[b] = a + 1;
          const row = rows++;
          rowOf[b] = row;
          lastKey[b] = key;
          out.a[row] = a;
          out.b[row] = b;
          out.shared[row] = 1;
          out.idf[row] = 0 + idfOfKey[key]!;
          out.coActions[row] = 1;
          out.sumDelta[row] = 0 + byDelta[s]!;
          continue;
        }
        const row = rowOf[b]!;
        if (lastKey[b] !== key) {
          lastKey[b] = key;
          out.shared[row]!++;
          out.idf[row]! += idfOfKey[key]!;
        }
        out.coActions[row]!++;
        out.sumDelta[row]! += byDelta[s]!;
      }
    }
    return rows === n ? out : trimmed(out, rows);
  }
}

/** The first `size` rows of `table` in arrays of their own length. */
function trimmed(table: PairTable, size: number): PairTable {
  return {
    a: table.a.slice(0, size), b: table.b.slice(0, size), shared: table.shared.slice(0, size), idf: table.idf.slice(0, size),
    coActions: table.coActions.slice(0, size), sumDelta: table.sumDelta.slice(0, size), size,
  };
}
