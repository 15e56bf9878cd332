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
 *
 * The sum counts one object once per member met on it. On a campaign's own material (its texts,
 * links, tags) that is right: joining a push in the minutes of it is the act. A reply target is
 * someone else's post, open to whoever reads it: an ordinary account replying under the post a
 * copypasta group swarms, in the same minutes, meets 30 members on that one post and scores 30
 * co-actions, as many as a member meeting the group on 30 of its texts (synthetic scale 30, seed 7:
 * six organic accounts recruited so, each meeting its group on one reply target and nothing else;
 * scale 10, seed 22: four). So on keys marked `onceKeys` (reply targets) an account's co-actions
 * with a group count once per key, like a popular key's, and it must pass the test so counted.
 * (Counting every object once cost slow-campaign members who met their group on one push of one
 * object: synthetic scale 1, seed 21, slow recall .96 -> .89.)
 */
import type { PairTable, TraceEvents } from '../kernel/index.js';
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
  /** Co-action window of the group test, ms (to count members met on a key counted once). */
  windowMs: number;
}

export const RECRUIT_DEFAULTS: Readonly<RecruitOptions> = Object.freeze({ minShared: 2, minLift: 5, alpha: 0.001, minGroupSize: 5, rounds: 2, windowMs: 15 * 60_000 });

/** What recruitment needs of the group test's wide-window co-actions. */
export interface RecruitInput {
  pairs: PairTable;
  /** W per actor: co-actions in `pairs`. */
  strength: Float64Array;
  /** d per actor: distinct objects acted on. */
  activity: Float64Array;
  /** D = Σ d. */
  total: number;
  /** The events `pairs` were counted from (needed with onceKeys). */
  events?: TraceEvents;
  /**
   * Per key of `events`, 1 when an account's co-actions with a group on it count once however
   * many members it met there (reply targets: see the module comment).
   */
  onceKeys?: Uint8Array;
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
    const expectedOf = (actor: number, group: number): number => Math.max(((strength[actor] ?? 0) * (sumD[group] ?? 0) + (activity[actor] ?? 0) * (sumW[group] ?? 0)) / (2 * total), 1e-12);
    const beyondChance = (actor: number, group: number, observed: number): boolean => observed >= opts.minShared && observed >= opts.minLift * expectedOf(actor, group) && logPoissonUpperTail(observed, expectedOf(actor, group)) <= logAlpha;
    const passed = new Map<number, number>();
    for (const [id, observed] of own) {
      const group = id % count;
      const actor = (id - group) / count;
      if (beyondChance(actor, group, observed)) passed.set(id, logPoissonUpperTail(observed, expectedOf(actor, group)));
    }
    // On keys counted once (reply targets), the co-actions beyond one per key are taken off and the test made again.
    const surplus = input.events === undefined || input.onceKeys === undefined ? null : surplusOnOnceKeys(input.events, input.onceKeys, groupOf, passed, count, opts.windowMs);
    const best = new Map<number, { group: number; logP: number }>();
    for (const [id, logP] of passed) {
      const group = id % count;
      const actor = (id - group) / count;
      if (surplus !== null && surplus.has(id) && !beyondChance(actor, group, (own.get(id) ?? 0) - (surplus.get(id) ?? 0))) continue;
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

/**
 * For each (account × groupCount + group) id of `candidates`: on the keys marked in `once`, the
 * co-actions beyond one per key (distinct members of the group met within `windowMs` there, less
 * one). One counting pass over the events by key; only the candidates' and members' events on
 * marked keys are compared.
 */
function surplusOnOnceKeys(events: TraceEvents, once: Uint8Array, groupOf: Int32Array, candidates: ReadonlyMap<number, number>, groupCount: number, windowMs: number): Map<number, number> {
  const groupsOf = new Map<number, number[]>();
  for (const id of candidates.keys()) {
    const group = id % groupCount;
    const actor = (id - group) / groupCount;
    let list = groupsOf.get(actor);
    if (list === undefined) groupsOf.set(actor, (list = []));
    list.push(group);
  }
  const surplus = new Map<number, number>();
  if (groupsOf.size === 0) return surplus;
  // Events of candidates and of members on marked keys, bucketed by key (a counting sort of those only).
  const { actor, key, time, keyCount } = events;
  const wanted = (i: number): boolean => once[key[i]!] === 1 && ((groupOf[actor[i]!] ?? -1) >= 0 || groupsOf.has(actor[i]!));
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < actor.length; i++) if (wanted(i)) start[key[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  const at = start.slice(0, keyCount);
  const order = new Int32Array(start[keyCount]!);
  for (let i = 0; i < actor.length; i++) if (wanted(i)) order[at[key[i]!]!++] = i;
  const met = new Map<number, Set<number>>();
  for (let k = 0; k < keyCount; k++) {
    const from = start[k]!, end = start[k + 1]!;
    if (end - from < 2) continue;
    met.clear();
    for (let p = from; p < end; p++) {
      const i = order[p]!;
      const groups = groupsOf.get(actor[i]!);
      if (groups === undefined) continue;
      for (const group of groups) {
        const id = actor[i]! * groupCount + group;
        let members = met.get(id);
        if (members === undefined) met.set(id, (members = new Set()));
        for (let q = from; q < end; q++) {
          const j = order[q]!;
          if (groupOf[actor[j]!] === group && Math.abs(time[j]! - time[i]!) <= windowMs) members.add(actor[j]!);
        }
      }
    }
    for (const [id, members] of met) if (members.size > 1) surplus.set(id, (surplus.get(id) ?? 0) + members.size - 1);
  }
  return surplus;
}
