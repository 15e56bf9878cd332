/**
 * Recruiting members into the group test's kept groups.
 *
 * Leiden proposes a group from the pairs that met on two or more objects; in a slow campaign whose
 * members each join a fifth to two fifths of the pushes, many members meet every other member on
 * one object at most, so no such pair places them in the group's community, although together
 * they act with the group far beyond chance. Membership is therefore decided by the same test that
 * prunes members (significantGroups): an account belongs to a kept group when its co-actions with
 * the group's members, summed over all of them, are far beyond what its own activity and theirs
 * explain. Every account that co-acted with a kept group is tested against it, not only those
 * Leiden put beside it. Linear in the pair table: one pass per round.
 *
 * The expectation of account x's co-actions with group G under the activity null of
 * significantPairs, summed over G's members g: Σ_g (W_x d_g + W_g d_x) / 2D
 * = (W_x · Σ_G d + d_x · Σ_G W) / 2D. The tests are Bonferroni-corrected over every (account,
 * group) pair with a co-action. Recruits still have to pass the occasions rule afterwards.
 */
import type { PairTable } from '../kernel/index.js';
import type { GroupReport } from './group.js';
import { logPoissonUpperTail } from './poisson.js';

export interface RecruitOptions {
  /** Co-actions with the group below this are never enough. */
  minShared: number;
  /** Co-actions with the group must be at least this many times the null's expectation. */
  minLift: number;
  /** Family-wise error over the (account, group) pairs tested (Bonferroni). */
  alpha: number;
  /** Groups with fewer members than this recruit nobody (they are not kept). */
  minGroupSize: number;
  /** Rounds of recruitment (recruits join the group's sums for the next round). */
  rounds: number;
}

export const RECRUIT_DEFAULTS: Readonly<RecruitOptions> = Object.freeze({ minShared: 2, minLift: 5, alpha: 0.001, minGroupSize: 5, rounds: 2 });

/** What recruitment needs of the group test's wide-window co-actions. */
export interface RecruitInput {
  pairs: PairTable;
  /** W per actor: co-actions in `pairs`. */
  strength: Float64Array;
  /** d per actor: distinct objects acted on. */
  activity: Float64Array;
  /** D = Σ d. */
  total: number;
}

/**
 * Adds to kept groups (`groupOf[actor] === index`, members listed in `groups[index].members`)
 * the accounts tied to them beyond chance; returns how many joined. Mutates `groups` and `groupOf`.
 * @example
 * recruitMembers({ pairs, strength, activity, total }, groups, groupOf);
 */
export function recruitMembers(input: RecruitInput, groups: GroupReport[], groupOf: Int32Array, options?: Partial<RecruitOptions>): number {
  const opts = { ...RECRUIT_DEFAULTS, ...options };
  const { pairs, strength, activity, total } = input;
  const count = groups.length;
  if (count === 0 || total <= 0) return 0;
  let joined = 0;
  for (let round = 0; round < opts.rounds; round++) {
    const sumW = new Float64Array(count);
    const sumD = new Float64Array(count);
    const size = new Int32Array(count);
    for (let actor = 0; actor < groupOf.length; actor++) {
      const group = groupOf[actor] ?? -1;
      if (group < 0) continue;
      sumW[group] = (sumW[group] ?? 0) + (strength[actor] ?? 0);
      sumD[group] = (sumD[group] ?? 0) + (activity[actor] ?? 0);
      size[group] = (size[group] ?? 0) + 1;
    }
    // Co-actions of each outside account with each group it touched: key account × count + group.
    const own = new Map<number, number>();
    for (let row = 0; row < pairs.size; row++) {
      const a = pairs.a[row] ?? 0;
      const b = pairs.b[row] ?? 0;
      const groupA = groupOf[a] ?? -1;
      const groupB = groupOf[b] ?? -1;
      if ((groupA < 0) === (groupB < 0)) continue;
      const [outside, group] = groupA < 0 ? [a, groupB] : [b, groupA];
      if ((size[group] ?? 0) < opts.minGroupSize) continue;
      const id = outside * count + group;
      own.set(id, (own.get(id) ?? 0) + (pairs.shared[row] ?? 0));
    }
    const logAlpha = Math.log(opts.alpha / Math.max(1, own.size));
    const best = new Map<number, { group: number; logP: number }>();
    for (const [id, observed] of own) {
      if (observed < opts.minShared) continue;
      const group = id % count;
      const actor = (id - group) / count;
      const expected = Math.max(((strength[actor] ?? 0) * (sumD[group] ?? 0) + (activity[actor] ?? 0) * (sumW[group] ?? 0)) / (2 * total), 1e-12);
      if (observed < opts.minLift * expected) continue;
      const logP = logPoissonUpperTail(observed, expected);
      if (logP > logAlpha) continue;
      const previous = best.get(actor);
      if (previous === undefined || logP < previous.logP) best.set(actor, { group, logP });
    }
    if (best.size === 0) break;
    for (const [actor, { group }] of [...best].sort((x, y) => x[0] - y[0])) {
      groupOf[actor] = group;
      groups[group]?.members.push(actor);
      joined++;
    }
  }
  return joined;
}
