import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../cluster/index.js';
import { coActionPairs } from '../kernel/index.js';
import { detectCoordination } from '../pipeline.js';
import type { TraceData, TraceName } from '../traces/trace-names.js';
import { tiedMembers } from './member-test.js';
import { distinctKeysPerActor } from './significance.js';

const HOUR = 3_600_000;
const ACTORS = 400;

/**
 * 300 organic accounts (10..309) on popular objects; accounts 0..9 a fast ring acting on 30 objects
 * of its own within seconds; account 350 a friend of ring member 0 only: eight times they shared a
 * little-known link within the minute, which alone makes their pair significant.
 */
function ringWithHangerOn(seed: number): TraceData {
  const random = mulberry32(seed);
  const actor: number[] = [];
  const key: number[] = [];
  const time: number[] = [];
  const add = (a: number, k: number, t: number): void => {
    actor.push(a);
    key.push(k);
    time.push(t);
  };
  const popular = 300;
  for (let account = 0; account < 310; account++) {
    if (account === 350) continue;
    for (let i = 0; i < 20; i++) add(account, Math.floor(popular * random() ** 2), random() * 1000 * HOUR);
  }
  for (let i = 0; i < 20; i++) add(350, Math.floor(popular * random() ** 2), random() * 1000 * HOUR);
  let next = popular;
  for (let push = 0; push < 30; push++) {
    const at = random() * 1000 * HOUR;
    const k = next++;
    for (let member = 0; member < 10; member++) add(member, k, at + random() * 30_000);
  }
  for (let shared = 0; shared < 8; shared++) {
    const at = random() * 1000 * HOUR;
    const k = next++;
    add(0, k, at);
    add(350, k, at + 20_000);
  }
  const n = actor.length;
  return {
    actor: Int32Array.from(actor), key: Int32Array.from(key), time: Float64Array.from(time),
    action: Int32Array.from({ length: n }, (_, i) => i), actorCount: ACTORS, keyCount: next,
  };
}

test('a member tied to its cluster only through one pair with one member fails the member test', () => {
  for (const seed of [1, 2, 3]) {
    const data = ringWithHangerOn(seed);
    const clusterOf = new Int32Array(ACTORS).fill(-1);
    for (const member of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 350]) clusterOf[member] = 0;
    const { pairs } = coActionPairs(data, { window: 60_000 });
    const tied = tiedMembers(clusterOf, [[{ pairs, activity: distinctKeysPerActor(data) }]]);
    assert.deepEqual([...tied.subarray(0, 10)], Array.from({ length: 10 }, () => 1), `seed ${seed}`);
    assert.equal(tied[350], 0, `seed ${seed}`);
    assert.equal(tied[100], 0, 'accounts outside every cluster are not tied');
  }
});

test('detection drops the hanger-on from the ring that the pair test alone would attach it to', () => {
  for (const seed of [1, 2, 3]) {
    const traces = new Map<TraceName, TraceData>([['co-link', ringWithHangerOn(seed)]]);
    const members = (memberTest: false | object): number[] => detectCoordination({ actorCount: ACTORS, traces }, { memberTest, group: false }).clusters.flatMap((cluster) => cluster.members).sort((x, y) => x - y);
    assert.deepEqual(members({}), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `seed ${seed}`);
    assert.ok(members(false).includes(350), `seed ${seed}: without the member test the pair attaches it`);
  }
});
