/**
 * The occasions rule of the group test (significance/group.ts): lockstep is repetition, so a
 * group must have acted on its own objects on several occasions, and each member of its core on
 * at least memberOccasions; an account recruited afterwards (recruit.ts) on recruitOccasions, and
 * among the members rather than after them.
 */
import type { PairTable, TraceEvents } from '../kernel/index.js';
import { isMember, memberBits } from '../member-bits.js';
import type { GroupOptions, GroupReport } from './group.js';
import { logPoissonUpperTail } from './poisson.js';
import { keyRuns } from './rare-objects.js';

/** Number of runs in ascending `times` separated by more than `gap`. */
function occasions(times: number[], gap: number): number {
  times.sort((x, y) => x - y);
  let count = 0;
  let last = -Infinity;
  for (const time of times) {
    if (time - last > gap) count += 1;
    last = time;
  }
  return count;
}

/**
 * Per member of a group (groupOf), the times of its events on its group's own objects: objects
 * that two or more members of the group acted on, the members being at least `ownShare` of the
 * accounts on it (its own material, not a public event's hashtag that a few members also used).
 */
function ownObjectTimes(rare: TraceEvents, groupOf: Int32Array, ownShare: number): { times: Map<number, number[]>; groupKey: Int32Array } {
  // key -> group, -1 for none; distinct actors by stamp. Only keys with a group member are
  // counted (a few among hundreds of thousands): the others cannot belong to a group.
  const { start, actors: byKey } = keyRuns(rare);
  const stamp = new Int32Array(rare.actorCount);
  const groupKey = new Int32Array(rare.keyCount).fill(-1);
  const perGroup = new Map<number, number>();
  // Most keys have no member: the test reads every event, on a bit per actor that stays in cache
  // (10M CooRTweet rows: 500k actors, 62 KB) rather than groupOf's four bytes that do not.
  const inGroup = memberBits(groupOf);
  for (let k = 0; k < rare.keyCount; k++) {
    const from = start[k]!, end = start[k + 1]!;
    let member = false;
    for (let p = from; p < end && !member; p++) member = isMember(inGroup, byKey[p]!);
    if (!member) continue;
    let distinct = 0;
    perGroup.clear();
    for (let p = from; p < end; p++) {
      const actor = byKey[p]!;
      if (stamp[actor] === k + 1) continue;
      stamp[actor] = k + 1;
      distinct++;
      const group = groupOf[actor] ?? -1;
      if (group >= 0) perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    for (const [group, count] of perGroup) if (count >= 2 && count >= ownShare * distinct) groupKey[k] = group;
  }
  const times = new Map<number, number[]>();
  if (byKey === rare.actor) {
    // Key-ordered events: the runs of the group's own keys are all there is to read.
    for (let k = 0; k < rare.keyCount; k++) {
      const own = groupKey[k]!;
      if (own < 0) continue;
      for (let i = start[k]!, end = start[k + 1]!; i < end; i++) {
        const actor = byKey[i]!;
        if (groupOf[actor] !== own) continue;
        let list = times.get(actor);
        if (list === undefined) times.set(actor, (list = []));
        list.push(rare.time[i]!);
      }
    }
    return { times, groupKey };
  }
  for (let i = 0; i < rare.actor.length; i++) {
    const own = groupKey[rare.key[i]!]!;
    if (own < 0) continue;
    const actor = rare.actor[i] ?? 0;
    if (groupOf[actor] !== own) continue;
    let list = times.get(actor);
    if (list === undefined) times.set(actor, (list = []));
    list.push(rare.time[i] ?? 0);
  }
  return { times, groupKey };
}

/**
 * Drops members acting on their group's own objects on fewer than memberOccasions occasions, and
 * groups left with fewer than minGroupSize members or meeting on fewer than minOccasions (see
 * GroupOptions.occasionGapMs).
 */
export function requireOccasions(rare: TraceEvents, groups: GroupReport[], groupOf: Int32Array, opts: GroupOptions, only?: ReadonlySet<number>): number[] {
  const { times } = ownObjectTimes(rare, groupOf, opts.ownShare);
  const failed: number[] = [];
  groups.forEach((group, index) => {
    if (!group.kept || (only !== undefined && !only.has(index))) return;
    const before = group.members.filter((member) => groupOf[member] === index);
    group.members = before.filter((member) => occasions(times.get(member) ?? [], opts.occasionGapMs) >= opts.memberOccasions);
    const all = group.members.flatMap((member) => times.get(member) ?? []);
    if (group.members.length < opts.minGroupSize || occasions(all, opts.occasionGapMs) < opts.minOccasions) {
      group.kept = false;
      failed.push(index);
    }
    const stay = new Set(group.kept ? group.members : []);
    for (const member of before) if (!stay.has(member)) groupOf[member] = -1;
  });
  return failed;
}

/**
 * Drops recruits (members not in `core`) acting on their group's own objects on fewer than
 * recruitOccasions occasions (or recruitCoreShare of the core's median), or only ever after every core member had acted on the object: an
 * account that always comes after the group follows it (a reader of an outlet's feeds, a fan,
 * someone passing on a campaign's post), while a member acts among the others.
 */
export function requireRecruitOccasions(rare: TraceEvents, groups: GroupReport[], groupOf: Int32Array, core: Int32Array, opts: GroupOptions): void {
  const { times, groupKey } = ownObjectTimes(rare, groupOf, opts.ownShare);
  const lastCore = new Float64Array(rare.keyCount).fill(-Infinity);
  for (let i = 0; i < rare.actor.length; i++) {
    const key = rare.key[i]!;
    if (groupKey[key]! >= 0 && core[rare.actor[i]!] === groupKey[key]) lastCore[key] = Math.max(lastCore[key]!, rare.time[i]!);
  }
  const among = new Uint8Array(rare.actorCount);
  for (let i = 0; i < rare.actor.length; i++) {
    const actor = rare.actor[i]!;
    const key = rare.key[i]!;
    if (groupOf[actor]! >= 0 && groupKey[key] === groupOf[actor] && rare.time[i]! < lastCore[key]!) among[actor] = 1;
  }
  groups.forEach((group, index) => {
    if (!group.kept) return;
    const coreOccasions = group.members.filter((member) => core[member] === index).map((member) => occasions(times.get(member) ?? [], opts.occasionGapMs)).sort((x, y) => x - y);
    const needed = Math.max(opts.recruitOccasions, Math.ceil(opts.recruitCoreShare * (coreOccasions[coreOccasions.length >> 1] ?? 0)));
    group.members = group.members.filter((member) => {
      if (groupOf[member] !== index) return false;
      if (core[member] === index || (among[member] === 1 && occasions(times.get(member) ?? [], opts.occasionGapMs) >= needed)) return true;
      groupOf[member] = -1;
      return false;
    });
  });
}


/** What merging needs of the group test's wide-window co-actions (as recruitment, recruit.ts). */
export interface MergeInput {
  pairs: PairTable;
  /** W per actor: co-actions in `pairs`. */
  strength: Float64Array;
  /** d per actor: distinct objects over the whole data. */
  activity: Float64Array;
  /** D: Σ d. */
  total: number;
}

/**
 * Merges kept groups that would fail the occasions rule on their own but act with one another far
 * beyond chance; returns the number of groups absorbed.
 *
 * A low-participation campaign's pushes are each joined by a different fifth to two fifths of its
 * members, and one push often puts two objects in common (a post and its tag, a text and its reply
 * target). Leiden then cuts the campaign at push boundaries: each community is one push, strong
 * beyond doubt but met on one occasion, and the occasions rule drops it. The few members who join
 * two pushes sit in one of those communities and co-act with the other: pushes of one campaign are
 * tied by those co-actions, unrelated one-off bursts (two crowds at two matches) are not. Two such
 * groups x, y are merged when their co-actions across O_xy are at least mergeMinLift × and beyond
 * α (Bonferroni over the pairs of such groups) the null's E_xy = (W_x D_y + W_y D_x) / 2D, the
 * closed form of significantPairs' activity null summed over the member pairs across; components
 * are merged whole, and the occasions rule is then applied to the merged group as to any other.
 * mergeMinLift is well above minLift: organic one-off groups (accounts reposting the same posts
 * together) are tied to one another too, at 5-10 × the null on the synthetic archives, while the
 * pushes of one campaign are tied at 40 × and more.
 */
export function mergeOneOccasionGroups(rare: TraceEvents, groups: GroupReport[], groupOf: Int32Array, input: MergeInput, opts: GroupOptions): number {
  const { times } = ownObjectTimes(rare, groupOf, opts.ownShare);
  const failing: number[] = [];
  groups.forEach((group, index) => {
    if (!group.kept) return;
    const members = group.members.filter((member) => groupOf[member] === index);
    const core = members.filter((member) => occasions(times.get(member) ?? [], opts.occasionGapMs) >= opts.memberOccasions);
    const all = members.flatMap((member) => times.get(member) ?? []);
    if (core.length < opts.minGroupSize || occasions(all, opts.occasionGapMs) < opts.minOccasions) failing.push(index);
  });
  if (failing.length < 2) return 0;
  const slot = new Map(failing.map((index, at) => [index, at]));
  const sumW = new Float64Array(failing.length);
  const sumD = new Float64Array(failing.length);
  for (let actor = 0; actor < groupOf.length; actor++) {
    const at = slot.get(groupOf[actor] ?? -1);
    if (at === undefined) continue;
    sumW[at] = (sumW[at] ?? 0) + (input.strength[actor] ?? 0);
    sumD[at] = (sumD[at] ?? 0) + (input.activity[actor] ?? 0);
  }
  // Co-actions across two failing groups, keyed by the pair of slots.
  const across = new Map<number, number>();
  const { pairs } = input;
  for (let row = 0; row < pairs.size; row++) {
    const x = slot.get(groupOf[pairs.a[row] ?? 0] ?? -1);
    const y = slot.get(groupOf[pairs.b[row] ?? 0] ?? -1);
    if (x === undefined || y === undefined || x === y) continue;
    const id = Math.min(x, y) * failing.length + Math.max(x, y);
    across.set(id, (across.get(id) ?? 0) + (pairs.shared[row] ?? 0));
  }
  const logAlpha = Math.log(opts.alpha / Math.max(1, (failing.length * (failing.length - 1)) / 2));
  const parent = Int32Array.from(failing, (_, at) => at);
  const find = (at: number): number => {
    while (parent[at] !== at) at = parent[at] = parent[parent[at]!]!;
    return at;
  };
  for (const [id, observed] of across) {
    const x = Math.floor(id / failing.length);
    const y = id % failing.length;
    const expected = Math.max(((sumW[x] ?? 0) * (sumD[y] ?? 0) + (sumW[y] ?? 0) * (sumD[x] ?? 0)) / (2 * input.total), 1e-12);
    if (observed < opts.minShared || observed < opts.mergeMinLift * expected || logPoissonUpperTail(observed, expected) > logAlpha) continue;
    const rx = find(x);
    const ry = find(y);
    // The strongest group (lowest index: groups are sorted by p-value) absorbs the other.
    if (rx !== ry) parent[Math.max(rx, ry)] = Math.min(rx, ry);
  }
  let absorbed = 0;
  failing.forEach((index, at) => {
    const root = find(at);
    if (root === at) return;
    const into = groups[failing[root]!]!;
    const from = groups[index]!;
    const moving = from.members.filter((member) => groupOf[member] === index);
    for (const member of moving) groupOf[member] = failing[root]!;
    into.members = [...into.members, ...moving];
    into.observed += from.observed;
    into.expected += from.expected;
    from.kept = false;
    absorbed++;
  });
  for (const index of failing) {
    const group = groups[index]!;
    if (!group.kept) continue;
    group.lift = group.observed / group.expected;
    group.logP = Math.min(group.logP, logPoissonUpperTail(group.observed, group.expected));
  }
  return absorbed;
}
