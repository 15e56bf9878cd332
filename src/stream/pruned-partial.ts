/**
 * Partials without the pair rows that cannot pass the null model. On the bench's feed 99% of the
 * rows workers write (co-hashtag mostly) are pairs with one shared key in one partition, while the
 * null model tests only pairs with `minShared` (2) or more summed over every partition; yet the
 * rows cost the whole tail: encoding, gzip, storage, the coordinator's unpack and merge.
 *
 * Two phases over a job's partitions:
 * 1. each partition, after its kernel, makes a filter of every pair it has, per trace (`pairFilters`);
 * 2. with every partition's filters, each keeps as rows its pairs with `minShared` or more shared
 *    keys and those another partition's filter may hold; the rest are provably in this partition
 *    only, so their summed shared keys are theirs (< minShared): they go as a count of pairs and
 *    per account the shared keys they add to its strength (`prunedPartial`), which the coordinator
 *    sums exactly (whole numbers). Kept pairs keep all their rows, in order, so every float sum
 *    adds as before and assemblePartials gives the same result to the bit.
 */
import type { StreamTrace } from './extract.js';
import { FilterSet, labelHashes, PairFilter, pairKeys } from './pair-filter.js';
import type { PartitionPartial, PrunedPairs } from './partial-codec.js';
import type { PartialPairs } from './trace-window.js';

/**
 * Filter bits per pair, at least (blocks are a power of two: up to twice this). On the bench's
 * partials 12 gives 1 MB a partition and 0.63% of the rows that could go kept by a false positive
 * of one of 7 filters; 8 gives 512 KB and 15.7%. 16 doubled one partition's filter, which the
 * others' size then folded back (FilterSet).
 */
export const PAIR_FILTER_BITS = 12;

/** Phase 1's output: one partition's pair filter per trace that has pairs. */
export interface PartitionFilters {
  partition: number;
  traces: { trace: StreamTrace; filter: PairFilter }[];
}

/**
 * Each partial's pair keys as phase 1 made them, for its phase 2 in the same worker (a quarter of
 * phase 2's time was making them again); gone with the partial.
 */
const keysOfPairs = new WeakMap<PartialPairs, { block: Int32Array; bits: Int32Array }>();

/** Phase 1: a filter of every pair of each of the partial's traces (an unpruned partial's). */
export function pairFilters(partial: PartitionPartial, bitsPerKey = PAIR_FILTER_BITS): PartitionFilters {
  if (partial.prunedAgainst !== undefined) throw new Error(`partition ${partial.partition}: a pruned partial's filter would miss the pairs it left out`);
  const hashes = labelHashes(partial.actors);
  const traces: PartitionFilters['traces'] = [];
  for (const { trace, pairs } of partial.traces) {
    if (pairs.size === 0) continue;
    const filter = new PairFilter(pairs.size, bitsPerKey);
    const keys = pairKeys(hashes, pairs.a, pairs.b, pairs.size);
    keysOfPairs.set(pairs, keys);
    for (let row = 0; row < pairs.size; row++) filter.add(keys.block[row]!, keys.bits[row]!);
    traces.push({ trace, filter });
  }
  return { partition: partial.partition, traces };
}

/**
 * Every partition's filters of a job, per trace in one `FilterSet`: a worker makes it once for all
 * its partitions (each leaves its own filter out when it asks).
 */
export class JobFilters {
  readonly partitions: readonly number[];
  private readonly byTrace = new Map<StreamTrace, FilterSet>();

  constructor(filters: readonly PartitionFilters[]) {
    this.partitions = [...new Set(filters.map((entry) => entry.partition))].sort((x, y) => x - y);
    const traces = new Set(filters.flatMap((entry) => entry.traces.map(({ trace }) => trace)));
    for (const trace of traces) {
      this.byTrace.set(trace, new FilterSet(filters.flatMap((entry) => entry.traces.filter((candidate) => candidate.trace === trace).map(({ filter }) => ({ owner: entry.partition, filter })))));
    }
  }

  of(trace: StreamTrace): FilterSet {
    return this.byTrace.get(trace) ?? EMPTY;
  }
}

const EMPTY = new FilterSet([]);

/**
 * Phase 2: the partial with its rows of fewer than `minShared` shared keys that no other
 * partition's filter may hold left out, counted in each trace's `pruned`. `job` must hold every
 * partition of the job; minShared <= 1 prunes nothing (every pair with a row has a shared key, so
 * any might pass).
 */
export function prunedPartial(partial: PartitionPartial, job: JobFilters, minShared: number): PartitionPartial {
  if (minShared <= 1 || partial.prunedAgainst !== undefined) return partial;
  let hashes: { first: Int32Array; second: Int32Array } | undefined;
  const traces = partial.traces.map((entry) => {
    const keys = keysOfPairs.get(entry.pairs) ?? pairKeys((hashes ??= labelHashes(partial.actors)), entry.pairs.a, entry.pairs.b, entry.pairs.size);
    const { pairs, pruned } = prunedRows(entry.pairs, partial.actors.length, minShared, elsewhere(entry.pairs, minShared, keys, job.of(entry.trace), partial.partition));
    return { ...entry, pairs, pruned };
  });
  return { ...partial, traces, prunedAgainst: job.partitions.filter((partition) => partition !== partial.partition) };
}

/** Filter blocks a sweep's bucket covers: 256 blocks of 8 filters are 64 KB, in cache. */
const BUCKET_BLOCKS = 256;

/**
 * Per row of fewer than `minShared` shared keys, whether another partition's filter may hold its
 * pair (1) or none does (0). The keys are scattered into buckets of BUCKET_BLOCKS blocks in
 * block order and asked bucket by bucket, so the filters are read front to back and each bucket's
 * blocks stay in cache (scattering by block, 32k buckets, cost a cache miss a row).
 */
function elsewhere(pairs: PartialPairs, minShared: number, { block, bits }: { block: Int32Array; bits: Int32Array }, against: FilterSet, own: number): Uint8Array {
  const found = new Uint8Array(pairs.size);
  const shift = Math.log2(BUCKET_BLOCKS), buckets = (against.mask >>> shift) + 1, mask = against.mask;
  const start = new Int32Array(buckets + 1);
  for (let row = 0; row < pairs.size; row++) if (pairs.shared[row]! < minShared) start[((block[row]! & mask) >>> shift) + 1]!++;
  for (let at = 0; at < buckets; at++) start[at + 1]! += start[at]!;
  const count = start[buckets]!;
  const sortedRow = new Int32Array(count), sortedBlock = new Int32Array(count), sortedBits = new Int32Array(count);
  for (let row = 0; row < pairs.size; row++) {
    if (pairs.shared[row]! >= minShared) continue;
    const to = start[(block[row]! & mask) >>> shift]!++;
    sortedRow[to] = row;
    sortedBlock[to] = block[row]!;
    sortedBits[to] = bits[row]!;
  }
  for (let i = 0; i < count; i++) if (against.mayHold(sortedBlock[i]!, sortedBits[i]!, own)) found[sortedRow[i]!] = 1;
  return found;
}

/** The rows kept (in their order) and the pruned ones' count and strengths. */
function prunedRows(pairs: PartialPairs, actorCount: number, minShared: number, inOtherPartition: Uint8Array): { pairs: PartialPairs; pruned: PrunedPairs } {
  const strength = new Int32Array(actorCount);
  const kept = new Int32Array(pairs.size);
  let size = 0, prunedCount = 0;
  for (let row = 0; row < pairs.size; row++) {
    const a = pairs.a[row]!, b = pairs.b[row]!, shared = pairs.shared[row]!;
    if (shared >= minShared || inOtherPartition[row] === 1) {
      kept[size++] = row;
      continue;
    }
    strength[a]! += shared;
    strength[b]! += shared;
    prunedCount++;
  }
  const rows = kept.subarray(0, size);
  const pick = <T extends Int32Array | Float64Array>(column: T, make: new (length: number) => T): T => {
    const out = new make(size);
    for (let i = 0; i < size; i++) out[i] = column[rows[i]!]!;
    return out;
  };
  return {
    pairs: { a: pick(pairs.a, Int32Array), b: pick(pairs.b, Int32Array), shared: pick(pairs.shared, Int32Array), sumLogN: pick(pairs.sumLogN, Float64Array), coActions: pick(pairs.coActions, Int32Array), sumDelta: pick(pairs.sumDelta, Float64Array), size },
    pruned: { minShared, pairs: prunedCount, strength },
  };
}
