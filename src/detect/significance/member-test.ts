/**
 * The member-level test of a cluster: each member must itself be tied to the rest of its cluster
 * beyond chance, not merely through one significant pair with one hub. Leiden places an account
 * wherever its strongest edges go; an organic account with one significant pair into a campaign
 * (two viral posts both retweeted within the minute) lands inside the campaign's community.
 *
 * For member m of cluster C, in each evidence family (a list of pair tables with the activity of
 * their trace), the observed co-actions with the other members O_m = Σ_t Σ_{b∈C} shared_t(m, b)
 * are tested against the activity null of significantPairs summed over those members,
 * E_m = Σ_t (W_m (Σ_C d − d_m) + d_m (Σ_C W − W_m)) / 2D_t. A member passes when, in some family,
 * O_m ≥ minShared, O_m ≥ minLift · E_m and P(Poisson(E_m) ≥ O_m) < α / (clustered accounts)
 * (Bonferroni). Families are the narrow-window traces (fast co-action) and the group test's
 * wide-window table (slow campaigns), so a slow campaign's member is judged on its own evidence.
 * Linear in the pair tables.
 */
import type { PairTable } from '../kernel/index.js';
import { logPoissonUpperTail } from './poisson.js';
import { actorStrengths } from './significance.js';

export interface MemberTestOptions {
  minShared: number;
  minLift: number;
  /** Family-wise error over the clustered accounts (Bonferroni). */
  alpha: number;
}

export const MEMBER_TEST_DEFAULTS: Readonly<MemberTestOptions> = Object.freeze({ minShared: 2, minLift: 2, alpha: 0.001 });

/** One trace's co-actions and its activity (distinct objects per actor). */
export interface TieTable {
  /**
   * The co-actions; with `strength` given, only rows whose two actors may share a cluster need
   * be here (the others count only towards the strengths).
   */
  pairs: Pick<PairTable, 'a' | 'b' | 'shared' | 'size'>;
  activity: Float64Array;
  /** Σ_b shared(a, b) per actor over all the trace's pairs (computed from `pairs` when absent). */
  strength?: Float64Array;
}

/**
 * Per actor, 1 when it is tied to its own cluster (clusterOf ≥ 0) beyond chance in some family
 * of tables, else 0.
 * @example
 * const tied = tiedMembers(clusterOf, [narrowTables, [groupTable]]);
 */
export function tiedMembers(clusterOf: Int32Array, families: readonly (readonly TieTable[])[], options?: Partial<MemberTestOptions>): Uint8Array {
  const opts = { ...MEMBER_TEST_DEFAULTS, ...options };
  const n = clusterOf.length;
  let clusters = 0;
  let clustered = 0;
  for (let actor = 0; actor < n; actor++) {
    const cluster = clusterOf[actor] ?? -1;
    if (cluster < 0) continue;
    clustered++;
    clusters = Math.max(clusters, cluster + 1);
  }
  const tied = new Uint8Array(n);
  if (clustered === 0) return tied;
  const logAlpha = Math.log(opts.alpha / clustered);
  for (const family of families) {
    const observed = new Float64Array(n);
    const expected = new Float64Array(n);
    for (const { pairs, activity, strength: given } of family) {
      const strength = given ?? actorStrengths(pairs, n).strength;
      let total = 0;
      for (let actor = 0; actor < activity.length; actor++) total += activity[actor] ?? 0;
      if (total <= 0) continue;
      const sumW = new Float64Array(clusters);
      const sumD = new Float64Array(clusters);
      for (let actor = 0; actor < n; actor++) {
        const cluster = clusterOf[actor] ?? -1;
        if (cluster < 0) continue;
        sumW[cluster] = (sumW[cluster] ?? 0) + (strength[actor] ?? 0);
        sumD[cluster] = (sumD[cluster] ?? 0) + (activity[actor] ?? 0);
      }
      for (let actor = 0; actor < n; actor++) {
        const cluster = clusterOf[actor] ?? -1;
        if (cluster < 0) continue;
        const w = strength[actor] ?? 0;
        const d = activity[actor] ?? 0;
        expected[actor] = (expected[actor] ?? 0) + (w * ((sumD[cluster] ?? 0) - d) + d * ((sumW[cluster] ?? 0) - w)) / (2 * total);
      }
      for (let row = 0; row < pairs.size; row++) {
        const a = pairs.a[row] ?? 0;
        const b = pairs.b[row] ?? 0;
        const cluster = clusterOf[a] ?? -1;
        if (cluster < 0 || cluster !== clusterOf[b]) continue;
        const shared = pairs.shared[row] ?? 0;
        observed[a] = (observed[a] ?? 0) + shared;
        observed[b] = (observed[b] ?? 0) + shared;
      }
    }
    for (let actor = 0; actor < n; actor++) {
      if ((clusterOf[actor] ?? -1) < 0 || tied[actor] === 1) continue;
      const o = observed[actor] ?? 0;
      const e = Math.max(expected[actor] ?? 0, 1e-12);
      if (o >= opts.minShared && o >= opts.minLift * e && logPoissonUpperTail(o, e) <= logAlpha) tied[actor] = 1;
    }
  }
  return tied;
}
