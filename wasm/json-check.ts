// AssemblyScript, built by scripts/build-wasm.mjs into src/stream/json-check-wasm.ts (the module's
// bytes, committed; a test rebuilds it and compares). The JSON check of src/stream/json-check.ts
// (the Jetstream scanner's first pass), in WebAssembly: the host copies a line into this memory and
// calls check(); it records, by each value's offset from the line's start, where that value ends
// (string values holding an escape have ESCAPED added) and, for each object, where the values of
// the named keys sit. String contents, the bulk of a line, are walked 16 bytes at a time (SIMD):
// one compare finds the next quote, backslash or control character.

import { lookUpDid, lookUpDids } from './line-ids';
import { byteStop, lineShare, OTHER_SHARE } from './line-cuts';
export { idOf, setIdTable } from './byte-ids';
export { touchedSum } from './line-ids';

/** Added to a string value's recorded end when it holds an escape (lines are shorter than 2^30). */
const ESCAPED: i32 = 1 << 30;
/** Open containers at most (JSON.parse's limit is far higher; the JS check's was the same). */
const MAX_DEPTH: i32 = 4096;

// Fixed regions below the host's (HOST_BASE in json-check.ts); the host writes the names' table.
// The regions the host writes or reads are exported, so the host takes their addresses from here.
/** 1024 i32: a key's hash slot → name index + 1 (0: none). */
export const TABLE: usize = 0;
/** Name n's bytes are NAME_BYTES[NAME_START[n], NAME_START[n + 1]) (i32 offsets, at most 255 names). */
export const NAME_START: usize = 4096;
export const NAME_BYTES: usize = 5120;
/** The stack of open containers: bracket (u8), start offset and object node (i32). */
const OPEN_KIND: usize = 8192;
/** Where the names' bytes must end (the host checks its names fit). */
export const NAME_BYTES_END: usize = OPEN_KIND;
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
  return checkFrom(b, len, ends, nodeAt, pos, 0, maxNodes, delta);
}

/**
 * Marks the `names` positions at `at` absent (-1): 16 bytes a store. memory.fill of a size known
 * only at run time is a call out of the module, ~5 objects a line.
 */
// @ts-ignore: decorator
@inline function absentAll(at: usize, names: i32): void {
  const bytes = <usize>names << 2, none = i32x4.splat(-1);
  let k: usize = 0;
  for (; k + 16 <= bytes; k += 16) v128.store(at + k, none);
  for (; k < bytes; k += 4) store<i32>(at + k, -1);
}

/** Objects numbered so far by the last checkFrom (its first node + the line's objects). */
let nodesAfter: i32 = 0;

/** check(), numbering the line's objects from `firstNode` (scanLines keeps every line's records of a chunk). */
function checkFrom(b: usize, len: i32, ends: usize, nodeAt: usize, pos: usize, firstNode: i32, maxNodes: i32, delta: i32): i32 {
  const names = nameCount;
  let depth: i32 = 0, j: i32 = 0, c: i32 = 0, nodes: i32 = firstNode;
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
        absentAll(pos + (<usize>(nodes * names) << 2), names);
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
        if (depth == 0) {
          nodesAfter = nodes;
          return j == len ? 1 : 0;
        }
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

// ---- The Jetstream scanner's top fields (jetstream-scan.ts's read, up to the record), after check().

/** 8 i32 the host writes: SeenIds' two hash seeds per collection (idHashes over `/collection/`). */
export const SEEDS: usize = 45056;
/** Where readTop writes its record (i32; positions have `delta` added), see TOP_* in jetstream-scan.ts. */
export const TOP: usize = 45120;
/** FIELD_NAMES' indexes in jetstream-scan.ts (the host checks they are these). */
const F_DID = 0, F_TIME_US = 1, F_KIND = 2, F_COMMIT = 3, F_OPERATION = 4, F_COLLECTION = 5, F_RKEY = 6, F_RECORD = 7, F_URI = 14, F_SUBJECT = 15;

/** The value of name `name` in the object at host position `at` (-1: absent). */
// @ts-ignore: decorator
@inline function field(delta: i32, nodeAt: usize, pos: usize, at: i32, name: i32): i32 {
  return load<i32>(pos + (<usize>(load<i32>(nodeAt + (<usize>(at - delta) << 2)) * nameCount + name) << 2));
}

/** The byte at host position `at`. */
// @ts-ignore: decorator
@inline function byteAt(b: usize, delta: i32, at: i32): i32 {
  return <i32>load<u8>(b + <usize>(at - delta));
}

/** The end of the string at `at` (after its content), or -1 when it holds an escape (the JS gives up). */
function plainEnd(delta: i32, ends: usize, at: i32): i32 {
  const end = load<i32>(ends + (<usize>(at - delta) << 2));
  return end >= ESCAPED ? -1 : end - 1;
}

/** Whether the plain string [start, stop) equals the `length` bytes at `word` (in this module's memory). */
function bytesAre(b: usize, delta: i32, start: i32, stop: i32, word: usize, length: i32): bool {
  if (stop - start != length) return false;
  for (let k = 0; k < length; k++) if (byteAt(b, delta, start + k) != <i32>load<u8>(word + <usize>k)) return false;
  return true;
}

/** `^did:[a-z]+:[A-Za-z0-9._:%-]+$` over the plain string [start, stop) (jetstream-scan.ts's isDid). */
function isDid(b: usize, delta: i32, start: i32, stop: i32): bool {
  let j = start;
  if (stop - j < 4 || load<u32>(b + <usize>(j - delta)) != 0x3a646964) return false;
  j += 4;
  const method = j;
  while (j < stop && <u32>(byteAt(b, delta, j) - 97) < 26) j++;
  if (j == method || j >= stop || byteAt(b, delta, j) != 58) return false;
  const rest = ++j;
  for (; j < stop; j++) {
    const c = byteAt(b, delta, j), l = c | 32;
    if (!(<u32>(l - 97) < 26 || <u32>(c - 48) < 11 || c == 46 || c == 95 || c == 37 || c == 45)) return false;
  }
  return j > rest;
}

/**
 * The words the host writes at WORDS: i32 starts of 8 words (WORDS_START), their bytes after:
 * the 4 collections (jetstream-scan.ts's COLLECTIONS), then "commit", "create", "update", "delete".
 */
export const WORDS_START: usize = 45184;
export const WORDS: usize = 45248;
const W_COMMIT = 4, W_CREATE = 5, W_UPDATE = 6, W_DELETE = 7;

// @ts-ignore: decorator
@inline function isWord(b: usize, delta: i32, start: i32, stop: i32, w: i32): bool {
  const from = load<i32>(WORDS_START + (<usize>w << 2));
  return bytesAre(b, delta, start, stop, WORDS + <usize>from, load<i32>(WORDS_START + (<usize>(w + 1) << 2)) - from);
}

/**
 * jetstream-scan.ts's read up to the record, for a line check() accepted (its ends, nodeAt and pos;
 * the line at b, its first byte at host position delta): returns 0 (give up), 1 (no action) or 2
 * (an action whose record is left to the host), and writes at TOP: did start and end, time_us (f64
 * at TOP + 8), rkey start and end, the collection, the record, the did's FNV-1a (ByteIds) and the
 * action id's two SeenIds hashes (idHashes from the collection's seeds over the rkey), then the
 * did's id in the host's table (byte-ids.ts; -1: not known).
 */
export function readTop(b: usize, delta: i32, ends: usize, nodeAt: usize, pos: usize, top: i32): i32 {
  const code = readTopInto(TOP, b, delta, ends, nodeAt, pos, top);
  if (code == 2) lookUpDid(TOP, b, delta);
  return code;
}

/** readTop, its record written at `out`, but for the did's id (lookUpDid). */
function readTopInto(out: usize, b: usize, delta: i32, ends: usize, nodeAt: usize, pos: usize, top: i32): i32 {
  const did = field(delta, nodeAt, pos, top, F_DID), timeUs = field(delta, nodeAt, pos, top, F_TIME_US);
  const kind = field(delta, nodeAt, pos, top, F_KIND), commit = field(delta, nodeAt, pos, top, F_COMMIT);
  if (kind < 0 || byteAt(b, delta, kind) != 34 || did < 0 || byteAt(b, delta, did) != 34 || commit < 0 || byteAt(b, delta, commit) != 123 || timeUs < 0) return 0;
  const kindEnd = plainEnd(delta, ends, kind), didEnd = plainEnd(delta, ends, did);
  if (kindEnd < 0 || didEnd < 0 || !isWord(b, delta, kind + 1, kindEnd, W_COMMIT) || !isDid(b, delta, did + 1, didEnd)) return 0;
  let time: f64 = 0;
  let j = timeUs;
  const timeEnd = load<i32>(ends + (<usize>(timeUs - delta) << 2));
  for (let c = byteAt(b, delta, j); j < timeEnd && <u32>(c - 48) < 10; c = byteAt(b, delta, ++j)) time = time * 10 + <f64>(c - 48);
  if (j == timeUs || byteAt(b, delta, timeUs) == 48 || j != timeEnd || !(time <= 9007199254740991)) return 0;
  store<i32>(out, did + 1);
  store<i32>(out + 4, didEnd);
  store<f64>(out + 8, time);
  const operation = field(delta, nodeAt, pos, commit, F_OPERATION), collection = field(delta, nodeAt, pos, commit, F_COLLECTION);
  const rkey = field(delta, nodeAt, pos, commit, F_RKEY), record = field(delta, nodeAt, pos, commit, F_RECORD);
  if (operation < 0 || byteAt(b, delta, operation) != 34 || collection < 0 || byteAt(b, delta, collection) != 34 || rkey < 0 || byteAt(b, delta, rkey) != 34) return 0;
  if (byteAt(b, delta, collection + 1) == 34 || byteAt(b, delta, rkey + 1) == 34) return 0;
  const operationEnd = plainEnd(delta, ends, operation);
  if (operationEnd < 0) return 0;
  const create = isWord(b, delta, operation + 1, operationEnd, W_CREATE);
  if (!create && !isWord(b, delta, operation + 1, operationEnd, W_UPDATE) && !isWord(b, delta, operation + 1, operationEnd, W_DELETE)) return 0;
  const collectionEnd = plainEnd(delta, ends, collection);
  if (collectionEnd < 0) return 0;
  let kindOf = -1;
  for (let w = 0; w < 4 && kindOf < 0; w++) if (isWord(b, delta, collection + 1, collectionEnd, w)) kindOf = w;
  const rkeyEnd = plainEnd(delta, ends, rkey);
  if (rkeyEnd < 0) return 0;
  store<i32>(out + 16, rkey + 1);
  store<i32>(out + 20, rkeyEnd);
  if (!create || kindOf < 0) return 1;
  for (let k = rkey + 1; k < rkeyEnd; k++) if (byteAt(b, delta, k) >= 128) return 0;
  if (record < 0 || byteAt(b, delta, record) != 123) return 0;
  store<i32>(out + 24, kindOf);
  store<i32>(out + 28, record);
  let h: i32 = <i32>0x811c9dc5;
  for (let k = did + 1; k < didEnd; k++) h = (h ^ byteAt(b, delta, k)) * 0x01000193;
  store<i32>(out + 32, h);
  let h1 = load<i32>(SEEDS + (<usize>kindOf << 3)), h2 = load<i32>(SEEDS + (<usize>kindOf << 3) + 4);
  for (let k = rkey + 1; k < rkeyEnd; k++) {
    const c = byteAt(b, delta, k);
    h1 = (h1 ^ c) * 0x01000193;
    h2 = (h2 ^ c) * 0x5bd1e995;
    h2 ^= <i32>(<u32>h2 >> 13);
  }
  store<i32>(out + 36, h1);
  store<i32>(out + 40, h2);
  return 2;
}

// ---- A chunk's lines, one call: each line found, checked and its top fields read where the bytes are.

/**
 * Bytes of a line's record at scanLines' `records`: start, end, code, then readTop's record (at
 * +16), then a repost's subject uri (at +64): its start (-1: not read here), its FNV-1a, its id
 * in the ids' table under KEY_TAG (-1: not there) and its end.
 */
export const LINE_RECORD: i32 = 80;
/** Where scanLines stopped (the next line's start) and why: 0 no more line breaks, 1 records full, 2 objects full. */
let resumeAt: i32 = 0;
let stopReason: i32 = 0;
export function resume(): i32 {
  return resumeAt;
}
export function stopped(): i32 {
  return stopReason;
}

/**
 * The lines of the `len` bytes at `b` from offset `from` that end in a line feed (a CR before it
 * dropped), as ByteFront cuts them: each is checked (check(), its records kept at its offsets in
 * `ends` and `nodeAt`, objects numbered on through the call) and, when it is a JSON object, its top
 * fields read (readTop). With `shareOf` above 1, a line that is not share `shareIndex` (lineShare)
 * is only recorded (code OTHER_SHARE), not checked. Writes a LINE_RECORD per line at `records`: i32
 * start, end, code (-1 not JSON, else readTop's 0 give up, 1 no action, 2 an action, or
 * OTHER_SHARE), then readTop's record. Returns the lines recorded, or -1 when the first line alone
 * has more than `maxNodes` objects; resume() is the next line's start and stopped() why it stopped.
 */
export function scanLines(b: usize, from: i32, len: i32, ends: usize, nodeAt: usize, pos: usize, maxNodes: i32, records: usize, maxRecords: i32, shareIndex: i32, shareOf: i32): i32 {
  let count: i32 = 0, nodes: i32 = 0, at = from;
  stopReason = 1;
  while (count < maxRecords) {
    const feed = byteStop(b, at, len, 10);
    if (feed >= len) {
      stopReason = 0;
      break;
    }
    let end = feed;
    if (end > at && load<u8>(b + <usize>(end - 1)) == 13) end--;
    const out = records + <usize>(count * LINE_RECORD);
    let code: i32 = -1;
    const checked = shareOf > 1 && lineShare(b, at, end, shareOf) != shareIndex ? OTHER_SHARE : checkFrom(b + <usize>at, end - at, ends + (<usize>at << 2), nodeAt + (<usize>at << 2), pos, nodes, maxNodes, at);
    if (checked < 0) {
      resumeAt = at;
      stopReason = 2;
      lookUpDids(b, records, count);
      return count == 0 ? -1 : count;
    }
    if (checked == OTHER_SHARE) code = OTHER_SHARE;
    else if (checked == 1) {
      nodes = nodesAfter;
      let top = at;
      while (load<u8>(b + <usize>top) == 32 || load<u8>(b + <usize>top) == 9) top++;
      code = readTopInto(out + 16, b, 0, ends, nodeAt, pos, top);
    }
    store<i32>(out + 64, code == 2 ? repostTarget(out, b, ends, nodeAt, pos) : -1);
    store<i32>(out, at);
    store<i32>(out + 4, end);
    store<i32>(out + 8, code);
    count++;
    at = feed + 1;
  }
  resumeAt = at;
  lookUpDids(b, records, count);
  return count;
}

/**
 * A repost's subject uri (jetstream-scan.ts's strongRef: a plain, non-empty string in an object)
 * for the line record at `out` (readTopInto's at out + 16) in the chunk at b: its start, its
 * FNV-1a and end written at `out + 68` and `out + 76`; -1 when the action is no repost or the uri
 * is not such a string (the host reads it, or gives up, as before).
 */
function repostTarget(out: usize, b: usize, ends: usize, nodeAt: usize, pos: usize): i32 {
  if (load<i32>(out, 16 + 24) != 1) return -1;
  const subject = field(0, nodeAt, pos, load<i32>(out, 16 + 28), F_SUBJECT);
  if (subject < 0 || byteAt(b, 0, subject) != 123) return -1;
  const uri = field(0, nodeAt, pos, subject, F_URI);
  if (uri < 0 || byteAt(b, 0, uri) != 34) return -1;
  const end = plainEnd(0, ends, uri);
  if (end <= uri + 1) return -1;
  let h: i32 = <i32>0x811c9dc5;
  for (let k = uri + 1; k < end; k++) h = (h ^ byteAt(b, 0, k)) * 0x01000193;
  store<i32>(out + 68, h);
  store<i32>(out + 76, end);
  return uri + 1;
}
