import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../cluster/index.js';
import { detectCoordination } from '../pipeline.js';
import type { TraceData, TraceName } from '../traces/trace-names.js';
import { distinctKeysPerActor } from './significance.js';
import { rowsWithinGroups, significantGroups } from './group.js';
import { rareKeyEvents, unionEvents } from './rare-objects.js';
import { coActionPairs } from '../kernel/index.js';
import { addEvent, traceOf } from './test-support/world.js';
import type { World } from './test-support/world.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * 600 organic accounts act on popular objects (heavy-tailed, spread over hours) and now and then
 * on a rare object of their own with a friend or two. Accounts 0..ringSize-1 form a slow ring:
 * `pushes` orders over 90 days, each joined by `participation` of the members 2-12 minutes after
 * the order, each on a new object only the ring uses; members also act organically.
 */
function slowRing(seed: number, ringSize = 24, pushes = 30, participation = 0.3): World {
  const random = mulberry32(seed);
  const world: World = { actor: [], key: [], time: [], keyCount: 0 };
  const add = (actor: number, key: number, time: number): void => addEvent(world, actor, key, time);
  const popular = 400;
  const popularTime = Array.from({ length: popular }, () => random() * 90 * DAY);
  world.keyCount = popular;
  for (let account = 0; account < ringSize + 600; account++) {
    const actions = 10 + Math.floor(random() * 40);
    for (let i = 0; i < actions; i++) {
      const k = Math.floor(popular * random() ** 2);
      add(account, k, (popularTime[k] ?? 0) + random() * 6 * 3_600_000);
    }
    if (account >= ringSize && random() < 0.3) {
      // A small rare object shared with a random friend, on one occasion.
      const friend = ringSize + Math.floor(random() * 600);
      const at = random() * 90 * DAY;
      const k = world.keyCount++;
      add(account, k, at);
      add(friend, k, at + random() * 10 * MINUTE);
    }
  }
  for (let p = 0; p < pushes; p++) {
    const at = random() * 90 * DAY;
    const k = world.keyCount++;
    for (let member = 0; member < ringSize; member++) {
      if (random() < participation) add(member, k, at + 2 * MINUTE + random() * 10 * MINUTE);
    }
  }
  return world;
}

const flaggedIn = (clusters: { members: number[] }[], ring: number): { ring: number; organic: number } => {
  const members = clusters.flatMap((cluster) => cluster.members);
  return { ring: members.filter((actor) => actor < ring).length, organic: members.filter((actor) => actor >= ring).length };
};

test('a slow ring acting minutes apart on a few pushes each is found by the group test, not by pairs alone', () => {
  for (const seed of [1, 2, 3]) {
    const data = traceOf(slowRing(seed), 624);
    const traces = new Map<TraceName, TraceData>([['co-link', data]]);
    const withGroups = flaggedIn(detectCoordination({ actorCount: 624, traces }).clusters, 24);
    const pairsOnly = flaggedIn(detectCoordination({ actorCount: 624, traces }, { group: false }).clusters, 24);
    assert.equal(withGroups.organic, 0, `seed ${seed}: organic accounts flagged`);
    assert.ok(withGroups.ring >= 20, `seed ${seed}: ${withGroups.ring} of 24 ring members found`);
    assert.ok(pairsOnly.ring < withGroups.ring / 2, `seed ${seed}: pairs alone found ${pairsOnly.ring}`);
  }
});

test('the group test pools traces: a ring whose pushes alternate between links and reposts is one group', () => {
  const world = slowRing(7, 20, 36, 0.35);
  // Odd pushes become reposts: move their events to a second trace (keys keep their ids).
  const ringKeys = new Set<number>();
  for (let i = 0; i < world.actor.length; i++) if ((world.actor[i] ?? 0) < 20 && (world.key[i] ?? 0) >= 400) ringKeys.add(world.key[i] ?? 0);
  const odd = (key: number): boolean => ringKeys.has(key) && key % 2 === 1;
  const split = (keep: (i: number) => boolean): World => {
    const part: World = { actor: [], key: [], time: [], keyCount: world.keyCount };
    for (let i = 0; i < world.actor.length; i++) {
      if (!keep(i)) continue;
      part.actor.push(world.actor[i] ?? 0);
      part.key.push(world.key[i] ?? 0);
      part.time.push(world.time[i] ?? 0);
    }
    return part;
  };
  const links = traceOf(split((i) => !odd(world.key[i] ?? 0)), 620);
  const reposts = traceOf(split((i) => odd(world.key[i] ?? 0)), 620);
  const activity = distinctKeysPerActor(links).map((value, actor) => value + (distinctKeysPerActor(reposts)[actor] ?? 0));
  const { groups, groupOf } = significantGroups(unionEvents([links, reposts], 620), activity);
  const kept = groups.filter((group) => group.kept);
  assert.equal(kept.length, 1);
  const members = kept[0]?.members ?? [];
  assert.ok(members.every((actor) => actor < 20) && members.length >= 16, `members ${members.join(',')}`);
  // Both traces carry evidence inside the group.
  for (const trace of [links, reposts]) {
    const { pairs } = coActionPairs(trace, { window: 15 * MINUTE });
    assert.ok(rowsWithinGroups(pairs, groupOf).length > 0);
  }
});

test('one burst is not a campaign: a crowd posting the same objects within minutes on a single occasion', () => {
  const world = slowRing(11, 24, 0);
  // 30 accounts at one match: three chants, all within 20 minutes, never again.
  const random = mulberry32(11);
  const at = 40 * DAY;
  for (let chant = 0; chant < 3; chant++) {
    const k = world.keyCount++;
    for (let fan = 100; fan < 130; fan++) {
      world.actor.push(fan);
      world.key.push(k);
      world.time.push(at + random() * 20 * MINUTE);
    }
  }
  const data = traceOf(world, 624);
  const { groups } = significantGroups(data, distinctKeysPerActor(data));
  assert.equal(groups.filter((group) => group.kept).length, 0);
  // It is the occasions rule that keeps it out: the crowd does beat the activity null.
  assert.equal(significantGroups(data, distinctKeysPerActor(data), { minOccasions: 1, minShared: 1, memberOccasions: 1 }).groups.filter((group) => group.kept).length, 1);
  assert.equal(detectCoordination({ actorCount: 624, traces: new Map<TraceName, TraceData>([['near-duplicate', data]]) }).clusters.length, 0);
});

/**
 * slowRing(5) where account 300 joins one push of the ring on two objects at once, among the
 * members (or, `late`, a minute after the last of them); `crowd` other outsiders join it too.
 */
function oneTimeJoiner(crowd: number, late = false, pushes = 30, participation = 0.3): TraceData {
  const world = slowRing(5, 24, pushes, participation);
  // One push of the ring carried two objects (a link and a hashtag, say).
  const push = world.key.find((k, i) => (world.actor[i] ?? 0) < 24 && k >= 400 && world.key.filter((other) => other === k).length >= 5) ?? -1;
  const second = world.keyCount++;
  const events = world.key.flatMap((k, i) => (k === push ? [i] : []));
  for (const i of events) {
    world.actor.push(world.actor[i] ?? 0);
    world.key.push(second);
    world.time.push(world.time[i] ?? 0);
  }
  const times = events.map((i) => world.time[i] ?? 0).sort((x, y) => x - y);
  const at = late ? (times.at(-1) ?? 0) + MINUTE : (times[times.length >> 1] ?? 0) - 1;
  for (let outsider = 300; outsider <= 300 + crowd; outsider++) {
    for (const k of [push, second]) {
      world.actor.push(outsider);
      world.key.push(k);
      world.time.push(at);
    }
  }
  return traceOf(world, 624);
}

test('an account that met a kept ring on one push is recruited only among the members and on objects the ring owns', () => {
  // Alone with the ring on its material, minutes after it: as tied to the ring as a member who
  // joined one push (the ring itself met on many occasions).
  const alone = oneTimeJoiner(0);
  const found = significantGroups(alone, distinctKeysPerActor(alone));
  const ring = found.groups.findIndex((group) => group.kept);
  assert.ok(ring >= 0);
  assert.equal(found.groupOf[300], ring);
  assert.equal(significantGroups(alone, distinctKeysPerActor(alone), { recruitRounds: 0 }).groupOf[300], -1);
  // Where the ring's core met on about 12 of 30 pushes each (participation 0.4, not 0.3), one
  // meeting is unlike its members (a reply under the post a copypasta campaign replies to): not
  // recruited at defaults, recruited without recruitCoreShare.
  const busy = oneTimeJoiner(0, false, 30, 0.4);
  assert.equal(significantGroups(busy, distinctKeysPerActor(busy)).groupOf[300], -1);
  const busyRing = significantGroups(busy, distinctKeysPerActor(busy), { recruitCoreShare: 0 });
  assert.ok(busyRing.groupOf[300]! >= 0 && busyRing.groups[busyRing.groupOf[300]!]?.kept === true);
  // With as many outsiders as members on those objects, they are nobody's own: a public moment.
  const crowded = oneTimeJoiner(12);
  const { groups, groupOf } = significantGroups(crowded, distinctKeysPerActor(crowded));
  assert.ok(groups.some((group) => group.kept));
  for (let outsider = 300; outsider <= 312; outsider++) assert.equal(groupOf[outsider], -1, `account ${outsider}`);
  // After every member, it follows the ring (a reader, someone passing a post on): not one of it.
  const follower = oneTimeJoiner(0, true);
  assert.equal(significantGroups(follower, distinctKeysPerActor(follower)).groupOf[300], -1);
});

test('an account that met a kept ring on one reply target only, however many members were on it, is not recruited', () => {
  // As at synthetic scale 30: the ring replies en masse under one post (all 24 members within
  // minutes) and an ordinary account (624, active on popular posts only) replies under it among
  // them: 24 co-actions on one post of someone else's, and nothing else with the ring.
  const world = slowRing(5, 24, 30, 0.3);
  const target = world.keyCount++;
  const at = 40 * DAY;
  for (let member = 0; member < 24; member++) addEvent(world, member, target, at + member * 20_000);
  addEvent(world, 624, target, at + 4 * MINUTE);
  for (let k = 0; k < 12; k++) addEvent(world, 624, k, k * 7 * DAY);
  const replies = (data: TraceData): Uint8Array => Uint8Array.from({ length: data.keyCount }, (_, k) => (k === target ? 1 : 0));
  const data = traceOf(world, 625);
  const activity = distinctKeysPerActor(data);
  const found = significantGroups(data, activity, { recruitOnceKeys: replies(data) });
  const ring = found.groups.findIndex((group) => group.kept);
  assert.ok(ring >= 0);
  assert.equal(found.groupOf[624], -1);
  // Counting the post once per member met on it (as the ring's own material), it would have joined.
  assert.equal(significantGroups(data, activity).groupOf[624], ring);
  // Meeting the ring on its text too (the copypasta itself), it joins.
  const text = world.keyCount++;
  for (let member = 0; member < 24; member++) addEvent(world, member, text, at + member * 20_000);
  addEvent(world, 624, text, at + 4 * MINUTE);
  const both = traceOf(world, 625);
  assert.equal(significantGroups(both, distinctKeysPerActor(both), { recruitOnceKeys: replies(both) }).groupOf[624], ring);
});

test('detection counts the co-reply trace\'s keys once for a recruit: the ordinary account replying among a ring is not in its group', () => {
  // The ring's own material in one trace, its swarm under someone's post in the co-reply trace.
  const world = slowRing(5, 24, 30, 0.3);
  const material = traceOf(world, 625);
  const replies: World = { actor: [], key: [], time: [], keyCount: 1 };
  const at = 40 * DAY;
  for (let member = 0; member < 24; member++) addEvent(replies, member, 0, at + member * 20_000);
  addEvent(replies, 624, 0, at + 4 * MINUTE);
  const traces = new Map<TraceName, TraceData>([['near-duplicate', material], ['co-reply', traceOf(replies, 625)]]);
  const grouped = (options: Parameters<typeof detectCoordination>[1]): Set<number> => new Set(detectCoordination({ actorCount: 625, traces }, options).groups.filter((group) => group.kept).flatMap((group) => group.members));
  const found = grouped({});
  assert.ok([...found].filter((actor) => actor < 24).length >= 12, 'the ring is found');
  assert.equal(found.has(624), false);
  // With no key counted once, it is recruited into the ring's group.
  assert.equal(grouped({ group: { recruitOnceKeys: new Uint8Array(world.keyCount + 1) } }).has(624), true);
});

test('a campaign whose one multi-object push makes the group is judged with the members recruited on its other pushes', () => {
  // 46 members (600..645, a few organic actions each) among 600 organic accounts. One push
  // carries three tags (a sequence), joined by members 600..609 within minutes: their pairs meet
  // on three objects, a strong group. Six one-object pushes (a link each) are joined by five of
  // those ten and six other members: there the ten are under half the accounts until the others
  // are recruited, so alone the group met once and the occasions rule dropped it.
  const world = slowRing(31, 0, 0);
  const random = mulberry32(31);
  for (let member = 600; member < 646; member++) for (let i = 0; i < 5; i++) addEvent(world, member, Math.floor(400 * random() ** 2), random() * 90 * DAY);
  const at = 20 * DAY;
  const sequence = [world.keyCount++, world.keyCount++, world.keyCount++];
  for (let member = 0; member < 10; member++) for (const k of sequence) addEvent(world, 600 + member, k, at + (2 + member) * MINUTE);
  for (let push = 0; push < 6; push++) {
    const k = world.keyCount++;
    const pushAt = at + (3 + 6 * push) * DAY;
    for (let i = 0; i < 5; i++) addEvent(world, 600 + ((5 * push + 2 * i) % 10), k, pushAt + (2 + 2 * i) * MINUTE);
    for (let i = 0; i < 6; i++) addEvent(world, 610 + 6 * push + i, k, pushAt + (3 + i) * MINUTE);
  }
  const data = traceOf(world, 646);
  const grouped = (options: Parameters<typeof significantGroups>[2]): number[] => {
    const { groupOf, groups } = significantGroups(data, distinctKeysPerActor(data), options);
    return [...groupOf.keys()].filter((actor) => groupOf[actor]! >= 0 && groups[groupOf[actor]!]?.kept === true);
  };
  const found = grouped({});
  assert.deepEqual(found.filter((actor) => actor < 600), [], 'organic accounts in a group');
  assert.ok(found.filter((actor) => actor >= 600).length >= 5, `campaign members kept: ${found.join(' ')}`);
  assert.deepEqual(grouped({ recruitBeforeOccasions: false }), []);
});

test('a small campaign where only three members ever met twice seeds a group that recruits the rest', () => {
  // 9 members (600..608, a few organic actions each) among 600 organic accounts; five pushes of
  // one object each, 2-12 minutes after the order, joined by no one else. Members 600..602 join
  // pushes 0, 1 and 2; 603..606 two pushes each, one with those three and one with another of
  // them (603 and 604 push 3, 605 and 606 push 4); 607 and 608 one push. Only 600..602 meet on
  // more than one object: too few for a community of minGroupSize.
  const joiners = [[600, 601, 602, 603, 606], [600, 601, 602, 604, 607], [600, 601, 602, 605, 608], [603, 604], [605, 606]];
  for (const seed of [41, 42, 43]) {
    const world = slowRing(seed, 0, 0);
    const random = mulberry32(seed);
    for (let member = 600; member < 609; member++) for (let i = 0; i < 5; i++) addEvent(world, member, Math.floor(400 * random() ** 2), random() * 90 * DAY);
    joiners.forEach((members, push) => {
      const k = world.keyCount++;
      members.forEach((member, i) => addEvent(world, member, k, (10 + 15 * push) * DAY + (2 + 2 * i + random()) * MINUTE));
    });
    const data = traceOf(world, 609);
    const grouped = (options: Parameters<typeof significantGroups>[2]): number[] => {
      const { groupOf, groups } = significantGroups(data, distinctKeysPerActor(data), options);
      return [...groupOf.keys()].filter((actor) => groupOf[actor]! >= 0 && groups[groupOf[actor]!]?.kept === true);
    };
    const found = grouped({});
    assert.deepEqual(found.filter((actor) => actor < 600), [], `seed ${seed}: organic accounts in a group`);
    assert.ok(found.filter((actor) => actor >= 600).length >= 5, `seed ${seed}: campaign members kept: ${found.join(' ')}`);
    assert.deepEqual(grouped({ seedGroupSize: 5 }), [], `seed ${seed}: found without seeds`);
  }
});

test('recruitment takes ring members Leiden left out, and no organic account', () => {
  for (const seed of [21, 22, 23]) {
    // A sparse ring: 40 members, a fifth of them on each of 20 pushes.
    const data = traceOf(slowRing(seed, 40, 20, 0.2), 640);
    const ring = (groupOf: Int32Array): { members: number; organic: number } => ({
      members: [...groupOf.subarray(0, 40)].filter((group) => group >= 0).length,
      organic: [...groupOf.subarray(40)].filter((group) => group >= 0).length,
    });
    const withRecruits = ring(significantGroups(data, distinctKeysPerActor(data)).groupOf);
    const without = ring(significantGroups(data, distinctKeysPerActor(data), { recruitRounds: 0 }).groupOf);
    assert.equal(withRecruits.organic, 0, `seed ${seed}`);
    assert.ok(withRecruits.members > without.members, `seed ${seed}: ${withRecruits.members} with recruitment, ${without.members} without`);
  }
});

test('the group test can be turned off and adds no pairs when no group is kept', () => {
  const world = slowRing(3, 24, 0);
  const data = traceOf(world, 624);
  const result = detectCoordination({ actorCount: 624, traces: new Map<TraceName, TraceData>([['co-link', data]]) });
  assert.equal(result.clusters.length, 0);
  assert.ok(result.traces.every((trace) => trace.groupPairs === 0));
  assert.equal(detectCoordination({ actorCount: 624, traces: new Map<TraceName, TraceData>([['co-link', data]]) }, { group: false }).groups.length, 0);
});

/**
 * slowRing(seed) whose pushes reuse a pool of six objects (a slogan or template text the ring
 * posts again and again) that 600 unrelated accounts also post, twice each, at other times: each
 * object ends up with 200+ accounts over the 90 days, but at each push only the ring is on it.
 */
function reusedObjectsRing(seed: number): TraceData {
  const world = slowRing(seed, 24, 0);
  const random = mulberry32(seed + 100);
  const pool = Array.from({ length: 6 }, () => world.keyCount++);
  for (let account = 24; account < 624; account++) {
    for (let i = 0; i < 2; i++) {
      world.actor.push(account);
      world.key.push(pool[Math.floor(random() * pool.length)] ?? 0);
      world.time.push(random() * 90 * DAY);
    }
  }
  for (let p = 0; p < 30; p++) {
    const at = random() * 90 * DAY;
    for (let member = 0; member < 24; member++) {
      if (random() >= 0.3) continue;
      world.actor.push(member);
      world.key.push(pool[p % pool.length] ?? 0);
      world.time.push(at + 2 * MINUTE + random() * 10 * MINUTE);
    }
  }
  return traceOf(world, 624);
}

test('with episodes, objects many accounts use at other times are rare at each push: a ring reusing them is found', () => {
  for (const seed of [31, 32, 33]) {
    const data = reusedObjectsRing(seed);
    const activity = distinctKeysPerActor(data);
    const members = (groupOf: Int32Array): { ring: number; organic: number } => ({
      ring: [...groupOf.subarray(0, 24)].filter((group) => group >= 0).length,
      organic: [...groupOf.subarray(24)].filter((group) => group >= 0).length,
    });
    const episodes = members(significantGroups(data, activity, { episodeGapMs: 60 * MINUTE }).groupOf);
    assert.equal(episodes.organic, 0, `seed ${seed}`);
    assert.ok(episodes.ring >= 18, `seed ${seed}: ${episodes.ring} of 24 ring members found`);
    // Counted over the whole data (the default), every pool object is popular and the ring is lost.
    assert.equal(members(significantGroups(data, activity).groupOf).ring, 0, `seed ${seed}`);
  }
});

test('rareKeyEvents: each episode of an object (no gap over episodeGapMs) is an object of its own, kept when 2..maxKeyActors accounts are on it', () => {
  // Key 0: accounts 0,1 at 0 and 5 min, then accounts 2,3,4 an hour later; key 1: account 5 alone.
  const events = {
    actor: Int32Array.of(0, 1, 2, 3, 4, 5), key: Int32Array.of(0, 0, 0, 0, 0, 1),
    time: Float64Array.of(0, 5 * MINUTE, 65 * MINUTE, 66 * MINUTE, 70 * MINUTE, 0), actorCount: 6, keyCount: 2,
  };
  const whole = rareKeyEvents(events, 4);
  assert.equal(whole.actor.length, 0, 'five accounts on key 0: popular as a whole');
  const split = rareKeyEvents(events, 4, 15 * MINUTE);
  assert.equal(split.keyCount, 2);
  assert.deepEqual([...split.actor], [0, 1, 2, 3, 4]);
  assert.deepEqual([...split.key], [0, 0, 1, 1, 1]);
  assert.deepEqual([...rareKeyEvents(events, 2, 15 * MINUTE).actor], [0, 1], 'the crowded episode is dropped, the quiet one kept');
});
