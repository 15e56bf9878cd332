/**
 * Reading a batch's labels (wire-batch.ts's layout: front-coded, UTF-8) on the decode side: as
 * strings, or, for a worker keeping labels as code units (label-units.ts), checked and left in the
 * bytes when they are ASCII.
 */
import { Buffer } from 'node:buffer';
import type { LockstepError } from '../model/index.js';

/** Front-coded ASCII labels: label i shares `shared[i]` bytes with label i - 1 (none for the first), then `rest[i]` bytes from `textAt` on, one label after another. */
export interface FrontCodedAscii {
  bytes: Uint8Array;
  textAt: number;
  shared: Int32Array;
  rest: Int32Array;
}

const decoder = new TextDecoder();

/** Front-coded labels from the UTF-8 text at `textAt` (any text; see asciiLabels for the usual one). */
export function utf8Labels(bytes: Uint8Array, textAt: number, shared: Int32Array, rest: Int32Array, bad: (what: string) => LockstepError): string[] {
  const text = decoder.decode(bytes.subarray(textAt));
  const all: string[] = new Array<string>(shared.length);
  let from = 0, previous = '';
  for (let i = 0; i < shared.length; i++) {
    if (shared[i]! > previous.length) throw bad('a label shares more than the label before it has');
    previous = all[i] = shared[i] === 0 ? text.slice(from, from + rest[i]!) : previous.slice(0, shared[i]) + text.slice(from, from + rest[i]!);
    from += rest[i]!;
  }
  if (from !== text.length) throw bad('label lengths do not match the labels');
  return all;
}

/** A label's bytes are built here (the one before's shared prefix is in place already): grown, never shrunk. */
let labelScratch = Buffer.alloc(256);

/**
 * utf8Labels' strings when the text is ASCII (did:plc labels are), or null: each label's bytes are
 * laid out whole (the shared prefix is the label before's, still in the scratch) and read as one
 * flat string. utf8Labels' labels are the prefix's slice joined to the rest's, a cons string every
 * reader (LabelOrder, the partial's front coding) first flattens, and each slice of the batch's
 * text keeps the whole text alive: on a firehose-like feed (~1.2 new labels an event) those were
 * most of a worker's garbage.
 */
export function asciiLabels(bytes: Uint8Array, textAt: number, shared: Int32Array, rest: Int32Array, bad: (what: string) => LockstepError): string[] | null {
  if (!isAscii(bytes, textAt)) return null;
  const all: string[] = new Array<string>(shared.length);
  let from = textAt, length = 0;
  for (let i = 0; i < shared.length; i++) {
    const prefix = shared[i]!, tail = rest[i]!;
    if (prefix > length) throw bad('a label shares more than the label before it has');
    if (from + tail > bytes.length) throw bad('label lengths do not match the labels');
    length = prefix + tail;
    if (length > labelScratch.length) {
      const grown = Buffer.alloc(Math.max(2 * labelScratch.length, length));
      labelScratch.copy(grown, 0, 0, prefix);
      labelScratch = grown;
    }
    // A loop, not set(subarray(…)): a view a label cost more than its rest's ~20 bytes' copy.
    for (let u = 0; u < tail; u++) labelScratch[prefix + u] = bytes[from + u]!;
    all[i] = labelScratch.toString('latin1', 0, length);
    from += tail;
  }
  if (from !== bytes.length) throw bad('label lengths do not match the labels');
  return all;
}

export function isAscii(bytes: Uint8Array, from: number): boolean {
  for (let at = from; at < bytes.length; at++) if (bytes[at]! >= 0x80) return false;
  return true;
}

/** The checks asciiLabels makes as it reads, for labels left in the bytes (ASCII: a byte a unit). */
export function checkFrontCoding(textBytes: number, shared: Int32Array, rest: Int32Array, bad: (what: string) => LockstepError): void {
  let length = 0, total = 0;
  for (let i = 0; i < shared.length; i++) {
    if (shared[i]! > length) throw bad('a label shares more than the label before it has');
    length = shared[i]! + rest[i]!;
    total += rest[i]!;
    if (total > textBytes) throw bad('label lengths do not match the labels');
  }
  if (total !== textBytes) throw bad('label lengths do not match the labels');
}
