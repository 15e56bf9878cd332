/**
 * A hash table from byte strings (slices of a chunk of input) to integers, so the front end can
 * find the id of a key it has seen before without making a string: a string is made (decoded,
 * normalised, interned) only the first time its bytes are seen. The bytes of every entry are
 * copied once into one growing arena. (Accounts' ids: the same table in the WebAssembly module's
 * memory, module-ids.ts, which the module's readTop looks dids up in.)
 *
 * A slot holds the entry's hash, arena offset, length and value side by side (16 bytes), so a
 * lookup reads one cache line of the slot table and one of the arena. With hash, offset, length
 * and value in four columns beside the slots, a lookup in a table larger than the cache took
 * five misses, and the profile put most of the front end's own time on them.
 */

/** FNV-1a 32-bit over `bytes[start, end)`. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

/** Int32s per slot: hash, arena offset + 1 (0: empty), length, value. */
const STRIDE = 4;

export class ByteIds {
  #slots = new Int32Array(4096 * STRIDE);
  #mask = 4095;
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
      const s = slot * STRIDE;
      const at1 = slots[s + 1]!;
      if (at1 === 0) return -1;
      if (slots[s] !== h || slots[s + 2] !== length) continue;
      const at = at1 - 1 - start;
      let i = start;
      while (i < end && arena[at + i] === bytes[i]) i++;
      if (i === end) return slots[s + 3]!;
    }
  }

  /** Stores `value` for `bytes[start, end)`, which `get` did not find. */
  set(bytes: Uint8Array, start: number, end: number, value: number): void {
    const length = end - start;
    if (this.#used + length > this.#arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.#arena.length, this.#used + length));
      grown.set(this.#arena.subarray(0, this.#used));
      this.#arena = grown;
    }
    this.#arena.set(bytes.subarray(start, end), this.#used);
    placeSlot(this.#slots, this.#mask, hashBytes(bytes, start, end), this.#used + 1, length, value);
    this.#used += length;
    if (2 * ++this.#size > this.#mask + 1) this.#rehash();
  }

  #rehash(): void {
    const old = this.#slots;
    const slots = new Int32Array(2 * old.length), mask = 2 * (this.#mask + 1) - 1;
    for (let s = 0; s < old.length; s += STRIDE) if (old[s + 1] !== 0) placeSlot(slots, mask, old[s]!, old[s + 1]!, old[s + 2]!, old[s + 3]!);
    this.#slots = slots;
    this.#mask = mask;
  }
}

/**
 * Puts an entry in the first free slot from its hash on (linear probing): hash, arena offset + 1
 * (0 marks a free slot), length, value. ModuleIds lays its slots out the same way.
 */
export function placeSlot(slots: Int32Array, mask: number, h: number, at1: number, length: number, value: number): void {
  let slot = h & mask;
  while (slots[slot * STRIDE + 1] !== 0) slot = (slot + 1) & mask;
  const s = slot * STRIDE;
  slots[s] = h;
  slots[s + 1] = at1;
  slots[s + 2] = length;
  slots[s + 3] = value;
}
