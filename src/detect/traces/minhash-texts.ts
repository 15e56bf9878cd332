/**
 * The distinct shingle sets of a near-duplicate run, as growing typed-array columns: the sets in
 * one pool, their LSH band hashes side by side, and an open-addressing table from set to id.
 * Deduplicating by shingle set rather than by text is exact (a candidate is compared element by
 * element) and merges only texts that would be grouped anyway: equal sets have Jaccard 1.
 */
import { bandHashes, fmix32 } from './minhash.js';
import type { Banding } from './minhash.js';
import type { LshTexts } from './minhash-lsh.js';

export class DistinctSets {
  /** Number of distinct sets (ids 0..count-1). */
  count = 0;
  private pool: Int32Array = new Int32Array(1 << 12);
  private used = 0;
  private start: Int32Array = new Int32Array(1 << 8);
  private setHash: Int32Array = new Int32Array(1 << 8);
  /** Band-major: `bandHash[band][id]`, so the LSH stage reads each band contiguously. */
  private bandHash: Int32Array[];
  private readonly scratch: Int32Array;
  /** Open addressing: id + 1 per slot, 0 empty; load kept at most 1/2. */
  private slots: Int32Array = new Int32Array(1 << 9);

  constructor(private readonly banding: Banding) {
    this.bandHash = Array.from({ length: banding.bands }, () => new Int32Array(1 << 8));
    this.scratch = new Int32Array(banding.bands);
  }

  /** Hash of the ascending set `values[0..size)` (FNV-1a over its elements, then murmur3's finaliser). */
  static hash(values: Int32Array, size: number): number {
    let h = (0x811c9dc5 ^ size) | 0;
    for (let i = 0; i < size; i++) h = Math.imul(h ^ values[i]!, 0x01000193);
    return fmix32(h);
  }

  /** The id of the set equal to `values[0..size)` (ascending, distinct), or -1. */
  find(values: Int32Array, size: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]! - 1;
      if (id < 0) return -1;
      if (this.setHash[id] === hash && this.equals(id, values, size)) return id;
    }
  }

  /** Adds a set not yet present, with its MinHash signature; returns its id. */
  add(values: Int32Array, size: number, hash: number, signature: Int32Array): number {
    const id = this.count++;
    if (this.used + size > this.pool.length) this.pool = grown(this.pool, this.used + size);
    for (let i = 0, pool = this.pool, at = this.used; i < size; i++) pool[at + i] = values[i]!;
    if (id + 2 > this.start.length) {
      this.start = grown(this.start, id + 2);
      this.setHash = grown(this.setHash, id + 2);
    }
    this.start[id] = this.used;
    this.used += size;
    this.start[id + 1] = this.used;
    this.setHash[id] = hash;
    if (id + 1 > this.bandHash[0]!.length) this.bandHash = this.bandHash.map((column) => grown(column, id + 1));
    bandHashes(signature, this.banding, this.scratch, 0);
    for (let band = 0; band < this.scratch.length; band++) this.bandHash[band]![id] = this.scratch[band]!;
    if (2 * this.count > this.slots.length) this.rehash();
    else this.insert(id);
    return id;
  }

  /** The sets as the LSH stage reads them (views of the live columns). */
  texts(): LshTexts {
    return { count: this.count, bandHash: this.bandHash, shingles: this.pool, shingleStart: this.start };
  }

  private equals(id: number, values: Int32Array, size: number): boolean {
    const from = this.start[id]!;
    if (this.start[id + 1]! - from !== size) return false;
    for (let i = 0; i < size; i++) if (this.pool[from + i] !== values[i]) return false;
    return true;
  }

  private insert(id: number): void {
    const mask = this.slots.length - 1;
    let slot = this.setHash[id]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = id + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let id = 0; id < this.count; id++) this.insert(id);
  }
}

function grown(array: Int32Array, atLeast: number): Int32Array {
  const next = new Int32Array(Math.max(atLeast, Math.ceil(array.length * 1.5)));
  next.set(array);
  return next;
}
