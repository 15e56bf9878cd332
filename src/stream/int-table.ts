/**
 * An open-addressing hash index from a tuple of 2 or 3 non-negative int32s to a dense entry
 * number, with deletion: the batch kernel's PairIndex idea (detect/kernel/pair-index.ts: stable
 * entry numbers, so callers keep their own typed value columns indexed by entry), plus what a
 * sliding window needs — backward-shift deletion (linear probing without tombstones, so probes
 * stay short however many records come and go) and a free list that reuses deleted entries.
 *
 * The tuple is stored twice: in the slot beside its entry number, so a probe reads one cache line
 * (a random probe into a large table is a cache miss, and misses are what a window's inserts
 * cost), and per entry, so scans over entries read keys sequentially. A dead entry's first key
 * is -1.
 */

/** Largest slot array: every typed array stays below 2^30 elements. */
const MAX_SLOTS = 2 ** 27;

function hashTuple(x: number, y: number, z: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y ^ 0x5bd1e995, 0x85ebca77) ^ Math.imul(z ^ 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

export class IntTupleTable {
  readonly arity: 2 | 3;
  /** Per slot: the tuple, then entry + 1 (0: empty). */
  #slots: Int32Array;
  #mask: number;
  readonly #stride: number;
  /** Entry → its tuple (arity ints); the first is -1 while the entry is dead. */
  keys: Int32Array;
  #free: Int32Array;
  #freeCount = 0;
  /** One more than the largest entry number ever used: scans stop here. */
  highWater = 0;
  size = 0;
  /** Whether the last `insert` made its entry. */
  created = false;

  constructor(arity: 2 | 3, initialEntries = 1024) {
    this.arity = arity;
    this.#stride = arity + 1;
    // Slots are a power of two (probing masks the hash), at least twice the entries.
    const entries = 2 ** Math.ceil(Math.log2(Math.max(16, initialEntries)));
    this.#slots = new Int32Array(2 * entries * this.#stride);
    this.#mask = 2 * entries - 1;
    this.keys = new Int32Array(arity * entries).fill(-1);
    this.#free = new Int32Array(entries);
  }

  /** Entries the value columns must hold (entry numbers are below it). */
  get entryCapacity(): number {
    return this.keys.length / this.arity;
  }

  isLive(e: number): boolean {
    return this.keys[e * this.arity]! >= 0;
  }

  /** The entry of (x, y[, z]), or -1. */
  find(x: number, y: number, z = 0): number {
    const slots = this.#slots;
    const stride = this.#stride;
    const three = this.arity === 3;
    for (let s = hashTuple(x, y, z) & this.#mask; ; s = (s + 1) & this.#mask) {
      const at = s * stride;
      const e = slots[at + stride - 1]! - 1;
      if (e < 0) return -1;
      if (slots[at] === x && slots[at + 1] === y && (!three || slots[at + 2] === z)) return e;
    }
  }

  /**
   * The entry of (x, y[, z]), made if absent (`created` tells which). Growing may replace `keys`
   * and raise `entryCapacity`.
   */
  insert(x: number, y: number, z = 0): number {
    const slots = this.#slots;
    const stride = this.#stride;
    const three = this.arity === 3;
    let at = 0;
    for (let s = hashTuple(x, y, z) & this.#mask; ; s = (s + 1) & this.#mask) {
      at = s * stride;
      const e = slots[at + stride - 1]! - 1;
      if (e < 0) break;
      if (slots[at] === x && slots[at + 1] === y && (!three || slots[at + 2] === z)) {
        this.created = false;
        return e;
      }
    }
    const e = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.highWater++;
    if (e >= this.entryCapacity) this.#growEntries();
    slots[at] = x;
    slots[at + 1] = y;
    if (three) slots[at + 2] = z;
    slots[at + stride - 1] = e + 1;
    const k = e * this.arity;
    this.keys[k] = x;
    this.keys[k + 1] = y;
    if (three) this.keys[k + 2] = z;
    this.size++;
    this.created = true;
    if (2 * this.size > this.#mask + 1) this.#rehash(2 * (this.#mask + 1));
    return e;
  }

  /** Deletes a live entry (backward-shift deletion: later probes stay unbroken without tombstones). */
  remove(e: number): void {
    const mask = this.#mask;
    const slots = this.#slots;
    const stride = this.#stride;
    const k = e * this.arity;
    let i = hashTuple(this.keys[k]!, this.keys[k + 1]!, this.arity === 3 ? this.keys[k + 2]! : 0) & mask;
    while (slots[i * stride + stride - 1]! - 1 !== e) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const at = j * stride;
      if (slots[at + stride - 1] === 0) break;
      const home = hashTuple(slots[at]!, slots[at + 1]!, this.arity === 3 ? slots[at + 2]! : 0) & mask;
      // Move slot j back into the hole i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        slots.copyWithin(i * stride, at, at + stride);
        i = j;
      }
    }
    slots.fill(0, i * stride, i * stride + stride);
    this.keys[k] = -1;
    this.size--;
    if (this.#freeCount === this.#free.length) {
      const free = new Int32Array(2 * this.#free.length);
      free.set(this.#free);
      this.#free = free;
    }
    this.#free[this.#freeCount++] = e;
  }

  #growEntries(): void {
    const entries = 2 * this.entryCapacity;
    if (2 * entries > MAX_SLOTS) throw new RangeError(`stream state: more than ${MAX_SLOTS / 2} live records in one table; shorten the horizon or partition the stream`);
    const keys = new Int32Array(this.arity * entries).fill(-1);
    keys.set(this.keys);
    this.keys = keys;
  }

  #rehash(slotCount: number): void {
    const stride = this.#stride;
    const slots = new Int32Array(slotCount * stride);
    const mask = slotCount - 1;
    const old = this.#slots;
    for (let at = 0; at < old.length; at += stride) {
      if (old[at + stride - 1] === 0) continue;
      let s = hashTuple(old[at]!, old[at + 1]!, this.arity === 3 ? old[at + 2]! : 0) & mask;
      while (slots[s * stride + stride - 1] !== 0) s = (s + 1) & mask;
      for (let i = 0; i < stride; i++) slots[s * stride + i] = old[at + i]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** `column` grown to at least `length` (contents kept; doubling, so growth is amortised). */
export function grownF64(column: Float64Array<ArrayBuffer>, length: number): Float64Array<ArrayBuffer> {
  if (column.length >= length) return column;
  const out = new Float64Array(Math.max(length, 2 * column.length));
  out.set(column);
  return out;
}

export function grownI32(column: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  if (column.length >= length) return column;
  const out = new Int32Array(Math.max(length, 2 * column.length));
  out.set(column);
  return out;
}
