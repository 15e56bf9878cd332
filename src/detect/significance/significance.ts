/**
 * Null model for co-action pairs: which pairs co-act on more distinct keys than chance allows.
 *
 * Method: a random-partner model in the spirit of the configuration model behind modularity
 * (Newman 2006, "Modularity and community structure in networks") and of backbone filters for
 * co-sharing networks (Serrano, Boguñá & Vespignani 2009). Actor a's strength W_a = Σ_b shared(a, b)
 * is how many co-actions its activity and the popularity and burstiness of the keys it touches
 * produce anyway. If each of those co-action partners were a random active account, drawn in
 * proportion to activity d_b (distinct keys b acted on; D = Σ d over every active account, also
 * those that never co-act), b would turn up W_a · d_b / D times. The expectation of the pair is
 * the mean of the two directions, E = (W_a d_b + W_b d_a) / 2D; the observed shared keys are tested
 * against Poisson(E) and the p-values controlled for false discoveries with Benjamini–Hochberg
 * (1995) over every tested pair.
 *
 * Why this keeps organic bursts out: a fan, a viral retweeter or a live-event hashtag user
 * co-acts with hundreds of strangers, so W is large for everybody in the burst and E for any one
 * pair of them is large too; a ring of accounts that meets again and again on keys few others
 * touch has far more shared keys than its members' strength and activity explain. Unlike the
 * pure configuration model (E = W_a W_b / 2T), the denominator counts all activity, so a campaign
 * that produces most of a trace's co-actions does not explain itself away.
 *
 * With `occasions` (the pipeline's default) the observed count is a pair's occasions, not its
 * shared keys: one post's several keys of a trace (a tweet's hashtags) are one occasion
 * (post-occasions.ts). Strengths and the kernel's edge weights stay in keys.
 */
import type { PairTable, TraceEvents } from '../kernel/index.js';
import { logPoissonUpperTail } from './poisson.js';
import type { PairOccasions } from './post-occasions.js';
import { keyRuns } from './rare-objects.js';

export interface SignificanceOptions {
  /** False discovery rate for Benjamini–Hochberg over all tested pairs. */
  fdr: number;
  /** Fewer distinct shared keys than this is never evidence (CooRTweet's min participation). */
  minShared: number;
  /**
   * How many occasions a pair's shared keys are (post-occasions.ts: one post's several keys are
   * one occasion), given the candidate pairs (rows with shared >= minShared; other rows may be
   * passed too). The test counts occasions instead of keys; null counts keys.
   */
  occasions: ((candidates: PairRows) => PairOccasions) | null;
}

/** The rows of a pair table the tests read. */
export type PairRows = Pick<PairTable, 'a' | 'b' | 'shared' | 'size'>;

export const SIGNIFICANCE_DEFAULTS: Readonly<SignificanceOptions> = Object.freeze({ fdr: 0.001, minShared: 2, occasions: null });

export interface SignificanceResult {
  /** Row indexes (into the pair table) of the significant pairs, ascending. */
  kept: Int32Array;
  /** Expected shared keys under the null, per row of the pair table. */
  expected: Float64Array;
  /** ln p-value per row of the pair table. */
  logP: Float64Array;
  /** The largest ln p-value that was kept (the Benjamini–Hochberg cut), or -Infinity if none. */
  logPCut: number;
  tested: number;
}

/** Distinct keys each actor acted on: the activity d of the null model. */
export function distinctKeysPerActor(events: TraceEvents): Float64Array {
  return keyActorCounts(events).perActor;
}

/**
 * Distinct keys per actor (distinctKeysPerActor) and distinct actors per key (what rareKeyEvents
 * reads), from one walk over each key's actors: each new (actor, key) counts on both sides.
 * @example keyActorCounts(trace).perKey[k] // accounts that acted on key k
 */
export function keyActorCounts(events: TraceEvents): { perActor: Float64Array; perKey: Int32Array } {
  // Each key's actors (in place when the events come in key order, as the readers give them).
  const { start, actors } = keyRuns(events);
  const perKey = new Int32Array(events.keyCount);
  // Per actor, side by side: the last key seen + 1 (stamp) and the count, so that the random access
  // of each event touches one cache line, not one in each of two arrays.
  const stampAndCount = new Int32Array(2 * events.actorCount);
  for (let k = 0; k < events.keyCount; k++) {
    const end = start[k + 1] ?? 0;
    for (let p = start[k] ?? 0; p < end; p++) {
      const slot = 2 * (actors[p] ?? 0);
      if (stampAndCount[slot] !== k + 1) {
        stampAndCount[slot] = k + 1;
        stampAndCount[slot + 1]!++;
        perKey[k]!++;
      }
    }
  }
  const perActor = new Float64Array(events.actorCount);
  for (let actor = 0; actor < perActor.length; actor++) perActor[actor] = stampAndCount[2 * actor + 1]!;
  return { perActor, perKey };
}

/** Actor strengths W_a = Σ_b shared(a, b) and their total 2T. */
export function actorStrengths(pairs: Pick<PairTable, 'a' | 'b' | 'shared' | 'size'>, actorCount: number): { strength: Float64Array; total: number } {
  const strength = new Float64Array(actorCount);
  let total = 0;
  for (let i = 0; i < pairs.size; i++) {
    const shared = pairs.shared[i] ?? 0;
    const a = pairs.a[i] ?? 0;
    const b = pairs.b[i] ?? 0;
    strength[a] = (strength[a] ?? 0) + shared;
    strength[b] = (strength[b] ?? 0) + shared;
    total += 2 * shared;
  }
  return { strength, total };
}

/**
 * Tests every pair of the table against the null and returns those that survive FDR control.
 * @example
 * const { kept } = significantPairs(kernelResult.pairs, distinctKeysPerActor(events));
 */
export function significantPairs(pairs: PairTable, activity: Float64Array, options?: Partial<SignificanceOptions>): SignificanceResult {
  return testPairs(pairs, activity, actorStrengths(pairs, activity.length).strength, pairs.size, { ...SIGNIFICANCE_DEFAULTS, ...options });
}

/**
 * `significantPairs` on a table that holds only the candidate pairs (shared >= minShared; the
 * rest only counted), given what the left-out rows add: the actors' strengths over every pair and
 * the count of distinct pairs. The rows kept, and their logP, are those `significantPairs` gives
 * the whole table, numbered as rows of the smaller one (the scale-out coordinator: 3,842 of 982k
 * pairs on the bench's feed).
 */
export function significantCandidates(candidates: PairTable, activity: Float64Array, everyPair: { strength: Float64Array; distinct: number }, options?: Partial<SignificanceOptions>): SignificanceResult {
  return testPairs(candidates, activity, everyPair.strength, everyPair.distinct, { ...SIGNIFICANCE_DEFAULTS, ...options });
}

function testPairs(pairs: PairTable, activity: Float64Array, strength: Float64Array, tested: number, opts: SignificanceOptions): SignificanceResult {
  let total = 0;
  for (let a = 0; a < activity.length; a++) total += activity[a] ?? 0;
  const n = pairs.size;
  const expected = new Float64Array(n);
  const logP = new Float64Array(n);
  const candidates: number[] = [];
  const occasions = opts.occasions?.(pairs);
  for (let i = 0; i < n; i++) {
    const a = pairs.a[i] ?? 0;
    const b = pairs.b[i] ?? 0;
    const keys = pairs.shared[i] ?? 0;
    const shared = occasions === undefined || keys < opts.minShared ? keys : occasions.of(a, b, keys);
    const mean = total > 0 ? ((strength[a] ?? 0) * (activity[b] ?? 0) + (strength[b] ?? 0) * (activity[a] ?? 0)) / (2 * total) : 0;
    expected[i] = mean;
    logP[i] = shared >= opts.minShared ? logPoissonUpperTail(shared, Math.max(mean, 1e-12)) : 0;
    if (shared >= opts.minShared) candidates.push(i);
  }
  // Benjamini–Hochberg over all tested pairs (pairs below minShared count as tests with p = 1).
  candidates.sort((x, y) => (logP[x] ?? 0) - (logP[y] ?? 0));
  let cutRank = -1;
  const logFdr = Math.log(opts.fdr);
  for (let rank = 0; rank < candidates.length; rank++) {
    const row = candidates[rank] ?? 0;
    if ((logP[row] ?? 0) <= logFdr + Math.log((rank + 1) / Math.max(1, tested))) cutRank = rank;
  }
  const kept = Int32Array.from(candidates.slice(0, cutRank + 1)).sort();
  const logPCut = cutRank >= 0 ? logP[candidates[cutRank] ?? 0] ?? -Infinity : -Infinity;
  return { kept, expected, logP, logPCut, tested };
}
