/**
 * Sliding-window co-action state of one trace: the batch kernel's rule (kernel/kernel.ts, after
 * CooRTweet's co-share rule) applied event by event. Per key, the events of the last `window` ms
 * (at most `maxPartnersPerEvent` of them: an event is compared with its nearest preceding events
 * only, exactly as the batch kernel caps pair expansion); per (pair, key) the co-actions and their
 * summed delay; per (key, actor) the last time, for the IDF (n_k) and the null model's activity.
 *
 * Memory is bounded by time: a key's event buffer is dropped once its newest event is older than
 * the window; (pair, key) and (key, actor) records, and the interned keys, are dropped once
 * nothing touched them for the horizon. The pair weights summarise the records alive now, so
 * with a horizon at least as long as the data they equal the batch kernel's over all of it.
 */
import type { PairTable } from '../detect/kernel/index.js';
import { ExpiringInterner } from './interner.js';

/** Actor ids are below this (pair ids pack two of them into one double exactly). */
export const MAX_LIVE_ACTORS = 2 ** 26;

interface KeyBuffer {
  actor: number[];
  time: number[];
}

interface PairKeyRecord {
  coActions: number;
  sumDelta: number;
  last: number;
}

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
  readonly #buffers = new Map<number, KeyBuffer>();
  /** pair id (a * 2^26 + b, a < b) → key → record. */
  readonly #pairs = new Map<number, Map<number, PairKeyRecord>>();
  /** key → actor → last time the actor acted on it. */
  readonly #actorsOnKey = new Map<number, Map<number, number>>();
  /** actor → distinct live keys (the null model's activity d). */
  readonly #activity = new Map<number, number>();
  readonly #options: TraceWindowOptions;
  #buffered = 0;
  #pairKeyRecords = 0;
  #actorKeyRecords = 0;
  coActions = 0;

  constructor(options: TraceWindowOptions) {
    this.#options = options;
  }

  /** Adds one event; events should come in time order (see StreamDetector's reorder buffer). */
  add(actor: number, keyLabel: string, time: number): void {
    const key = this.keys.intern(keyLabel, time);
    const { windowMs, maxPartnersPerEvent } = this.#options;
    let buffer = this.#buffers.get(key);
    if (buffer === undefined) {
      buffer = { actor: [], time: [] };
      this.#buffers.set(key, buffer);
    }
    let drop = 0;
    while (drop < buffer.time.length && time - (buffer.time[drop] ?? 0) > windowMs) drop++;
    const from = Math.max(drop, buffer.time.length - maxPartnersPerEvent);
    for (let i = from; i < buffer.time.length; i++) {
      const other = buffer.actor[i] ?? 0;
      if (other === actor) continue;
      this.coActions++;
      this.#coAct(Math.min(other, actor), Math.max(other, actor), key, Math.abs(time - (buffer.time[i] ?? 0)), time);
    }
    // Only the nearest maxPartnersPerEvent events can ever be partners of a later event.
    const keep = Math.max(from, buffer.time.length + 1 - maxPartnersPerEvent);
    if (keep > 0) {
      buffer.actor.splice(0, keep);
      buffer.time.splice(0, keep);
      this.#buffered -= keep;
    }
    buffer.actor.push(actor);
    buffer.time.push(time);
    this.#buffered++;

    let onKey = this.#actorsOnKey.get(key);
    if (onKey === undefined) {
      onKey = new Map();
      this.#actorsOnKey.set(key, onKey);
    }
    if (!onKey.has(actor)) {
      this.#actorKeyRecords++;
      this.#activity.set(actor, (this.#activity.get(actor) ?? 0) + 1);
    }
    if (!((onKey.get(actor) ?? -Infinity) >= time)) onKey.set(actor, time);
  }

  #coAct(a: number, b: number, key: number, delta: number, time: number): void {
    const id = a * MAX_LIVE_ACTORS + b;
    let byKey = this.#pairs.get(id);
    if (byKey === undefined) {
      byKey = new Map();
      this.#pairs.set(id, byKey);
    }
    const record = byKey.get(key);
    if (record === undefined) {
      byKey.set(key, { coActions: 1, sumDelta: delta, last: time });
      this.#pairKeyRecords++;
    } else {
      record.coActions++;
      record.sumDelta += delta;
      if (time > record.last) record.last = time;
    }
  }

  /** Drops buffers older than the window and records older than the horizon, as of `now`. */
  expire(now: number): void {
    const { windowMs, horizonMs } = this.#options;
    for (const [key, buffer] of this.#buffers) {
      if (now - (buffer.time[buffer.time.length - 1] ?? -Infinity) > windowMs) {
        this.#buffered -= buffer.time.length;
        this.#buffers.delete(key);
      }
    }
    const cutoff = now - horizonMs;
    if (!Number.isFinite(cutoff)) return;
    for (const [id, byKey] of this.#pairs) {
      for (const [key, record] of byKey) {
        if (record.last < cutoff) {
          byKey.delete(key);
          this.#pairKeyRecords--;
        }
      }
      if (byKey.size === 0) this.#pairs.delete(id);
    }
    for (const [key, onKey] of this.#actorsOnKey) {
      for (const [actor, last] of onKey) {
        if (last < cutoff) {
          onKey.delete(actor);
          this.#actorKeyRecords--;
          const left = (this.#activity.get(actor) ?? 1) - 1;
          if (left === 0) this.#activity.delete(actor);
          else this.#activity.set(actor, left);
        }
      }
      if (onKey.size === 0) this.#actorsOnKey.delete(key);
    }
    // A key whose buffer is gone and that nothing touched for the horizon has no record left.
    for (const key of this.keys.expire(cutoff)) this.#buffers.delete(key);
  }

  size(): TraceWindowSize {
    return { bufferedEvents: this.#buffered, keys: this.keys.size, pairKeyRecords: this.#pairKeyRecords, actorKeyRecords: this.#actorKeyRecords };
  }

  /** Distinct live keys per actor (the null model's activity), in the ids `remap` gives. */
  activity(remap: Int32Array, actorCount: number): Float64Array {
    const out = new Float64Array(actorCount);
    for (const [actor, keys] of this.#activity) out[remap[actor] ?? 0] = keys;
    return out;
  }

  /**
   * The kernel's pair table over the live records, actors renumbered by `remap` (a < b after it):
   * `shared` distinct keys, `idf` Σ ln(N / n_k) with N the actors and n_k the actors on key k
   * alive now, `coActions` and `sumDelta` summed over keys.
   */
  pairTable(remap: Int32Array): PairTable {
    const n = this.#pairs.size;
    const table: PairTable = {
      a: new Int32Array(n), b: new Int32Array(n), shared: new Int32Array(n), idf: new Float64Array(n),
      coActions: new Int32Array(n), sumDelta: new Float64Array(n), size: n,
    };
    const actors = this.#activity.size;
    const keyIdf = new Map<number, number>();
    let row = 0;
    for (const [id, byKey] of this.#pairs) {
      const x = remap[Math.floor(id / MAX_LIVE_ACTORS)] ?? 0;
      const y = remap[id % MAX_LIVE_ACTORS] ?? 0;
      table.a[row] = Math.min(x, y);
      table.b[row] = Math.max(x, y);
      let idf = 0, coActions = 0, sumDelta = 0;
      for (const [key, record] of byKey) {
        let weight = keyIdf.get(key);
        if (weight === undefined) {
          weight = Math.log(actors / (this.#actorsOnKey.get(key)?.size ?? 1));
          keyIdf.set(key, weight);
        }
        idf += weight;
        coActions += record.coActions;
        sumDelta += record.sumDelta;
      }
      table.shared[row] = byKey.size;
      table.idf[row] = idf;
      table.coActions[row] = coActions;
      table.sumDelta[row] = sumDelta;
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
    for (const [id, byKey] of this.#pairs) {
      let sumLogN = 0, coActions = 0, sumDelta = 0;
      for (const [key, record] of byKey) {
        sumLogN += Math.log(this.#actorsOnKey.get(key)?.size ?? 1);
        coActions += record.coActions;
        sumDelta += record.sumDelta;
      }
      yield [Math.floor(id / MAX_LIVE_ACTORS), id % MAX_LIVE_ACTORS, byKey.size, sumLogN, coActions, sumDelta];
    }
  }

  /** Actor → distinct live keys (this window's actor ids). */
  activityEntries(): Iterable<[actor: number, keys: number]> {
    return this.#activity.entries();
  }

  /** The live keys two actors (original ids) co-acted on, with their last co-action time. */
  sharedKeys(a: number, b: number): { key: number; last: number }[] {
    const byKey = this.#pairs.get(Math.min(a, b) * MAX_LIVE_ACTORS + Math.max(a, b));
    return byKey === undefined ? [] : [...byKey].map(([key, record]) => ({ key, last: record.last }));
  }
}
