/**
 * Row helpers of the CooRTweet compatibility layer (coortweet-compat.ts): input checks, the
 * object order of co-share runs, and growing typed arrays.
 */
import { LockstepError } from '../model/index.js';
import type { CoShareInput } from './coortweet-compat.js';

/** Runs of co-share rows up to this long are sorted by insertion. */
export const INSERTION_RUN = 16;

/**
 * Co-share rows `order` (runs of one object each, objects in id order) with the runs reordered by
 * their object's first position in x, CooRTweet's object order.
 */
export function inObjectOrder(order: Int32Array, older: Int32Array, objectId: Int32Array, firstPos: Int32Array): Int32Array {
  const runStart: number[] = [];
  for (let i = 0; i < order.length; i++) {
    if (i === 0 || objectId[older[order[i]!]!] !== objectId[older[order[i - 1]!]!]) runStart.push(i);
  }
  runStart.push(order.length);
  const runs = runStart.length - 1;
  const byFirst = new Int32Array(runs);
  const runFirst = new Int32Array(runs);
  for (let k = 0; k < runs; k++) {
    byFirst[k] = k;
    runFirst[k] = firstPos[objectId[older[order[runStart[k]!]!]!]!]!;
  }
  // First positions are unique per object, so the order is total.
  byFirst.sort((x, y) => runFirst[x]! - runFirst[y]!);
  const out = new Int32Array(order.length);
  let at = 0;
  for (let k = 0; k < runs; k++) {
    const run = byFirst[k]!;
    for (let i = runStart[run]!; i < runStart[run + 1]!; i++) out[at++] = order[i]!;
  }
  return out;
}

/** The rows r with `flags[r] === 1`, ascending. */
export function rowsWhere(flags: Uint8Array): Int32Array {
  let count = 0;
  for (let r = 0; r < flags.length; r++) count += flags[r]!;
  const out = new Int32Array(count);
  let at = 0;
  for (let r = 0; r < flags.length; r++) if (flags[r] === 1) out[at++] = r;
  return out;
}

/** A typed array of twice the length holding `array`'s values. */
export function grown<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** A bad-input error of the CooRTweet compatibility layer. */
export function bad(reason: string): LockstepError {
  return new LockstepError('detect/bad-input', `CooRTweet compatibility: ${reason}`);
}

/** Throws on malformed input; returns the largest object id + 1. */
export function checkInput(input: CoShareInput): number {
  const { objectId, accountId, contentId, time, accountCount, idCount } = input;
  const n = objectId.length;
  if (accountId.length !== n || contentId.length !== n || time.length !== n) {
    throw bad(`objectId, accountId, contentId and time must have the same length (got ${n}, ${accountId.length}, ${contentId.length}, ${time.length})`);
  }
  let objectBound = 0;
  for (let r = 0; r < n; r++) {
    if (!(accountId[r]! >= 0 && accountId[r]! < accountCount)) throw bad(`row ${r}: account ${accountId[r]} outside [0, ${accountCount})`);
    if (!(objectId[r]! >= 0 && objectId[r]! < idCount)) throw bad(`row ${r}: object ${objectId[r]} outside [0, ${idCount})`);
    if (!(contentId[r]! >= 0 && contentId[r]! < idCount)) throw bad(`row ${r}: content ${contentId[r]} outside [0, ${idCount})`);
    if (!Number.isFinite(time[r]!)) throw bad(`row ${r}: timestamp ${time[r]} is not a finite number of seconds`);
    if (objectId[r]! >= objectBound) objectBound = objectId[r]! + 1;
  }
  return objectBound;
}
