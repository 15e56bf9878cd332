/**
 * Group-level significance for slow, low-participation campaigns.
 *
 * Some networks are told what to amplify a few times a week and each member joins only some of
 * the pushes, minutes (not seconds) after the order. Any two members then meet on one or two
 * objects: no single pair is evidence. The group is: dozens of accounts that, between them, keep
 * meeting within minutes on objects almost nobody else touches.
 *
 * Method, per trace:
 * 1. Only rare objects are looked at (at most `maxKeyActors` distinct accounts on the object):
 *    a popular object says nothing about who coordinates with whom, and a wide window on it
 *    only adds organic co-actions (fans of an idol, a live event's crowd). Optionally
 *    (`episodeGapMs`) popularity is counted per episode of the object (its events with no gap
 *    over episodeGapMs, each episode an object of its own): a slogan or template text that many
 *    unrelated groups use weeks apart is, at each push, touched by one group only.
 * 2. Co-actions in a wide window (`windowMs`, minutes) by the co-action kernel.
 * 3. Candidate groups: Leiden communities of the pairs meeting on at least `minShared` objects.
 * 4. Each group is tested as a whole: its observed internal co-actions O = Σ shared(a, b) over
 *    member pairs against the null's expectation for the same pairs, E = Σ E_ab with the
 *    activity-weighted random-partner model of significantPairs summed in closed form,
 *    E = (Σ W · Σ d − Σ W d) / 2D. A group is kept when P(Poisson(E) ≥ O) is below α after a
 *    Bonferroni correction over the candidate groups, O is at least `minLift` × E, AND at least
 *    `minDensity` of the member pairs meet on minShared objects. Leiden picks groups for their
 *    internal weight, so a p-value alone passes any chance chain of pairs that met twice (the
 *    expectation of a few quiet accounts is tiny); lockstep means most members meet most
 *    others again and again, which chance chains and hubs do not.
 * 5. The occasions rule (occasions.ts): the group acts on its own objects on minOccasions
 *    occasions, each member of its core on memberOccasions.
 * 6. Recruitment (recruit.ts): every account that co-acted with a kept group is tested against it
 *    as a whole, as members are, so members whose pairs met only once (Leiden cannot place them)
 *    join; recruits must act among the members, on the group's own objects.
 * 7. The evidence is the kept groups' member pairs (their wide-window co-actions).
 *
 * Organic explanations (fandom, syndication, crowd) are applied to the resulting clusters like
 * to any other, so a small fan club meeting on its idol's posts is explained, not flagged.
 */
import { buildCsr, leiden } from '../cluster/index.js';
import { coActionPairs } from '../kernel/index.js';
import type { PairTable, TraceEvents } from '../kernel/index.js';
import { logPoissonUpperTail } from './poisson.js';
import { mergeOneOccasionGroups, requireOccasions, requireRecruitOccasions } from './occasions.js';
import { recruitMembers } from './recruit.js';
import { rareKeyEvents } from './rare-objects.js';
import { actorStrengths } from './significance.js';

export interface GroupOptions {
  /** Wide co-action window, ms. */
  windowMs: number;
  /** Object episodes with more distinct accounts than this are left out of the group test. */
  maxKeyActors: number;
  /**
   * Events of one object further apart than this start a new episode, which counts as an object
   * of its own (popularity and shared objects are per episode); Infinity (the default): one
   * episode per object. An hour (as occasionGapMs) finds slow campaigns that reuse objects other
   * groups use at other times (synthetic scale 10, seed 7: slow-campaign recall 0.50 → 0.61) but
   * lets organic accounts join campaign clusters through quiet hours of popular hashtags
   * (precision 0.992 → 0.966 there), so it is off by default.
   */
  episodeGapMs: number;
  /** Members meeting the group on fewer occasions than this are dropped. */
  minShared: number;
  /** Pairs meeting on fewer objects than this do not link a candidate group. */
  linkMinShared: number;
  /** Smallest group kept in the end (after recruitment). */
  minGroupSize: number;
  /**
   * Smallest community tested (at most minGroupSize): a campaign whose pushes each draw a few
   * different members has only 3 or 4 accounts that met twice, too few for a group of
   * minGroupSize, however far beyond chance they met. Such a seed is kept only if, with the
   * accounts it recruits, it reaches minGroupSize and passes the occasions rule.
   */
  seedGroupSize: number;
  /** Family-wise error over the candidate groups (Bonferroni). */
  alpha: number;
  /** Observed internal co-actions must be at least this many times the null's expectation. */
  minLift: number;
  /** Share of member pairs that must meet on at least minShared objects (lockstep is most of the group, not a chain). */
  minDensity: number;
  /**
   * Co-actions further apart than this are separate occasions. Lockstep is repetition: a group
   * must act on its own objects on at least `minOccasions` occasions and each member on at least
   * minShared, so one burst (a match, a breaking story, where a post counts as a hashtag and a
   * text) is not a campaign.
   */
  occasionGapMs: number;
  minOccasions: number;
  /** Occasions on which each member of the group's core must have acted on the group's own objects. */
  memberOccasions: number;
  /**
   * Occasions for an account recruited into a kept group afterwards (recruit.ts): its tie to the
   * group is tested as a whole, and the group itself has met on minOccasions.
   */
  recruitOccasions: number;
  /**
   * And at least this share of the median occasions of the group's core: where each core member
   * met the group on a dozen occasions or more, an account that met it once (a reply under the
   * post its copypasta replies to) is not one of them (under one participation rate, one of 10+
   * is a 1-in-2,000 draw); a slow campaign's core meets on 2-10 occasions, so its recruits still
   * need one. 0.25 cost 17 slow-campaign members at synthetic scale 10, seed 22.
   */
  recruitCoreShare: number;
  /**
   * Per key of the events tested, 1 where a recruit's co-actions with a group count once however
   * many members it met there (reply targets, see recruit.ts); null: none.
   */
  recruitOnceKeys: Uint8Array | null;
  /** Share of an object's accounts that must be members for the object to count as the group's own. */
  ownShare: number;
  /** Failing communities of at least this many accounts are partitioned again, up to refineRounds times. */
  refineMinSize: number;
  refineRounds: number;
  /**
   * Kept groups that each met on one occasion but act with one another far beyond chance are
   * merged before the occasions rule (occasions.ts, mergeOneOccasionGroups): the pushes of one
   * low-participation campaign, which Leiden cuts apart.
   */
  mergePushes: boolean;
  /** Co-actions across two such groups must be at least this many times the null's expectation. */
  mergeMinLift: number;
  /**
   * A kept group that fails the occasions rule recruits first and is then judged again with its
   * recruits: a slow campaign's push with several rare objects (a tag sequence) makes a strong
   * group of that push's joiners, a fifth to two fifths of the members, whose other pushes (one
   * URL, one post) are each joined by them and by as many other members; on those objects the
   * group is under ownShare of the accounts until the others are recruited, so it met "once".
   */
  recruitBeforeOccasions: boolean;
  /** Rounds of recruitment into kept groups (see recruit.ts); 0 keeps Leiden's members only. */
  recruitRounds: number;
  maxPartnersPerEvent: number;
  seed: number;
}

/**
 * 15 minutes: an order relayed to shift workers is carried out within a quarter hour, while a
 * random pair of accounts on a rare object rarely lands that close. Objects of at most 100
 * accounts: a campaign's own material, not a public event.
 */
export const GROUP_DEFAULTS: Readonly<GroupOptions> = Object.freeze({
  windowMs: 15 * 60_000,
  maxKeyActors: 100,
  episodeGapMs: Infinity,
  minShared: 2,
  linkMinShared: 2,
  minGroupSize: 5,
  seedGroupSize: 3,
  alpha: 0.001,
  minLift: 5,
  minDensity: 0.15,
  occasionGapMs: 60 * 60_000,
  minOccasions: 3,
  memberOccasions: 2,
  recruitOccasions: 1,
  recruitCoreShare: 0.1,
  recruitOnceKeys: null,
  ownShare: 0.5,
  refineMinSize: 20,
  refineRounds: 2,
  mergePushes: true,
  mergeMinLift: 20,
  recruitBeforeOccasions: true,
  recruitRounds: 2,
  maxPartnersPerEvent: 32,
  seed: 42,
});

export interface GroupReport {
  /** Actor indexes of the group. */
  members: number[];
  /** Share of member pairs meeting on at least minShared objects. */
  density: number;
  observed: number;
  expected: number;
  /** observed / expected. */
  lift: number;
  logP: number;
  kept: boolean;
}

export interface GroupResult {
  /** Candidate groups (size ≥ seedGroupSize), strongest first; `kept` marks the significant ones. */
  groups: GroupReport[];
  /** Per actor: the index (into `groups`) of its kept group, or -1. */
  groupOf: Int32Array;
  /**
   * The wide-window co-actions on the rare objects of `events` the groups were found from (a
   * caller testing one trace alone can use them as that trace's, instead of computing them again).
   */
  pairs: PairTable;
}

/**
 * Groups of actors acting together far beyond chance (see the module comment). `events` are
 * the trace (or union of traces) to test; `activity` the distinct objects per actor over all of
 * it, rare or not (distinctKeysPerActor); `known.actorsOnKey`, when given, the distinct actors
 * per key of `events` (keyActorCounts), not counted again.
 */
export function significantGroups(events: TraceEvents, activity: Float64Array, options?: Partial<GroupOptions>, known?: { actorsOnKey: Int32Array }): GroupResult {
  const opts = { ...GROUP_DEFAULTS, ...options };
  const groupOf = new Int32Array(events.actorCount).fill(-1);
  const rare = rareKeyEvents(events, opts.maxKeyActors, opts.episodeGapMs, known);
  const groupLift = opts.minLift;
  const { pairs } = coActionPairs(rare, { window: opts.windowMs, maxPartnersPerEvent: opts.maxPartnersPerEvent });
  const { strength } = actorStrengths(pairs, events.actorCount);
  let total = 0;
  for (let a = 0; a < activity.length; a++) total += activity[a] ?? 0;
  const candidates: number[] = [];
  for (let row = 0; row < pairs.size; row++) if ((pairs.shared[row] ?? 0) >= opts.linkMinShared) candidates.push(row);
  if (candidates.length === 0 || total <= 0) return { groups: [], groupOf, pairs };
  // Members of each community (only actors with a candidate pair have one worth testing).
  const linked = new Uint8Array(events.actorCount);
  for (const row of candidates) {
    linked[pairs.a[row] ?? 0] = 1;
    linked[pairs.b[row] ?? 0] = 1;
  }
  // Leiden runs on the linked actors alone (a few thousand of 10^5 accounts), numbered in actor
  // order; the others keep label -1 (they are never tested).
  const label = new Int32Array(events.actorCount).fill(-1);
  const linkedIndex = compactIndex(linked);
  const membership = communitiesAmong(linkedIndex, candidates, pairs, opts.seed);
  for (let actor = 0; actor < events.actorCount; actor++) if (linkedIndex.of[actor]! >= 0) label[actor] = membership[linkedIndex.of[actor]!]!;
  let nextLabel = label.reduce((max, value) => Math.max(max, value), -1) + 1;
  const communitiesOf = (actors: Iterable<number>): Map<number, number[]> => {
    const communities = new Map<number, number[]>();
    for (const actor of actors) {
      const community = label[actor] ?? -1;
      let list = communities.get(community);
      if (list === undefined) communities.set(community, (list = []));
      list.push(actor);
    }
    return communities;
  };
  const linkedActors: number[] = [];
  for (let actor = 0; actor < events.actorCount; actor++) if (linked[actor] === 1) linkedActors.push(actor);
  // Bonferroni over every group that can be tested: disjoint groups per round, refineRounds + 1 rounds.
  const seedSize = Math.min(opts.seedGroupSize, opts.minGroupSize);
  const tests = ((opts.refineRounds + 1) * linkedActors.length) / seedSize;
  const logAlpha = Math.log(opts.alpha / Math.max(1, tests));
  const groups: GroupReport[] = [];
  const pruned = new Set<number>();
  let round = communitiesOf(linkedActors);
  for (let depth = 0; depth <= opts.refineRounds && round.size > 0; depth++) {
    const testing = new Set([...round].filter(([, members]) => members.length >= seedSize).map(([community]) => community));
    // Observed internal co-actions (all pairs, including those meeting once) and repeated pairs.
    const observed = new Map<number, number>();
    const repeated = new Map<number, number>();
    /** Per actor: co-actions with members of its own community. */
    const internal = new Map<number, number>();
    for (let row = 0; row < pairs.size; row++) {
      const x = pairs.a[row] ?? 0;
      const y = pairs.b[row] ?? 0;
      const community = label[x] ?? -1;
      if (community !== (label[y] ?? -2) || !testing.has(community) || linked[x] !== 1 || linked[y] !== 1) continue;
      const shared = pairs.shared[row] ?? 0;
      observed.set(community, (observed.get(community) ?? 0) + shared);
      internal.set(x, (internal.get(x) ?? 0) + shared);
      internal.set(y, (internal.get(y) ?? 0) + shared);
      if (shared >= opts.minShared) repeated.set(community, (repeated.get(community) ?? 0) + 1);
    }
    const refine: number[] = [];
    for (const community of testing) {
      const members = round.get(community) ?? [];
      let sumW = 0;
      let sumD = 0;
      let sumWD = 0;
      for (const member of members) {
        const w = strength[member] ?? 0;
        const d = activity[member] ?? 0;
        sumW += w;
        sumD += d;
        sumWD += w * d;
      }
      const expected = Math.max((sumW * sumD - sumWD) / (2 * total), 1e-12);
      const o = observed.get(community) ?? 0;
      const logP = logPoissonUpperTail(o, expected);
      const density = (repeated.get(community) ?? 0) / ((members.length * (members.length - 1)) / 2);
      const kept = density >= opts.minDensity && logP <= logAlpha && o >= groupLift * expected;
      if (!kept && members.length >= opts.refineMinSize && depth < opts.refineRounds) {
        // Modularity cannot see a small group inside a big sparse community (its resolution
        // limit): look again inside it alone.
        refine.push(community);
        continue;
      }
      groups.push({ members, density, observed: o, expected, lift: o / expected, logP, kept });
      if (!kept) continue;
      // Each member must itself act with the group beyond chance: an account that met the group
      // once or twice on the way (a reply under the same popular post) is not one of it.
      const memberLogAlpha = Math.log(opts.alpha / members.length);
      for (const member of members) {
        const w = strength[member] ?? 0;
        const d = activity[member] ?? 0;
        const mine = Math.max((w * (sumD - d) + d * (sumW - w)) / (2 * total), 1e-12);
        const own = internal.get(member) ?? 0;
        if (own < opts.minShared || own < opts.minLift * mine || logPoissonUpperTail(own, mine) > memberLogAlpha) pruned.add(member);
      }
    }
    const next: number[] = [];
    const refining = new Set(refine);
    const rowsOf = new Map<number, number[]>();
    for (const row of candidates) {
      const community = label[pairs.a[row] ?? 0] ?? -1;
      if (!refining.has(community) || community !== label[pairs.b[row] ?? 0]) continue;
      let rows = rowsOf.get(community);
      if (rows === undefined) rowsOf.set(community, (rows = []));
      rows.push(row);
    }
    for (const community of refine) {
      const members = round.get(community) ?? [];
      const inCommunity = new Uint8Array(events.actorCount);
      for (const member of members) inCommunity[member] = 1;
      const index = compactIndex(inCommunity);
      const parts = communitiesAmong(index, rowsOf.get(community) ?? [], pairs, opts.seed + depth + 1);
      const relabel = new Map<number, number>();
      for (const member of members) {
        const part = parts[index.of[member]!] ?? 0;
        let fresh = relabel.get(part);
        if (fresh === undefined) relabel.set(part, (fresh = nextLabel++));
        label[member] = fresh;
        next.push(member);
      }
    }
    round = communitiesOf(next);
  }
  groups.sort((x, y) => x.logP - y.logP || y.members.length - x.members.length);
  groups.forEach((group, index) => {
    if (!group.kept) return;
    group.members = group.members.filter((member) => !pruned.has(member));
    if (group.members.length >= seedSize) for (const member of group.members) groupOf[member] = index;
  });
  // One campaign cut at push boundaries is one group again (occasions.ts), before the occasions rule.
  if (opts.mergePushes) mergeOneOccasionGroups(rare, groups, groupOf, { pairs, strength, activity, total }, opts);
  // The core: members who passed the member test and met the group on memberOccasions occasions.
  // Who each group had before the occasions rule, for the groups it fails (recruitBeforeOccasions).
  const recruitFirst = opts.recruitRounds > 0 && opts.recruitBeforeOccasions;
  const tested = recruitFirst ? { groupOf: Int32Array.from(groupOf), members: groups.map((group) => group.members) } : null;
  const failed = requireOccasions(rare, groups, groupOf, opts);
  if (opts.recruitRounds > 0) {
    const retry = tested === null ? new Set<number>() : reinstate(failed, groups, groupOf, tested);
    const core = Int32Array.from(groupOf);
    const joined = recruitMembers({ pairs, strength, activity, total, events: rare, ...(opts.recruitOnceKeys === null || opts.episodeGapMs !== Infinity ? {} : { onceKeys: opts.recruitOnceKeys }) }, groups, groupOf, { minShared: opts.minShared, minLift: opts.minLift, alpha: opts.alpha, minGroupSize: seedSize, rounds: opts.recruitRounds, windowMs: opts.windowMs });
    // A group that met on too few occasions alone is judged again with its recruits (see recruitBeforeOccasions).
    if (retry.size > 0) {
      requireOccasions(rare, groups, groupOf, opts, retry);
      for (const index of retry) if (groups[index]?.kept === true) for (const member of groups[index].members) core[member] = index;
    }
    if (joined > 0) requireRecruitOccasions(rare, groups, groupOf, core, opts);
  }
  return { groups, groupOf, pairs };
}

/** Puts the groups `failed` back with the members they had before the occasions rule; returns them. */
function reinstate(failed: readonly number[], groups: GroupReport[], groupOf: Int32Array, tested: { groupOf: Int32Array; members: readonly number[][] }): Set<number> {
  for (const index of failed) {
    const group = groups[index]!;
    group.kept = true;
    group.members = (tested.members[index] ?? []).filter((member) => tested.groupOf[member] === index && groupOf[member] === -1);
    for (const member of group.members) groupOf[member] = index;
  }
  return new Set(failed);
}

/** Actors flagged in `flags` numbered 0.. in actor order (`of[actor]`, -1 when not flagged). */
function compactIndex(flags: Uint8Array): { of: Int32Array; count: number } {
  const of = new Int32Array(flags.length).fill(-1);
  let count = 0;
  for (let actor = 0; actor < flags.length; actor++) if (flags[actor] === 1) of[actor] = count++;
  return { of, count };
}

/** Leiden communities (by compact index) of the graph of pair rows `rows`, all among the indexed actors. */
function communitiesAmong(index: { of: Int32Array; count: number }, rows: readonly number[], pairs: PairTable, seed: number): Int32Array {
  const csr = buildCsr(index.count,
    Int32Array.from(rows, (row) => index.of[pairs.a[row] ?? 0] ?? 0),
    Int32Array.from(rows, (row) => index.of[pairs.b[row] ?? 0] ?? 0),
    Float64Array.from(rows, (row) => Math.max(pairs.idf[row] ?? 0, 0.1 * (pairs.shared[row] ?? 0))));
  return leiden(csr, { resolution: 1, seed, maxIterations: 4 }).membership;
}

/**
 * The rows of a trace's wide-window pair table that link two members of one kept group: the
 * evidence the group adds to that trace.
 */
export function rowsWithinGroups(pairs: PairTable, groupOf: Int32Array): Int32Array {
  const rows: number[] = [];
  for (let row = 0; row < pairs.size; row++) {
    const group = groupOf[pairs.a[row] ?? 0] ?? -1;
    if (group >= 0 && group === groupOf[pairs.b[row] ?? 0]) rows.push(row);
  }
  return Int32Array.from(rows);
}
