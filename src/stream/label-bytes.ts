/**
 * A batch's new labels as UTF-8 bytes, written as the partitioner adds each to a partition's
 * batch, and front-coded from those bytes (frontCodeBytes) into the same wire bytes as
 * encodeBatch's front coding of the strings. At a firehose's cardinality a batch of 2,000 events
 * carries ~2,000 new labels; front-coding their strings (a prefix compare, a slice and a join per
 * label, then one UTF-8 encode) was most of encodeBatch's time.
 *
 * A label holding a surrogate (an astral character, or a lone surrogate) marks its list: a batch
 * with one is front-coded from its strings, as before. Without surrogates each character is one
 * UTF-16 unit, so the units two labels share are the characters their bytes share, and a label's
 * units are its bytes that do not continue a character.
 */

import { grownI32 } from './int-table.js';

const encoder = new TextEncoder();

/** One list of labels (a batch's new accounts, or its new keys), as bytes. */
export class LabelBytes {
  bytes = new Uint8Array(4096);
  /** Per label: where its bytes end. */
  ends = new Int32Array(256);
  /** Per label: its UTF-16 units (its string's length). */
  units = new Int32Array(256);
  /** Labels held, and bytes. */
  count = 0;
  used = 0;
  /** Whether a label holds a surrogate (the batch is then front-coded from its strings). */
  surrogates = false;

  /** Adds `label`'s UTF-8 bytes. */
  add(label: string): void {
    this.#write(label);
    this.#end(label.length);
  }

  /**
   * Adds the label `scope + separator + raw` (`raw` in the empty scope, as ExpiringInterner's
   * label), without making its string.
   */
  addJoined(scope: string, separator: string, raw: string): void {
    if (scope === '') {
      this.add(raw);
      return;
    }
    this.#write(scope);
    this.#write(separator);
    this.#write(raw);
    this.#end(scope.length + separator.length + raw.length);
  }

  /** Writes `text`'s UTF-8 bytes after the bytes held. */
  #write(text: string): void {
    const n = text.length;
    if (this.used + 3 * n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.used + 3 * n));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const bytes = this.bytes, at = this.used;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[at + i] = c;
    }
    if (i === n) this.used = at + n;
    else {
      this.used = at + encoder.encodeInto(text, bytes.subarray(at)).written;
      for (; i < n; i++) if ((text.charCodeAt(i) & 0xf800) === 0xd800) this.surrogates = true;
    }
  }

  /** Ends the label written since the last, of `units` UTF-16 units. */
  #end(units: number): void {
    if (this.count === this.ends.length) {
      this.ends = grownI32(this.ends, this.count + 1);
      this.units = grownI32(this.units, this.count + 1);
    }
    this.ends[this.count] = this.used;
    this.units[this.count++] = units;
  }

  clear(): void {
    this.count = 0;
    this.used = 0;
    this.surrogates = false;
  }
}

/** The rests' bytes (one per process: encoding is synchronous); grown, never shrunk. */
let text = new Uint8Array(1 << 16);

/**
 * Front-codes the labels of `lists` one after another (no surrogates in any), as encodeBatch
 * front-codes their strings: per label, into `pairs` (2 per label), the UTF-16 units it shares
 * with the label before and the units of the rest; the rests' UTF-8 bytes, one after another,
 * are the returned view (valid until the next call).
 */
export function frontCodeBytes(lists: readonly LabelBytes[], pairs: Int32Array): Uint8Array {
  let size = 0;
  for (const list of lists) size += list.used;
  if (size > text.length) text = new Uint8Array(Math.max(2 * text.length, size));
  const out = text;
  let used = 0, p = 0;
  // The label before: its list's bytes, where it starts and ends, whether it is ASCII.
  let before: Uint8Array = out, beforeStart = 0, beforeEnd = 0, beforeAscii = true;
  for (const list of lists) {
    const bytes = list.bytes, ends = list.ends, units = list.units;
    let start = 0;
    for (let i = 0; i < list.count; i++) {
      const end = ends[i]!, length = end - start, ascii = units[i] === length;
      const most = Math.min(length, beforeEnd - beforeStart);
      let shared = 0;
      while (shared < most && bytes[start + shared] === before[beforeStart + shared]) shared++;
      // Not into a character: back to the start of the one the bytes part in (10xxxxxx continues one).
      if (shared < length) while (shared > 0 && (bytes[start + shared]! & 0xc0) === 0x80) shared--;
      let sharedUnits = shared;
      if (!(ascii && beforeAscii)) for (let k = 0; k < shared; k++) if ((bytes[start + k]! & 0xc0) === 0x80) sharedUnits--;
      pairs[p++] = sharedUnits;
      pairs[p++] = units[i]! - sharedUnits;
      for (let k = start + shared; k < end; k++) out[used++] = bytes[k]!;
      before = bytes;
      beforeStart = start;
      beforeEnd = end;
      beforeAscii = ascii;
      start = end;
    }
  }
  return out.subarray(0, used);
}
