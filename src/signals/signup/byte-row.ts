/**
 * Reading a sign-up row straight from the file's bytes, for batch scoring: the cells' bounds, the
 * time and the IPv4 address, with no string per cell. Only plain rows are read here (ASCII, cells
 * without surrounding spaces, quotes only around a whole cell with none inside); anything else
 * goes back to the text path (batch.ts), which gives the same values and names what is wrong, so
 * the two agree by construction on what each accepts (property tests).
 */

/** Cell bounds of a row: `starts[i]`, `ends[i]` for cell i, `quoted[i]` 1 when it was in quotes. */
export interface RowCells {
  starts: Int32Array;
  ends: Int32Array;
  quoted: Uint8Array;
}

/** Room for `count` cells. */
export const rowCells = (count: number): RowCells => ({ starts: new Int32Array(count), ends: new Int32Array(count), quoted: new Uint8Array(count) });

/**
 * Finds the first `count` cells of the line `bytes[start, stop)` (no line break in it) into
 * `cells`. False when the line is not plain up to the last of them: a byte outside ASCII, a quote
 * inside a cell, an escaped quote or text after a closing quote, fewer cells, or a cell with
 * leading or trailing spaces or control characters (which the text path trims).
 */
export function plainCells(bytes: Uint8Array, start: number, stop: number, count: number, cells: RowCells): boolean {
  const { starts, ends, quoted } = cells;
  let i = start;
  let seen = 0;
  for (let field = 0; field < count; field++) {
    if (field > 0) {
      if (i >= stop) return false; // fewer cells than asked
      i++; // the comma
    }
    let from: number;
    let to: number;
    if (i < stop && bytes[i] === 34) {
      from = i + 1;
      let j = from;
      for (; j < stop; j++) {
        const c = bytes[j] as number;
        if (c === 34) break;
        seen |= c;
      }
      if (j >= stop) return false; // unterminated
      to = j;
      i = j + 1;
      if (i < stop && bytes[i] !== 44) return false; // "" inside, or text after the closing quote
      quoted[field] = 1;
    } else {
      from = i;
      let j = i;
      for (; j < stop; j++) {
        const c = bytes[j] as number;
        if (c === 44) break;
        if (c === 34) return false;
        seen |= c;
      }
      to = j;
      i = j;
      quoted[field] = 0;
    }
    if (to > from && ((bytes[from] as number) <= 32 || (bytes[to - 1] as number) <= 32)) return false;
    starts[field] = from;
    ends[field] = to;
  }
  return seen < 128;
}

const digitsAt = (bytes: Uint8Array, from: number, count: number): number => {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
};

/** The last date part parsed (10 bytes) and its epoch ms: a registration log's rows share their day. */
const cachedDay = new Uint8Array(10);
let cachedDayMs = NaN;

/**
 * `YYYY-MM-DDTHH:MM:SS[.sss]Z` in `bytes[start, end)` as epoch ms, exactly as batch.ts reads the
 * same text (separators are not checked there either); NaN otherwise (the text path then tries
 * the other forms).
 */
export function isoUtcAt(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if ((n !== 20 && n !== 24) || bytes[end - 1] !== 90 || bytes[start + 10] !== 84) return NaN;
  const hour = digitsAt(bytes, start + 11, 2);
  const minute = digitsAt(bytes, start + 14, 2);
  const second = digitsAt(bytes, start + 17, 2);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const millis = n === 24 ? digitsAt(bytes, start + 20, 3) : 0;
  if (Number.isNaN(millis)) return NaN;
  let same = !Number.isNaN(cachedDayMs);
  for (let i = 0; same && i < 10; i++) same = bytes[start + i] === cachedDay[i];
  let dayMs: number;
  if (same) dayMs = cachedDayMs;
  else {
    const month = digitsAt(bytes, start + 5, 2);
    const day = digitsAt(bytes, start + 8, 2);
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return NaN;
    dayMs = Date.UTC(digitsAt(bytes, start, 4), month - 1, day);
    if (Number.isNaN(dayMs)) return NaN;
    for (let i = 0; i < 10; i++) cachedDay[i] = bytes[start + i] as number;
    cachedDayMs = dayMs;
  }
  return dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** parseIpv4 over `bytes[start, end)`: the address as an unsigned 32-bit integer, or -1. */
export function ipv4At(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const code = bytes[i] as number;
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (code - 48);
      digits += 1;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Text of ASCII bytes, interned: the same string object for the same bytes (its hash computed once). */
export interface ByteInterner {
  /** The text of `bytes[start, end)` (ASCII), lower-cased when the interner was made so. */
  text(bytes: Uint8Array, start: number, end: number): string;
  /** Distinct texts held. */
  readonly size: number;
}

export const INTERNER_DEFAULTS = {
  /** Texts held before the table is emptied and refilled (it is a cache: nothing is lost). */
  maxTexts: 1 << 16,
  /** ASCII upper-case letters are read as lower-case (String#toLowerCase on ASCII). */
  lowerCase: false,
};

/**
 * An interner for short ASCII cells such as email domains, keyed by an FNV-1a hash of the bytes in
 * an open-addressing table: a repeated domain costs a hash and a compare, no string and no
 * toLowerCase.
 * @example byteInterner({ lowerCase: true }).text(Buffer.from('Example.COM'), 0, 11) // 'example.com'
 */
export function byteInterner(options: Partial<typeof INTERNER_DEFAULTS> = {}): ByteInterner {
  const settings = { ...INTERNER_DEFAULTS, ...options };
  const lower = settings.lowerCase;
  let capacity = 1024;
  let ids = new Int32Array(capacity).fill(-1);
  let hashes = new Int32Array(capacity);
  let texts: string[] = [];
  const fold = (code: number): number => (lower && code >= 65 && code <= 90 ? code + 32 : code);
  const place = (hash: number, id: number): void => {
    let at = hash & (capacity - 1);
    while ((ids[at] as number) >= 0) at = (at + 1) & (capacity - 1);
    ids[at] = id;
    hashes[at] = hash;
  };
  return {
    get size() { return texts.length; },
    text(bytes, start, end) {
      let hash = 0x811c9dc5 | 0;
      for (let i = start; i < end; i++) hash = Math.imul(hash ^ fold(bytes[i] as number), 0x01000193);
      const length = end - start;
      for (let at = hash & (capacity - 1); ; at = (at + 1) & (capacity - 1)) {
        const id = ids[at] as number;
        if (id < 0) break;
        if (hashes[at] !== hash) continue;
        const known = texts[id] as string;
        if (known.length !== length) continue;
        let same = true;
        for (let i = 0; i < length && same; i++) same = known.charCodeAt(i) === fold(bytes[start + i] as number);
        if (same) return known;
      }
      const codes: number[] = [];
      for (let i = start; i < end; i++) codes.push(fold(bytes[i] as number));
      // Built in slices: a spread of a very long cell would overflow the stack.
      let text = '';
      for (let i = 0; i < codes.length; i += 4096) text += String.fromCharCode(...codes.slice(i, i + 4096));
      if (length > 256) return text; // not worth holding
      if (texts.length >= settings.maxTexts) { texts = []; ids.fill(-1); }
      if ((texts.length + 1) * 2 > capacity) {
        capacity *= 2;
        ids = new Int32Array(capacity).fill(-1);
        hashes = new Int32Array(capacity);
        texts.forEach((known, id) => {
          let h = 0x811c9dc5 | 0;
          for (let i = 0; i < known.length; i++) h = Math.imul(h ^ known.charCodeAt(i), 0x01000193);
          place(h, id);
        });
      }
      place(hash, texts.length);
      texts.push(text);
      return text;
    },
  };
}
