/**
 * A trace's events in (key, time) order, the order the kernel, the null model and the group test
 * would each sort them into (stably), so their sorts find them sorted and only copy. On large
 * inputs the work is cut into chunks of whole key buckets that two threads claim from opposite
 * ends (the main thread from the first, the detect thread from the last: detect-thread.ts): each
 * chunk writes only its own range of the result, so the order is the same whoever does which
 * chunk, and a chunk the detect thread claimed but never finished (it ended) is redone here.
 */
import type { TraceData } from '../../detect/traces/trace-names.js';
import { sharedInt32 } from '../../worker-thread.js';

/** Segments up to this long are sorted by insertion. */
const INSERTION_MAX = 24;
/** Buckets of the first pass: keys sharing their top bits. */
const TOP_BITS = 8;
/** Below this many key bits under the top ones (few keys), one pass is used. */
const MIN_LOW_BITS = 4;
/** Chunks a split ordering is cut into: a starved detect thread leaves the main thread at most one chunk to wait for. */
const CHUNKS = 4;
/** Events from which the detect thread's help is taken (below, posting the job costs more than it saves; the thread starts at 500k rows). */
export const KEY_TIME_SPLIT_MIN_EVENTS = 200_000;

/** A chunk's claim word: free, claimed by the main thread, by the detect thread, done. */
export const CLAIM_FREE = 0, CLAIM_HERE = 1, CLAIM_THERE = 2, CLAIM_DONE = 3;
/** How long one blocked wait for the detect thread's chunk lasts before its end is checked (ms). */
const WAIT_SLICE_MS = 200;

/** What either thread needs to order chunks: inputs, result columns, chunk bounds and claims, all on SharedArrayBuffers. */
export interface KeyTimeJob {
  eventKey: Int32Array;
  /** Key starts (keyCount + 1 entries). */
  start: Int32Array;
  actionActor: Int32Array;
  actionTime: Float64Array;
  actor: Int32Array;
  key: Int32Array;
  time: Float64Array;
  action: Int32Array;
  /** Key bits under a first-pass bucket (0: one pass, keys' write positions stay in cache). */
  low: number;
  /** Chunk c holds keys [chunkKeys[c], chunkKeys[c + 1]), whole buckets. */
  chunkKeys: Int32Array;
  /** Per chunk, its claim word (CLAIM_*). */
  claims: Int32Array;
}

/** The detect thread as the ordering sees it. */
export interface KeyTimeHelper {
  /** Traces of fewer events are ordered here alone (KEY_TIME_SPLIT_MIN_EVENTS; tests take less). */
  minEvents: number;
  /** Offers the job: the thread claims chunks from the last one (CLAIM_THERE) and marks them CLAIM_DONE. */
  offer(job: KeyTimeJob): void;
  /** True once the thread has ended: a chunk it claimed and did not finish will never be. */
  gone(): boolean;
}

const isShared = (array: ArrayBufferView): boolean => array.buffer instanceof SharedArrayBuffer;

/**
 * Events `eventKey[a] >= 0` of the actions (`start[k + 1]`: key k's count, turned into key starts
 * here), in (key, time) order with ties in action order. A stable counting sort by key in two
 * scatter passes (as the kernel's sort.ts): by the key's top bits into at most 256 buckets, written
 * as 256 sequential streams, then each bucket by key into its own region of the result, which stays
 * in cache; a one-pass scatter over hundreds of thousands of keys misses cache on every event. Then
 * each key's events by time. With `helper`, and inputs on SharedArrayBuffers, the detect thread
 * orders some of the chunks.
 */
export function keyTimeOrdered(eventKey: Int32Array, start: Int32Array, events: number, actionActor: Int32Array, actionTime: Float64Array, actorCount: number, helper?: KeyTimeHelper): TraceData {
  return finishKeyTimeOrder(startKeyTimeOrder(eventKey, start, events, actionActor, actionTime, helper), actorCount);
}

/** An ordering offered to the detect thread, whose chunks it may be ordering while the main thread does other work. */
export interface StartedKeyTimeOrder { job: KeyTimeJob; helper: KeyTimeHelper | undefined; keyCount: number }

/**
 * keyTimeOrdered's first half: the result columns made and the job offered to the detect thread
 * (if split), which orders chunks from the last one until finishKeyTimeOrder claims the rest here.
 * `actionActor` is only carried, so it may hold any per-action value to be mapped to actors later.
 */
export function startKeyTimeOrder(eventKey: Int32Array, start: Int32Array, events: number, actionActor: Int32Array, actionTime: Float64Array, helper?: KeyTimeHelper): StartedKeyTimeOrder {
  const keyCount = start.length - 1;
  for (let k = 0; k < keyCount; k++) start[k + 1]! += start[k]!;
  // Shared, not copied, with the detect command's second thread (group test, push joiners: detect-thread.ts).
  const result = { actor: sharedInt32(events), key: sharedInt32(events), time: new Float64Array(new SharedArrayBuffer(events * 8)), action: sharedInt32(events) };
  let bits = 0;
  while (2 ** bits < keyCount) bits++;
  const top = Math.max(0, bits - TOP_BITS);
  const low = top < MIN_LOW_BITS ? 0 : top;
  const split = helper !== undefined && !helper.gone() && events >= helper.minEvents && [eventKey, start, actionActor, actionTime].every(isShared);
  const job: KeyTimeJob = { eventKey, start, actionActor, actionTime, ...result, low, chunkKeys: chunkBounds(start, low, split ? CHUNKS : 1), claims: sharedInt32(split ? CHUNKS : 1) };
  if (split) helper.offer(job);
  return { job, helper, keyCount };
}

/** keyTimeOrdered's second half: the chunks left ordered here, the detect thread's waited for (or taken back if it ended in one). */
export function finishKeyTimeOrder({ job, helper, keyCount }: StartedKeyTimeOrder, actorCount: number): TraceData {
  const chunks = job.claims.length;
  for (let c = 0; c < chunks; c++) {
    if (Atomics.compareExchange(job.claims, c, CLAIM_FREE, CLAIM_HERE) === CLAIM_FREE) orderChunk(job, c);
  }
  for (let c = 0; c < chunks; c++) {
    if (Atomics.load(job.claims, c) === CLAIM_HERE) continue;
    // The detect thread's chunk: wait for it; take it back if it gave it up (failed) or ended in it.
    for (;;) {
      const claim = Atomics.load(job.claims, c);
      if (claim === CLAIM_DONE) break;
      if (claim === CLAIM_FREE && Atomics.compareExchange(job.claims, c, CLAIM_FREE, CLAIM_HERE) === CLAIM_FREE) { orderChunk(job, c); break; }
      if (claim === CLAIM_THERE && helper!.gone()) { Atomics.store(job.claims, c, CLAIM_HERE); orderChunk(job, c); break; }
      Atomics.wait(job.claims, c, claim, WAIT_SLICE_MS);
    }
  }
  return { actor: job.actor, key: job.key, time: job.time, action: job.action, actorCount, keyCount };
}

/** `chunks` + 1 key bounds at bucket boundaries (buckets of 2^low keys), about as many events in each chunk. */
function chunkBounds(start: Int32Array, low: number, chunks: number): Int32Array {
  const keyCount = start.length - 1;
  const events = start[keyCount]!;
  const bounds = sharedInt32(chunks + 1);
  bounds[chunks] = keyCount;
  let bucket = 0;
  for (let c = 1; c < chunks; c++) {
    while ((bucket << low) < keyCount && start[bucket << low]! < events * c / chunks) bucket++;
    bounds[c] = Math.min(keyCount, bucket << low);
  }
  return bounds;
}

/** Orders chunk `c`'s events (keys [chunkKeys[c], chunkKeys[c + 1])), writing only their range of the result. */
export function orderChunk(job: KeyTimeJob, c: number): void {
  const { eventKey, start, actionActor, actionTime, actor, key, time, action, low } = job;
  const fromKey = job.chunkKeys[c]!, toKey = job.chunkKeys[c + 1]!;
  if (toKey <= fromKey) return;
  const span = toKey - fromKey;
  const n = eventKey.length;
  const fill = start.slice(fromKey, toKey);
  if (low === 0) {
    // Few keys: their write positions stay in cache, one pass does.
    for (let a = 0; a < n; a++) {
      // One unsigned compare: keys outside the chunk and -1 (no event) alike.
      const k = eventKey[a]! - fromKey;
      if (k >>> 0 >= span) continue;
      const p = fill[k]!++;
      actor[p] = actionActor[a]!;
      time[p] = actionTime[a]!;
      action[p] = a;
    }
  } else {
    // Pass 1: events into buckets of keys sharing their top bits, in action order, laid out as the
    // result (a bucket's first position is its first key's start: keys of a bucket are consecutive).
    // `key` holds the bucketed keys until it is filled below; the rest goes to scratch local to this thread.
    const base = start[fromKey]!;
    const size = start[toKey]! - base;
    const firstBucket = fromKey >>> low;
    const next = new Int32Array(((toKey - 1) >>> low) - firstBucket + 1);
    for (let t = 0; t < next.length; t++) next[t] = start[Math.max(fromKey, (firstBucket + t) << low)]! - base;
    const bucketActor = new Int32Array(size);
    const bucketTime = new Float64Array(size);
    const bucketAction = new Int32Array(size);
    for (let a = 0; a < n; a++) {
      const k = eventKey[a]!;
      if ((k - fromKey) >>> 0 >= span) continue;
      const q = next[(k >>> low) - firstBucket]!++;
      key[base + q] = k;
      bucketActor[q] = actionActor[a]!;
      bucketTime[q] = actionTime[a]!;
      bucketAction[q] = a;
    }
    // Pass 2: read in order, each event scattered stably by key within its bucket's region.
    for (let q = 0; q < size; q++) {
      const p = fill[key[base + q]! - fromKey]!++;
      actor[p] = bucketActor[q]!;
      time[p] = bucketTime[q]!;
      action[p] = bucketAction[q]!;
    }
  }
  for (let k = fromKey; k < toKey; k++) {
    const from = start[k]!, to = start[k + 1]!;
    // A key without events owns no position: `key[from]` is the next key's (maybe in another thread's chunk).
    if (from === to) continue;
    // Most keys hold a handful of events: a loop, not a fill call, and insertion sort in place.
    let sorted = true;
    key[from] = k;
    for (let p = from + 1; p < to; p++) {
      key[p] = k;
      if (time[p - 1]! > time[p]!) sorted = false;
    }
    if (sorted) continue;
    if (to - from > INSERTION_MAX) {
      sortSegmentByTime(job, from, to);
      continue;
    }
    insertionByTime(job, from, to);
  }
}

function insertionByTime({ actor, time, action }: KeyTimeJob, from: number, to: number): void {
  for (let p = from + 1; p < to; p++) {
    const t = time[p]!;
    if (time[p - 1]! <= t) continue;
    const who = actor[p]!, row = action[p]!;
    let q = p - 1;
    while (q >= from && time[q]! > t) {
      time[q + 1] = time[q]!; actor[q + 1] = actor[q]!; action[q + 1] = action[q]!;
      q--;
    }
    time[q + 1] = t; actor[q + 1] = who; action[q + 1] = row;
  }
}

/** Stable sort of events [from, to) by time (ties keep their order), actor and action carried. */
function sortSegmentByTime({ actor, time, action }: KeyTimeJob, from: number, to: number): void {
  // Loops, not TypedArray.from(source, fn): that calls back through the generic path (about 10x slower).
  const m = to - from;
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = from + i;
  order.sort((x, y) => time[x]! - time[y]! || x - y);
  const times = new Float64Array(m), actors = new Int32Array(m), actions = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const p = order[i]!;
    times[i] = time[p]!; actors[i] = actor[p]!; actions[i] = action[p]!;
  }
  time.set(times, from); actor.set(actors, from); action.set(actions, from);
}
