/**
 * A worker's account labels as UTF-16 code units in one growing buffer, not a string each. At a
 * firehose's cardinality a bounded job's worker holds millions of labels (2.55M partition-local
 * ones on the 4.0M-event feed) until each partition finishes, and every full GC of its finish
 * (the kernel's large arrays start one every few hundred ms) marked them all: 100-220 ms a
 * collection, ~2.4 of the 8 partitions' ~5 CPU-s of finishing. Code units keep labels' order
 * (code-unit order, as the coordinator ranks them) and every character exact, lone surrogates too.
 */
import { Buffer } from 'node:buffer';
import type { FrontCodedAscii } from './batch-label-text.js';

/** Labels in some order, their units one after another: what a partial's encoder reads and a finish thread is sent. */
export interface LabelColumn {
  /** Code units of every label, in order. */
  units: Uint16Array;
  /** Label i is units[starts[i] … starts[i + 1]); `count + 1` entries. */
  starts: Int32Array;
  count: number;
}

/** Labels appended one at a time; label i is `units[starts[i] … starts[i + 1])`. */
export class LabelUnits {
  units = new Uint16Array(1 << 16);
  starts = new Int32Array(1024);
  count = 0;

  /** Units in use (the end of the last label). */
  get used(): number {
    return this.starts[this.count]!;
  }

  push(label: string): void {
    const at = this.starts[this.count]!, end = at + label.length;
    if (end > this.units.length) {
      const grown = new Uint16Array(Math.max(2 * this.units.length, end));
      grown.set(this.units.subarray(0, at));
      this.units = grown;
    }
    if (this.count + 2 > this.starts.length) {
      const grown = new Int32Array(2 * this.starts.length);
      grown.set(this.starts);
      this.starts = grown;
    }
    const units = this.units;
    for (let u = 0; u < label.length; u++) units[at + u] = label.charCodeAt(u);
    this.starts[++this.count] = end;
  }

  /**
   * Appends front-coded ASCII labels (a batch's `actorText`, checked by decodeBatch) without a
   * string each: a byte is a unit, and label i's shared prefix is the label pushed just before it.
   */
  pushFrontCoded(text: FrontCodedAscii): void {
    const { bytes, shared, rest } = text, n = shared.length;
    let needed = 0;
    for (let i = 0; i < n; i++) needed += shared[i]! + rest[i]!;
    let at = this.starts[this.count]!;
    if (at + needed > this.units.length) {
      const grown = new Uint16Array(Math.max(2 * this.units.length, at + needed));
      grown.set(this.units.subarray(0, at));
      this.units = grown;
    }
    if (this.count + n + 1 > this.starts.length) {
      const grown = new Int32Array(Math.max(2 * this.starts.length, this.count + n + 1));
      grown.set(this.starts);
      this.starts = grown;
    }
    const units = this.units, starts = this.starts;
    let from = text.textAt, previous = at;
    for (let i = 0; i < n; i++) {
      const begin = at;
      for (let u = 0, prefix = shared[i]!; u < prefix; u++) units[at++] = units[previous + u]!;
      for (let end = from + rest[i]!; from < end; from++) units[at++] = bytes[from]!;
      starts[++this.count] = at;
      previous = begin;
    }
  }

  /** Label `i` as a string. */
  label(i: number): string {
    return unitsString(this.units, this.starts[i]!, this.starts[i + 1]!);
  }

  /** The labels `order` names (each an index below `count`), copied one after another in that order. */
  column(order: ArrayLike<number>): LabelColumn {
    const n = order.length, starts = new Int32Array(n + 1), fromStarts = this.starts;
    for (let r = 0; r < n; r++) {
      const id = order[r]!;
      starts[r + 1] = starts[r]! + fromStarts[id + 1]! - fromStarts[id]!;
    }
    const units = new Uint16Array(starts[n]!), from = this.units;
    const place = n === this.count ? placesOf(order, n) : null;
    // Every label once (a job's label order): read in the order stored and written to its place,
    // a write that misses the cache instead of a read that does (the CPU does not wait on a write).
    // A loop, not set(subarray(…)): a view a label cost more than its ~40 units' copy.
    if (place !== null) {
      for (let id = 0; id < n; id++) {
        let at = starts[place[id]!]!;
        for (let u = fromStarts[id]!, end = fromStarts[id + 1]!; u < end; u++) units[at++] = from[u]!;
      }
    } else {
      for (let r = 0, at = 0; r < n; r++) {
        const id = order[r]!;
        for (let u = fromStarts[id]!, end = fromStarts[id + 1]!; u < end; u++) units[at++] = from[u]!;
      }
    }
    return { units, starts, count: n };
  }
}

/** Each id's place in `order`, or null unless `order` holds each of 0 … n-1 once. */
function placesOf(order: ArrayLike<number>, n: number): Int32Array | null {
  const place = new Int32Array(n).fill(-1);
  for (let r = 0; r < n; r++) {
    const id = order[r]!;
    if (!(id >= 0 && id < n) || place[id] !== -1) return null;
    place[id] = r;
  }
  return place;
}

/** Every label of `column` as a string. */
export function columnStrings(column: LabelColumn): string[] {
  return Array.from({ length: column.count }, (_, i) => unitsString(column.units, column.starts[i]!, column.starts[i + 1]!));
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** units[from … end) as a string, each unit as it is (lone surrogates stay: Node's utf16le reads the bytes as they are). */
export function unitsString(units: Uint16Array, from: number, end: number): string {
  if (end - from < 16 || !LITTLE_ENDIAN) {
    let text = '';
    for (let u = from; u < end; u++) text += String.fromCharCode(units[u]!);
    return text;
  }
  return Buffer.from(units.buffer, units.byteOffset + 2 * from, 2 * (end - from)).toString('utf16le');
}
