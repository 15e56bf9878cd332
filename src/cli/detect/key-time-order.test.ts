import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { mulberry32 } from '../../model/index.js';
import type { TraceData } from '../../detect/traces/trace-names.js';
import { startDetectThread } from './detect-thread.js';
import { CLAIM_DONE, CLAIM_FREE, keyTimeOrdered } from './key-time-order.js';
import type { KeyTimeHelper, KeyTimeJob } from './key-time-order.js';

/** Random inputs per run of the property (swept x50 once when written). */
const RUNS = 8;

const shared = <T extends Int32Array | Float64Array>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(bytes));

interface Trace { eventKey: Int32Array; counts: Int32Array; events: number; actor: Int32Array; time: Float64Array }

/**
 * A trace's inputs on SharedArrayBuffers (as the CooRTweet source makes them): `keyCount` keys, a
 * few of them heavy (uneven buckets and chunks, long segments sorted by the merge path), some
 * actions no event, few distinct times (ties).
 */
function trace(seed: number, n: number, keyCount: number): Trace {
  const rng = mulberry32(seed);
  const heavy = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => Math.floor(rng() * keyCount));
  const eventKey = shared((b) => new Int32Array(b), n * 4);
  for (let a = 0; a < n; a++) {
    const r = rng();
    eventKey[a] = r < 0.1 ? -1 : a < keyCount ? a : r < 0.4 ? heavy[Math.floor(rng() * heavy.length)]! : Math.floor(rng() ** 2 * keyCount);
  }
  let keys = 0;
  for (const k of eventKey) keys = Math.max(keys, k + 1);
  const counts = shared((b) => new Int32Array(b), (keys + 1) * 4);
  let events = 0;
  for (const k of eventKey) if (k >= 0) { counts[k + 1]!++; events++; }
  const actor = shared((b) => new Int32Array(b), n * 4);
  const time = shared((b) => new Float64Array(b), n * 8);
  for (let a = 0; a < n; a++) { actor[a] = Math.floor(rng() * 500); time[a] = Math.floor(rng() * 40) * 1000; }
  return { eventKey, counts, events, actor, time };
}

function ordered(input: Trace, helper?: KeyTimeHelper): TraceData {
  // keyTimeOrdered turns the counts into starts: a fresh shared copy each time.
  const counts = shared((b) => new Int32Array(b), input.counts.byteLength);
  counts.set(input.counts);
  return keyTimeOrdered(input.eventKey, counts, input.events, input.actor, input.time, 500, helper);
}

function sameOrder(actual: TraceData, expected: TraceData): void {
  assert.deepEqual([...actual.key], [...expected.key]);
  assert.deepEqual([...actual.time], [...expected.time]);
  assert.deepEqual([...actual.action], [...expected.action]);
  assert.deepEqual([...actual.actor], [...expected.actor]);
}

/**
 * The detect thread's helper, except that the main thread starts only once the thread holds the
 * last chunk: otherwise a thread slow to take the job leaves every chunk to the main thread and
 * the split is never exercised. `jobs` collects the jobs offered.
 */
function waitingHelper(thread: KeyTimeHelper, jobs: KeyTimeJob[]): KeyTimeHelper {
  return {
    minEvents: 1,
    gone: () => thread.gone(),
    offer: (job) => {
      jobs.push(job);
      thread.offer(job);
      const last = job.claims.length - 1;
      while (Atomics.load(job.claims, last) === CLAIM_FREE) Atomics.wait(job.claims, last, CLAIM_FREE, 50);
    },
  };
}

const threads: { stop: () => void }[] = [];
after(() => { for (const thread of threads) thread.stop(); });

test('chunks ordered on the detect thread give the order of one thread, for several traces of few and many keys (property)', async () => {
  const thread = startDetectThread();
  threads.push(thread);
  assert.equal(await thread.ready, true);
  const jobs: KeyTimeJob[] = [];
  const helper = waitingHelper(thread.keyTimeHelper, jobs);
  fc.assert(
    fc.property(fc.integer({ min: 2_000, max: 40_000 }), fc.integer({ min: 4_097, max: 30_000 }), fc.integer({ min: 1, max: 60 }), fc.nat(), (n, manyKeys, fewKeys, seed) => {
      // Two traces in a row through the same thread, as co-repost and fast-repost load: many keys
      // (two passes by key bucket) and few (one pass).
      for (const input of [trace(seed, n, manyKeys), trace(seed + 1, n, fewKeys)]) {
        const offered = jobs.length;
        sameOrder(ordered(input, helper), ordered(input));
        assert.equal(jobs.length, offered + 1);
        // The thread did order chunks (the last one at least), the rest were ordered here.
        const claims = [...jobs.at(-1)!.claims];
        assert.equal(claims.at(-1), CLAIM_DONE);
      }
    }),
    { numRuns: RUNS },
  );
});

// Without the take-back, the main thread would wait for the dead thread's chunk for ever: the timeout makes that a failure.
test('a detect thread that ends in the middle of its chunk leaves the order right: the chunk is ordered again here', { timeout: 120_000 }, async () => {
  const thread = startDetectThread();
  threads.push(thread);
  assert.equal(await thread.ready, true);
  const input = trace(7, 30_000, 20_000);
  const jobs: KeyTimeJob[] = [];
  thread.endInNextJob();
  const result = ordered(input, waitingHelper(thread.keyTimeHelper, jobs));
  assert.equal(jobs.length, 1);
  assert.equal(thread.keyTimeHelper.gone(), true);
  sameOrder(result, ordered(input));
  // Once gone, the next trace is ordered here without the thread.
  const next = trace(8, 30_000, 500);
  sameOrder(ordered(next, waitingHelper(thread.keyTimeHelper, jobs)), ordered(next));
  assert.equal(jobs.length, 1);
});
