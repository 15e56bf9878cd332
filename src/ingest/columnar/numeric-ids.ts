/**
 * The byte interner's fast path for ids that end in a decimal number (`share_00017`, `object_440`,
 * tweet ids of 19 digits): such a value is its *shape* (the bytes before the digits and the digit
 * count, a handful per column) and its number, so it is looked up by integers instead of by bytes.
 * Small numbers go into a direct array indexed by the number (ids numbered 0, 1, 2… — what
 * simulated data and most exports use — are then found without hashing, in file order); other
 * numbers into an open-addressing table whose slot holds the whole key, so a probe never reads
 * the value's bytes. The mapping shape + number ↔ text is one to one (the digit count keeps
 * leading zeros), so equal values always meet here and different values never do.
 */

const ZERO = 0x30;

export interface NumericIdsOptions {
  /** Longest prefix (bytes before the digits) with a shape of its own. */
  maxPrefix: number;
  /** Shapes per interner; values of further shapes take the byte path. */
  maxShapes: number;
  /** A shape's direct array may always cover numbers below this… */
  denseFloor: number;
  /** …and numbers below this many times the shape's values so far, or the values expected (so it is at most that much larger than they are). */
  denseFactor: number;
  /**
   * Values the interner expects (its capacity hint, from the file size): a file whose first rows
   * carry large numbers (object_2000000 of 2M objects) then keeps them in the direct array
   * instead of hashing every one seen before the count caught up.
   */
  expectedValues: number;
}

export const NUMERIC_IDS_DEFAULTS: Readonly<NumericIdsOptions> = Object.freeze({ maxPrefix: 16, maxShapes: 16, denseFloor: 1 << 20, denseFactor: 4, expectedValues: 0 });

/** Up to 24 digits: the last 9 as `lo`, the rest (at most 15, exact in a double) as `hi`. */
const MAX_DIGITS = 24;
/** Numbers a shape's direct array covers by doubling before it is sized to the values expected. */
const DENSE_PRESIZE = 1 << 16;
const LO_DIGITS = 9;

class Shape {
  /** Per number from `base` to `base + dense.length`: id + 1 (0 = none). */
  dense = new Int32Array(0);
  /**
   * The first number of the direct array: 0, or the shape's first number when that is at least
   * `denseFloor` and `denseFactor` times the values expected (the second half of a file read on
   * its own thread may start at `share_50000000`). Set by the first `add`; -1 until then.
   */
  base = -1;
  /** Per slot: [hi, lo, id + 1] (id + 1 = 0: empty). */
  slots = new Float64Array(3 * 1024);
  mask = 1023;
  hashed = 0;
  /** Values of this shape. */
  count = 0;
  constructor(readonly prefix: Uint8Array, readonly digits: number, readonly index: number) {}
}

/**
 * Ids of values with a numeric suffix. `lookup` parses a value; when it has a shape here (or one
 * can still be added), it returns its id or -1 when new, and leaves the parse for `add`.
 * When it returns -2 the value is not numeric (or its shape did not fit): use the byte path.
 */
export class NumericIds {
  private shapes: Shape[] = [];
  private last: Shape | null = null;
  /** Per value length: the shape last found for a value of that length (the fast path's guess). */
  private readonly byLength: (Shape | null)[];
  private shape: Shape | null = null;
  private hi = 0;
  private lo = 0;
  private readonly opts: NumericIdsOptions;

  constructor(options?: Partial<NumericIdsOptions>) {
    this.opts = { ...NUMERIC_IDS_DEFAULTS, ...options };
    this.byLength = new Array<Shape | null>(this.opts.maxPrefix + MAX_DIGITS + 1).fill(null);
  }

  /**
   * The id of `bytes[start, end)`, -1 when it is numeric but new (call `add` next with its id), or
   * -2 when the byte path owns it. `create` false: look up only, never add a shape.
   */
  lookup(bytes: Uint8Array, start: number, end: number, create: boolean): number {
    // Fast path: the value has the prefix and digit count (at most LO_DIGITS) of the shape last seen
    // with its length, read forwards. The prefix ends in a non-digit (or is empty), so its digit
    // run is exactly those digits. (A column's values of one length are nearly always one shape.)
    const last = end - start < this.byLength.length ? this.byLength[end - start]! : null;
    if (last !== null && last.digits <= LO_DIGITS) {
      const prefix = last.prefix;
      const digitsAt = start + prefix.length;
      let i = start;
      while (i < digitsAt && prefix[i - start] === bytes[i]) i++;
      if (i === digitsAt) {
        let lo = 0;
        for (; i < end; i++) {
          const digit = bytes[i]! - ZERO;
          if (digit < 0 || digit > 9) break;
          lo = lo * 10 + digit;
        }
        if (i === end) return this.found(last, 0, lo);
      }
    }
    // One backward pass finds the digits and their value: the last LO_DIGITS into `lo`, the rest
    // into `hi` (exact: at most 15 of them are kept, below 2^53).
    let d = end, lo = 0, hi = 0, unit = 1;
    const loStop = end - LO_DIGITS;
    for (; d > start; d--) {
      const digit = bytes[d - 1]! - ZERO;
      if (digit < 0 || digit > 9) break;
      if (d > loStop) { lo += digit * unit; unit = d - 1 === loStop ? 1 : unit * 10; } else { hi += digit * unit; unit *= 10; }
    }
    const digits = end - d;
    if (digits === 0 || digits > MAX_DIGITS || d - start > this.opts.maxPrefix) return -2;
    const shape = this.findShape(bytes, start, d, digits, create);
    if (shape === null) return -2;
    this.byLength[end - start] = shape;
    return this.found(shape, hi, lo);
  }

  /**
   * `lookup` for a value whose trailing digits were already read: `bytes[start, digitsAt)` is the
   * prefix (empty or ending in a non-digit), `bytes[digitsAt, end)` one to LO_DIGITS digits worth
   * `lo`. Returns as `lookup` does, or -3 when the value's shape is not the one last seen with its
   * length (then call `lookup`, which finds or adds the shape).
   */
  lookupParsed(bytes: Uint8Array, start: number, digitsAt: number, end: number, lo: number): number {
    const last = end - start < this.byLength.length ? this.byLength[end - start]! : null;
    if (last === null || last.digits !== end - digitsAt) return -3;
    const prefix = last.prefix;
    for (let i = 0, n = digitsAt - start; i < n; i++) if (prefix[i] !== bytes[start + i]) return -3;
    return this.found(last, 0, lo);
  }

  /** The id of number (hi, lo) of `shape`, -1 when new (kept for `add`). */
  private found(shape: Shape, hi: number, lo: number): number {
    this.shape = shape; this.hi = hi; this.lo = lo;
    const offset = lo - shape.base;
    if (hi === 0 && offset >= 0 && offset < shape.dense.length) {
      const idPlusOne = shape.dense[offset]!;
      if (idPlusOne !== 0 || shape.hashed === 0) return idPlusOne - 1;
    }
    if (shape.hashed === 0) return -1;
    const slots = shape.slots;
    let slot = hashOf(hi, lo) & shape.mask;
    for (;;) {
      const idPlusOne = slots[3 * slot + 2]!;
      if (idPlusOne === 0) return -1;
      if (slots[3 * slot + 1] === lo && slots[3 * slot] === hi) return idPlusOne - 1;
      slot = (slot + 1) & shape.mask;
    }
  }

  /** Values kept in the hash tables rather than the direct arrays (each lookup of them hashes). */
  hashedValues(): number {
    let hashed = 0;
    for (const shape of this.shapes) hashed += shape.hashed;
    return hashed;
  }

  /** The index of the shape of the value last looked up (for `shapeAt`). */
  lastShape(): number {
    return this.shape!.index;
  }

  /** A shape's prefix bytes and digit count: its values are the prefix then the number, zero-padded to `digits`. */
  shapeAt(index: number): { readonly prefix: Uint8Array; readonly digits: number } {
    return this.shapes[index]!;
  }

  /** Shapes so far (indices 0 .. count - 1). */
  shapeCount(): number {
    return this.shapes.length;
  }

  /** The index of the shape `prefix` + `digits` digits (`create`: added if there is room), or -1. */
  shapeIndexOf(prefix: Uint8Array, digits: number, create = true): number {
    return this.findShape(prefix, 0, prefix.length, digits, create)?.index ?? -1;
  }

  /** `lookup` of number `lo` (at most LO_DIGITS digits) of shape `index`: its id, or -1 when new (then `add`). */
  lookupNumber(index: number, lo: number): number {
    return this.found(this.shapes[index]!, 0, lo);
  }

  /** Records `id` for the value the last `lookup` returned -1 for. */
  add(id: number): void {
    const shape = this.shape!;
    const hi = this.hi, lo = this.lo;
    shape.count++;
    // A first number the direct array may cover from 0 anyway (below the floor, or within the
    // factor of the values expected) starts it at 0: a file whose first rows carry object_2000000
    // of 2.2M objects would otherwise hash every object below it (a 10M-row CooRTweet file did).
    if (shape.base < 0) shape.base = hi === 0 && lo >= Math.max(this.opts.denseFloor, this.opts.denseFactor * this.opts.expectedValues) ? lo : 0;
    const offset = lo - shape.base;
    if (hi === 0 && offset >= 0 && (offset < shape.dense.length || offset < this.opts.denseFloor || offset < this.opts.denseFactor * Math.max(shape.count, this.opts.expectedValues))) {
      if (offset >= shape.dense.length) {
        // A shape past DENSE_PRESIZE numbers goes straight to the values expected: doubling from
        // there copied every smaller array (10M contents: 64 MB of copies, all in fresh pages).
        let length = Math.max(1024, shape.dense.length, offset >= DENSE_PRESIZE ? this.opts.expectedValues : 0);
        while (length <= offset) length *= 2;
        const dense = new Int32Array(length);
        dense.set(shape.dense);
        shape.dense = dense;
      }
      shape.dense[offset] = id + 1;
      return;
    }
    if (3 * (shape.hashed + 1) > 2 * (shape.mask + 1)) rehash(shape);
    insert(shape.slots, shape.mask, hi, lo, id + 1);
    shape.hashed++;
  }

  private findShape(bytes: Uint8Array, start: number, end: number, digits: number, create: boolean): Shape | null {
    const last = this.last;
    if (last !== null && samePrefix(last, bytes, start, end, digits)) return last;
    for (const shape of this.shapes) {
      if (samePrefix(shape, bytes, start, end, digits)) {
        this.last = shape;
        return shape;
      }
    }
    if (!create || this.shapes.length >= this.opts.maxShapes) return null;
    const shape = new Shape(bytes.slice(start, end), digits, this.shapes.length);
    this.shapes.push(shape);
    this.last = shape;
    return shape;
  }
}

function samePrefix(shape: Shape, bytes: Uint8Array, start: number, end: number, digits: number): boolean {
  const prefix = shape.prefix;
  if (shape.digits !== digits || prefix.length !== end - start) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== bytes[start + i]) return false;
  return true;
}

function hashOf(hi: number, lo: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi | 0, 0x85ebca6b) ^ ((hi / 4294967296) | 0);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function insert(slots: Float64Array, mask: number, hi: number, lo: number, idPlusOne: number): void {
  let slot = hashOf(hi, lo) & mask;
  while (slots[3 * slot + 2] !== 0) slot = (slot + 1) & mask;
  slots[3 * slot] = hi;
  slots[3 * slot + 1] = lo;
  slots[3 * slot + 2] = idPlusOne;
}

function rehash(shape: Shape): void {
  const old = shape.slots;
  const mask = 2 * (shape.mask + 1) - 1;
  const slots = new Float64Array(3 * (mask + 1));
  for (let s = 0; s < old.length; s += 3) if (old[s + 2] !== 0) insert(slots, mask, old[s]!, old[s + 1]!, old[s + 2]!);
  shape.slots = slots;
  shape.mask = mask;
}
