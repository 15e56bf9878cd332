/**
 * `lockstep detect --memory-budget SIZE` (and `--max-pairs-in-memory N`): how many co-action pairs
 * the pair stage may hold before its hash partitions spill to disk, and the spill store itself, a
 * fresh directory under the output directory that is removed when detection ends (also after a
 * failure). Spilled partitions are tested one at a time (detect/significance/partitioned-significance.ts),
 * so the pairs never all come back into memory.
 */
import { badOption } from '../../model/index.js';
import { DiskPairSink } from './disk-pair-sink.js';

/**
 * Bytes one distinct pair may cost in the kernel's tables at worst: 56 bytes per entry of
 * capacity (slots 8, keys 8, five float64 values 40), capacity up to twice the entries after a
 * doubling, and the old arrays alive while a table grows.
 */
export const PAIR_BYTES = 160;

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30 };

/**
 * A size such as `512M`, `2G`, `1.5GiB` or plain bytes, in bytes (units are powers of 1024).
 * @example parseMemoryBudget('2G') // 2147483648
 */
export function parseMemoryBudget(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = UNITS[(match?.[2] ?? '').toLowerCase()];
  const bytes = match === null || unit === undefined ? NaN : Number(match[1]) * unit;
  if (!(bytes >= PAIR_BYTES)) throw badOption('--memory-budget', `"${text}" is not a size of at least ${PAIR_BYTES} bytes (e.g. 512M, 2G)`);
  return bytes;
}

/** Distinct pairs the kernel may hold within `bytes`. */
export function pairsWithin(bytes: number): number {
  return Math.max(1, Math.floor(bytes / PAIR_BYTES));
}

export interface PairSpill {
  sink: DiskPairSink;
  maxPairsInMemory: number;
}

/**
 * The pair budget the options ask for (checked, so a bad value fails before any input is read), or
 * null when neither option is given. `--max-pairs-in-memory` wins when both are (it is the exact
 * count, for tests and checks).
 */
export function pairBudget(options: { memoryBudget?: string | undefined; maxPairsInMemory?: string | undefined }): number | null {
  if (options.maxPairsInMemory !== undefined) {
    const pairs = Number(options.maxPairsInMemory);
    if (!Number.isInteger(pairs) || pairs < 1) throw badOption('--max-pairs-in-memory', `"${options.maxPairsInMemory}" is not a whole number >= 1`);
    return pairs;
  }
  return options.memoryBudget === undefined ? null : pairsWithin(parseMemoryBudget(options.memoryBudget));
}

/** The spill store for a run under `outDir`, or null when no budget is set (see pairBudget). */
export function openPairSpill(outDir: string, options: { memoryBudget?: string | undefined; maxPairsInMemory?: string | undefined }): PairSpill | null {
  const maxPairsInMemory = pairBudget(options);
  return maxPairsInMemory === null ? null : { sink: new DiskPairSink(outDir, { keepPartitions: true }), maxPairsInMemory };
}

/** What the spill did, for summary.json. */
export function describeSpill(spill: PairSpill): { max_pairs_in_memory: number; chunks_written: number; bytes_written: number; peak_bytes_on_disk: number } {
  return { max_pairs_in_memory: spill.maxPairsInMemory, chunks_written: spill.sink.chunks, bytes_written: spill.sink.bytes, peak_bytes_on_disk: spill.sink.peakBytes };
}
