/**
 * The JSON check in JavaScript, as the scanner ran it until session 15: the reference the
 * WebAssembly check (../json-check.ts) is tested against, value end by value end and field by
 * field. It refuses what JSON.parse refuses (bad strings, escapes, control characters, numbers,
 * literals, nesting) and, beyond that, keys with escapes and white space other than spaces and
 * tabs (a line's CR). Unlike the WebAssembly check, it records keys' ends only without fields.
 */
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const TRUE = bytesOf('true'), FALSE = bytesOf('false'), NULL = bytesOf('null');

/** Pass 1's stack of open containers: their bracket, start and (objects) node. */
let openKind = new Uint8Array(64);
let openAt = new Int32Array(64);
let openNode = new Int32Array(64);

/**
 * Set in a string value's recorded end when the string holds an escape, so a reader knows it
 * without walking the string again (ends stay below 2^30: longer lines are refused).
 */
export const ESCAPED = 1 << 30;

/**
 * Where the values of named keys sit, object by object, recorded by checkJsonObject in the same
 * walk that checks the line, so a reader finds a field without walking an object's keys again.
 * A key is matched by one multiplicative hash of its length and first and last bytes into a
 * table (collision-free for the names, chosen at construction), then compared whole. Of a key
 * given twice, the last is kept, as JSON.parse keeps it. The arrays are read-only outside.
 */
export class JsonFields {
  readonly names: readonly string[];
  /** Hash slot → name index + 1 (0: no name there). */
  readonly table = new Int32Array(1024);
  readonly multiplier: number;
  /** The names' bytes, each at `nameStart[n]`. */
  readonly nameBytes: Uint8Array;
  readonly nameStart: Int32Array;
  /** Per object of the last checked line, by its start's offset from the line's start: its node. */
  nodeAt = new Int32Array(4096);
  /** Per node × names.length + name: the value's offset, and the check it was recorded in. */
  pos = new Int32Array(64 * 32);
  stamp = new Int32Array(64 * 32);
  /** This check's stamp, the line's start and its objects so far. */
  line = 0;
  base = 0;
  nodes = 0;

  constructor(names: readonly string[]) {
    this.names = names;
    const bytes = names.map(bytesOf);
    this.nameStart = new Int32Array(names.length + 1);
    bytes.forEach((name, n) => { this.nameStart[n + 1] = this.nameStart[n]! + name.length; });
    this.nameBytes = new Uint8Array(this.nameStart[names.length]!);
    bytes.forEach((name, n) => this.nameBytes.set(name, this.nameStart[n]));
    this.pos = new Int32Array(64 * names.length);
    this.stamp = new Int32Array(64 * names.length);
    for (let m = 0x9e3779b1 | 0; ; m = (m + 0x6d2b79f6) | 0) {
      this.table.fill(0);
      if (bytes.every((name, n) => {
        const h = keyHash(name, 0, name.length, m);
        if (this.table[h] !== 0) return false;
        this.table[h] = n + 1;
        return true;
      })) {
        this.multiplier = m;
        break;
      }
    }
  }

  /** The offset of the value of name `n` in the object starting at offset `at` of the last checked line (-1: absent). */
  get(at: number, n: number): number {
    const s = this.nodeAt[at - this.base]! * this.names.length + n;
    return this.stamp[s] === this.line ? this.pos[s]! : -1;
  }

  /** Starts a check of the line starting at `start`, `length` bytes long. */
  begin(start: number, length: number): void {
    if (this.nodeAt.length <= length) this.nodeAt = new Int32Array(2 * (length + 1));
    if (++this.line === 0x7fffffff) {
      this.stamp.fill(0);
      this.line = 1;
    }
    this.base = start;
    this.nodes = 0;
  }

  /** A new object at offset `at`: its node. */
  open(at: number): number {
    const node = this.nodes++;
    if ((node + 1) * this.names.length > this.pos.length) {
      const pos = new Int32Array(2 * this.pos.length), stamp = new Int32Array(2 * this.stamp.length);
      pos.set(this.pos);
      stamp.set(this.stamp);
      this.pos = pos;
      this.stamp = stamp;
    }
    this.nodeAt[at - this.base] = node;
    return node;
  }

  /** The name index of the key `bytes[start, end)` (-1: none of the names). */
  match(bytes: Uint8Array, start: number, end: number): number {
    const n = this.table[keyHash(bytes, start, end, this.multiplier)]! - 1;
    if (n < 0) return -1;
    const from = this.nameStart[n]!, length = this.nameStart[n + 1]! - from;
    if (end - start !== length) return -1;
    for (let k = 0; k < length; k++) if (bytes[start + k] !== this.nameBytes[from + k]) return -1;
    return n;
  }
}

/** A key's slot in JsonFields' table: its length and first and last bytes, hashed. */
function keyHash(bytes: Uint8Array, start: number, end: number, multiplier: number): number {
  const length = end - start;
  return Math.imul((length << 16) | (length > 0 ? (bytes[start]! << 8) | bytes[end - 1]! : 0), multiplier) >>> 22;
}

const isHex = (x: number): boolean => (x >= 48 && x <= 57) || ((x | 32) >= 97 && (x | 32) <= 102);
const isDigit = (x: number): boolean => x >= 48 && x <= 57;

/**
 * Whether `bytes[start, end)` is one JSON object (RFC 8259) between spaces or tabs, its keys
 * without escapes; records in `at` where each value and key starting at offset `start + k` ends
 * (`at[k]`; `at` must hold end - start + 1 entries; a string value holding an escape has ESCAPED
 * added), so a reader steps over a value at once. One
 * walk over the bytes, no recursion (an explicit stack of open containers, at most 4096 deep).
 * With `fields`, also records where the values of its names sit in each object (JsonFields),
 * and not where keys end.
 * @example checkJsonObject(bytes, 0, bytes.length, new Int32Array(bytes.length + 1))
 */
export function checkJsonObject(bytes: Uint8Array, start: number, end: number, at: Int32Array, fields?: JsonFields): boolean {
  if (end - start >= ESCAPED) return false;
  fields?.begin(start, end - start);
  let depth = 0, j = start, c = 0;
  while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
  if (j >= end || c !== 123) return false;
  for (;;) {
    // A value at j (after spaces).
    const from = j;
    c = j < end ? bytes[j]! : -1;
    let inKey = false;
    if (c === 123 || c === 91) {
      if (depth === openKind.length) {
        if (depth >= 4096) return false;
        const kinds = new Uint8Array(2 * depth), starts = new Int32Array(2 * depth), nodes = new Int32Array(2 * depth);
        kinds.set(openKind);
        starts.set(openAt);
        nodes.set(openNode);
        { openKind = kinds; openAt = starts; openNode = nodes; }
      }
      if (c === 123 && fields !== undefined) openNode[depth] = fields.open(j);
      openKind[depth] = c;
      openAt[depth++] = j++;
      while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
      if (j < end && c === openKind[depth - 1]! + 2) {
        at[openAt[--depth]! - start] = ++j;
      } else if (openKind[depth - 1] === 123) {
        inKey = true;
      } else continue;
    } else if (c === 34) {
      let escaped = 0;
      for (j++; ; ) {
        if (j >= end) return false;
        c = bytes[j]!;
        if (c === 34) break;
        if (c < 32) return false;
        if (c === 92) {
          escaped = ESCAPED;
          c = bytes[j + 1]!;
          if (c === 117) {
            if (j + 5 >= end || !isHex(bytes[j + 2]!) || !isHex(bytes[j + 3]!) || !isHex(bytes[j + 4]!) || !isHex(bytes[j + 5]!)) return false;
            j += 6;
          } else if (c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116) j += 2;
          else return false;
        } else j++;
      }
      at[from - start] = ++j | escaped;
    } else if (c === 116 || c === 102 || c === 110) {
      const word = c === 116 ? TRUE : c === 102 ? FALSE : NULL;
      for (let k = 0; k < word.length; k++) if (j + k >= end || bytes[j + k] !== word[k]) return false;
      at[from - start] = j += word.length;
    } else if (c === 45 || isDigit(c)) {
      if (c === 45) j++;
      if (j < end && bytes[j] === 48) j++;
      else if (j < end && isDigit(bytes[j]!)) while (j < end && isDigit(bytes[j]!)) j++;
      else return false;
      if (j < end && bytes[j] === 46) {
        if (!(++j < end && isDigit(bytes[j]!))) return false;
        while (j < end && isDigit(bytes[j]!)) j++;
      }
      if (j < end && (bytes[j]! | 32) === 101) {
        j++;
        if (j < end && (bytes[j] === 43 || bytes[j] === 45)) j++;
        if (!(j < end && isDigit(bytes[j]!))) return false;
        while (j < end && isDigit(bytes[j]!)) j++;
      }
      at[from - start] = j;
    } else return false;
    // After a value (or at an object's first key): a comma, a close, or the end.
    for (;;) {
      if (!inKey) {
        while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
        if (depth === 0) return j === end;
        if (j >= end) return false;
        if (c === openKind[depth - 1]! + 2) {
          at[openAt[--depth]! - start] = ++j;
          continue;
        }
        if (c !== 44) return false;
        j++;
        while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
        if (openKind[depth - 1] !== 123) break;
      }
      inKey = false;
      // A key: a string without escapes, a colon, then the value.
      if (j >= end || bytes[j] !== 34) return false;
      const key = j;
      for (j++; j < end && (c = bytes[j]!) !== 34; j++) if (c < 32 || c === 92) return false;
      if (j >= end) return false;
      // With fields, a reader finds values by name, so keys' ends are not needed.
      const name = fields === undefined ? ((at[key - start] = j + 1), -1) : fields.match(bytes, key + 1, j);
      j++;
      while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
      if (j >= end || c !== 58) return false;
      j++;
      while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
      if (name >= 0 && fields !== undefined) {
        const s = openNode[depth - 1]! * fields.names.length + name;
        fields.pos[s] = j;
        fields.stamp[s] = fields.line;
      }
      break;
    }
  }
}

