/**
 * The kernel's pairs grouped by the first actor without a hash table (KernelOptions.pairsBySort):
 * each co-action is appended as a record (a, b, key, delay) to flat typed arrays, and `finish`
 * counting-sorts the records by `a` (stable, so one `a`'s records stay in co-action order) and
 * reduces each `a`'s records with arrays indexed by `b`. A pair's row is made at its first
 * co-action and its sums add the same values in the same order as PairAccumulator.coAct adds them
 * (shared keys and IDF when the key changes, every co-action's delay), so the rows, their sums bit
 * for bit and their order (by `a`, then by first co-action) are those of PartitionedPairs grouped
 * by `a`. Appending costs a few sequential writes per co-action where the hash path probed a table.
 *
 * The records, their sorted copies and the per-account arrays are working space that one thread's
 * calls reuse (a stream worker finishes its partitions one after another): fresh typed arrays of a
 * partition's size (36 bytes a co-action) cost a page fault every 4 KB and the collector's
 * external-memory GCs, about a third of a later partition's finish (session 17).
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

/** Working space of one SortedPairs; lengths are capacities (only the first records/actors/keys are used). */
interface Space {
  a: Int32Array;
  b: Int32Array;
  key: Int32Array;
  delta: Float64Array;
  byB: Int32Array;
  byKey: Int32Array;
  byDelta: Float64Array;
  /** Per actor (+ 1): the counting sort's starts, then the reduction's marks, rows and last keys. */
  start: Int32Array;
  next: Int32Array;
  mark: Int32Array;
  rowOf: Int32Array;
  lastKey: Int32Array;
  /** The IDF of each key, as the kernel passed it with the key's co-actions. */
  idfOfKey: Float64Array;
}

const emptySpace = (): Space => ({
  a: new Int32Array(0), b: new Int32Array(0), key: new Int32Array(0), delta: new Float64Array(0), byB: new Int32Array(0), byKey: new Int32Array(0),
  byDelta: new Float64Array(0), start: new Int32Array(0), next: new Int32Array(0), mark: new Int32Array(0), rowOf: new Int32Array(0), lastKey: new Int32Array(0),
  idfOfKey: new Float64Array(0),
});

/**
 * The thread's working space between calls; null while a SortedPairs holds it (another made
 * meanwhile gets its own). It lives as long as the thread: a bounded job's worker is a process of
 * its own, a finish pool's threads end with the pool, and a continuous worker finishes slice after
 * slice of like size.
 */
let idle: Space | null = emptySpace();

/** A capacity of at least `needed`: what is there, or a quarter more than asked, so a slightly larger partition next does not allocate again. */
const room = (have: number, needed: number): number => (needed <= have ? have : Math.ceil(needed * 1.25));

/** Space for `records` co-actions of `actors` accounts on `keys` keys, reusing the idle space's arrays where large enough. */
function takeSpace(records: number, actors: number, keys: number): Space {
  const space = idle ?? emptySpace();
  idle = null;
  const r = room(space.a.length, records);
  if (r !== space.a.length) {
    Object.assign(space, { a: new Int32Array(r), b: new Int32Array(r), key: new Int32Array(r), delta: new Float64Array(r), byB: new Int32Array(r), byKey: new Int32Array(r), byDelta: new Float64Array(r) });
  }
  const n = room(space.start.length, actors + 1);
  if (n !== space.start.length) Object.assign(space, { start: new Int32Array(n), next: new Int32Array(n), mark: new Int32Array(n), rowOf: new Int32Array(n), lastKey: new Int32Array(n) });
  if (keys > space.idfOfKey.length) space.idfOfKey = new Float64Array(room(space.idfOfKey.length, keys));
  return space;
}

export class SortedPairs {
  /** Never spills (the kernel takes this path only without a sink). */
  readonly spilledChunks = 0;
  private readonly space: Space;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly key: Int32Array;
  private readonly delta: Float64Array;
  private readonly idfOfKey: Float64Array;
  private size = 0;

  /** Every `a` and `b` below `actors`, every key below `keys`; at most `maxRecords` co-actions (≤ MAX_SORTED_RECORDS). */
  constructor(private readonly actors: number, keys: number, maxRecords: number) {
    if (maxRecords > MAX_SORTED_RECORDS) throw new LockstepError('detect/bad-input', `sorted pairs: ${maxRecords} records exceed ${MAX_SORTED_RECORDS}`);
    this.space = takeSpace(maxRecords, actors, keys);
    ({ a: this.a, b: this.b, key: this.key, delta: this.delta, idfOfKey: this.idfOfKey } = this.space);
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

  /**
   * All pairs, grouped by `a` ascending, within one `a` in the order of their first co-action. The
   * columns are as long as the co-actions (rows are fewer when pairs repeat; PairTable's readers
   * take `size`). Hands the working space back for the next call.
   */
  finish(): PairTable {
    const n = this.size, actors = this.actors, space = this.space;
    const { start, next, mark, rowOf, lastKey, byB, byKey, byDelta } = space;
    // Counting sort by a: start[a] is the first slot of a's records.
    start.fill(0, 0, actors + 1);
    for (let r = 0; r < n; r++) start[this.a[r]! + 1]!++;
    for (let x = 0; x < actors; x++) start[x + 1]! += start[x]!;
    next.set(start.subarray(0, actors));
    for (let r = 0; r < n; r++) {
      const slot = next[this.a[r]!]!++;
      byB[slot] = this.b[r]!;
      byKey[slot] = this.key[r]!;
      byDelta[slot] = this.delta[r]!;
    }
    // Per b while one a is reduced: mark a + 1 if (a, b) has a row, its row and its last key.
    mark.fill(0, 0, actors);
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
    if (idle === null) idle = space;
    out.size = rows;
    return out;
  }
}
