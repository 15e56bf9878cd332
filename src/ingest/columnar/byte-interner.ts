/**
 * Interns byte strings (UTF-8 field values straight from a file buffer) as dense integer ids,
 * without creating a JS string per value. Values ending in a decimal number (`share_17`, tweet
 * ids) are looked up by their shape and number (numeric-ids.ts); others are hashed (FNV-1a) into
 * an open-addressing table and compared byte by byte with the copy kept in an arena. Every value's
 * bytes are kept in the arena, in id order. Ids are given in order of first appearance;
 * `text(id)` decodes a value only when it is needed (labels, outputs).
 */
import { NumericIds } from './numeric-ids.js';
import type { NumericIdsOptions } from './numeric-ids.js';

/** An interner's values in id order, as plain arrays (for handing them to another thread). */
export interface InternedValues {
  size: number;
  /** The values' bytes, back to back in id order. */
  arena: Uint8Array;
  /**
   * Per id: [start in `arena`, length]; from `handOver`, a numeric value whose bytes were never
   * written is [number, -1 - index in `shapes`] (its text: the shape's prefix, then the number
   * zero-padded to the shape's digits).
   */
  meta: Int32Array;
  /** The numeric shapes deferred values refer to (`handOver` only). */
  shapes?: { prefix: Uint8Array; digits: number }[];
}

export class ByteInterner {
  /** Distinct values so far (ids are 0..size-1). */
  size = 0;
  private arena: Uint8Array;
  private used = 0;
  /** Per id: [start of its bytes in the arena, length]. */
  private meta: Int32Array;
  /** Per slot: [hash, id + 1] (0 = empty), interleaved so a probe touches one cache line. */
  private slots: Int32Array;
  private mask: number;
  /** Values in the byte hash table. */
  private hashed = 0;
  private readonly expectedCapacity: number;
  private last = -1;
  /** The last value's bytes (when at most LAST_COPY long; else lastLength is -1). */
  private lastLength = -1;
  private readonly lastBytes = new Uint8Array(LAST_COPY);
  private numeric: NumericIds | null;
  /** After `seal()`: no new values, no lookups. */
  private sealed = false;
  /** OR of every byte interned (below 0x80: all values are ASCII). */
  private high = 0;
  /**
   * Ids whose bytes are not in the arena yet (`internParsed`'s numeric values): their meta is
   * [number, -1 - shape index] until `materialize` writes them.
   */
  private deferred = 0;
  /** Per shape index: its prefix as a string (for `text` of a deferred id). */
  private readonly prefixTexts: string[] = [];

  /** `numeric` false: every value takes the byte path (tests compare the two). */
  constructor(expectedValues = 1024, expectedBytes = expectedValues * 16, numeric: Partial<NumericIdsOptions> | false = {}) {
    this.numeric = numeric === false ? null : new NumericIds({ expectedValues, ...numeric });
    let capacity = 1024;
    while (capacity < expectedValues * 1.5) capacity *= 2;
    // Allocated at full size on the first byte-path value: numeric columns never need it.
    this.expectedCapacity = capacity;
    this.slots = new Int32Array(2 * 1024);
    this.mask = 1023;
    this.meta = new Int32Array(2 * Math.max(16, expectedValues));
    this.arena = new Uint8Array(Math.max(1024, Math.min(MAX_ARENA, expectedBytes)));
  }

  /** The id of `bytes[start, end)`, new ones numbered in order of first appearance. */
  intern(bytes: Uint8Array, start: number, end: number): number {
    // Files often repeat a value on consecutive rows (grouped by object or account). A numeric
    // value is cheap to find again; the last byte-path value is kept here (in cache) and compared
    // from the end (ids tend to share prefixes) before hashing.
    const numeric = this.numeric === null ? -2 : this.numeric.lookup(bytes, start, end, true);
    if (numeric >= 0) return numeric;
    if (numeric === -1) {
      const id = this.append(bytes, start, end);
      this.numeric!.add(id);
      return id;
    }
    const length = end - start;
    if (length === this.lastLength) {
      const copy = this.lastBytes;
      let i = length - 1;
      while (i >= 0 && copy[i] === bytes[start + i]) i--;
      if (i < 0) return this.last;
    }
    const id = this.lookup(bytes, start, end);
    this.last = id;
    if (length <= LAST_COPY) {
      this.lastLength = length;
      const copy = this.lastBytes;
      for (let i = 0; i < length; i++) copy[i] = bytes[start + i]!;
    } else {
      this.lastLength = -1;
    }
    return id;
  }

  /**
   * `intern` for a value whose trailing digit run the caller has read: `bytes[digitsAt, end)` are
   * its last digits (`digitsAt` is where the run starts; the byte before it, if any, is not a
   * digit) and `lo` their value when there are 1 to 9 of them. Same ids as `intern`.
   */
  internParsed(bytes: Uint8Array, start: number, digitsAt: number, end: number, lo: number): number {
    const digits = end - digitsAt;
    if (this.numeric !== null && digits >= 1 && digits <= 9) {
      const numeric = this.numeric.lookupParsed(bytes, start, digitsAt, end, lo);
      if (numeric >= 0) return numeric;
      // Its bytes are the shape's prefix and the number: written to the arena only when some
      // reader needs the bytes (`materialize`); a column read for its ids alone never does.
      if (numeric === -1) return this.defer(lo, this.numeric.lastShape());
    }
    return this.intern(bytes, start, end);
  }

  private lookup(bytes: Uint8Array, start: number, end: number): number {
    if (this.sealed) throw new Error('ByteInterner: intern after seal()');
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h = mix(h);
    if (this.hashed === 0 && this.mask + 1 < this.expectedCapacity) {
      this.slots = new Int32Array(2 * this.expectedCapacity);
      this.mask = this.expectedCapacity - 1;
    }
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const idPlusOne = slots[2 * slot + 1]!;
      if (idPlusOne === 0) break;
      if (slots[2 * slot] === h && this.sameBytes(idPlusOne - 1, bytes, start, end)) return idPlusOne - 1;
      slot = (slot + 1) & mask;
    }
    return this.add(bytes, start, end, h, slot);
  }

  /**
   * Ends interning: frees the lookup tables and trims the arena and the ids to what is used, so a
   * reader that only needs `text`, `compare`, `sortByBytes`, `values` and `texts` afterwards does
   * not hold the tables (at 10M tweet ids, about 700 MB). `intern` of a new value, `find`, `findIn`
   * and `merge` throw after it.
   */
  seal(): void {
    if (this.sealed) return;
    this.materialize();
    this.sealed = true;
    this.numeric = null;
    this.slots = new Int32Array(2);
    this.mask = 0;
    this.hashed = 0;
    this.lastLength = -1;
    if (this.arena.length > this.used) this.arena = this.arena.slice(0, this.used);
    if (this.meta.length > 2 * this.size) this.meta = this.meta.slice(0, 2 * this.size);
  }

  /** The id of `bytes[start, end)` if it was interned, else -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    if (this.sealed) throw new Error('ByteInterner: find after seal()');
    const numeric = this.numeric === null ? -2 : this.numeric.lookup(bytes, start, end, false);
    if (numeric !== -2) return numeric;
    if (this.hashed === 0) return -1;
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h = mix(h);
    let slot = h & this.mask;
    for (;;) {
      const idPlusOne = this.slots[2 * slot + 1]!;
      if (idPlusOne === 0) return -1;
      if (this.slots[2 * slot] === h && this.sameBytes(idPlusOne - 1, bytes, start, end)) return idPlusOne - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The id in `other` of this interner's value `id`, or -1. */
  findIn(other: ByteInterner, id: number): number {
    const length = this.meta[2 * id + 1]!;
    if (length < 0) {
      // A numeric value never written: by number in `other` when it has the shape (then every
      // value of that shape is there by number), or when `other` holds no value by bytes at all.
      const { prefix, digits } = this.numeric!.shapeAt(-1 - length);
      const shape = other.sealed || other.numeric === null ? -1 : other.numeric.shapeIndexOf(prefix, digits, false);
      if (shape >= 0) return other.numeric!.lookupNumber(shape, this.meta[2 * id]!);
      if (!other.sealed && other.hashed === 0 && other.numeric !== null) return -1;
      this.materialize();
    }
    const start = this.meta[2 * id]!;
    return other.find(this.arena, start, start + this.meta[2 * id + 1]!);
  }

  /**
   * False when `findIn(other, id)` is -1 for every id, known without a look-up: every value here
   * and there is numeric (none went to the byte path) and no shape here is one of other's. CooRTweet
   * objects (`object_17`) against contents (`share_17`): 437,000 look-ups at 2.2M rows, 0.03-0.08 s.
   */
  mayShareWith(other: ByteInterner): boolean {
    if (this.hashed !== 0 || other.hashed !== 0 || this.numeric === null || other.numeric === null || other.sealed) return true;
    for (let index = 0; index < this.numeric.shapeCount(); index++) {
      const { prefix, digits } = this.numeric.shapeAt(index);
      if (other.numeric.shapeIndexOf(prefix, digits, false) >= 0) return true;
    }
    return false;
  }

  /** The value of `id` as a string (UTF-8 decoded). */
  text(id: number): string {
    const length = this.meta[2 * id + 1]!;
    if (length < 0) {
      const shape = this.numeric!.shapeAt(-1 - length);
      this.prefixTexts[-1 - length] ??= DECODER.decode(shape.prefix);
      return this.prefixTexts[-1 - length]! + String(this.meta[2 * id]!).padStart(shape.digits, '0');
    }
    const start = this.meta[2 * id]!;
    return DECODER.decode(this.arena.subarray(start, start + this.meta[2 * id + 1]!));
  }

  /** The values, sharing this interner's memory (do not intern more while using them). */
  values(): InternedValues {
    this.materialize();
    return { size: this.size, arena: this.arena.subarray(0, this.used), meta: this.meta.subarray(0, 2 * this.size) };
  }

  /**
   * The values as `values()` gives them, but numeric ones whose bytes were never written stay
   * numbers (see `InternedValues.meta`): for `merge` on another thread, which then finds them by
   * number instead of by bytes.
   */
  handOver(): InternedValues {
    const shapes: { prefix: Uint8Array; digits: number }[] = [];
    const numeric = this.numeric;
    if (this.deferred > 0 && numeric !== null) {
      for (let index = 0; index < numeric.shapeCount(); index++) {
        const { prefix, digits } = numeric.shapeAt(index);
        shapes.push({ prefix, digits });
      }
    }
    return { size: this.size, arena: this.arena.subarray(0, this.used), meta: this.meta.subarray(0, 2 * this.size), shapes };
  }

  /**
   * Interns another interner's values in their id order (so the new ones are numbered in their
   * order of first appearance there) and returns, per id there, the id here.
   */
  merge(values: InternedValues): Int32Array {
    const { size, arena, meta } = values;
    const remap = new Int32Array(size);
    const shapes = values.shapes ?? [];
    /** Per shape there: its index here (-2: not looked up yet, -1: none). */
    const shapeHere = new Int32Array(shapes.length).fill(-2);
    let scratch = new Uint8Array(64);
    for (let id = 0; id < size; id++) {
      const length = meta[2 * id + 1]!;
      if (length >= 0) {
        remap[id] = this.intern(arena, meta[2 * id]!, meta[2 * id]! + length);
        continue;
      }
      const index = -1 - length, number = meta[2 * id]!;
      const { prefix, digits } = shapes[index]!;
      if (shapeHere[index] === -2) shapeHere[index] = this.numeric === null ? -1 : this.numeric.shapeIndexOf(prefix, digits);
      const here = shapeHere[index]!;
      const found = here < 0 ? -3 : this.numeric!.lookupNumber(here, number);
      if (found >= 0) {
        remap[id] = found;
      } else if (found === -1) {
        remap[id] = this.defer(number, here);
      } else {
        // No such shape here (too many shapes): by bytes.
        const n = prefix.length + digits;
        if (n > scratch.length) scratch = new Uint8Array(2 * n);
        scratch.set(prefix);
        let rest = number;
        for (let w = n - 1; w >= prefix.length; w--) { scratch[w] = ZERO + (rest % 10); rest = Math.floor(rest / 10); }
        remap[id] = this.intern(scratch, 0, n);
      }
    }
    return remap;
  }

  /** Every value, in id order. */
  texts(): string[] {
    this.materialize();
    const out = new Array<string>(this.size);
    if (this.high < 0x80) {
      // ASCII: one decode of the whole arena, then a slice per value (byte offsets are char offsets).
      const all = Buffer.from(this.arena.buffer, this.arena.byteOffset, this.used).toString('latin1');
      for (let id = 0; id < this.size; id++) out[id] = all.slice(this.meta[2 * id]!, this.meta[2 * id]! + this.meta[2 * id + 1]!);
      return out;
    }
    for (let id = 0; id < this.size; id++) out[id] = this.text(id);
    return out;
  }

  /** Byte-wise comparison of two values (the order DuckDB and `sort` use for strings). */
  compare(x: number, y: number): number {
    if (this.deferred !== 0) this.materialize();
    const arena = this.arena;
    const sx = this.meta[2 * x]!, sy = this.meta[2 * y]!, lx = this.meta[2 * x + 1]!, ly = this.meta[2 * y + 1]!;
    const n = Math.min(lx, ly);
    for (let i = 0; i < n; i++) {
      const d = arena[sx + i]! - arena[sy + i]!;
      if (d !== 0) return d;
    }
    return lx - ly;
  }

  /**
   * Sorts `ids` in place into byte order of their values (as `compare`). Each value is keyed by
   * the six bytes after the prefix all share, packed with its position into one double when the
   * bytes found there are few enough (digits, letters), and sorted natively; only values alike in
   * those bytes are compared whole.
   */
  sortByBytes(ids: Int32Array): Int32Array {
    this.materialize();
    const arena = this.arena, meta = this.meta;
    if (ids.length < 2) return ids;
    const first = meta[2 * ids[0]!]!;
    let shared = meta[2 * ids[0]! + 1]!;
    for (let i = 1; i < ids.length && shared > 0; i++) {
      const start = meta[2 * ids[i]!]!, length = Math.min(shared, meta[2 * ids[i]! + 1]!);
      let j = 0;
      while (j < length && arena[start + j] === arena[first + j]) j++;
      shared = j;
    }
    // Each value's key: its first KEY_BYTES bytes after the shared prefix as digits of base `base`
    // (a byte as its rank among the bytes found there + 1, a missing byte past the end as 0).
    const m = ids.length;
    const rank = new Int32Array(256);
    for (const id of ids) {
      const start = meta[2 * id]! + shared, end = Math.min(start + KEY_BYTES, meta[2 * id]! + meta[2 * id + 1]!);
      for (let p = start; p < end; p++) rank[arena[p]!] = 1;
    }
    let base = 1;
    for (let b = 0; b < 256; b++) if (rank[b] === 1) rank[b] = base++;
    const keyOf = (id: number): number => {
      const start = meta[2 * id]! + shared, end = meta[2 * id]! + meta[2 * id + 1]!;
      let k = 0;
      for (let j = 0; j < KEY_BYTES; j++) k = k * base + (start + j < end ? rank[arena[start + j]!]! : 0);
      return k;
    };
    if (base ** KEY_BYTES * m >= 2 ** 53) {
      // Too many distinct bytes to pack key and position in a double: a comparator sort on the keys.
      const key = new Float64Array(this.size);
      for (const id of ids) key[id] = keyOf(id);
      return ids.sort((x, y) => key[x]! - key[y]! || this.compare(x, y));
    }
    // key * m + position, exact below 2^53, sorted natively (no comparator call per comparison).
    const packed = new Float64Array(m);
    for (let i = 0; i < m; i++) packed[i] = keyOf(ids[i]!) * m + i;
    packed.sort();
    const input = ids.slice();
    for (let i = 0; i < m; i++) ids[i] = input[packed[i]! % m]!;
    // Runs of equal keys (values alike in their first bytes after the shared prefix): by all bytes.
    for (let from = 0; from < m;) {
      const key = Math.floor(packed[from]! / m);
      let to = from + 1;
      while (to < m && Math.floor(packed[to]! / m) === key) to++;
      if (to - from > 1) ids.subarray(from, to).sort((x, y) => this.compare(x, y));
      from = to;
    }
    return ids;
  }

  private sameBytes(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (this.meta[2 * id + 1] !== length) return false;
    const arena = this.arena;
    const at = this.meta[2 * id]! - start;
    for (let i = start; i < end; i++) if (arena[at + i] !== bytes[i]) return false;
    return true;
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const id = this.append(bytes, start, end);
    this.slots[2 * slot] = hash;
    this.slots[2 * slot + 1] = id + 1;
    this.hashed++;
    if (this.hashed * 3 > (this.mask + 1) * 2) this.rehash();
    return id;
  }

  /** A new id for `bytes[start, end)`, its bytes copied to the arena. */
  private append(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const id = this.size++;
    if (2 * id === this.meta.length) this.growMeta();
    if (this.used + length > this.arena.length) this.growArena(this.used + length);
    // A byte loop: subarray() would allocate a view per value.
    const arena = this.arena;
    let high = this.high;
    for (let i = start, w = this.used; i < end; i++, w++) high |= arena[w] = bytes[i]!;
    this.high = high;
    this.meta[2 * id] = this.used;
    this.meta[2 * id + 1] = length;
    this.used += length;
    return id;
  }

  /** A new id for number `lo` of shape `shape` (the value last looked up in `numeric`), its bytes deferred. */
  private defer(lo: number, shape: number): number {
    const id = this.size++;
    if (2 * id === this.meta.length) this.growMeta();
    this.meta[2 * id] = lo;
    this.meta[2 * id + 1] = -1 - shape;
    this.deferred++;
    this.numeric!.add(id);
    return id;
  }

  private growMeta(): void {
    const meta = new Int32Array(this.meta.length * 2);
    meta.set(this.meta);
    this.meta = meta;
  }

  private growArena(bytes: number): void {
    if (bytes > MAX_ARENA) throw new RangeError(`more than ${MAX_ARENA} bytes of distinct values to intern`);
    const arena = new Uint8Array(Math.min(MAX_ARENA, Math.max(this.arena.length * 2, bytes)));
    arena.set(this.arena.subarray(0, this.used));
    this.arena = arena;
  }

  /** Writes the deferred numeric values' bytes to the arena (prefix, then the zero-padded number). */
  private materialize(): void {
    if (this.deferred === 0) return;
    const meta = this.meta, numeric = this.numeric!;
    let bytes = this.used;
    for (let id = 0; id < this.size; id++) {
      const length = meta[2 * id + 1]!;
      if (length < 0) {
        const shape = numeric.shapeAt(-1 - length);
        bytes += shape.prefix.length + shape.digits;
      }
    }
    if (bytes > this.arena.length) this.growArena(bytes);
    const arena = this.arena;
    let used = this.used, high = this.high;
    for (let id = 0; id < this.size; id++) {
      const length = meta[2 * id + 1]!;
      if (length >= 0) continue;
      const { prefix, digits } = numeric.shapeAt(-1 - length);
      let number = meta[2 * id]!;
      for (let i = 0; i < prefix.length; i++) high |= arena[used + i] = prefix[i]!;
      const end = used + prefix.length + digits;
      for (let w = end - 1; w >= used + prefix.length; w--) {
        arena[w] = ZERO + (number % 10);
        number = Math.floor(number / 10);
      }
      meta[2 * id] = used;
      meta[2 * id + 1] = end - used;
      used = end;
    }
    this.used = used;
    this.high = high;
    this.deferred = 0;
  }

  private rehash(): void {
    const old = this.slots;
    const capacity = 2 * (this.mask + 1);
    const slots = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    for (let s = 0; s < old.length; s += 2) {
      const idPlusOne = old[s + 1]!;
      if (idPlusOne === 0) continue;
      const h = old[s]!;
      let slot = h & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = h;
      slots[2 * slot + 1] = idPlusOne;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** murmur3's finaliser: FNV-1a alone leaves the low bits (the slot) poorly mixed on digit strings. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Bytes of a value in its sort key. */
const KEY_BYTES = 6;


/** Longest value the last-value check keeps a copy of. */
const LAST_COPY = 256;

/** Arena offsets are Int32: at most 2 GiB of distinct values per interner. */
const MAX_ARENA = 2 ** 31 - 1;

const DECODER = new TextDecoder();
const ZERO = 0x30;
