/**
 * Text preparation and shingling for near-duplicate detection (Broder 1997, "On the resemblance
 * and containment of documents": a document is the set of its contiguous k-token "shingles").
 *
 * Preparation removes what copypasta operators vary without changing the message: compatibility
 * forms (NFKC, as the model's `normalizeText`, whose white-space folding tokenizing makes
 * redundant; skipped for printable ASCII, which NFKC leaves unchanged), case, URLs (each copy
 * gets its own t.co link), @mentions, a leading `RT @handle:`, optionally hashtags, and
 * everything that is neither a letter, a digit nor a combining mark (punctuation, emoji,
 * symbols, white space), so "!!!" versus "!" or an added 🙏 changes nothing. Tokens are maximal
 * runs of letters, digits and marks.
 *
 * Scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 * Myanmar) have no word tokens to shingle, so a text whose letters are at least half from those
 * scripts is shingled by characters (code points, punctuation and spaces dropped); any other
 * text by words. A mixed text thus takes its dominant script's method; in a word-shingled text a
 * run of Han characters is one token. Texts shingled by different methods share no shingle.
 * Character shingles default to 2 code points: a Han character is roughly a morpheme, so a
 * bigram is about a word (the CJK bigram convention of full-text search engines), and one
 * changed character in a 20-character post keeps Jaccard ≥ 0.8 (trigrams would need ~30).
 */
import { fmix32 } from './minhash.js';

/** How a text was shingled. */
export type ShingleMode = 'word' | 'char';

export interface ShingleOptions {
  /** Words per shingle for space-separated scripts. */
  wordShingle: number;
  /** Characters (code points) per shingle for unsegmented scripts. */
  charShingle: number;
  /** Drop `#hashtags` entirely (otherwise the tag's words stay, without the `#`). */
  stripHashtags: boolean;
  /** Word-shingled texts with fewer word tokens than this get no shingles (too short to be evidence). */
  minTokens: number;
  /** Character-shingled texts with fewer characters than this get no shingles. */
  minChars: number;
}

export const SHINGLE_DEFAULTS: Readonly<ShingleOptions> = Object.freeze({
  wordShingle: 3,
  charShingle: 2,
  stripHashtags: false,
  minTokens: 4,
  minChars: 8,
});

/** Reusable scratch space of `shingleHashes`; its arrays grow as needed. */
export interface ShingleBuffer {
  /** Output: the shingle hashes. */
  hashes: Int32Array;
  /** Output: how the last text was shingled. */
  mode: ShingleMode;
  /** Word hashes of the text being shingled. */
  units: Int32Array;
  /** Code points of its letters. */
  chars: Int32Array;
}

/** A buffer for `shingleHashes`. */
export function shingleBuffer(initial = 256): ShingleBuffer {
  return { hashes: new Int32Array(initial), mode: 'word', units: new Int32Array(initial), chars: new Int32Array(initial) };
}

const ASCII = /^[\x20-\x7e]*$/;
const RT_PREFIX = /^(?:rt @[\p{L}\p{N}_]*:?\s*)+/iu;
const LETTER = /[\p{L}\p{N}\p{M}]/u;

// Class of each BMP code unit: 0 separator, 1 letter/digit/mark, 2 the same in an unsegmented script.
const SEPARATOR = 0;
const WORD = 1;
const UNSEGMENTED = 2;
let classes: Uint8Array | null = null;

function classTable(): Uint8Array {
  if (classes !== null) return classes;
  const table = new Uint8Array(65536);
  const unsegmented = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCharCode(c);
    if (LETTER.test(s)) table[c] = unsegmented.test(s) ? UNSEGMENTED : WORD;
  }
  classes = table;
  return table;
}

const astralClasses = new Map<number, number>();

/** Class of an astral code point: supplementary Han, emoji (the common cases), else looked up once. */
function astralClass(cp: number): number {
  if (cp >= 0x20000 && cp <= 0x3ffff) return UNSEGMENTED; // CJK Unified Ideographs Extensions B–H
  if (cp >= 0x1f000 && cp <= 0x1faff) return SEPARATOR; // emoji, pictographs, playing cards, flags
  let c = astralClasses.get(cp);
  if (c === undefined) {
    c = LETTER.test(String.fromCodePoint(cp)) ? WORD : SEPARATOR;
    astralClasses.set(cp, c);
  }
  return c;
}

/** Whether `code` (= text.charCodeAt(i)) starts a valid surrogate pair. */
function isPairAt(text: string, i: number, code: number): boolean {
  if (code < 0xd800 || code > 0xdbff || i + 1 >= text.length) return false;
  const low = text.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

const AT = 0x40;
const HASH = 0x23;
const UNDERSCORE = 0x5f;

/**
 * Length of the URL starting at `i` (up to the next white space), or 0 when none starts there;
 * case-insensitive. `http(s)://` is recognised anywhere (Chinese text often runs into a link
 * without a space); `www.` and `t.co/` only at the start of a token (the caller's business).
 */
function urlLength(text: string, i: number, code: number): number {
  const lower = code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
  let found = false;
  if (lower === 0x68) found = matchLower(text, i, 'http://') || matchLower(text, i, 'https://');
  else if (lower === 0x77) found = matchLower(text, i, 'www.');
  else if (lower === 0x74) found = matchLower(text, i, 't.co/');
  return found ? toSpace(text, i) - i : 0;
}

/** Whether `text` has `word` (lower-case ASCII) at `i`, ignoring ASCII case. */
function matchLower(text: string, i: number, word: string): boolean {
  if (i + word.length > text.length) return false;
  for (let j = 0; j < word.length; j++) {
    const c = text.charCodeAt(i + j);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== word.charCodeAt(j)) return false;
  }
  return true;
}

/** Index of the first white space at or after `i` (or the end). */
function toSpace(text: string, i: number): number {
  for (const n = text.length; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x85 || c === 0x2028 || c === 0x2029) return i;
  }
  return i;
}

/** Extra characters to skip after a mention's `@` (or a stripped hashtag's `#`): the name. */
function nameLength(text: string, i: number, table: Uint8Array): number {
  let skip = 0;
  for (let j = i + 1, n = text.length; j < n; j++, skip++) {
    const c = text.charCodeAt(j);
    if (table[c] === SEPARATOR && c !== UNDERSCORE) break;
  }
  return skip;
}

/**
 * Prepares a raw post and writes the 32-bit hashes of its shingles (duplicates included, in text
 * order) to `buffer.hashes`, its mode to `buffer.mode`; returns how many, or -1 when the text has
 * fewer than `minTokens` words / `minChars` characters (nothing comparable left included).
 * Printable ASCII (no NFKC change, no unsegmented script) takes a word-only scan that lower-cases
 * as it goes; other text is NFKC-normalised and lower-cased, then one pass collects both the word
 * hashes and the code points of its letters, counting the unsegmented-script ones, and the mode
 * picks which to shingle. A word hash is FNV-1a over the token's UTF-16 code units; a shingle
 * folds its k word hashes (or k code points) with FNV-1a and ends with murmur3's finaliser, so
 * hashes are well mixed for MinHash. A text shorter than one shingle (possible only when the
 * minimum is below the shingle size) is one shingle.
 */
export function shingleHashes(raw: string, options: Readonly<ShingleOptions>, buffer: ShingleBuffer): number {
  const table = classTable();
  if (ASCII.test(raw)) {
    const text = matchLower(raw, 0, 'rt @') ? raw.replace(RT_PREFIX, '') : raw;
    buffer.mode = 'word';
    return fold(buffer, buffer.units, asciiWords(text, table, options.stripHashtags, buffer), options.wordShingle, options.minTokens);
  }
  let text = raw.normalize('NFKC').toLowerCase();
  if (text.startsWith('rt @')) text = text.replace(RT_PREFIX, '');
  const strip = options.stripHashtags;
  if (buffer.chars.length < text.length) buffer.chars = new Int32Array(text.length * 2);
  const chars = buffer.chars;
  let words = buffer.units;
  let wordCount = 0;
  let charCount = 0;
  let unsegmented = 0;
  let h = 0x811c9dc5 | 0;
  let inWord = false;
  for (let i = 0, n = text.length; i < n; i++) {
    let code = text.charCodeAt(i);
    let c: number;
    let cp = code;
    let skip = 0;
    if ((!inWord || code === 0x68) && (skip = urlLength(text, i, code)) > 0) {
      c = SEPARATOR;
    } else if (code === AT || (strip && code === HASH)) {
      skip = nameLength(text, i, table);
      c = SEPARATOR;
    } else if (code >= 0xd800 && isPairAt(text, i, code)) {
      cp = text.codePointAt(i)!;
      c = astralClass(cp);
      if (c !== SEPARATOR) h = Math.imul(h ^ code, 0x01000193);
      code = text.charCodeAt(++i);
    } else {
      c = table[code]!;
    }
    if (c !== SEPARATOR) {
      h = Math.imul(h ^ code, 0x01000193);
      chars[charCount++] = cp;
      if (c === UNSEGMENTED) unsegmented++;
      inWord = true;
    } else {
      if (inWord) {
        if (wordCount === words.length) words = buffer.units = grown(words, wordCount + 1);
        words[wordCount++] = h;
        h = 0x811c9dc5 | 0;
        inWord = false;
      }
      i += skip;
    }
  }
  if (inWord) {
    if (wordCount === words.length) words = buffer.units = grown(words, wordCount + 1);
    words[wordCount++] = h;
  }
  if (unsegmented > 0 && unsegmented * 2 >= charCount) {
    buffer.mode = 'char';
    return fold(buffer, chars, charCount, options.charShingle, options.minChars);
  }
  buffer.mode = 'word';
  return fold(buffer, words, wordCount, options.wordShingle, options.minTokens);
}

/** Word hashes of a printable-ASCII text into `buffer.units` (lower-casing A–Z on the fly); returns how many. */
function asciiWords(text: string, table: Uint8Array, strip: boolean, buffer: ShingleBuffer): number {
  let words = buffer.units;
  let count = 0;
  let h = 0x811c9dc5 | 0;
  let inWord = false;
  for (let i = 0, n = text.length; i < n; i++) {
    let code = text.charCodeAt(i);
    if (code <= 0x5a && code >= 0x41) code |= 0x20;
    let skip = 0;
    if (table[code] !== SEPARATOR && !((!inWord || code === 0x68) && (skip = urlLength(text, i, code)) > 0)) {
      h = Math.imul(h ^ code, 0x01000193);
      inWord = true;
      continue;
    }
    if (code === AT || (strip && code === HASH)) skip = nameLength(text, i, table);
    if (inWord) {
      if (count === words.length) words = buffer.units = grown(words, count + 1);
      words[count++] = h;
      h = 0x811c9dc5 | 0;
      inWord = false;
    }
    i += skip;
  }
  if (inWord) {
    if (count === words.length) words = buffer.units = grown(words, count + 1);
    words[count++] = h;
  }
  return count;
}

function fold(buffer: ShingleBuffer, values: Int32Array, count: number, k: number, minimum: number): number {
  if (count === 0 || count < minimum) return -1;
  const width = Math.min(k, count);
  const shingles = count - width + 1;
  if (buffer.hashes.length < shingles) buffer.hashes = grown(buffer.hashes, shingles);
  const out = buffer.hashes;
  for (let s = 0; s < shingles; s++) {
    let h = 0x811c9dc5 | 0;
    for (let j = 0; j < width; j++) h = Math.imul(h ^ values[s + j]!, 0x01000193);
    out[s] = fmix32(h);
  }
  return shingles;
}

function grown(array: Int32Array, atLeast: number): Int32Array {
  const next = new Int32Array(Math.max(atLeast, array.length * 2));
  next.set(array);
  return next;
}

/** Sorts `values[0..count)` and removes duplicates in place; returns the distinct count. */
export function sortUnique(values: Int32Array, count: number): number {
  if (count > 20) {
    values.subarray(0, count).sort();
  } else {
    // Insertion sort: below ~20 values it beats the call into the native sort.
    for (let i = 1; i < count; i++) {
      const v = values[i]!;
      let j = i - 1;
      while (j >= 0 && values[j]! > v) {
        values[j + 1] = values[j]!;
        j--;
      }
      values[j + 1] = v;
    }
  }
  let distinct = count > 0 ? 1 : 0;
  for (let i = 1; i < count; i++) {
    if (values[i] !== values[distinct - 1]) values[distinct++] = values[i]!;
  }
  return distinct;
}

/**
 * The sorted distinct shingle hashes of a raw post, or null when it has none (empty after
 * preparation, or too short). The set that near-duplicate verification compares by Jaccard.
 * @example textShingles('lol') // null
 */
export function textShingles(raw: string, options?: Partial<ShingleOptions>): Int32Array | null {
  const opts: ShingleOptions = { ...SHINGLE_DEFAULTS, ...options };
  const buffer = shingleBuffer();
  const count = shingleHashes(raw, opts, buffer);
  if (count < 0) return null;
  return buffer.hashes.slice(0, sortUnique(buffer.hashes, count));
}
