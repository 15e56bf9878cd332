/**
 * The batch kernel's pairs of one trace of a bounded job's partition (detect/kernel: per key, each
 * event against its nearest `maxPartnersPerEvent` predecessors at most `windowMs` before it), found
 * as the events arrive instead of at the end marker. A bounded job's end markers all come at its
 * end, so the kernel ran in the job's tail while the front end's core sat idle; here the pair-table
 * inserts happen while the job is still being published, and the end only weighs and orders them.
 *
 * The result is the kernel's to the bit, or nothing: the IDF needs each key's final count of
 * distinct accounts, so the pairs keep their keys and the weights are summed at the end in the
 * kernel's (ascending key) order; Σ |Δt| is exact in any order because event times are whole ms
 * (a time that is not, or a sum past 2^53, gives up); a pair's row goes where the kernel's
 * first-seen order puts it (its first co-action's key, event and partner, kept as one number).
 * The kernel sorts a key's events by (time, arrival), so this holds only while each key's events
 * arrive in time order: an event earlier than its key's last gives up, and the caller runs the
 * kernel instead (`broken` says why).
 *
 * The partial's rows are grouped by the pair's first account in label order, which is known only
 * at the end; but a pair's table is known at once: accounts go to tables by the leading code units
 * of their labels (`labelTables`, monotone in label order), and a pair to its lower account's
 * table, so every table holds one range of first accounts and is ordered on its own, in cache.
 */
import { PairIndex } from '../detect/kernel/index.js';
import { grownF64, grownI32 } from './int-table.js';
import type { PartialPairs } from './trace-window.js';

/** A co-action's place in the kernel's order, one float: key, the event's place on its key, then its partner's. */
const KEY_BITS = 20, PLACE_BITS = 27, PARTNER_BITS = 6;
const MAX_CAP = 2 ** PARTNER_BITS - 1;
const PLACE_SCALE = 2 ** PARTNER_BITS, KEY_SCALE = 2 ** (PLACE_BITS + PARTNER_BITS);
/**
 * A pair's record, 32 bytes, one cache line touched per co-action: Σ |Δt| and the first
 * co-action's place as floats, then shared keys, co-actions, the last key and the first key as
 * ints over the same bytes.
 */
const FLOATS = 4, INTS = 8;
const SUM_DELTA = 0, ORDER = 1, SHARED = 4, CO_ACTIONS = 5, LAST_KEY = 6, FIRST_KEY = 7;

/** Tables per trace: label ranges (see labelTables). */
export const ARRIVAL_TABLES = 64;
/**
 * Co-actions wait in a buffer per table and are applied a buffer at a time, so that the inserts
 * of one flush meet one table in cache (as the kernel's partitioned tables do): applied one by one,
 * each went to a random one of the tables, and cost twice as much.
 */
const BUFFERED = 256;

/** One table: pairs (smaller arrival id first), their records, and the head of each one's list of further keys. */
class ArrivalTable {
  readonly index = new PairIndex(256);
  floats = new Float64Array(256 * FLOATS);
  ints = new Int32Array(this.floats.buffer);
  moreKeys = new Int32Array(256);

  grow(size: number): void {
    const floats = new Float64Array(size * FLOATS);
    floats.set(this.floats);
    this.floats = floats;
    this.ints = new Int32Array(floats.buffer);
    this.moreKeys = grownI32(this.moreKeys, size);
  }
}

export class ArrivalPairs {
  /** Why the pairs cannot be the kernel's (the caller runs the kernel), or null. */
  broken: string | null = null;
  /** This trace's events so far: account, time and the previous event on the same key (-1: none). */
  #actor = new Int32Array(1024);
  #time = new Float64Array(1024);
  #previous = new Int32Array(1024);
  #events = 0;
  /** Per key: its last event, and its events so far. */
  #keyLast = new Int32Array(256);
  #keyEvents = new Int32Array(256);
  #keys = 0;
  readonly #tables: ArrivalTable[] = Array.from({ length: ARRIVAL_TABLES }, () => new ArrivalTable());
  /** Per table, its waiting co-actions: a, b, key as ints, delay and place as floats. */
  readonly #waiting = new Int32Array(ARRIVAL_TABLES);
  readonly #waitInts = new Int32Array(ARRIVAL_TABLES * BUFFERED * 3);
  readonly #waitFloats = new Float64Array(ARRIVAL_TABLES * BUFFERED * 2);
  /** Keys of pairs with more than one, as linked lists: key, next entry (-1: end). */
  #listKey = new Int32Array(256);
  #listNext = new Int32Array(256);
  #listed = 0;
  readonly #partners: Int32Array;

  constructor(readonly options: { windowMs: number; maxPartnersPerEvent: number }) {
    const cap = options.maxPartnersPerEvent;
    if (!(Number.isInteger(cap) && cap >= 1 && cap <= MAX_CAP)) this.broken = `a partner cap of ${cap} (at most ${MAX_CAP} here)`;
    this.#partners = new Int32Array(Math.min(Math.max(1, cap), MAX_CAP));
  }

  /** Pairs so far (co-actions waiting in buffers are applied first). */
  get size(): number {
    for (let t = 0; t < this.#tables.length; t++) this.#flush(t);
    return this.#tables.reduce((sum, table) => sum + table.index.size, 0);
  }

  /**
   * One event of the trace, in arrival order: `key` is the trace's key id (0, 1, … as keys first
   * appear); `tableOf` holds each account's table (labelTables).
   */
  add(actor: number, key: number, time: number, tableOf: Int32Array): void {
    if (this.broken !== null) return;
    if (!Number.isInteger(time)) return this.#giveUp(`time ${time} is not whole ms`);
    if (key >= this.#keys) this.#newKeys(key + 1);
    const last = this.#keyLast[key]!;
    const time0 = last < 0 ? time : this.#time[last]!;
    if (time < time0) return this.#giveUp(`key ${key}: an event at ${time} after one at ${time0}`);
    const place = this.#keyEvents[key]!++;
    if (key >= 2 ** KEY_BITS || place >= 2 ** PLACE_BITS) return this.#giveUp(`key ${key} or its event ${place} beyond the order's range`);
    const j = this.#events++;
    if (j === this.#time.length) {
      this.#actor = grownI32(this.#actor, 2 * j);
      this.#time = grownF64(this.#time, 2 * j);
      this.#previous = grownI32(this.#previous, 2 * j);
    }
    this.#actor[j] = actor;
    this.#time[j] = time;
    this.#previous[j] = last;
    this.#keyLast[key] = j;
    // The nearest predecessors on the key within the window, newest first; the kernel takes them oldest first.
    const partners = this.#partners, window = this.options.windowMs, eventTime = this.#time, previous = this.#previous;
    let found = 0;
    for (let i = last; i >= 0 && found < partners.length && time - eventTime[i]! <= window; i = previous[i]!) partners[found++] = i;
    const base = key * KEY_SCALE + place * PLACE_SCALE, mine = tableOf[actor]!;
    for (let p = found - 1; p >= 0; p--) {
      const i = partners[p]!, other = this.#actor[i]!;
      if (other === actor) continue;
      const theirs = tableOf[other]!;
      // Within one event the kernel goes from its farthest partner (p + 1 back) to its nearest.
      const t = mine < theirs ? mine : theirs, slot = t * BUFFERED + this.#waiting[t]!;
      this.#waitInts[3 * slot] = other < actor ? other : actor;
      this.#waitInts[3 * slot + 1] = other < actor ? actor : other;
      this.#waitInts[3 * slot + 2] = key;
      this.#waitFloats[2 * slot] = time - eventTime[i]!;
      this.#waitFloats[2 * slot + 1] = base + (PLACE_SCALE - 1 - p);
      if (++this.#waiting[t]! === BUFFERED) this.#flush(t);
    }
  }

  /** Applies table t's waiting co-actions in the order they came. */
  #flush(t: number): void {
    const table = this.#tables[t]!, ints = this.#waitInts, floats = this.#waitFloats;
    for (let slot = t * BUFFERED, end = slot + this.#waiting[t]!; slot < end; slot++) this.#coAct(table, ints[3 * slot]!, ints[3 * slot + 1]!, ints[3 * slot + 2]!, floats[2 * slot]!, floats[2 * slot + 1]!);
    this.#waiting[t] = 0;
  }

  #coAct(table: ArrivalTable, a: number, b: number, key: number, delta: number, order: number): void {
    const before = table.index.size;
    const e = table.index.entryOf(a, b);
    const f = e * FLOATS, i = e * INTS;
    if (e === before) {
      if (e === table.moreKeys.length) table.grow(2 * e);
      const floats = table.floats, ints = table.ints;
      floats[f + SUM_DELTA] = delta;
      floats[f + ORDER] = order;
      ints[i + SHARED] = 1;
      ints[i + CO_ACTIONS] = 1;
      ints[i + LAST_KEY] = key;
      ints[i + FIRST_KEY] = key;
      table.moreKeys[e] = -1;
      return;
    }
    const floats = table.floats, ints = table.ints;
    ints[i + CO_ACTIONS]!++;
    floats[f + SUM_DELTA]! += delta;
    if (ints[i + LAST_KEY] === key) return;
    ints[i + LAST_KEY] = key;
    if (ints[i + FIRST_KEY] === key) return;
    for (let l = table.moreKeys[e]!; l >= 0; l = this.#listNext[l]!) if (this.#listKey[l] === key) return;
    // A key new to the pair: the kernel met it at its first co-action there, which comes first if the key does.
    ints[i + SHARED]!++;
    if (order < floats[f + ORDER]!) floats[f + ORDER] = order;
    const l = this.#listed++;
    if (l === this.#listKey.length) {
      this.#listKey = grownI32(this.#listKey, 2 * l);
      this.#listNext = grownI32(this.#listNext, 2 * l);
    }
    this.#listKey[l] = key;
    this.#listNext[l] = table.moreKeys[e]!;
    table.moreKeys[e] = l;
  }

  /**
   * The pairs as the kernel gives them for this trace's events with accounts renumbered by `rank`
   * (arrival id → label rank, null: unchanged) and Σ ln n_k in place of the IDF (distributed.ts
   * tracePartial): grouped by the first account ascending, in first-seen order within one.
   * `distinct` holds each key's distinct accounts, `actors` the trace's. Null if `broken`.
   */
  finish(rank: Int32Array | null, distinct: Int32Array, actors: number): PartialPairs | null {
    if (this.broken !== null) return null;
    const n = this.size;
    const idfOf = new Float64Array(this.#keys);
    for (let k = 0; k < this.#keys; k++) if (distinct[k]! >= 2) idfOf[k] = Math.log(actors / distinct[k]!);
    const logN = Math.log(Math.max(1, actors));
    const out: PartialPairs = { a: new Int32Array(n), b: new Int32Array(n), shared: new Int32Array(n), sumLogN: new Float64Array(n), coActions: new Int32Array(n), sumDelta: new Float64Array(n), size: n };
    const scratch = { order: new Float64Array(0), entry: new Int32Array(0) };
    let row = 0;
    for (const table of this.#tables) {
      const size = table.index.size, keys = table.index.keys, floats = table.floats, ints = table.ints;
      if (size === 0) continue;
      // The table's first accounts are one range of ranks: a counting sort over it, then each
      // account's run in first-co-action order.
      const first = new Int32Array(size), second = new Int32Array(size);
      let low = Infinity, high = -1;
      for (let e = 0; e < size; e++) {
        const x = rank === null ? keys[2 * e]! : rank[keys[2 * e]!]!, y = rank === null ? keys[2 * e + 1]! : rank[keys[2 * e + 1]!]!;
        const a = x < y ? x : y;
        first[e] = a;
        second[e] = x < y ? y : x;
        if (a < low) low = a;
        if (a > high) high = a;
      }
      const span = high - low + 1, start = new Int32Array(span + 1);
      for (let e = 0; e < size; e++) start[first[e]! - low + 1]!++;
      for (let x = 0; x < span; x++) start[x + 1]! += start[x]!;
      const fill = start.slice(0, span), entryAt = new Int32Array(size), orderAt = new Float64Array(size);
      for (let e = 0; e < size; e++) {
        const at = fill[first[e]! - low]!++;
        entryAt[at] = e;
        orderAt[at] = floats[e * FLOATS + ORDER]!;
      }
      for (let x = 0; x < span; x++) sortRun(orderAt, entryAt, start[x]!, start[x + 1]!, scratch);
      const broken = writeRows(out, row, size, entryAt, first, second, floats, ints, idfOf, logN, table.moreKeys, this.#listKey, this.#listNext);
      row += size;
      if (broken !== null) {
        this.broken = broken;
        return null;
      }
    }
    return out;
  }

  #giveUp(reason: string): void {
    this.broken = reason;
    // Nothing more is kept: the kernel runs on the partition's columns instead.
    this.#actor = new Int32Array(0);
    this.#time = new Float64Array(0);
    this.#previous = new Int32Array(0);
    this.#tables.length = 0;
  }

  #newKeys(keys: number): void {
    if (keys > this.#keyLast.length) {
      const size = Math.max(keys, 2 * this.#keyLast.length);
      this.#keyLast = grownI32(this.#keyLast, size);
      this.#keyEvents = grownI32(this.#keyEvents, size);
    }
    this.#keyLast.fill(-1, this.#keys, keys);
    this.#keys = keys;
  }
}

/**
 * Writes a table's rows from `row` on, entry `entryAt[r]` to row + r: entries read in order and
 * written to their rows (a gather in row order read a random record per row: 3x slower). Returns
 * why not (a Σ |Δt| past exact whole numbers), or null.
 */
function writeRows(out: PartialPairs, row: number, size: number, entryAt: Int32Array, first: Int32Array, second: Int32Array, floats: Float64Array, ints: Int32Array, idfOf: Float64Array, logN: number, moreKeys: Int32Array, listKey: Int32Array, listNext: Int32Array): string | null {
  const { a: outA, b: outB, shared: outShared, sumLogN: outLogN, coActions: outCo, sumDelta: outDelta } = out;
  const rowOf = new Int32Array(size);
  for (let r = 0; r < size; r++) rowOf[entryAt[r]!] = row + r;
  for (let e = 0; e < size; e++) {
    const i = e * INTS, shared = ints[i + SHARED]!, sumDelta = floats[e * FLOATS + SUM_DELTA]!;
    if (!(sumDelta < EXACT)) return `a pair's Σ |Δt| of ${sumDelta} ms is past exact whole numbers`;
    let idf = 0;
    if (shared === 1) idf += idfOf[ints[i + FIRST_KEY]!]!;
    else idf = keysIdf(ints[i + FIRST_KEY]!, moreKeys[e]!, listKey, listNext, idfOf);
    const to = rowOf[e]!;
    outA[to] = first[e]!;
    outB[to] = second[e]!;
    outShared[to] = shared;
    outLogN[to] = shared * logN - idf;
    outCo[to] = ints[i + CO_ACTIONS]!;
    outDelta[to] = sumDelta;
  }
  return null;
}

const EXACT = 2 ** 53;

/** Σ ln(N / n_k) over a pair's keys in ascending order from 0, as the kernel adds them. */
function keysIdf(firstKey: number, list: number, listKey: Int32Array, listNext: Int32Array, idfOf: Float64Array): number {
  const keys = [firstKey];
  for (let l = list; l >= 0; l = listNext[l]!) keys.push(listKey[l]!);
  keys.sort((x, y) => x - y);
  let idf = 0;
  for (const k of keys) idf += idfOf[k]!;
  return idf;
}

/** Code units past the prefix that place a label: two, each as unit + 1 below 127, 128 from 127 up, 0 past the end. */
const PLACES = 129 * 129;

/**
 * Each label's table, from `prefix` on (the partition's first label up to its last ':', e.g.
 * 'bluesky NUL did:plc:'): labels below every label with the prefix go to the first table, above
 * to the last, the others by their next two code units. Monotone in code-unit order: a label
 * ordered after another never gets a lower table, so a table's accounts are one range of label
 * ranks. Fills `tables` from `from` on.
 */
export function labelTables(labels: readonly string[], from: number, prefix: string, tables: Int32Array): void {
  for (let id = from; id < labels.length; id++) {
    const label = labels[id]!;
    let place: number;
    if (label.startsWith(prefix)) {
      const u1 = unitPlace(label, prefix.length);
      place = 1 + u1 * 129 + (u1 === 128 ? 128 : unitPlace(label, prefix.length + 1));
    } else place = label < prefix ? 0 : PLACES + 1;
    tables[id] = Math.floor((place * ARRIVAL_TABLES) / (PLACES + 2));
  }
}

const unitPlace = (label: string, at: number): number => (at >= label.length ? 0 : Math.min(label.charCodeAt(at) + 1, 128));

/** Runs up to this length sort by insertion; longer ones by merging. */
const SHORT_RUN = 24;

/**
 * Sorts order[from, end) ascending, entry[] alongside. Most accounts have a few partners; the few
 * with hundreds merge (a typed array's sort with a comparator cost more than the rest of the finish).
 */
function sortRun(order: Float64Array, entry: Int32Array, from: number, end: number, scratch: { order: Float64Array; entry: Int32Array }): void {
  const n = end - from;
  if (n < 2) return;
  if (n <= SHORT_RUN) {
    for (let r = from + 1; r < end; r++) {
      const o = order[r]!, e = entry[r]!;
      let to = r;
      while (to > from && order[to - 1]! > o) {
        order[to] = order[to - 1]!;
        entry[to] = entry[to - 1]!;
        to--;
      }
      order[to] = o;
      entry[to] = e;
    }
    return;
  }
  const half = from + (n >> 1);
  sortRun(order, entry, from, half, scratch);
  sortRun(order, entry, half, end, scratch);
  if (order[half - 1]! <= order[half]!) return;
  if (scratch.order.length < n) {
    scratch.order = new Float64Array(2 * n);
    scratch.entry = new Int32Array(2 * n);
  }
  scratch.order.set(order.subarray(from, end));
  scratch.entry.set(entry.subarray(from, end));
  const left = half - from;
  let i = 0, j = left, to = from;
  while (i < left && j < n) {
    if (scratch.order[j]! < scratch.order[i]!) {
      order[to] = scratch.order[j]!;
      entry[to++] = scratch.entry[j++]!;
    } else {
      order[to] = scratch.order[i]!;
      entry[to++] = scratch.entry[i++]!;
    }
  }
  while (i < left) {
    order[to] = scratch.order[i]!;
    entry[to++] = scratch.entry[i++]!;
  }
  while (j < n) {
    order[to] = scratch.order[j]!;
    entry[to++] = scratch.entry[j++]!;
  }
}
