/**
 * Co-action kernel: which pairs of actors act on the same key (a reposted post, a normalised
 * URL, a hashtag) within a time window, how often, and on how many distinct keys.
 * Method: the co-share rule of CooRTweet (Righetti & Balluff, R package; after Giglietto et al.
 * 2020, "It takes a village to manipulate the media", the CooRnet method): two events on the same
 * key by different actors at most `window` apart are a co-action. Instead of CooRTweet's
 * all-pairs join per key, events are sorted by (key, time) and a window slides over each key,
 * with pair expansion bounded (`maxPartnersPerEvent`) so a viral key never yields all its pairs;
 * weights accumulate in partitioned hash tables (see partitioned-pairs.ts), or for pairs grouped
 * by first actor as records sorted at the end (sorted-pairs.ts). Keys are weighted
 * by an IDF, ln(N / n_k), so keys many actors touched count for little.
 */
import { LockstepError } from '../../model/index.js';
import { PartitionedPairs } from './partitioned-pairs.js';
import { MAX_SORTED_RECORDS, SortedPairs } from './sorted-pairs.js';
import { sortByKeyTime } from './sort.js';
import type { KernelOptions, KernelResult, KernelStats, TraceEvents } from './types.js';

/** The largest number of events in one call: every typed array stays below 2^30 elements. */
export const MAX_EVENTS = 2 ** 30 - 1;

export const KERNEL_DEFAULTS: Readonly<KernelOptions> = Object.freeze({
  window: 10_000,
  maxPartnersPerEvent: 32,
  popularKeyActors: 1_000,
  partitions: 'auto',
  maxPairsInMemory: Infinity,
  sink: null,
  pairsPerEventPair: 0.5,
  groupByFirstActor: false,
  pairsBySort: false,
});

/**
 * Weighted co-action pairs of one trace.
 *
 * For each pair of actors a < b: `shared` distinct keys on which they co-acted, `idf` the sum over
 * those keys of ln(N / n_k) (N actors with events in the trace, n_k distinct actors on key k, so a
 * key everybody touched weighs 0 and a key only these two touched weighs ln(N/2)), `coActions`
 * co-acting event pairs and `sumDelta` their summed |Δt|. The same actor twice is never a pair.
 * With `maxPartnersPerEvent` finite each event is compared only with its nearest preceding
 * events, so the result is a subset of the exact one with weights no larger (see stats).
 * Pairs come out grouped by partition, in a deterministic order (by `a` with `groupByFirstActor`).
 *
 * @example
 * const events = { actor: Int32Array.of(0, 1, 2), key: Int32Array.of(0, 0, 0),
 *   time: Float64Array.of(0, 4_000, 60_000), actorCount: 3, keyCount: 1 };
 * coActionPairs(events, { window: 10_000 }).pairs // one pair: a=0, b=1, shared=1, coActions=1, sumDelta=4000
 */
export function coActionPairs(events: TraceEvents, options?: Partial<KernelOptions>): KernelResult {
  const opts: KernelOptions = { ...KERNEL_DEFAULTS, ...options };
  checkOptions(opts);
  const { actors, keyStart: inOrder } = checkEvents(events);
  const { actor, actorCount, keyCount } = events;
  const n = actor.length;
  const window = opts.window;
  const cap = opts.maxPartnersPerEvent;

  // Read only here: input already in (key, time) order (the direct readers') is used as it is,
  // with the key starts the check counted on its way.
  const sorted = inOrder !== null ? { time: events.time, payload: actor, keyStart: inOrder } : sortByKeyTime(events.key, events.time, keyCount, actor, true);
  const { keyStart } = sorted;
  const time = sorted.time;
  const who = sorted.payload;

  // stamp[actor] === k + 1 marks "seen on key k" (long segments only).
  const stamp = new Int32Array(actorCount);
  const estimate = estimatePairs(time, keyStart, window, cap);
  // The hash tables' partitions are worked out only when they are taken: a stream worker warmed
  // up on small partitions otherwise bailed out of this function's optimised code here, in the
  // middle of its first real finish, on a doubling its warm-up never reached.
  const table = opts.groupByFirstActor && opts.pairsBySort && opts.sink === null && estimate <= MAX_SORTED_RECORDS
    ? new SortedPairs(actorCount, keyCount, estimate)
    : new PartitionedPairs(opts.partitions === 'auto' ? autoPartitions(estimate) : opts.partitions, opts.sink, opts.maxPairsInMemory, estimate * opts.pairsPerEventPair, opts.groupByFirstActor ? actorCount : 0);
  // Popular keys are marked in the key loop and listed after it, with no branch taken only for
  // them: a stream worker's warm-up has no key that busy, and a push met first in a job's partition
  // bailed out of this loop's optimised code in the middle of it.
  const popularMark = new Uint8Array(keyCount);
  let keys = 0, keysCapped = 0, examined = 0, skipped = 0, coActions = 0;

  // Per key, while its segment is in cache: distinct actors (for the IDF), then a sliding window.
  for (let k = 0; k < keyCount; k++) {
    const start = keyStart[k]!;
    const end = keyStart[k + 1]!;
    if (end === start) continue;
    keys++;
    const distinct = end - start <= SHORT_SEGMENT ? distinctShort(who, start, end) : distinctLong(who, start, end, stamp, k + 1);
    popularMark[k] = distinct > opts.popularKeyActors ? 1 : 0;
    if (distinct < 2) continue;
    const idf = Math.log(actors / distinct);
    let lo = start;
    let capped = false;
    for (let j = start + 1; j < end; j++) {
      const tj = time[j]!;
      while (tj - time[lo]! > window) lo++;
      let from = j - cap;
      if (from > lo) {
        skipped += from - lo;
        capped = true;
      } else {
        from = lo;
      }
      examined += j - from;
      const aj = who[j]!;
      for (let i = from; i < j; i++) {
        const ai = who[i]!;
        if (ai === aj) continue;
        coActions++;
        if (ai < aj) table.coAct(ai, aj, k, idf, tj - time[i]!);
        else table.coAct(aj, ai, k, idf, tj - time[i]!);
      }
    }
    if (capped) keysCapped++;
    table.endKey();
  }

  const pairs = table.finish();
  const popular = popularKeys(popularMark);
  let pairKeys = 0;
  for (let r = 0; r < pairs.size; r++) pairKeys += pairs.shared[r]!;
  const stats: KernelStats = {
    events: n, actors, keys, keysCapped, popularKeys: popular.length, eventPairsExamined: examined, eventPairsSkipped: skipped,
    coActions, pairsEmitted: pairKeys, pairs: pairs.size, spilledChunks: table.spilledChunks,
  };
  return { pairs, stats, popularKeys: popular };
}

/** The keys marked 1, ascending. */
function popularKeys(mark: Uint8Array): Int32Array {
  let count = 0;
  for (let k = 0; k < mark.length; k++) count += mark[k]!;
  // One slot past the last so every key is written and only marked ones advance.
  const keys = new Int32Array(count + 1);
  for (let k = 0, at = 0; k < mark.length; k++) {
    keys[at] = k;
    at += mark[k]!;
  }
  return keys.slice(0, count);
}

/** In-window event pairs the partner cap lets through: an upper bound of the co-actions. */
function estimatePairs(time: Float64Array, keyStart: Int32Array, window: number, cap: number): number {
  let estimate = 0;
  for (let k = 0; k + 1 < keyStart.length; k++) {
    const end = keyStart[k + 1]!;
    let lo = keyStart[k]!;
    for (let j = lo + 1; j < end; j++) {
      while (time[j]! - time[lo]! > window) lo++;
      estimate += Math.min(j - lo, cap);
    }
  }
  return estimate;
}

/**
 * About 16k estimated pairs (1 MB of table) per partition, between 16 and 256 partitions. On the
 * bench machine 16 to 1024 partitions measured alike (within noise) on 1M to 3.4M pairs, one
 * partition about 1.5x slower; more partitions cost memory in presized tables and buffers.
 */
function autoPartitions(estimatedPairs: number): number {
  let partitions = 16;
  while (partitions < 256 && estimatedPairs / partitions > 16_384) partitions *= 2;
  return partitions;
}

/** Segments up to this length count distinct actors by comparing with earlier entries. */
const SHORT_SEGMENT = 24;

function distinctShort(who: Int32Array, start: number, end: number): number {
  let distinct = 0;
  for (let p = start; p < end; p++) {
    const a = who[p]!;
    let q = start;
    while (q < p && who[q] !== a) q++;
    if (q === p) distinct++;
  }
  return distinct;
}

function distinctLong(who: Int32Array, start: number, end: number, stamp: Int32Array, mark: number): number {
  let distinct = 0;
  for (let p = start; p < end; p++) {
    if (stamp[who[p]!] !== mark) {
      stamp[who[p]!] = mark;
      distinct++;
    }
  }
  return distinct;
}

function badInput(reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `co-action kernel: ${reason}`);
}

function checkOptions(opts: KernelOptions): void {
  if (!(opts.window >= 0) || !Number.isFinite(opts.window)) throw badInput(`window must be a finite number of ms >= 0, got ${opts.window}`);
  const cap = opts.maxPartnersPerEvent;
  if (!(cap === Infinity || (Number.isInteger(cap) && cap >= 1))) {
    throw badInput(`maxPartnersPerEvent must be an integer >= 1 or Infinity, got ${cap}`);
  }
  if (!(opts.popularKeyActors >= 1)) throw badInput(`popularKeyActors must be >= 1, got ${opts.popularKeyActors}`);
  const p = opts.partitions;
  if (p !== 'auto' && !(Number.isInteger(p) && p >= 1 && p <= 4096 && (p & (p - 1)) === 0)) {
    throw badInput(`partitions must be 'auto' or a power of two from 1 to 4096, got ${p}`);
  }
  if (!(opts.maxPairsInMemory >= 1)) throw badInput(`maxPairsInMemory must be >= 1, got ${opts.maxPairsInMemory}`);
  if (!(opts.pairsPerEventPair > 0 && opts.pairsPerEventPair <= 1)) throw badInput(`pairsPerEventPair must be in (0, 1], got ${opts.pairsPerEventPair}`);
}

/**
 * Checks the events and returns the number of distinct actors among them and, when they come in
 * (key, time) order (as sortByKeyTime's check finds it), each key's start; null otherwise.
 */
function checkEvents(events: TraceEvents): { actors: number; keyStart: Int32Array | null } {
  const { actor, key, time, actorCount, keyCount } = events;
  const n = actor.length;
  if (key.length !== n || time.length !== n) {
    throw badInput(`actor, key and time must have the same length (got ${n}, ${key.length}, ${time.length})`);
  }
  if (n > MAX_EVENTS) throw badInput(`${n} events exceed ${MAX_EVENTS}; split the trace by time`);
  if (!Number.isInteger(actorCount) || actorCount < 0) throw badInput(`actorCount must be an integer >= 0, got ${actorCount}`);
  if (!Number.isInteger(keyCount) || keyCount < 0 || keyCount > MAX_EVENTS) throw badInput(`keyCount must be an integer in [0, ${MAX_EVENTS}], got ${keyCount}`);
  // A bitset of actors seen: small enough (actorCount / 8 bytes) to stay in cache.
  const seen = new Int32Array((actorCount >>> 5) + 1);
  let actors = 0;
  // Events per key at key + 1 while the order holds (sequential writes then); dropped once it breaks.
  let keyStart: Int32Array | null = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) {
    const a = actor[i]!;
    const k = key[i]!;
    const t = time[i]!;
    if (a < 0 || a >= actorCount) throw badInput(`event ${i}: actor ${a} outside [0, ${actorCount})`);
    if (k < 0 || k >= keyCount) throw badInput(`event ${i}: key ${k} outside [0, ${keyCount})`);
    if (!Number.isFinite(t)) throw badInput(`event ${i}: time ${t} is not a finite number of ms`);
    const bit = 1 << (a & 31);
    if ((seen[a >>> 5]! & bit) === 0) {
      seen[a >>> 5] = seen[a >>> 5]! | bit;
      actors++;
    }
    if (keyStart === null) continue;
    if (i > 0) {
      const d = k - key[i - 1]!;
      if (d < 0 || (d === 0 && t < time[i - 1]!)) { keyStart = null; continue; }
    }
    keyStart[k + 1]!++;
  }
  if (keyStart !== null) for (let k = 0; k < keyCount; k++) keyStart[k + 1]! += keyStart[k]!;
  return { actors, keyStart };
}
