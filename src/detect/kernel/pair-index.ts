/**
 * Open-addressing hash index from an integer pair (a, b) to a dense entry number, in insertion
 * order (the compact layout of CPython's dict): a slot array of entry numbers probed linearly,
 * and the keys stored once per entry. Entry numbers never change when the index grows, so callers
 * keep their own typed value columns indexed by entry. Every typed array stays below 2^30 elements.
 */
import { LockstepError } from '../../model/index.js';

/** Largest slot array; entries are at most half of it (load factor <= 0.5). */
export const MAX_SLOTS = 2 ** 28;
export const MAX_ENTRIES = MAX_SLOTS / 2;

/** Hash of a pair for the slot position (murmur3-style finaliser over both halves). */
export function slotHash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x5bd1e995, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A second, independent hash of a pair, whose top bits choose the partition. */
export function partitionHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x27d4eb2f, 0xc2b2ae35) ^ Math.imul(b, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

export class PairIndex {
  /** Entries in use; entry e has key (keys[2e], keys[2e + 1]). */
  size = 0;
  /** Interleaved keys, so a probe touches one cache line for both halves. */
  keys: Int32Array;
  /** Entry capacity; grows by doubling. */
  capacity: number;
  private slots: Int32Array;
  private mask: number;

  constructor(initialCapacity = 16) {
    let capacity = 8;
    while (capacity < initialCapacity) capacity *= 2;
    this.capacity = Math.min(capacity, MAX_ENTRIES);
    this.slots = new Int32Array(this.capacity * 2);
    this.mask = this.capacity * 2 - 1;
    this.keys = new Int32Array(this.capacity * 2);
  }

  /** The entry of (a, b), inserted at the end if absent; `size` tells whether it was new. */
  entryOf(a: number, b: number): number {
    const slots = this.slots;
    const keys = this.keys;
    const mask = this.mask;
    let slot = slotHash(a, b) & mask;
    for (;;) {
      const stored = slots[slot]!;
      if (stored === 0) break;
      const e = stored - 1;
      if (keys[2 * e] === a && keys[2 * e + 1] === b) return e;
      slot = (slot + 1) & mask;
    }
    if (this.size === this.capacity) {
      this.grow();
      return this.entryOf(a, b);
    }
    const e = this.size++;
    slots[slot] = e + 1;
    keys[2 * e] = a;
    keys[2 * e + 1] = b;
    return e;
  }

  /** The entry of (a, b), or -1. */
  find(a: number, b: number): number {
    let slot = slotHash(a, b) & this.mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) return -1;
      const e = stored - 1;
      if (this.keys[2 * e] === a && this.keys[2 * e + 1] === b) return e;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Forgets every entry, keeping the capacity. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }

  private grow(): void {
    if (this.capacity >= MAX_ENTRIES) {
      throw new LockstepError(
        'detect/bad-input',
        `co-action kernel: more than ${MAX_ENTRIES} distinct pairs in one hash partition. ` +
          'Raise the number of partitions, lower maxPartnersPerEvent, or pass a spill sink with a memory budget.',
      );
    }
    const capacity = this.capacity * 2;
    const keys = new Int32Array(capacity * 2);
    keys.set(this.keys);
    const slots = new Int32Array(capacity * 2);
    const mask = capacity * 2 - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = slotHash(keys[2 * e]!, keys[2 * e + 1]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.capacity = capacity;
    this.keys = keys;
    this.slots = slots;
    this.mask = mask;
  }
}
