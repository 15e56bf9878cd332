/**
 * A JSON checker over bytes for the Jetstream scanner's first pass (jetstream-scan.ts): it refuses
 * what JSON.parse refuses (bad strings, escapes, control characters, numbers, literals, nesting)
 * and, beyond that, keys with escapes and white space other than spaces and tabs (a line's CR),
 * which the scanner leaves to JSON.parse.
 */
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const TRUE = bytesOf('true'), FALSE = bytesOf('false'), NULL = bytesOf('null');

/** Pass 1's stack of open containers: their bracket and start. */
let openKind = new Uint8Array(64);
let openAt = new Int32Array(64);

/**
 * Set in a string value's recorded end when the string holds an escape, so a reader knows it
 * without walking the string again (ends stay below 2^30: longer lines are refused).
 */
export const ESCAPED = 1 << 30;

const isHex = (x: number): boolean => (x >= 48 && x <= 57) || ((x | 32) >= 97 && (x | 32) <= 102);
const isDigit = (x: number): boolean => x >= 48 && x <= 57;

/**
 * Whether `bytes[start, end)` is one JSON object (RFC 8259) between spaces or tabs, its keys
 * without escapes; records in `at` where each value and key starting at offset `start + k` ends
 * (`at[k]`; `at` must hold end - start + 1 entries; a string value holding an escape has ESCAPED
 * added), so a reader steps over a value at once. One
 * walk over the bytes, no recursion (an explicit stack of open containers, at most 4096 deep).
 * @example checkJsonObject(bytes, 0, bytes.length, new Int32Array(bytes.length + 1))
 */
export function checkJsonObject(bytes: Uint8Array, start: number, end: number, at: Int32Array): boolean {
  if (end - start >= ESCAPED) return false;
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
        const kinds = new Uint8Array(2 * depth), starts = new Int32Array(2 * depth);
        kinds.set(openKind);
        starts.set(openAt);
        { openKind = kinds; openAt = starts; }
      }
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
      at[key - start] = ++j;
      while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
      if (j >= end || c !== 58) return false;
      j++;
      while (j < end && ((c = bytes[j]!) === 32 || c === 9)) j++;
      break;
    }
  }
}

