import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../cluster/index.js';
import { coActionPairs } from '../kernel/index.js';
import type { TraceEvents } from '../kernel/index.js';
import { GROUP_DEFAULTS, significantGroups } from './group.js';
import type { GroupReport } from './group.js';
import { mergeOneOccasionGroups, requireOccasions } from './occasions.js';
import type { MergeInput } from './occasions.js';
import { rareKeyEvents } from './rare-objects.js';
import { actorStrengths, distinctKeysPerActor } from './significance.js';
import { addEvent, traceOf } from './test-support/world.js';
import type { World } from './test-support/world.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const ORGANIC = 600;
/** Popular objects: hundreds of accounts on each, out of the group test's sight. */
const POPULAR = 60;

/**
 * `size` campaign accounts (0..size-1) and `organic` (600) organic ones over 40 days. Everyone acts on popular
 * objects; organic accounts now and then share a rare object with a friend, once. The campaign
 * makes `pushes` pushes, each joined by `participation` of its members 2-12 minutes after the
 * order, each putting two new objects in common (a post and its tag, a text and its reply
 * target), as the synthetic archive's slow, low-participation campaigns do.
 */
function fewPushes(seed: number, size: number, pushes: number, participation: number, organic = ORGANIC): World {
  const random = mulberry32(seed);
  const world: World = { actor: [], key: [], time: [], keyCount: POPULAR };
  const popularTime = Array.from({ length: POPULAR }, () => random() * 40 * DAY);
  for (let account = 0; account < size + organic; account++) {
    const actions = 10 + Math.floor(random() * 30);
    for (let i = 0; i < actions; i++) {
      const k = Math.floor(POPULAR * random() ** 2);
      addEvent(world, account, k, (popularTime[k] ?? 0) + random() * 6 * 3_600_000);
    }
    if (account >= size && random() < 0.3) {
      const friend = size + Math.floor(random() * organic);
      const at = random() * 40 * DAY;
      const k = world.keyCount++;
      addEvent(world, account, k, at);
      addEvent(world, friend, k, at + random() * 10 * MINUTE);
    }
  }
  for (let p = 0; p < pushes; p++) {
    const at = (p + random()) * (40 / pushes) * DAY;
    const objects = [world.keyCount++, world.keyCount++];
    for (let member = 0; member < size; member++) {
      if (random() >= participation) continue;
      const when = at + 2 * MINUTE + random() * 10 * MINUTE;
      for (const k of objects) addEvent(world, member, k, when);
    }
  }
  return world;
}

/**
 * Three pushes of one campaign, 40 days apart, each on two new objects: push p joined by the 12
 * accounts of block p (accounts 12p..12p+11) and, when `overlap`, by the first three of block
 * p+1 (cyclically): those nine joined two pushes. Groups as Leiden proposes them: one per block,
 * each kept by the group test; 3,000 organic accounts give the null its scale.
 */
const BIG = 3000;
function threePushes(overlap: boolean): { rare: TraceEvents; groups: GroupReport[]; groupOf: Int32Array; input: MergeInput } {
  const world = fewPushes(9, 36, 0, 0, BIG);
  const random = mulberry32(90);
  for (let p = 0; p < 3; p++) {
    const objects = [world.keyCount++, world.keyCount++];
    const next = 12 * ((p + 1) % 3);
    const joiners = [...Array.from({ length: 12 }, (_, i) => 12 * p + i), ...(overlap ? [next, next + 1, next + 2] : [])];
    for (const actor of joiners) for (const k of objects) addEvent(world, actor, k, (5 + 15 * p) * DAY + random() * 10 * MINUTE);
  }
  const data = traceOf(world, 36 + BIG);
  const rare = rareKeyEvents(data, GROUP_DEFAULTS.maxKeyActors);
  const { pairs } = coActionPairs(rare, { window: GROUP_DEFAULTS.windowMs });
  const { strength } = actorStrengths(pairs, rare.actorCount);
  const activity = distinctKeysPerActor(data);
  const total = activity.reduce((sum, value) => sum + value, 0);
  const groupOf = new Int32Array(rare.actorCount).fill(-1);
  const groups = [0, 1, 2].map((p) => {
    const members = Array.from({ length: 12 }, (_, i) => 12 * p + i);
    for (const member of members) groupOf[member] = p;
    return { members, density: 1, observed: 100, expected: 0.01, lift: 10_000, logP: -500, kept: true };
  });
  return { rare, groups, groupOf, input: { pairs, strength, activity, total } };
}

test('groups that each met once but act with one another beyond chance are merged, and then meet the occasions rule', () => {
  const { rare, groups, groupOf, input } = threePushes(true);
  assert.equal(mergeOneOccasionGroups(rare, groups, groupOf, input, GROUP_DEFAULTS), 2);
  assert.deepEqual(groups.map((group) => group.kept), [true, false, false]);
  assert.ok([...groupOf.subarray(0, 36)].every((group) => group === 0));
  requireOccasions(rare, groups, groupOf, GROUP_DEFAULTS);
  // Three occasions; the core is the nine accounts that joined two pushes.
  assert.equal(groups[0]?.kept, true);
  assert.deepEqual([...(groups[0]?.members ?? [])].sort((x, y) => x - y), [0, 1, 2, 12, 13, 14, 24, 25, 26]);
  // Unmerged, each push is one occasion and every group is dropped.
  const apart = threePushes(true);
  requireOccasions(apart.rare, apart.groups, apart.groupOf, GROUP_DEFAULTS);
  assert.ok(apart.groups.every((group) => !group.kept));
});

test('groups with no co-action across them (three unrelated bursts) are not merged', () => {
  const { rare, groups, groupOf, input } = threePushes(false);
  assert.equal(mergeOneOccasionGroups(rare, groups, groupOf, input, GROUP_DEFAULTS), 0);
  requireOccasions(rare, groups, groupOf, GROUP_DEFAULTS);
  assert.ok(groups.every((group) => !group.kept));
});

test('unrelated one-off bursts (three crowds at three matches, nobody at two) are not merged into a campaign', () => {
  for (const seed of [4, 5]) {
    const world = fewPushes(seed, 0, 0, 0);
    const random = mulberry32(seed + 50);
    for (let match = 0; match < 3; match++) {
      const at = (5 + 10 * match) * DAY;
      const chants = [world.keyCount++, world.keyCount++];
      // 25 different organic accounts at each match, every one on both chants within 20 minutes.
      for (let fan = 100 + 25 * match; fan < 125 + 25 * match; fan++) for (const k of chants) addEvent(world, fan, k, at + random() * 20 * MINUTE);
    }
    const data = traceOf(world, ORGANIC);
    assert.equal(significantGroups(data, distinctKeysPerActor(data)).groups.filter((group) => group.kept).length, 0, `seed ${seed}`);
    // Each crowd does pass the activity null: it is the occasions rule, unmerged, that keeps them out.
    const oneOccasion = significantGroups(data, distinctKeysPerActor(data), { minOccasions: 1, memberOccasions: 1 });
    assert.equal(oneOccasion.groups.filter((group) => group.kept).length, 3, `seed ${seed}`);
  }
});
