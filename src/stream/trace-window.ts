/**
 * Sliding-window co-action state of one trace: the batch kernel's rule (kernel/kernel.ts, after
 * CooRTweet's co-share rule) applied event by event. Per key, the events of the last `window` ms
 * (at most `maxPartnersPerEvent` of them: an event is compared with its nearest preceding events
 * only, exactly as the batch kernel caps pair expansion); per (pair, key) the co-actions, their
 * summed delay and the last co-action time; per (key, actor) the last time, for the IDF (n_k) and
 * the null model's activity.
 *
 * Everything is flat typed arrays over interned ids (STYLE.md: hot loops on typed arrays): key
 * buffers are rings (key-rings.ts), records live in open-addressing tables with deletion
 * (int-table.ts). Pair weights are not kept running: `pairTable` sums the live (pair, key)
 * records when asked, so an expired record can never leave rounding behind.
 *
 * Memory is bounded by time: a key's ring is freed once its newest event is older than the
 * window; (pair, key) and (key, actor) records, and the interned keys, are dropped once nothing
 * touched them for the horizon. The pair weights summarise the records alive now, so with a
 * horizon at least as long as the data they equal the batch kernel's over all of it.
 */
import type { PairTable } from '../detect/kernel/index.js';
import { ExpiringInterner } from './interner.js';
import { grownF64, grownI32, IntTupleTable } from './int-table.js';
import { KeyRings } from './key-rings.js';

/** Actor ids are below this (the stream refuses more live accounts). */
export const MAX_LIVE_ACTORS = 2 ** 26;
/** Largest partner cap the rings take (the batch default is 32). */
export const MAX_PARTNERS_PER_EVENT = 4_096;

/** Fields of a (pair, key) record. */
const PAIR = 0, CO_ACTIONS = 1, DELTA = 2, LAST = 3;

export interface TraceWindowOptions {
  windowMs: number;
  horizonMs: number;
  maxPartnersPerEvent: number;
}

export interface TraceWindowSize {
  bufferedEvents: number;
  keys: number;
  pairKeyRecords: number;
  actorKeyRecords: number;
}

export class TraceWindow {
  readonly keys = new ExpiringInterner();
  readonly #rings: KeyRings;
  /** (a, b, key), a < b → record: pair entry, co-actions, summed delay, last co-action time. */
  readonly #pairKeys = new IntTupleTable(3);
  /** Per entry, interleaved (one cache line per record): pair entry, co-actions, summed delay, last time. */
  #pk = new Float64Array(4 * 1024);
  /** (a, b) → entry; `#pairKeys` records per pair (the pair's shared keys). */
  readonly #pairs = new IntTupleTable(2);
  #pairShared = new Int32Array(1024);
  /** (key, actor) → last time the actor acted on the key. */
  readonly #actorKeys = new IntTupleTable(2);
  #akLast = new Float64Array(1024);
  /** key → live actors on it (n_k). */
  #actorsOnKey = new Int32Array(1024);
  /** actor → distinct live keys (the null model's activity d). */
  #activity = new Int32Array(1024);
  #activeActors = 0;
  readonly #options: TraceWindowOptions;
  coActions = 0;

  constructor(options: TraceWindowOptions) {
    this.#options = options;
    this.#rings = new KeyRings(options.maxPartnersPerEvent);
  }

  /** Adds one event; events should come in time order (see StreamDetector's reorder buffer). */
  add(actor: number, keyLabel: string, time: number): void {
    const key = this.keys.intern(keyLabel, time);
    const rings = this.#rings;
    const partners = rings.push(key, actor, time, this.#options.windowMs);
    for (let i = 0; i < partners; i++) {
      const other = rings.partnerActor[i]!;
      if (other === actor) continue;
      this.coActions++;
      this.#coAct(other < actor ? other : actor, other < actor ? actor : other, key, Math.abs(time - rings.partnerTime[i]!), time);
    }
    const ak = this.#actorKeys.insert(key, actor);
    if (this.#actorKeys.created) {
      this.#akLast = grownF64(this.#akLast, this.#actorKeys.entryCapacity);
      this.#akLast[ak] = time;
      this.#actorsOnKey = grownI32(this.#actorsOnKey, key + 1);
      this.#actorsOnKey[key]!++;
      this.#activity = grownI32(this.#activity, actor + 1);
      if (this.#activity[actor]!++ === 0) this.#activeActors++;
    } else if (time > this.#akLast[ak]!) this.#akLast[ak] = time;
  }

  #coAct(a: number, b: number, key: number, delta: number, time: number): void {
    const table = this.#pairKeys;
    const e = table.insert(a, b, key);
    const v = 4 * e;
    if (table.created) {
      this.#pk = grownF64(this.#pk, 4 * table.entryCapacity);
      const pair = this.#pairs.insert(a, b);
      if (this.#pairs.created) {
        this.#pairShared = grownI32(this.#pairShared, this.#pairs.entryCapacity);
        this.#pairShared[pair] = 0;
      }
      this.#pairShared[pair]!++;
      const pk = this.#pk;
      pk[v + PAIR] = pair;
      pk[v + CO_ACTIONS] = 1;
      pk[v + DELTA] = delta;
      pk[v + LAST] = time;
    } else {
      const pk = this.#pk;
      pk[v + CO_ACTIONS] = pk[v + CO_ACTIONS]! + 1;
      pk[v + DELTA] = pk[v + DELTA]! + delta;
      if (time > pk[v + LAST]!) pk[v + LAST] = time;
    }
  }

  /** Drops buffers older than the window and records older than the horizon, as of `now`. */
  expire(now: number): void {
    const { windowMs, horizonMs } = this.#options;
    this.#rings.expire(now, windowMs);
    const cutoff = now - horizonMs;
    if (!Number.isFinite(cutoff)) return;
    const pk = this.#pairKeys;
    for (let e = 0; e < pk.highWater; e++) {
      if (!pk.isLive(e) || this.#pk[4 * e + LAST]! >= cutoff) continue;
      const pair = this.#pk[4 * e + PAIR]!;
      if (--this.#pairShared[pair]! === 0) this.#pairs.remove(pair);
      pk.remove(e);
    }
    const ak = this.#actorKeys;
    for (let e = 0; e < ak.highWater; e++) {
      if (!ak.isLive(e) || this.#akLast[e]! >= cutoff) continue;
      const key = ak.keys[2 * e]!;
      const actor = ak.keys[2 * e + 1]!;
      this.#actorsOnKey[key]!--;
      if (--this.#activity[actor]! === 0) this.#activeActors--;
      ak.remove(e);
    }
    // A key that nothing touched for the horizon has no record left (records are never newer than their key).
    for (const key of this.keys.expire(cutoff)) this.#rings.drop(key);
  }

  size(): TraceWindowSize {
    return { bufferedEvents: this.#rings.buffered, keys: this.keys.size, pairKeyRecords: this.#pairKeys.size, actorKeyRecords: this.#actorKeys.size };
  }

  /** Live co-acting pairs. */
  get pairCount(): number {
    return this.#pairs.size;
  }

  /** Distinct live keys per actor (the null model's activity), in the ids `remap` gives. */
  activity(remap: Int32Array, actorCount: number): Float64Array {
    const out = new Float64Array(actorCount);
    const activity = this.#activity;
    for (let actor = 0; actor < activity.length; actor++) if (activity[actor]! > 0) out[remap[actor] ?? 0] = activity[actor]!;
    return out;
  }

  /** Per pair entry: shared keys, Σ over them of `keyWeight(n_k)`, co-actions, summed delay. */
  #sums(keyWeight: (actorsOnKey: number) => number): { idf: Float64Array; coActions: Int32Array; sumDelta: Float64Array } {
    const capacity = this.#pairs.entryCapacity;
    const idf = new Float64Array(capacity);
    const coActions = new Int32Array(capacity);
    const sumDelta = new Float64Array(capacity);
    const weight = new Float64Array(this.keys.capacity).fill(Number.NaN);
    const pk = this.#pairKeys;
    const values = this.#pk;
    for (let e = 0; e < pk.highWater; e++) {
      if (!pk.isLive(e)) continue;
      const pair = values[4 * e + PAIR]!;
      const key = pk.keys[3 * e + 2]!;
      let w = weight[key]!;
      if (Number.isNaN(w)) weight[key] = w = keyWeight(this.#actorsOnKey[key]!);
      idf[pair] = idf[pair]! + w;
      coActions[pair] = coActions[pair]! + values[4 * e + CO_ACTIONS]!;
      sumDelta[pair] = sumDelta[pair]! + values[4 * e + DELTA]!;
    }
    return { idf, coActions, sumDelta };
  }

  /**
   * The kernel's pair table over the live records, actors renumbered by `remap` (a < b after it):
   * `shared` distinct keys, `idf` Σ ln(N / n_k) with N the actors and n_k the actors on key k
   * alive now, `coActions` and `sumDelta` summed over keys.
   */
  pairTable(remap: Int32Array): PairTable {
    const pairs = this.#pairs;
    const n = pairs.size;
    const table: PairTable = {
      a: new Int32Array(n), b: new Int32Array(n), shared: new Int32Array(n), idf: new Float64Array(n),
      coActions: new Int32Array(n), sumDelta: new Float64Array(n), size: n,
    };
    const actors = this.#activeActors;
    const sums = this.#sums((onKey) => Math.log(actors / Math.max(1, onKey)));
    let row = 0;
    for (let pair = 0; pair < pairs.highWater; pair++) {
      if (!pairs.isLive(pair)) continue;
      const x = remap[pairs.keys[2 * pair]!] ?? 0;
      const y = remap[pairs.keys[2 * pair + 1]!] ?? 0;
      table.a[row] = x < y ? x : y;
      table.b[row] = x < y ? y : x;
      table.shared[row] = this.#pairShared[pair]!;
      table.idf[row] = sums.idf[pair]!;
      table.coActions[row] = sums.coActions[pair]!;
      table.sumDelta[row] = sums.sumDelta[pair]!;
      row++;
    }
    return table;
  }

  /**
   * The pair weights in a form that sums across workers holding disjoint keys: per pair the
   * shared keys, Σ ln n_k over them (idf = shared · ln N − that, once N is known globally),
   * co-actions and summed delay; actors are this window's ids.
   */
  *pairPartials(): Iterable<[a: number, b: number, shared: number, sumLogN: number, coActions: number, sumDelta: number]> {
    const pairs = this.#pairs;
    const sums = this.#sums((onKey) => Math.log(Math.max(1, onKey)));
    for (let pair = 0; pair < pairs.highWater; pair++) {
      if (!pairs.isLive(pair)) continue;
      yield [pairs.keys[2 * pair]!, pairs.keys[2 * pair + 1]!, this.#pairShared[pair]!, sums.idf[pair]!, sums.coActions[pair]!, sums.sumDelta[pair]!];
    }
  }

  /** Actor → distinct live keys (this window's actor ids). */
  *activityEntries(): Iterable<[actor: number, keys: number]> {
    const activity = this.#activity;
    for (let actor = 0; actor < activity.length; actor++) if (activity[actor]! > 0) yield [actor, activity[actor]!];
  }

  /**
   * Visits the live (pair, key) records of the pairs `tagOf(a, b)` tags (a < b, original ids;
   * -1: not wanted) with the tag, the key and the last co-action time: one pass over the records,
   * for the evidence of a detection's clusters.
   */
  recordsOfPairs(tagOf: (a: number, b: number) => number, visit: (tag: number, key: number, last: number) => void): void {
    const pairs = this.#pairs;
    const tags = new Int32Array(pairs.entryCapacity).fill(-1);
    let any = false;
    for (let pair = 0; pair < pairs.highWater; pair++) {
      if (!pairs.isLive(pair)) continue;
      const tag = tagOf(pairs.keys[2 * pair]!, pairs.keys[2 * pair + 1]!);
      tags[pair] = tag;
      if (tag >= 0) any = true;
    }
    if (!any) return;
    const pk = this.#pairKeys;
    for (let e = 0; e < pk.highWater; e++) {
      if (!pk.isLive(e)) continue;
      const tag = tags[this.#pk[4 * e + PAIR]!]!;
      if (tag >= 0) visit(tag, pk.keys[3 * e + 2]!, this.#pk[4 * e + LAST]!);
    }
  }
}
