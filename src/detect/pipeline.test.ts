import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from './cluster/index.js';
import { detectCoordination } from './pipeline.js';
import type { TraceData, TraceName } from './traces/trace-names.js';

/**
 * 400 organic accounts retweet popular posts (heavy-tailed popularity, minutes apart); a ring of
 * 10 accounts retweets 25 seed posts within seconds of each other, and also retweets popular posts.
 */
function plantedRetweets(seed: number): { data: TraceData; ring: Set<number> } {
  const random = mulberry32(seed);
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const popular = 300;
  const postTime = Array.from({ length: popular }, () => random() * 30 * 86_400_000);
  for (let account = 10; account < 410; account++) {
    const reposts = 5 + Math.floor(random() * 40);
    for (let i = 0; i < reposts; i++) {
      const post = Math.floor(popular * random() ** 2);
      actor.push(account);
      key.push(post);
      time.push((postTime[post] ?? 0) + random() * 3_600_000);
    }
  }
  for (let s = 0; s < 25; s++) {
    const at = random() * 30 * 86_400_000;
    for (let member = 0; member < 10; member++) {
      if (random() < 0.85) {
        actor.push(member);
        key.push(popular + s);
        time.push(at + random() * 20_000);
      }
      const post = Math.floor(popular * random());
      actor.push(member);
      key.push(post);
      time.push((postTime[post] ?? 0) + random() * 3_600_000);
    }
  }
  const n = actor.length;
  return {
    data: { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from({ length: n }, (_, i) => i), actorCount: 410, keyCount: popular + 25 },
    ring: new Set(Array.from({ length: 10 }, (_, i) => i)),
  };
}

test('a planted retweet ring is found as one cluster and no organic account is flagged', () => {
  for (const seed of [1, 2, 3]) {
    const { data, ring } = plantedRetweets(seed);
    const result = detectCoordination({ actorCount: 410, traces: new Map<TraceName, TraceData>([['co-repost', data]]) });
    const flagged = result.clusters.flatMap((cluster) => cluster.members);
    assert.equal(flagged.filter((actor) => !ring.has(actor)).length, 0, `seed ${seed}: organic accounts flagged`);
    assert.ok(flagged.filter((actor) => ring.has(actor)).length >= 9, `seed ${seed}: ring recalled`);
    assert.equal(result.clusters.length, 1);
    const cluster = result.clusters[0];
    assert.ok(cluster !== undefined && cluster.score > 0.5 && cluster.score <= 1);
    assert.deepEqual(cluster.traces.map((entry) => entry.trace), ['co-repost']);
    const evidence = result.evidence[0];
    assert.ok(evidence !== undefined && evidence.topObjects.length > 0 && evidence.coActions.length > 0);
    assert.ok(evidence.coActions.every((item) => ring.has(item.a) && ring.has(item.b) && item.deltaMs <= 60_000));
    assert.ok((evidence.topObjects[0]?.key ?? 0) >= 300, 'the top shared objects are the seed posts');
  }
});

test('no data, or data without any coordination, gives no cluster', () => {
  assert.equal(detectCoordination({ actorCount: 0, traces: new Map() }).clusters.length, 0);
  const { data } = plantedRetweets(4);
  const organicOnly = data.actor.map((actor) => actor);
  const keep = [...organicOnly.keys()].filter((i) => (data.actor[i] ?? 0) >= 10);
  const pick = <T extends Int32Array | Float64Array>(array: T): T => array.filter((_, i) => keep.includes(i)) as T;
  const organic: TraceData = { actor: pick(data.actor), key: pick(data.key), time: pick(data.time), action: pick(data.action), actorCount: 410, keyCount: data.keyCount };
  assert.equal(detectCoordination({ actorCount: 410, traces: new Map<TraceName, TraceData>([['co-repost', organic]]) }).clusters.length, 0);
});

test('accounts that met on many objects at one moment only are not a cluster; met again on other days, they are', () => {
  const { data } = plantedRetweets(5);
  const build = (days: number): TraceData => {
    const actor = [...data.actor];
    const key = [...data.key];
    const time = [...data.time];
    let keyCount = data.keyCount;
    // Accounts 400..404 (organic) repost 6 new posts together, within a minute, on `days` days.
    for (let day = 0; day < days; day++) {
      for (let post = 0; post < 6 / days; post++) {
        const k = keyCount++;
        for (let account = 400; account < 405; account++) {
          actor.push(account);
          key.push(k);
          time.push(day * 7 * 86_400_000 + 3_600_000 + post * 5_000 + (account - 400) * 2_000);
        }
      }
    }
    return { actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time), action: Int32Array.from(actor, (_, i) => i), actorCount: 410, keyCount };
  };
  const crowd = (trace: TraceData, minOccasions?: number): number => detectCoordination({ actorCount: 410, traces: new Map<TraceName, TraceData>([['co-repost', trace]]) },
    minOccasions === undefined ? {} : { cluster: { minOccasions, minMemberOccasions: minOccasions } }).clusters.filter((cluster) => cluster.members.some((member) => member >= 400)).length;
  assert.equal(crowd(build(1)), 0, 'one moment');
  assert.equal(crowd(build(1), 1), 1, 'it is the occasions rule that drops it');
  assert.equal(crowd(build(3)), 1, 'three separate days');
});
