/**
 * The coordinator's sum of the partials' pair rows (distributed.ts assemblePartials).
 */
import { PairIndex } from '../detect/kernel/index.js';
import { partitionHash } from '../detect/kernel/pair-index.js';
import type { PairTable } from '../detect/kernel/index.js';
import { grownF64, grownI32 } from './int-table.js';
import type { PartialPairs } from './trace-window.js';

export interface SumPairsOptions {
  /** Rows per bucket (about): a bucket's index and sums stay in cache. */
  bucketRows: number;
  /**
   * Pairs whose summed shared keys are below this are counted but left out of the table (0: none
   * left out). The null model tests only pairs with at least minShared, and reads the rest only
   * through the actors' strengths and the count of pairs tested, which `sumCandidatePairs` gives.
   */
  minShared: number;
  /**
   * Arrays of a job account each, kept across the traces of one merge (`MergeBuffers`): each
   * trace's own made ~55 MB of external memory, and at a firehose's 1.16M accounts V8 answered
   * that pressure with a full mark-compact of the heap's millions of labels every trace or two.
   */
  buffers?: MergeBuffers;
}

export const SUM_PAIRS_DEFAULTS: Readonly<SumPairsOptions> = Object.freeze({ bucketRows: 8_192, minShared: 0 });

/**
 * A merge's per-account arrays, made once for `actorCount` accounts and reset by each merge that
 * takes them. `strength` is the merge's output: read it before the next merge over these buffers.
 */
export class MergeBuffers {
  readonly strength: Float64Array<ArrayBuffer>;
  /** mergeRuns' per partner: the a it was last counted for, beside its summed shared keys. */
  readonly partner: Int32Array<ArrayBuffer>;
  readonly rowFor: Int32Array<ArrayBuffer>;
  readonly rowOf: Int32Array<ArrayBuffer>;
  #local: Float64Array<ArrayBuffer> = new Float64Array(0);

  constructor(readonly actorCount: number) {
    this.strength = new Float64Array(actorCount);
    this.partner = new Int32Array(2 * actorCount);
    this.rowFor = new Int32Array(actorCount);
    this.rowOf = new Int32Array(actorCount);
  }

  /** A zeroed Float64Array of `length` (a source's own accounts), the same memory each time it fits. */
  local(length: number): Float64Array {
    if (this.#local.length < length) this.#local = new Float64Array(Math.max(length, 2 * this.#local.length));
    return this.#local.fill(0, 0, length).subarray(0, length);
  }
}

/**
 * The coordinator's merge for the null model: the pairs that can pass it (summed shared keys >=
 * `minShared`), in the order and with the sums `sumPairs` gives them, the count of distinct pairs
 * (the tests the false discovery rate counts) and each actor's strength Σ shared over every pair
 * (exact: sums of whole numbers). On the bench's feed 3,842 of 982,080 pairs have 2 shared keys or
 * more: the rest need no output row and no test.
 */
export function sumCandidatePairs(inputs: readonly ({ pairs: PartialPairs; global: Int32Array } | null)[], logN: number, actorCount: number, options: Partial<SumPairsOptions> & Pick<SumPairsOptions, 'minShared'>): { pairs: PairTable; distinct: number; strength: Float64Array } {
  const buffers = options.buffers !== undefined && options.buffers.actorCount >= actorCount ? options.buffers : null;
  const strength = buffers === null ? new Float64Array(actorCount) : buffers.strength.fill(0).subarray(0, actorCount);
  const { table, distinct } = sumRows(inputs, logN, { ...SUM_PAIRS_DEFAULTS, ...options }, strength, buffers);
  return { pairs: table, distinct, strength };
}

/**
 * The partials' rows of one trace (`global` maps a partial's account ids to the job's) summed by
 * pair (a < b) into a pair table, with the IDF from Σ ln n_k and `logN`. Rows are first scattered into buckets by a hash of the pair (a
 * bucket holds about `bucketRows`), then each bucket is summed in a small PairIndex: one
 * index over every row missed the cache on each probe and each sum (0.55-0.67 s for 991k rows).
 * Within a bucket, rows keep the partitions' order, so each sum adds in the same order as before.
 */
export function sumPairs(inputs: readonly ({ pairs: PartialPairs; global: Int32Array } | null)[], logN: number, options?: Partial<SumPairsOptions>): PairTable {
  return sumRows(inputs, logN, { ...SUM_PAIRS_DEFAULTS, ...options }, null).table;
}

type Source = { pairs: PartialPairs; global: Int32Array };

function sumRows(inputs: readonly (Source | null)[], logN: number, options: SumPairsOptions, strength: Float64Array | null, buffers: MergeBuffers | null = null): { table: PairTable; distinct: number } {
  const sources = inputs.filter((input) => input !== null);
  return groupedByFirst(sources) ? mergeRuns(sources, logN, options.minShared, strength, buffers) : sumInBuckets(sources, logN, options, strength);
}

/**
 * Whether every source's rows come grouped by the pair's smaller job id, ascending (what workers
 * write since session 14: sorted-partial.ts). Older partials, and any whose accounts do not map
 * onto the job's in order, take the bucket sum.
 */
function groupedByFirst(sources: readonly Source[]): boolean {
  for (const { pairs, global } of sources) {
    for (let row = 0, last = 0; row < pairs.size; row++) {
      const x = global[pairs.a[row]!]!, y = global[pairs.b[row]!]!;
      const a = x < y ? x : y;
      if (a < last) return false;
      last = a;
    }
  }
  return true;
}

/**
 * The sum over sources grouped by first account: for each job account a in turn, every source's
 * run of rows with a, twice: first each partner's summed shared keys (a stamp per partner, no
 * hashing), then the float sums of the partners kept. Rows are read in input order within a run,
 * so every sum adds in the same order as the bucket sum's, and the same pairs are kept.
 */
function mergeRuns(sources: readonly Source[], logN: number, minShared: number, strength: Float64Array | null, buffers: MergeBuffers | null): { table: PairTable; distinct: number } {
  let actorCount = 0, rowsIn = 0;
  for (const { pairs, global } of sources) {
    rowsIn += pairs.size;
    for (let i = 0; i < global.length; i++) actorCount = Math.max(actorCount, global[i]! + 1);
  }
  const keepAll = minShared <= 1;
  const out = new GrowingPairs(keepAll ? rowsIn : 1_024);
  // Per partner b of the current a: the a it was last counted for (at 2b) beside its summed shared
  // keys (2b + 1), so a random b costs one cache miss, not two; and its output row.
  const reuse = buffers !== null && buffers.actorCount >= actorCount;
  const partner = (reuse ? buffers.partner.subarray(0, 2 * actorCount) : new Int32Array(2 * actorCount)).fill(-1);
  const rowFor = (reuse ? buffers.rowFor.subarray(0, actorCount) : new Int32Array(actorCount)).fill(-1);
  const rowOf = reuse ? buffers.rowOf : new Int32Array(actorCount);
  const from = new Int32Array(sources.length), to = new Int32Array(sources.length);
  // Each source's first account of its next run (NONE: no rows left), so a goes straight to the
  // next account with rows and each source is passed over with one compare: at a firehose's
  // cardinality (1.16M accounts, 8 sources a trace) stepping every a through every source's next
  // row cost as much as the rows.
  const NONE = 0x7fffffff, next = new Int32Array(sources.length);
  sources.forEach(({ pairs, global }, s) => {
    next[s] = pairs.size === 0 ? NONE : Math.min(global[pairs.a[0]!]!, global[pairs.b[0]!]!);
  });
  let distinct = 0;
  for (let a = lowest(next); a < actorCount; a = lowest(next)) {
    // Whether any partner of a reaches minShared: on the bench's feed few pairs do, and the kept
    // rows' pass is skipped for every other a (it read each of a's rows a second time).
    let anyKept = keepAll;
    for (let s = 0; s < sources.length; s++) {
      if (next[s] !== a) {
        to[s] = from[s]!;
        continue;
      }
      const { pairs, global } = sources[s]!;
      let row = from[s]!;
      next[s] = NONE;
      for (; row < pairs.size; row++) {
        const x = global[pairs.a[row]!]!, y = global[pairs.b[row]!]!;
        if ((x < y ? x : y) !== a) {
          next[s] = x < y ? x : y;
          break;
        }
        const b = x < y ? y : x, shared = pairs.shared[row]!;
        let summed = shared;
        if (partner[2 * b] !== a) {
          partner[2 * b] = a;
          distinct++;
        } else summed += partner[2 * b + 1]!;
        partner[2 * b + 1] = summed;
        if (summed >= minShared) anyKept = true;
      }
      to[s] = row;
    }
    if (!anyKept) {
      from.set(to);
      continue;
    }
    for (let s = 0; s < sources.length; s++) {
      const { pairs, global } = sources[s]!;
      for (let row = from[s]!; row < to[s]!; row++) {
        const x = global[pairs.a[row]!]!, y = global[pairs.b[row]!]!;
        const b = x < y ? y : x;
        if (!keepAll && partner[2 * b + 1]! < minShared) continue;
        if (rowFor[b] !== a) {
          rowFor[b] = a;
          rowOf[b] = out.add(a, b, partner[2 * b + 1]!, pairs.sumLogN[row]!, pairs.coActions[row]!, pairs.sumDelta[row]!);
        } else out.addTo(rowOf[b]!, pairs.sumLogN[row]!, pairs.coActions[row]!, pairs.sumDelta[row]!);
      }
      from[s] = to[s]!;
    }
  }
  if (strength !== null) for (const source of sources) addStrengths(source, strength, reuse ? buffers : null);
  return { table: out.table(logN), distinct };
}

/**
 * Each account's Σ shared keys over a source's rows, summed first by the source's own ids (an
 * array a partition's size, which stays in cache where the job's 1.16M-entry one missed on every
 * random partner), then added to the job's. The shared keys are whole numbers, so the sums are
 * exact in any order and equal the row-by-row ones bit for bit.
 */
function addStrengths({ pairs, global }: Source, strength: Float64Array, buffers: MergeBuffers | null): void {
  const local = buffers === null ? new Float64Array(global.length) : buffers.local(global.length);
  for (let row = 0; row < pairs.size; row++) {
    const shared = pairs.shared[row]!;
    local[pairs.a[row]!]! += shared;
    local[pairs.b[row]!]! += shared;
  }
  for (let i = 0; i < local.length; i++) if (local[i] !== 0) strength[global[i]!]! += local[i]!;
}

function lowest(list: Int32Array): number {
  let low = 0x7fffffff;
  for (let i = 0; i < list.length; i++) if (list[i]! < low) low = list[i]!;
  return low;
}

/** Output rows of a merge: appended, then summed into; `table` turns Σ ln n_k into the IDF. */
class GrowingPairs {
  a: Int32Array<ArrayBuffer>;
  b: Int32Array<ArrayBuffer>;
  shared: Int32Array<ArrayBuffer>;
  coActions: Int32Array<ArrayBuffer>;
  idf: Float64Array<ArrayBuffer>;
  sumDelta: Float64Array<ArrayBuffer>;
  size = 0;

  constructor(capacity: number) {
    [this.a, this.b, this.shared, this.coActions] = [new Int32Array(capacity), new Int32Array(capacity), new Int32Array(capacity), new Int32Array(capacity)];
    [this.idf, this.sumDelta] = [new Float64Array(capacity), new Float64Array(capacity)];
  }

  add(a: number, b: number, shared: number, sumLogN: number, coActions: number, sumDelta: number): number {
    if (this.size === this.a.length) {
      const length = this.size + 1;
      [this.a, this.b, this.shared, this.coActions] = [grownI32(this.a, length), grownI32(this.b, length), grownI32(this.shared, length), grownI32(this.coActions, length)];
      [this.idf, this.sumDelta] = [grownF64(this.idf, length), grownF64(this.sumDelta, length)];
    }
    const row = this.size++;
    this.a[row] = a;
    this.b[row] = b;
    this.shared[row] = shared;
    this.idf[row] = sumLogN;
    this.coActions[row] = coActions;
    this.sumDelta[row] = sumDelta;
    return row;
  }

  addTo(row: number, sumLogN: number, coActions: number, sumDelta: number): void {
    this.idf[row]! += sumLogN;
    this.coActions[row]! += coActions;
    this.sumDelta[row]! += sumDelta;
  }

  table(logN: number): PairTable {
    const size = this.size;
    for (let e = 0; e < size; e++) this.idf[e] = this.shared[e]! * logN - this.idf[e]!;
    return { a: this.a.subarray(0, size), b: this.b.subarray(0, size), shared: this.shared.subarray(0, size), idf: this.idf.subarray(0, size), coActions: this.coActions.subarray(0, size), sumDelta: this.sumDelta.subarray(0, size), size };
  }
}

function sumInBuckets(sources: readonly Source[], logN: number, { bucketRows, minShared }: SumPairsOptions, strength: Float64Array | null): { table: PairTable; distinct: number } {
  const first = new Int32Array(sources.length + 1);
  for (let s = 0; s < sources.length; s++) first[s + 1] = first[s]! + sources[s]!.pairs.size;
  const rowsIn = first[sources.length]!;
  let bits = 0;
  while (bits < 16 && rowsIn >>> bits > bucketRows) bits++;
  const buckets = 1 << bits;
  // Pass 1, in input order: each row's pair (a < b) in the job's ids, its bucket, the strengths.
  const rowLo = new Int32Array(rowsIn), rowHi = new Int32Array(rowsIn), rowBucket = new Uint16Array(rowsIn);
  const start = new Int32Array(buckets + 1);
  for (let s = 0, r = 0; s < sources.length; s++) {
    const { pairs: rows, global } = sources[s]!;
    for (let row = 0; row < rows.size; row++, r++) {
      const x = global[rows.a[row]!]!, y = global[rows.b[row]!]!;
      const a = x < y ? x : y, b = x < y ? y : x;
      const bucket = bits === 0 ? 0 : partitionHash(a, b) >>> (32 - bits);
      rowLo[r] = a;
      rowHi[r] = b;
      rowBucket[r] = bucket;
      start[bucket + 1]!++;
      if (strength !== null) {
        strength[a] = strength[a]! + rows.shared[row]!;
        strength[b] = strength[b]! + rows.shared[row]!;
      }
    }
  }
  for (let bucket = 0; bucket < buckets; bucket++) start[bucket + 1]! += start[bucket]!;
  // Pass 2: rows scattered into buckets (in input order within each): the pair, shared keys and
  // the row's number; the float sums are read from the inputs only for pairs that are kept.
  const at = start.slice(0, buckets);
  const lo = new Int32Array(rowsIn), hi = new Int32Array(rowsIn), shared = new Int32Array(rowsIn), source = new Int32Array(rowsIn);
  for (let s = 0, r = 0; s < sources.length; s++) {
    const rows = sources[s]!.pairs;
    for (let row = 0; row < rows.size; row++, r++) {
      const to = at[rowBucket[r]!]!++;
      lo[to] = rowLo[r]!;
      hi[to] = rowHi[r]!;
      shared[to] = rows.shared[row]!;
      source[to] = r;
    }
  }
  // Pass 3, bucket by bucket in bucket-local columns (they stay in cache): distinct pairs and their
  // shared keys; the kept ones' other sums over their rows in input order, then appended.
  let largest = 0;
  for (let bucket = 0; bucket < buckets; bucket++) largest = Math.max(largest, start[bucket + 1]! - start[bucket]!);
  const entryOfRow = new Int32Array(largest), localShared = new Int32Array(largest), slotOf = new Int32Array(largest), begun = new Uint8Array(largest);
  const keepAll = minShared <= 1;
  const capacity = keepAll ? rowsIn : 1_024;
  let a = new Int32Array(capacity), b = new Int32Array(capacity), sharedOut = new Int32Array(capacity), coOut = new Int32Array(capacity);
  let idf = new Float64Array(capacity), delayOut = new Float64Array(capacity);
  let size = 0, distinct = 0, s = 0;
  const sourceOf = (r: number): number => {
    // Rows of one bucket come in input order, so the source only moves forward within a bucket.
    while (first[s + 1]! <= r) s++;
    return s;
  };
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = start[bucket]!, end = start[bucket + 1]!;
    if (from === end) continue;
    const index = new PairIndex(end - from);
    for (let row = from; row < end; row++) {
      const known = index.size;
      const e = index.entryOf(lo[row]!, hi[row]!);
      entryOfRow[row - from] = e;
      if (index.size > known) localShared[e] = shared[row]!;
      else localShared[e]! += shared[row]!;
    }
    distinct += index.size;
    let kept = 0;
    for (let e = 0; e < index.size; e++) {
      if (!keepAll && localShared[e]! < minShared) {
        slotOf[e] = -1;
        continue;
      }
      if (size + kept === a.length) {
        const length = a.length + 1;
        [a, b, sharedOut, coOut] = [grownI32(a, length), grownI32(b, length), grownI32(sharedOut, length), grownI32(coOut, length)];
        [idf, delayOut] = [grownF64(idf, length), grownF64(delayOut, length)];
      }
      const to = size + kept++;
      slotOf[e] = to;
      a[to] = index.keys[2 * e]!;
      b[to] = index.keys[2 * e + 1]!;
      sharedOut[to] = localShared[e]!;
    }
    if (kept === 0) continue;
    s = 0;
    for (let row = from; row < end; row++) {
      const e = entryOfRow[row - from]!;
      const to = slotOf[e]!;
      if (to < 0) continue;
      const r = source[row]!;
      const input = sources[sourceOf(r)]!.pairs, inRow = r - first[s]!;
      if (begun[e] === 0) {
        begun[e] = 1;
        idf[to] = input.sumLogN[inRow]!;
        coOut[to] = input.coActions[inRow]!;
        delayOut[to] = input.sumDelta[inRow]!;
      } else {
        idf[to]! += input.sumLogN[inRow]!;
        coOut[to]! += input.coActions[inRow]!;
        delayOut[to]! += input.sumDelta[inRow]!;
      }
    }
    begun.fill(0, 0, index.size);
    size += kept;
  }
  for (let e = 0; e < size; e++) idf[e] = sharedOut[e]! * logN - idf[e]!;
  return { table: { a: a.subarray(0, size), b: b.subarray(0, size), shared: sharedOut.subarray(0, size), idf: idf.subarray(0, size), coActions: coOut.subarray(0, size), sumDelta: delayOut.subarray(0, size), size }, distinct };
}
