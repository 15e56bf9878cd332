import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mulberry32 } from '../../detect/cluster/index.js';
import { detectCoordination } from '../../detect/pipeline.js';
import { pushJoiners } from '../../detect/push-joiners.js';
import { GROUP_DEFAULTS } from '../../detect/significance/index.js';
import type { TraceData, TraceName } from '../../detect/traces/trace-names.js';
import { copiedBytes, DETECT_THREAD_MIN_EVENTS, startDetectThread, wantsDetectThread } from './detect-thread.js';

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
/** Random worlds per run of the property (swept x50 once when written). */
const WORLDS = 6;

/**
 * Organic accounts on popular objects over 30 days, and 1-3 slow rings: each push a new object
 * that a share of the ring acts on minutes apart. Some worlds add a co-link trace (the group test
 * pools the two into a union of its own), and some put the columns on SharedArrayBuffers (as the
 * CooRTweet source does: shared with the thread, not copied).
 */
function world(seed: number): { actorCount: number; traces: Map<TraceName, TraceData> } {
  const random = mulberry32(seed);
  const actorCount = 150 + Math.floor(random() * 150);
  const shared = random() < 0.5;
  const trace = (): TraceData => {
    const actor: number[] = [], key: number[] = [], time: number[] = [];
    const popular = 60;
    const popularTime = Array.from({ length: popular }, () => random() * 30 * DAY);
    let keyCount = popular;
    for (let account = 0; account < actorCount; account++) {
      for (let i = 5 + Math.floor(random() * 20); i > 0; i--) {
        const k = Math.floor(popular * random() ** 2);
        actor.push(account); key.push(k); time.push((popularTime[k] ?? 0) + random() * 5 * DAY);
      }
    }
    for (let ring = 1 + Math.floor(random() * 3), first = 0; ring > 0; ring--, first += 12) {
      for (let push = 0; push < 12; push++) {
        const at = random() * 30 * DAY;
        const k = keyCount++;
        for (let member = first; member < first + 10; member++) {
          if (random() < 0.5) { actor.push(member); key.push(k); time.push(at + random() * 10 * MINUTE); }
        }
        // Now and then an outsider (accounts 100-104) joins the push: the push joiners' candidates.
        if (random() < 0.4) { actor.push(100 + Math.floor(random() * 5)); key.push(k); time.push(at + random() * 10 * MINUTE); }
      }
    }
    const order = Array.from(actor, (_, i) => i).sort((x, y) => key[x]! - key[y]! || time[x]! - time[y]! || x - y);
    const column = <T extends Int32Array | Float64Array>(make: (n: number) => T, values: number[]): T => {
      const out = make(order.length);
      order.forEach((from, to) => { out[to] = values[from]!; });
      return out;
    };
    const int32 = (n: number): Int32Array => (shared ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n));
    const float64 = (n: number): Float64Array => (shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n));
    return { actor: column(int32, actor), key: column(int32, key), time: column(float64, time), action: Int32Array.from(order), actorCount, keyCount };
  };
  const traces = new Map<TraceName, TraceData>([['co-repost', trace()]]);
  if (random() < 0.5) traces.set('co-link', trace());
  return { actorCount, traces };
}

const thread = startDetectThread();
after(() => thread.stop());

test('detection with the group test on its thread gives the groups, graph and clusters of the test run here (property)', async () => {
  assert.equal(await thread.ready, true);
  let kept = 0;
  for (let seed = 1; seed <= WORLDS; seed++) {
    const input = world(seed);
    const here = detectCoordination(input);
    const there = detectCoordination(input, { startGroupTest: thread.startGroupTest });
    kept += here.groups.filter((group) => group.kept).length;
    assert.deepEqual(there.groups, here.groups, `seed ${seed}`);
    assert.deepEqual(there.graph, here.graph, `seed ${seed}`);
    assert.deepEqual(there.clusters, here.clusters, `seed ${seed}`);
    assert.deepEqual(there.traces, here.traces, `seed ${seed}`);
  }
  // The worlds' rings are found by the group test: the property compares groups that matter.
  assert.ok(kept >= WORLDS, `${kept} groups kept`);
});

test('the push joiners found on the thread are those found here (property)', async () => {
  assert.equal(await thread.ready, true);
  let tests = 0;
  let joiners = 0;
  for (let seed = 1; seed <= WORLDS; seed++) {
    const input = world(seed);
    const clusters = detectCoordination(input).clusters.map((cluster) => ({ members: cluster.members }));
    const exclude = new Uint8Array(input.actorCount);
    exclude[101] = 1;
    const args = { actorCount: input.actorCount, clusters, traces: input.traces, exclude };
    const here = pushJoiners(args);
    assert.deepEqual(await thread.pushJoiners(args, {}), here, `seed ${seed}`);
    tests += here.tests.length;
    joiners += here.joiners.length;
  }
  // Outsiders joined the rings' pushes: the property compares tests and joiners that exist.
  assert.ok(tests >= WORLDS && joiners > 0, `${tests} accounts tested, ${joiners} joiners`);
});

test('a group test that fails on its thread throws here instead of leaving detection waiting', async () => {
  assert.equal(await thread.ready, true);
  // An actor beyond actorCount: the kernel's input check throws on the thread.
  const events = { actor: Int32Array.of(0, 5), key: Int32Array.of(0, 0), time: Float64Array.of(0, 1), actorCount: 2, keyCount: 1 };
  const result = thread.startGroupTest(() => ({ events, activity: new Float64Array(2).fill(1), options: { ...GROUP_DEFAULTS }, known: undefined }));
  assert.throws(result, /group test failed on its thread: .*actor/);
});

test('a thread that ends mid-job (as out of memory) leaves detection neither waiting nor wrong: its stages run here', { timeout: 60_000 }, async () => {
  const input = world(3);
  const here = detectCoordination(input);
  assert.ok(here.groups.some((group) => group.kept));
  const args = { actorCount: input.actorCount, clusters: here.clusters.map((cluster) => ({ members: cluster.members })), traces: input.traces };
  const joinersHere = pushJoiners(args);
  assert.ok(joinersHere.joiners.length > 0);
  const endsInGroupTest = startDetectThread();
  const endsInPushJoiners = startDetectThread();
  try {
    assert.equal(await endsInGroupTest.ready, true);
    // The thread ends in the group test, unanswered, while detection waits for its answer.
    endsInGroupTest.endInNextJob();
    const there = detectCoordination(input, { startGroupTest: endsInGroupTest.startGroupTest });
    assert.deepEqual(there.groups, here.groups);
    assert.deepEqual(there.graph, here.graph);
    assert.deepEqual(there.clusters, here.clusters);
    // Once it has ended, the push joiners go straight to this thread.
    assert.deepEqual(await endsInGroupTest.pushJoiners(args, {}), joinersHere);
    assert.equal(await endsInPushJoiners.ready, true);
    endsInPushJoiners.endInNextJob();
    assert.deepEqual(await endsInPushJoiners.pushJoiners(args, {}), joinersHere);
  } finally {
    endsInGroupTest.stop();
    endsInPushJoiners.stop();
  }
});

test('only inputs of DETECT_THREAD_MIN_EVENTS rows or more start the thread', () => {
  assert.equal(wantsDetectThread(DETECT_THREAD_MIN_EVENTS - 1), false);
  assert.equal(wantsDetectThread(DETECT_THREAD_MIN_EVENTS), true);
  assert.equal(wantsDetectThread(1_000, 1_000), true);
  assert.equal(wantsDetectThread(3_791), false);
});

test('copiedBytes counts the plain arrays a post would copy, in objects, arrays and maps, and not shared ones', () => {
  const shared = new Int32Array(new SharedArrayBuffer(400));
  const traces = new Map([['co-repost', { actor: new Int32Array(10), key: shared, time: new Float64Array(5), actorCount: 3 }]]);
  assert.equal(copiedBytes({ input: { traces, exclude: new Uint8Array(7) }, more: [new Float64Array(2), shared] }), 40 + 40 + 7 + 16);
  assert.equal(copiedBytes([shared, 12, 'x', null]), 0);
});

test('a stage that would copy more than its limit to the thread runs here; one on shared arrays still goes there', async () => {
  const noCopies = startDetectThread(0);
  try {
    assert.equal(await noCopies.ready, true);
    // An actor beyond actorCount: the kernel's input check throws, and the message says where it ran.
    const groupTest = (int32: (values: number[]) => Int32Array, float64: (values: number[]) => Float64Array): (() => unknown) => noCopies.startGroupTest(() => ({
      events: { actor: int32([0, 5]), key: int32([0, 0]), time: float64([0, 1]), actorCount: 2, keyCount: 1 },
      activity: float64([1, 1]), options: { ...GROUP_DEFAULTS }, known: undefined,
    }));
    const sharedInt32 = (values: number[]): Int32Array => { const out = new Int32Array(new SharedArrayBuffer(values.length * 4)); out.set(values); return out; };
    const sharedFloat64 = (values: number[]): Float64Array => { const out = new Float64Array(new SharedArrayBuffer(values.length * 8)); out.set(values); return out; };
    assert.equal(noCopies.takes(new Int32Array(1)), false);
    assert.equal(noCopies.takes(new Map([['co-link', { actor: new Int32Array(new SharedArrayBuffer(8)) }]])), true);
    assert.throws(groupTest((values) => Int32Array.from(values), (values) => Float64Array.from(values)), (error: Error) => /actor/.test(error.message) && !/on its thread/.test(error.message));
    assert.throws(groupTest(sharedInt32, sharedFloat64), /group test failed on its thread: .*actor/);
  } finally {
    noCopies.stop();
  }
});
