// AssemblyScript, built by scripts/build-wasm.mjs into src/stream/json-check-wasm.ts (the module's
// bytes, committed; a test rebuilds it and compares). The JSON check of src/stream/json-check.ts
// (the Jetstream scanner's first pass), in WebAssembly: the host copies a line into this memory and
// calls check(); it records, by each value's offset from the line's start, where that value ends
// (string values holding an escape have ESCAPED added) and, for each object, where the values of
// the named keys sit. String contents, the bulk of a line, are walked 16 bytes at a time (SIMD):
// one compare finds the next quote, backslash or control character.

/** Added to a string value's recorded end when it holds an escape (lines are shorter than 2^30). */
const ESCAPED: i32 = 1 << 30;
/** Open containers at most (JSON.parse's limit is far higher; the JS check's was the same). */
const MAX_DEPTH: i32 = 4096;

// Fixed regions below the host's (HOST_BASE in json-check.ts); the host writes the names' table.
/** 1024 i32: a key's hash slot → name index + 1 (0: none). */
const TABLE: usize = 0;
/** Name n's bytes are NAME_BYTES[NAME_START[n], NAME_START[n + 1]) (i32 offsets, at most 255 names). */
const NAME_START: usize = 4096;
const NAME_BYTES: usize = 5120;
/** The stack of open containers: bracket (u8), start offset and object node (i32). */
const OPEN_KIND: usize = 8192;
const OPEN_AT: usize = 12288;
const OPEN_NODE: usize = 28672;

let nameCount: i32 = 0;
let multiplier: i32 = 0;

/** Sets the names' count and the hash multiplier the host chose (the table is written by the host). */
export function setNames(count: i32, hashMultiplier: i32): void {
  nameCount = count;
  multiplier = hashMultiplier;
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool {
  return <u32>(c - 48) < 10;
}

// @ts-ignore: decorator
@inline function isHex(c: i32): bool {
  return <u32>(c - 48) < 10 || <u32>((c | 32) - 97) < 6;
}

/**
 * The offset of the first quote, backslash or control character at or after offset j of the line
 * at b, or len if none. Reads up to 15 bytes past the line: the host leaves that room.
 */
// @ts-ignore: decorator
@inline function stringStop(b: usize, j: i32, len: i32): i32 {
  const quote = i8x16.splat(34), backslash = i8x16.splat(92), space = i8x16.splat(32);
  while (j < len) {
    const v = v128.load(b + <usize>j);
    const hits = v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space));
    const bits = i8x16.bitmask(hits);
    if (bits != 0) {
      j += ctz(bits);
      return j < len ? j : len;
    }
    j += 16;
  }
  return len;
}

/** The name index of the key at b[start, end) (-1: none of the names); the JS keyHash's slot. */
function match(b: usize, start: i32, end: i32): i32 {
  const length = end - start;
  const packed = (length << 16) | (length > 0 ? (<i32>load<u8>(b + <usize>start) << 8) | <i32>load<u8>(b + <usize>end - 1) : 0);
  const n = load<i32>(TABLE + ((<usize>(<u32>(packed * multiplier) >> 22)) << 2)) - 1;
  if (n < 0) return -1;
  const from = load<i32>(NAME_START + (<usize>n << 2));
  if (load<i32>(NAME_START + (<usize>(n + 1) << 2)) - from !== length) return -1;
  for (let k = 0; k < length; k++) if (load<u8>(b + <usize>(start + k)) != load<u8>(NAME_BYTES + <usize>(from + k))) return -1;
  return n;
}

/**
 * Checks the line of `len` bytes at `b` as one JSON object between spaces or tabs, its keys without
 * escapes. Records value (and key) ends at `ends` and object nodes at `nodeAt` (i32 by offset), and
 * the named keys' value offsets at `pos` (i32 per node × names + name, -1: absent); every recorded
 * offset has `delta` added (the line's start in the host's bytes). Returns 1 (an object), 0 (not),
 * or -1 when the line has more than `maxNodes` objects (the host makes room and calls again).
 */
export function check(b: usize, len: i32, ends: usize, nodeAt: usize, pos: usize, maxNodes: i32, delta: i32): i32 {
  const names = nameCount;
  let depth: i32 = 0, j: i32 = 0, c: i32 = 0, nodes: i32 = 0;
  while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
  if (j >= len || c != 123) return 0;
  while (true) {
    // A value at j (after spaces).
    const from = j;
    c = j < len ? load<u8>(b + <usize>j) : -1;
    let inKey = false;
    if (c == 123 || c == 91) {
      if (depth == MAX_DEPTH) return 0;
      if (c == 123 && names > 0) {
        if (nodes == maxNodes) return -1;
        store<i32>(nodeAt + (<usize>j << 2), nodes);
        memory.fill(pos + (<usize>(nodes * names) << 2), 0xff, <usize>names << 2);
        store<i32>(OPEN_NODE + (<usize>depth << 2), nodes++);
      }
      store<u8>(OPEN_KIND + <usize>depth, <u8>c);
      store<i32>(OPEN_AT + (<usize>depth << 2), j);
      depth++;
      j++;
      while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
      const kind = <i32>load<u8>(OPEN_KIND + <usize>(depth - 1));
      if (j < len && c == kind + 2) {
        depth--;
        store<i32>(ends + (<usize>load<i32>(OPEN_AT + (<usize>depth << 2)) << 2), ++j + delta);
      } else if (kind == 123) {
        inKey = true;
      } else continue;
    } else if (c == 34) {
      let escaped: i32 = 0;
      j++;
      while (true) {
        j = stringStop(b, j, len);
        if (j >= len) return 0;
        c = load<u8>(b + <usize>j);
        if (c == 34) break;
        if (c < 32) return 0;
        // A backslash.
        escaped = ESCAPED;
        if (j + 1 >= len) return 0;
        c = load<u8>(b + <usize>(j + 1));
        if (c == 117) {
          if (j + 5 >= len || !isHex(load<u8>(b + <usize>(j + 2))) || !isHex(load<u8>(b + <usize>(j + 3))) || !isHex(load<u8>(b + <usize>(j + 4))) || !isHex(load<u8>(b + <usize>(j + 5)))) return 0;
          j += 6;
        } else if (c == 34 || c == 92 || c == 47 || c == 98 || c == 102 || c == 110 || c == 114 || c == 116) j += 2;
        else return 0;
      }
      store<i32>(ends + (<usize>from << 2), (++j + delta) | escaped);
    } else if (c == 116 || c == 110) {
      // "true" and "null", as little-endian words.
      if (j + 4 > len || load<u32>(b + <usize>j) != (c == 116 ? 0x65757274 : 0x6c6c756e)) return 0;
      j += 4;
      store<i32>(ends + (<usize>from << 2), j + delta);
    } else if (c == 102) {
      // "false": "alse" after the f.
      if (j + 5 > len || load<u32>(b + <usize>(j + 1)) != 0x65736c61) return 0;
      j += 5;
      store<i32>(ends + (<usize>from << 2), j + delta);
    } else if (c == 45 || isDigit(c)) {
      if (c == 45) j++;
      if (j < len && load<u8>(b + <usize>j) == 48) j++;
      else if (j < len && isDigit(load<u8>(b + <usize>j))) while (j < len && isDigit(load<u8>(b + <usize>j))) j++;
      else return 0;
      if (j < len && load<u8>(b + <usize>j) == 46) {
        if (!(++j < len && isDigit(load<u8>(b + <usize>j)))) return 0;
        while (j < len && isDigit(load<u8>(b + <usize>j))) j++;
      }
      if (j < len && (load<u8>(b + <usize>j) | 32) == 101) {
        j++;
        if (j < len && (load<u8>(b + <usize>j) == 43 || load<u8>(b + <usize>j) == 45)) j++;
        if (!(j < len && isDigit(load<u8>(b + <usize>j)))) return 0;
        while (j < len && isDigit(load<u8>(b + <usize>j))) j++;
      }
      store<i32>(ends + (<usize>from << 2), j + delta);
    } else return 0;
    // After a value (or at an object's first key): a comma, a close, or the end.
    while (true) {
      if (!inKey) {
        while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
        if (depth == 0) return j == len ? 1 : 0;
        if (j >= len) return 0;
        if (c == <i32>load<u8>(OPEN_KIND + <usize>(depth - 1)) + 2) {
          depth--;
          store<i32>(ends + (<usize>load<i32>(OPEN_AT + (<usize>depth << 2)) << 2), ++j + delta);
          continue;
        }
        if (c != 44) return 0;
        j++;
        while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
        if (load<u8>(OPEN_KIND + <usize>(depth - 1)) != 123) break;
      }
      inKey = false;
      // A key: a string without escapes, a colon, then the value.
      if (j >= len || load<u8>(b + <usize>j) != 34) return 0;
      const key = j;
      j = stringStop(b, j + 1, len);
      if (j >= len || load<u8>(b + <usize>j) != 34) return 0;
      store<i32>(ends + (<usize>key << 2), j + 1 + delta);
      const name = names > 0 ? match(b, key + 1, j) : -1;
      j++;
      while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
      if (j >= len || c != 58) return 0;
      j++;
      while (j < len && ((c = load<u8>(b + <usize>j)) == 32 || c == 9)) j++;
      if (name >= 0) store<i32>(pos + (<usize>(load<i32>(OPEN_NODE + (<usize>(depth - 1) << 2)) * names + name) << 2), j + delta);
      break;
    }
  }
  return 0;
}
