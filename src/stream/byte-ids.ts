/**
 * A hash table from byte strings (slices of a chunk of input) to integers, so the front end can
 * find the id of an account or key it has seen before without making a string: a string is made
 * (decoded, normalised, interned) only the first time its bytes are seen. The bytes of every
 * entry are copied once into one growing arena; lookups compare hash, length, then bytes.
 */
import { grownI32 } from './int-table.js';

/** FNV-1a 32-bit over `bytes[start, end)`. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

export class ByteIds {
  /** Per slot: entry + 1 (0: empty). */
  #slots = new Int32Array(4096);
  #mask = 4095;
  #hash = new Int32Array(1024);
  #at = new Int32Array(1024);
  #length = new Int32Array(1024);
  #value = new Int32Array(1024);
  #arena = new Uint8Array(65_536);
  #used = 0;
  #size = 0;

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** The value stored for `bytes[start, end)`, or -1. */
  get(bytes: Uint8Array, start: number, end: number): number {
    const h = hashBytes(bytes, start, end);
    const length = end - start;
    const slots = this.#slots, mask = this.#mask, arena = this.#arena;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]! - 1;
      if (entry < 0) return -1;
      if (this.#hash[entry] !== h || this.#length[entry] !== length) continue;
      const at = this.#at[entry]! - start;
      let i = start;
      while (i < end && arena[at + i] === bytes[i]) i++;
      if (i === end) return this.#value[entry]!;
    }
  }

  /** Stores `value` for `bytes[start, end)`, which `get` did not find. */
  set(bytes: Uint8Array, start: number, end: number, value: number): void {
    const h = hashBytes(bytes, start, end);
    const length = end - start;
    if (this.#used + length > this.#arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.#arena.length, this.#used + length));
      grown.set(this.#arena.subarray(0, this.#used));
      this.#arena = grown;
    }
    this.#arena.set(bytes.subarray(start, end), this.#used);
    const entry = this.#size++;
    if (entry >= this.#hash.length) {
      const grow = (column: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => grownI32(column, 2 * column.length);
      this.#hash = grow(this.#hash);
      this.#at = grow(this.#at);
      this.#length = grow(this.#length);
      this.#value = grow(this.#value);
    }
    this.#hash[entry] = h;
    this.#at[entry] = this.#used;
    this.#length[entry] = length;
    this.#value[entry] = value;
    this.#used += length;
    if (2 * this.#size > this.#slots.length) this.#rehash();
    else this.#place(entry);
  }

  #place(entry: number): void {
    const slots = this.#slots, mask = this.#mask;
    let slot = this.#hash[entry]! & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = entry + 1;
  }

  #rehash(): void {
    this.#slots = new Int32Array(2 * this.#slots.length);
    this.#mask = this.#slots.length - 1;
    for (let entry = 0; entry < this.#size; entry++) this.#place(entry);
  }
}
