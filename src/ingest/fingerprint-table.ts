/**
 * A set of md5 fingerprints (32 hex digits) with a small number per entry, in typed arrays:
 * about 30 bytes an entry where a Map of strings costs over 100, so locating millions of bad
 * rows stays within a few hundred MB.
 */

const WORDS = 4;
const EMPTY = 0xffffffff;

function words(fingerprint: string, into: Uint32Array): boolean {
  if (fingerprint.length !== 32) return false;
  for (let w = 0; w < WORDS; w++) {
    const value = Number.parseInt(fingerprint.slice(w * 8, w * 8 + 8), 16);
    if (Number.isNaN(value)) return false;
    into[w] = value >>> 0;
  }
  return true;
}

export class FingerprintTable {
  private readonly keys: Uint32Array;
  private readonly values: Uint32Array;
  private readonly marks: Uint8Array;
  private readonly mask: number;
  private readonly probe = new Uint32Array(WORDS);
  size = 0;

  /** `capacity`: how many fingerprints will be added (the table does not grow). */
  constructor(capacity: number) {
    let slots = 8;
    while (slots < capacity * 1.5) slots *= 2;
    this.keys = new Uint32Array(slots * WORDS);
    this.values = new Uint32Array(slots).fill(EMPTY);
    this.marks = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  private slotOf(fingerprint: string): { slot: number; found: boolean } | null {
    if (!words(fingerprint, this.probe)) return null;
    const probe = this.probe;
    let slot = ((probe[0] ?? 0) ^ Math.imul(probe[1] ?? 0, 0x9e3779b1)) & this.mask;
    for (;;) {
      if (this.values[slot] === EMPTY) return { slot, found: false };
      const base = slot * WORDS;
      if (this.keys[base] === probe[0] && this.keys[base + 1] === probe[1] && this.keys[base + 2] === probe[2] && this.keys[base + 3] === probe[3]) {
        return { slot, found: true };
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds a fingerprint with its value (below 2^32 - 1); false if it is not 32 hex digits or the table is full. */
  add(fingerprint: string, value: number): boolean {
    if (this.size >= this.values.length - 1) return false;
    const place = this.slotOf(fingerprint);
    if (place === null) return false;
    if (!place.found) {
      this.keys.set(this.probe, place.slot * WORDS);
      this.size += 1;
    }
    this.values[place.slot] = value;
    return true;
  }

  /** The value of a fingerprint, or undefined; `mark` records that it was seen. */
  get(fingerprint: string, mark = false): number | undefined {
    const place = this.slotOf(fingerprint);
    if (place === null || !place.found) return undefined;
    if (mark) this.marks[place.slot] = 1;
    return this.values[place.slot];
  }

  /** The fingerprints never marked by `get(fingerprint, true)`, with their values, in no set order. */
  *unmarked(): Generator<[fingerprint: string, value: number]> {
    for (let slot = 0; slot < this.values.length; slot++) {
      const value = this.values[slot] ?? EMPTY;
      if (value === EMPTY || this.marks[slot] === 1) continue;
      const words = this.keys.subarray(slot * WORDS, slot * WORDS + WORDS);
      yield [Array.from(words, (word) => word.toString(16).padStart(8, '0')).join(''), value];
    }
  }
}
