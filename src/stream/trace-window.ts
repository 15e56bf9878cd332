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
import { logPoissonUpperTail } from '../detect/significance/index.js';
import { ExpiringInterner } from './interner.js';
import { grownF64, grownI32, IntTupleTable } from './int-table.js';
import { KeyRings } from './key-rings.js';

/** Actor ids are below this (the stream refuses more live accounts). */
export const MAX_LIVE_ACTORS = 2 ** 26;
/** Largest partner cap the rings take (the batch default is 32). */
export const MAX_PARTNERS_PER_EVENT = 4_096;

/** Fields of a (pair, key) record; PREV and NEXT link a pair's records (-1: none). */
const PAIR = 0, CO_ACTIONS = 1, DELTA = 2, LAST = 3, PREV = 4, NEXT = 5, WIDTH = 6;

export interface TraceWindowOptions {
  windowMs: number;
  horizonMs: number;
  maxPartnersPerEvent: number;
  /** Live (pair, key) records expected (null/absent: start small and grow); tables are made that big up front. */
  expectedRecords?: number | null;
}

/** Pair weights that sum across partitions (see TraceWindow.pairPartials). */
export interface PartialPairs {
  a: Int32Array;
  b: Int32Array;
  shared: Int32Array;
  /** Σ ln n_k over the pair's shared keys. */
  sumLogN: Float64Array;
  coActions: Int32Array;
  sumDelta: Float64Array;
  size: number;
}

/** The significant pairs of a trace (original actor ids, a < b) with their evidence and ln p. */
export interface SignificantPairs extends PairTable {
  logP: Float64Array;
  /** Pairs tested (every live pair, as batch counts them for the false discovery rate). */
  tested: number;
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
  readonly #pairKeys: IntTupleTable;
  /** Per entry, interleaved (one cache line per record): pair entry, co-actions, summed delay, last time, links. */
  #pk = new Float64Array(WIDTH * 1024);
  /** (a, b) → entry; `#pairKeys` records per pair (the pair's shared keys). */
  readonly #pairs: IntTupleTable;
  #pairShared = new Int32Array(1024);
  /** pair entry → its first (pair, key) record. */
  #pairHead = new Int32Array(1024);
  /** actor → Σ shared over its pairs (the null model's strength W). */
  #strength = new Int32Array(1024);
  /** Σ activity (the null model's D). */
  #activitySum = 0;
  /** (key, actor) → last time the actor acted on the key. */
  readonly #actorKeys: IntTupleTable;
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
    // Growing a table from empty rehashes it ~log2(n) times; a hint makes each table once.
    const hint = Math.min(2 ** 26, Math.max(1024, Math.floor(options.expectedRecords ?? 0)));
    this.#pairKeys = new IntTupleTable(3, hint);
    this.#pairs = new IntTupleTable(2, hint);
    this.#actorKeys = new IntTupleTable(2, Math.max(1024, hint >> 2));
    this.#pk = new Float64Array(WIDTH * this.#pairKeys.entryCapacity);
    this.#pairShared = new Int32Array(this.#pairs.entryCapacity);
    this.#pairHead = new Int32Array(this.#pairs.entryCapacity);
    this.#akLast = new Float64Array(this.#actorKeys.entryCapacity);
  }

  /** Adds one event; events should come in time order (see StreamDetector's reorder buffer). */
  add(actor: number, keyLabel: string, time: number): void {
    this.addIn(actor, '', keyLabel, time);
  }

  /** Adds one event whose key label is `scope:raw` (`raw` in the empty scope): see ExpiringInterner.internIn. */
  addIn(actor: number, scope: string, raw: string, time: number): void {
    this.addKey(actor, this.keys.internIn(scope, raw, time), time);
  }

  /** Adds one event on a key already interned in `keys` (kept live until then). */
  addKey(actor: number, key: number, time: number): void {
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
      this.#activitySum++;
    } else if (time > this.#akLast[ak]!) this.#akLast[ak] = time;
  }

  #coAct(a: number, b: number, key: number, delta: number, time: number): void {
    const table = this.#pairKeys;
    const e = table.insert(a, b, key);
    const v = WIDTH * e;
    if (table.created) {
      this.#pk = grownF64(this.#pk, WIDTH * table.entryCapacity);
      const pair = this.#pairs.insert(a, b);
      if (this.#pairs.created) {
        this.#pairShared = grownI32(this.#pairShared, this.#pairs.entryCapacity);
        this.#pairHead = grownI32(this.#pairHead, this.#pairs.entryCapacity);
        this.#pairShared[pair] = 0;
        this.#pairHead[pair] = -1;
      }
      this.#pairShared[pair]!++;
      this.#strength = grownI32(this.#strength, b + 1);
      this.#strength[a]!++;
      this.#strength[b]!++;
      const pk = this.#pk;
      const head = this.#pairHead[pair]!;
      pk[v + PREV] = -1;
      pk[v + NEXT] = head;
      if (head >= 0) pk[WIDTH * head + PREV] = e;
      this.#pairHead[pair] = e;
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
    const values = this.#pk;
    for (let e = 0; e < pk.highWater; e++) {
      const v = WIDTH * e;
      if (!pk.isLive(e) || values[v + LAST]! >= cutoff) continue;
      const pair = values[v + PAIR]!;
      const prev = values[v + PREV]!;
      const next = values[v + NEXT]!;
      if (prev >= 0) values[WIDTH * prev + NEXT] = next;
      else this.#pairHead[pair] = next;
      if (next >= 0) values[WIDTH * next + PREV] = prev;
      this.#strength[pk.keys[3 * e]!]!--;
      this.#strength[pk.keys[3 * e + 1]!]!--;
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
      this.#activitySum--;
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
      const pair = values[WIDTH * e + PAIR]!;
      const key = pk.keys[3 * e + 2]!;
      let w = weight[key]!;
      if (Number.isNaN(w)) weight[key] = w = keyWeight(this.#actorsOnKey[key]!);
      idf[pair] = idf[pair]! + w;
      coActions[pair] = coActions[pair]! + values[WIDTH * e + CO_ACTIONS]!;
      sumDelta[pair] = sumDelta[pair]! + values[WIDTH * e + DELTA]!;
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
  pairPartials(): PartialPairs {
    const pairs = this.#pairs;
    const sums = this.#sums((onKey) => Math.log(Math.max(1, onKey)));
    const n = pairs.size;
    const out: PartialPairs = { a: new Int32Array(n), b: new Int32Array(n), shared: new Int32Array(n), sumLogN: new Float64Array(n), coActions: new Int32Array(n), sumDelta: new Float64Array(n), size: n };
    let row = 0;
    for (let pair = 0; pair < pairs.highWater; pair++) {
      if (!pairs.isLive(pair)) continue;
      out.a[row] = pairs.keys[2 * pair]!;
      out.b[row] = pairs.keys[2 * pair + 1]!;
      out.shared[row] = this.#pairShared[pair]!;
      out.sumLogN[row] = sums.idf[pair]!;
      out.coActions[row] = sums.coActions[pair]!;
      out.sumDelta[row] = sums.sumDelta[pair]!;
      row++;
    }
    return out;
  }

  /** Actor → distinct live keys (this window's actor ids). */
  *activityEntries(): Iterable<[actor: number, keys: number]> {
    const activity = this.#activity;
    for (let actor = 0; actor < activity.length; actor++) if (activity[actor]! > 0) yield [actor, activity[actor]!];
  }

  /**
   * Visits the live (pair, key) records of actors a and b (original ids, any order): the key and
   * the last co-action time. Walks the pair's own records only.
   */
  recordsOfPair(a: number, b: number, visit: (key: number, last: number) => void): void {
    const pair = this.#pairs.find(Math.min(a, b), Math.max(a, b));
    if (pair < 0) return;
    const values = this.#pk;
    for (let e = this.#pairHead[pair]!; e >= 0; e = values[WIDTH * e + NEXT]!) visit(this.#pairKeys.keys[3 * e + 2]!, values[WIDTH * e + LAST]!);
  }

  /**
   * The null model's test (detect/significance/significance.ts, same formula and the same
   * Benjamini–Hochberg control over every live pair) on the running statistics: shared keys per
   * pair, strength W and activity d per actor and their total D are kept up to date as events
   * come and go, so a detection reads only the pairs that can pass (shared >= minShared) and
   * walks the records of the pairs that do. Its cost follows the candidate pairs, not the
   * records. Actors are original ids.
   */
  significant(options: { fdr: number; minShared: number }): SignificantPairs {
    const pairs = this.#pairs;
    const shared = this.#pairShared;
    const strength = this.#strength;
    const activity = this.#activity;
    const total = this.#activitySum;
    const candidates: number[] = [];
    const candidateLogP: number[] = [];
    for (let pair = 0; pair < pairs.highWater; pair++) {
      const s = shared[pair]!;
      if (s < options.minShared || !pairs.isLive(pair)) continue;
      const a = pairs.keys[2 * pair]!;
      const b = pairs.keys[2 * pair + 1]!;
      const mean = total > 0 ? ((strength[a] ?? 0) * (activity[b] ?? 0) + (strength[b] ?? 0) * (activity[a] ?? 0)) / (2 * total) : 0;
      candidates.push(pair);
      candidateLogP.push(logPoissonUpperTail(s, Math.max(mean, 1e-12)));
    }
    const order = Array.from(candidates.keys()).sort((x, y) => candidateLogP[x]! - candidateLogP[y]!);
    const tested = pairs.size;
    const logFdr = Math.log(options.fdr);
    let cutRank = -1;
    for (let rank = 0; rank < order.length; rank++) if (candidateLogP[order[rank]!]! <= logFdr + Math.log((rank + 1) / Math.max(1, tested))) cutRank = rank;
    const n = cutRank + 1;
    const out: SignificantPairs = {
      a: new Int32Array(n), b: new Int32Array(n), shared: new Int32Array(n), idf: new Float64Array(n),
      coActions: new Int32Array(n), sumDelta: new Float64Array(n), logP: new Float64Array(n), size: n, tested,
    };
    const values = this.#pk;
    const actors = this.#activeActors;
    for (let row = 0; row < n; row++) {
      const index = order[row]!;
      const pair = candidates[index]!;
      out.a[row] = pairs.keys[2 * pair]!;
      out.b[row] = pairs.keys[2 * pair + 1]!;
      out.shared[row] = shared[pair]!;
      out.logP[row] = candidateLogP[index]!;
      let idf = 0, coActions = 0, sumDelta = 0;
      for (let e = this.#pairHead[pair]!; e >= 0; e = values[WIDTH * e + NEXT]!) {
        idf += Math.log(actors / Math.max(1, this.#actorsOnKey[this.#pairKeys.keys[3 * e + 2]!]!));
        coActions += values[WIDTH * e + CO_ACTIONS]!;
        sumDelta += values[WIDTH * e + DELTA]!;
      }
      out.idf[row] = idf;
      out.coActions[row] = coActions;
      out.sumDelta[row] = sumDelta;
    }
    return out;
  }
}
