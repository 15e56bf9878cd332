/**
 * The occasions rule of the group test (significance/group.ts): lockstep is repetition, so a
 * group must have acted on its own objects on several occasions, and each member of its core on
 * at least memberOccasions; an account recruited afterwards (recruit.ts) on recruitOccasions, and
 * among the members rather than after them.
 */
import { actorsByKey } from '../kernel/index.js';
import type { TraceEvents } from '../kernel/index.js';
import type { GroupOptions, GroupReport } from './group.js';

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
  // key -> group, -1 for none; distinct actors by stamp.
  const { start, actors: byKey } = actorsByKey(rare);
  const stamp = new Int32Array(rare.actorCount);
  const groupKey = new Int32Array(rare.keyCount).fill(-1);
  const perGroup = new Map<number, number>();
  for (let k = 0; k < rare.keyCount; k++) {
    let distinct = 0;
    perGroup.clear();
    for (let p = start[k]!, end = start[k + 1]!; p < end; p++) {
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
  for (let i = 0; i < rare.actor.length; i++) {
    const actor = rare.actor[i] ?? 0;
    const group = groupOf[actor] ?? -1;
    if (group < 0 || groupKey[rare.key[i]!] !== group) continue;
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
export function requireOccasions(rare: TraceEvents, groups: GroupReport[], groupOf: Int32Array, opts: GroupOptions): void {
  const { times } = ownObjectTimes(rare, groupOf, opts.ownShare);
  groups.forEach((group, index) => {
    if (!group.kept) return;
    const before = group.members.filter((member) => groupOf[member] === index);
    group.members = before.filter((member) => occasions(times.get(member) ?? [], opts.occasionGapMs) >= opts.memberOccasions);
    const all = group.members.flatMap((member) => times.get(member) ?? []);
    if (group.members.length < opts.minGroupSize || occasions(all, opts.occasionGapMs) < opts.minOccasions) group.kept = false;
    const stay = new Set(group.kept ? group.members : []);
    for (const member of before) if (!stay.has(member)) groupOf[member] = -1;
  });
}

/**
 * Drops recruits (members not in `core`) acting on their group's own objects on fewer than
 * recruitOccasions occasions, or only ever after every core member had acted on the object: an
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
    group.members = group.members.filter((member) => {
      if (groupOf[member] !== index) return false;
      if (core[member] === index || (among[member] === 1 && occasions(times.get(member) ?? [], opts.occasionGapMs) >= opts.recruitOccasions)) return true;
      groupOf[member] = -1;
      return false;
    });
  });
}

