/**
 * Co-action kernel: which pairs of actors act on the same key (a reposted post, a normalised
 * URL, a hashtag) within a time window, how often, and on how many distinct keys.
 * Method: CooRTweet's co-share rule (Righetti & Balluff, CooRTweet R package, 2023; after
 * Giglietto et al. 2020, "It takes a village to manipulate the media", CooRnet) — two events on
 * the same key by different actors at most `window` apart are a co-action — computed the way
 * the coordination-network-toolkit (Graham et al., QUT DMRC) does: sort by (key, time), slide a
 * window per key, and accumulate pair weights in a hash table, with pair expansion bounded so a
 * viral key never produces all its pairs.
 */
import { LockstepError } from '../../model/index.js';
import { PartitionedPairs } from './partitioned-pairs.js';
import { sortByKeyTime } from './sort.js';
import type { KernelOptions, KernelResult, KernelStats, TraceEvents } from './types.js';

/** The largest number of events in one call: every typed array stays below 2^30 elements. */
export const MAX_EVENTS = 2 ** 30 - 1;

export const KERNEL_DEFAULTS: Readonly<KernelOptions> = Object.freeze({
  window: 10_000,
  maxPartnersPerEvent: 64,
  popularKeyActors: 1_000,
  partitions: 16,
  maxPairsInMemory: Infinity,
  sink: null,
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
 * Pairs come out grouped by partition, in a deterministic order.
 *
 * @example
 * const events = { actor: Int32Array.of(0, 1, 2), key: Int32Array.of(0, 0, 0),
 *   time: Float64Array.of(0, 4_000, 60_000), actorCount: 3, keyCount: 1 };
 * coActionPairs(events, { window: 10_000 }).pairs // one pair: a=0, b=1, shared=1, coActions=1, sumDelta=4000
 */
export function coActionPairs(events: TraceEvents, options?: Partial<KernelOptions>): KernelResult {
  const opts: KernelOptions = { ...KERNEL_DEFAULTS, ...options };
  checkOptions(opts);
  checkEvents(events);
  const { actor, actorCount, keyCount } = events;
  const n = actor.length;
  const window = opts.window;
  const cap = opts.maxPartnersPerEvent;

  const sorted = sortByKeyTime(events.key, events.time, keyCount, actor);
  const { keyStart } = sorted;
  const time = sorted.time;
  const who = sorted.payload;

  // First pass: distinct actors per key (stamp[actor] === k + 1 marks "seen on key k") and overall.
  const stamp = new Int32Array(actorCount);
  const seen = new Uint8Array(actorCount);
  const distinctOnKey = new Int32Array(keyCount);
  let actors = 0;
  for (let k = 0; k < keyCount; k++) {
    let distinct = 0;
    for (let p = keyStart[k]!, end = keyStart[k + 1]!; p < end; p++) {
      const a = who[p]!;
      if (stamp[a] !== k + 1) {
        stamp[a] = k + 1;
        distinct++;
        if (seen[a] === 0) {
          seen[a] = 1;
          actors++;
        }
      }
    }
    distinctOnKey[k] = distinct;
  }

  const table = new PartitionedPairs(opts.partitions, opts.sink, opts.maxPairsInMemory);
  const popular: number[] = [];
  const stats: KernelStats = {
    events: n, actors, keys: 0, keysCapped: 0, popularKeys: 0, eventPairsExamined: 0, eventPairsSkipped: 0,
    coActions: 0, pairsEmitted: 0, pairs: 0, spilledChunks: 0,
  };

  // Second pass: a window sliding over each key's time-sorted events.
  for (let k = 0; k < keyCount; k++) {
    const start = keyStart[k]!;
    const end = keyStart[k + 1]!;
    if (end === start) continue;
    stats.keys++;
    const distinct = distinctOnKey[k]!;
    if (distinct > opts.popularKeyActors) popular.push(k);
    if (distinct < 2) continue;
    const idf = Math.log(actors / distinct);
    let lo = start;
    let capped = false;
    for (let j = start + 1; j < end; j++) {
      const tj = time[j]!;
      while (tj - time[lo]! > window) lo++;
      let from = j - cap;
      if (from > lo) {
        stats.eventPairsSkipped += from - lo;
        capped = true;
      } else {
        from = lo;
      }
      stats.eventPairsExamined += j - from;
      const aj = who[j]!;
      for (let i = from; i < j; i++) {
        const ai = who[i]!;
        if (ai === aj) continue;
        stats.coActions++;
        if (ai < aj) table.coAct(ai, aj, k, idf, tj - time[i]!);
        else table.coAct(aj, ai, k, idf, tj - time[i]!);
      }
    }
    if (capped) stats.keysCapped++;
    table.endKey();
  }

  const pairs = table.finish();
  let pairKeys = 0;
  for (let r = 0; r < pairs.size; r++) pairKeys += pairs.shared[r]!;
  stats.pairsEmitted = pairKeys;
  stats.pairs = pairs.size;
  stats.spilledChunks = table.spilledChunks;
  stats.popularKeys = popular.length;
  return { pairs, stats, popularKeys: Int32Array.from(popular) };
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
  if (!(Number.isInteger(p) && p >= 1 && p <= 4096 && (p & (p - 1)) === 0)) {
    throw badInput(`partitions must be a power of two from 1 to 4096, got ${p}`);
  }
  if (!(opts.maxPairsInMemory >= 1)) throw badInput(`maxPairsInMemory must be >= 1, got ${opts.maxPairsInMemory}`);
}

function checkEvents(events: TraceEvents): void {
  const { actor, key, time, actorCount, keyCount } = events;
  const n = actor.length;
  if (key.length !== n || time.length !== n) {
    throw badInput(`actor, key and time must have the same length (got ${n}, ${key.length}, ${time.length})`);
  }
  if (n > MAX_EVENTS) throw badInput(`${n} events exceed ${MAX_EVENTS}; split the trace by time`);
  if (!Number.isInteger(actorCount) || actorCount < 0) throw badInput(`actorCount must be an integer >= 0, got ${actorCount}`);
  if (!Number.isInteger(keyCount) || keyCount < 0 || keyCount > MAX_EVENTS) throw badInput(`keyCount must be an integer in [0, ${MAX_EVENTS}], got ${keyCount}`);
  for (let i = 0; i < n; i++) {
    const a = actor[i]!;
    const k = key[i]!;
    const t = time[i]!;
    if (a < 0 || a >= actorCount) throw badInput(`event ${i}: actor ${a} outside [0, ${actorCount})`);
    if (k < 0 || k >= keyCount) throw badInput(`event ${i}: key ${k} outside [0, ${keyCount})`);
    if (!Number.isFinite(t)) throw badInput(`event ${i}: time ${t} is not a finite number of ms`);
  }
}
