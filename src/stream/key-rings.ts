/**
 * Per-key event buffers of a sliding window in flat typed arrays: each key with events in the
 * window owns a ring of (actor, time) slots. Most keys see one or two events a window, a viral
 * one many, so rings come in two sizes: a small one, and a full one of the partner cap (an event
 * is only ever compared with its nearest `cap` predecessors, so no key needs more); a small ring
 * that fills is moved to a full one. Freed rings are reused.
 */

const SMALL = 4;

class RingPool {
  actor: Int32Array;
  time: Float64Array;
  head: Int32Array;
  len: Int32Array;
  owner: Int32Array;
  #free: number[] = [];
  highWater = 0;
  live = 0;

  constructor(readonly cap: number) {
    this.actor = new Int32Array(64 * cap);
    this.time = new Float64Array(64 * cap);
    this.head = new Int32Array(64);
    this.len = new Int32Array(64);
    this.owner = new Int32Array(64).fill(-1);
  }

  allocate(owner: number): number {
    const ring = this.#free.pop() ?? this.highWater++;
    if (ring >= this.head.length) this.#grow();
    this.head[ring] = 0;
    this.len[ring] = 0;
    this.owner[ring] = owner;
    this.live++;
    return ring;
  }

  release(ring: number): void {
    this.owner[ring] = -1;
    this.len[ring] = 0;
    this.#free.push(ring);
    this.live--;
  }

  #grow(): void {
    const rings = 2 * this.head.length;
    const actor = new Int32Array(rings * this.cap);
    actor.set(this.actor);
    this.actor = actor;
    const time = new Float64Array(rings * this.cap);
    time.set(this.time);
    this.time = time;
    const head = new Int32Array(rings);
    head.set(this.head);
    this.head = head;
    const len = new Int32Array(rings);
    len.set(this.len);
    this.len = len;
    const owner = new Int32Array(rings).fill(-1);
    owner.set(this.owner);
    this.owner = owner;
  }
}

export class KeyRings {
  readonly #small: RingPool;
  readonly #full: RingPool;
  /** key → ring × 2 + (1 if full), or -1. */
  #ref = new Int32Array(1024).fill(-1);
  buffered = 0;
  /** The partners found by the last `push`: its first n entries (n returned by push). */
  readonly partnerActor: Int32Array;
  readonly partnerTime: Float64Array;

  /** `cap`: the partner cap, the most events a key ever needs to keep. */
  constructor(cap: number) {
    this.#full = new RingPool(cap);
    this.#small = new RingPool(Math.min(SMALL, cap));
    this.partnerActor = new Int32Array(cap);
    this.partnerTime = new Float64Array(cap);
  }

  /**
   * Adds (actor, time) to `key`'s ring; returns n, the key's events no older than `windowMs`
   * before `time` (at most `cap` of them, the nearest), left oldest first in partnerActor/Time.
   */
  push(key: number, actor: number, time: number, windowMs: number): number {
    if (key >= this.#ref.length) {
      const ref = new Int32Array(Math.max(key + 1, 2 * this.#ref.length)).fill(-1);
      ref.set(this.#ref);
      this.#ref = ref;
    }
    let ref = this.#ref[key]!;
    if (ref < 0) {
      ref = this.#small.allocate(key) * 2;
      this.#ref[key] = ref;
    }
    let pool = (ref & 1) === 1 ? this.#full : this.#small;
    let ring = ref >> 1;
    let cap = pool.cap;
    let head = pool.head[ring]!;
    let len = pool.len[ring]!;
    let base = ring * cap;
    // Events older than the window can never be partners again.
    while (len > 0 && time - pool.time[base + head]! > windowMs) {
      head = head + 1 === cap ? 0 : head + 1;
      len--;
      this.buffered--;
    }
    const partners = len;
    for (let i = 0, p = head; i < len; i++, p = p + 1 === cap ? 0 : p + 1) {
      this.partnerActor[i] = pool.actor[base + p]!;
      this.partnerTime[i] = pool.time[base + p]!;
    }
    if (len === cap && pool === this.#small && this.#full.cap > cap) {
      // Move to a full ring, oldest first.
      const full = this.#full.allocate(key);
      const fullBase = full * this.#full.cap;
      for (let i = 0, p = head; i < len; i++, p = p + 1 === cap ? 0 : p + 1) {
        this.#full.actor[fullBase + i] = pool.actor[base + p]!;
        this.#full.time[fullBase + i] = pool.time[base + p]!;
      }
      pool.release(ring);
      pool = this.#full;
      ring = full;
      cap = pool.cap;
      base = fullBase;
      head = 0;
      this.#ref[key] = full * 2 + 1;
    }
    if (len === cap) {
      // Only the nearest `cap` events can be partners of a later one: overwrite the oldest.
      head = head + 1 === cap ? 0 : head + 1;
      len--;
      this.buffered--;
    }
    let tail = head + len;
    if (tail >= cap) tail -= cap;
    pool.actor[base + tail] = actor;
    pool.time[base + tail] = time;
    pool.head[ring] = head;
    pool.len[ring] = len + 1;
    this.buffered++;
    return partners;
  }

  /** Frees the rings whose newest event is more than `windowMs` before `now`. */
  expire(now: number, windowMs: number): void {
    for (const pool of [this.#small, this.#full]) {
      for (let ring = 0; ring < pool.highWater; ring++) {
        const key = pool.owner[ring]!;
        if (key < 0) continue;
        const len = pool.len[ring]!;
        const newest = len === 0 ? -Infinity : pool.time[ring * pool.cap + ((pool.head[ring]! + len - 1) % pool.cap)]!;
        if (now - newest > windowMs) {
          this.buffered -= len;
          pool.release(ring);
          this.#ref[key] = -1;
        }
      }
    }
  }

  /** Frees `key`'s ring, if it has one (the key's id is about to be reused). */
  drop(key: number): void {
    const ref = key < this.#ref.length ? this.#ref[key]! : -1;
    if (ref < 0) return;
    const pool = (ref & 1) === 1 ? this.#full : this.#small;
    this.buffered -= pool.len[ref >> 1]!;
    pool.release(ref >> 1);
    this.#ref[key] = -1;
  }
}
