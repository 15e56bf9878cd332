/**
 * Event batches on the wire between the partitioner (the front end) and the workers: binary, no
 * JSON and no object per event. Accounts and keys travel as partition-local integer ids; a batch
 * carries the labels of the ids first used in it (a dictionary that grows batch by batch, so a
 * worker reads every label once per partition, not once per event), then three columns.
 *
 * Layout, version 2 ("LSB2"; little-endian), about 14 bytes an event where version 1 took 36
 * (the NATS servers' CPU goes with the bytes they store and replicate):
 * - header, 8 × u32: magic, flags (bit 0: end marker; bit 1: times as f64), batch number (an end
 *   marker: the batches before it), events, new accounts, new keys, bytes of the varint section,
 *   publisher in the low 16 bits (0 when a job has one; with several, each numbers its batches and
 *   ids on its own: nats/publisher-merge.ts joins them) and, in the high 16 bits, the job's publisher
 *   count when the publisher knows it (0: not said; `stream-publish --threads` says it, so a worker
 *   waits for every publisher's end marker without being told);
 * - times as f64 per event when flag 1 is set (a time not a whole number); otherwise, when there
 *   are events, the first event's time as one f64;
 * - the varint section (LEB128): per new label (accounts first, then keys), the UTF-16 units it
 *   shares with the label before it and the units of the rest (front coding: `bluesky NUL did:plc:`
 *   is sent once, not per account); per new key, its trace (an index into STREAM_TRACES); per
 *   event, the account id, the key id + 1 (0: an action with no trace event, which still counts
 *   its account) and, unless flag 1, the time's difference from the event before (zigzag);
 * - the rest of each label, UTF-8, one after another.
 *
 * Version 1 ("LSB1": lengths, traces, then i32, i32 and f64 columns, then the labels) still reads.
 */
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { frontCodeBytes } from './label-bytes.js';
import type { LabelBytes } from './label-bytes.js';
import { asciiLabels, checkFrontCoding, isAscii, utf8Labels } from './batch-label-text.js';
import type { FrontCodedAscii } from './batch-label-text.js';

export type { FrontCodedAscii };

const MAGIC = 0x3142_534c; // "LSB1"
const MAGIC_2 = 0x3242_534c; // "LSB2"
const HEADER_BYTES = 32;
const END = 1;
const RAW_TIMES = 2;

/** A decoded batch; the columns may be views into the bytes it came from. */
export interface EventBatch {
  /** Batch number within its partition (0, 1, …); for an end marker, how many batches came before it. */
  b: number;
  /** Which of a job's publishers sent it (batch numbers and ids are per publisher); absent: 0. */
  publisher?: number;
  /** How many publishers the job has, when the sender said (at most 65535); absent: not said. */
  publishers?: number;
  end: boolean;
  /** Labels of the account ids first used here (`platform NUL id`), in id order. */
  newActors: string[];
  /**
   * Set only by `decodeBatch(…, { asciiActorText: true })` when every label is ASCII: the new
   * accounts' labels still front-coded in the batch's bytes, which a worker keeping labels as code
   * units (label-units.ts) copies there; `newActors` and `newKeys` are then empty (no string made).
   */
  actorText?: FrontCodedAscii;
  /** Labels of the key ids first used here, in id order, and each key's trace. */
  newKeys: string[];
  newKeyTraces: StreamTrace[];
  count: number;
  actor: Int32Array;
  key: Int32Array;
  time: Float64Array;
}

export interface DecodeOptions {
  /** Leave ASCII labels in the bytes (`actorText`), not strings: the batch must be read before the bytes it came from go. */
  asciiActorText?: boolean;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TRACE_INDEX = new Map<StreamTrace, number>(STREAM_TRACES.map((trace, index) => [trace, index]));

/** A growing byte buffer for the varint section (one per process: encoding is synchronous). */
let scratch = new Uint8Array(1 << 16);
let used = 0;

function room(bytes: number): void {
  if (used + bytes <= scratch.length) return;
  const grown = new Uint8Array(Math.max(2 * scratch.length, used + bytes));
  grown.set(scratch.subarray(0, used));
  scratch = grown;
}

/** Writes a non-negative whole number below 2^53 (room checked by the caller: at most 8 bytes). */
function varint(value: number): void {
  const out = scratch;
  let at = used;
  if (value < 0x8000_0000) {
    let v = value | 0;
    while (v >= 128) {
      out[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    out[at++] = v;
  } else {
    let v = value;
    while (v >= 128) {
      out[at++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    out[at++] = v;
  }
  used = at;
}

/** UTF-16 units `a` and `b` share at the start, never splitting a surrogate pair. */
function sharedPrefix(a: string, b: string): number {
  const most = Math.min(a.length, b.length);
  let n = 0;
  while (n < most && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  if (n > 0 && n < b.length && (b.charCodeAt(n - 1) & 0xfc00) === 0xd800) n--;
  return n;
}

/** Label pairs (shared, rest units) from frontCodeBytes; grown, never shrunk. */
let pairs = new Int32Array(1024);

/**
 * Encodes a batch (the first `count` entries of each column are sent).
 * @example encodeBatch({ b: 0, end: false, newActors: ['bluesky\u0000did:plc:a'], newKeys: ['x'], newKeyTraces: ['co-hashtag'], count: 1, actor: Int32Array.of(0), key: Int32Array.of(0), time: Float64Array.of(1) })
 */
export function encodeBatch(batch: EventBatch): Uint8Array {
  return encodeWith(batch, batch.newActors.length, batch.newKeys.length, () => frontCodeStrings(batch.newActors, batch.newKeys));
}

/** A batch whose new labels are held as bytes (label-bytes.ts: the partitioner's), not strings. */
export interface ByteLabelledBatch extends Omit<EventBatch, 'newActors' | 'newKeys'> {
  actorBytes: LabelBytes;
  keyBytes: LabelBytes;
  /** The labels as strings: asked for only when one holds a surrogate (front-coded from its strings then). */
  labels: () => { newActors: string[]; newKeys: string[] };
}

/** encodeBatch's bytes for a batch whose labels are held as bytes: front-coded from the bytes, no string made. */
export function encodeByteLabelled(batch: ByteLabelledBatch): Uint8Array {
  const actors = batch.actorBytes, keys = batch.keyBytes;
  return encodeWith(batch, actors.count, keys.count, () => {
    if (actors.surrogates || keys.surrogates) {
      const { newActors, newKeys } = batch.labels();
      return frontCodeStrings(newActors, newKeys);
    }
    const labels = actors.count + keys.count;
    if (2 * labels > pairs.length) pairs = new Int32Array(4 * labels);
    const text = frontCodeBytes([actors, keys], pairs);
    for (let i = 0; i < 2 * labels; i++) varint(pairs[i]!);
    return text;
  });
}

/** The batch's bytes, its labels' varints written and their text given by `frontCode`. */
function encodeWith(batch: Omit<EventBatch, 'newActors' | 'newKeys'>, actorCount: number, keyCount: number, frontCode: () => Uint8Array): Uint8Array {
  const n = batch.count, { actor, key, time } = batch;
  // Differences of whole numbers are exact: any other time makes the batch send its times as f64.
  let raw = n > 0 && !Number.isInteger(time[0]);
  for (let e = 1; e < n && !raw; e++) raw = !Number.isInteger(time[e]) || !(Math.abs(time[e]! - time[e - 1]!) < 2 ** 51);
  used = 0;
  room(10 * (actorCount + keyCount) + 2 * keyCount + 24 * n);
  const text = frontCode();
  for (let i = 0; i < keyCount; i++) varint(TRACE_INDEX.get(batch.newKeyTraces[i]!) ?? 255);
  let last = n > 0 ? time[0]! : 0;
  for (let e = 0; e < n; e++) {
    varint(actor[e]!);
    varint(key[e]! + 1);
    if (!raw) {
      const delta = time[e]! - last;
      last = time[e]!;
      varint(delta >= 0 ? 2 * delta : -2 * delta - 1);
    }
  }
  const timesBytes = raw ? 8 * n : n > 0 ? 8 : 0;
  const out = new Uint8Array(HEADER_BYTES + timesBytes + used + text.length);
  new Uint32Array(out.buffer, 0, HEADER_BYTES / 4).set([MAGIC_2, (batch.end ? END : 0) | (raw ? RAW_TIMES : 0), batch.b, n, actorCount, keyCount, used, publisherWord(batch)]);
  if (raw) new Float64Array(out.buffer, HEADER_BYTES, n).set(time.subarray(0, n));
  else if (n > 0) new Float64Array(out.buffer, HEADER_BYTES, 1)[0] = time[0]!;
  out.set(scratch.subarray(0, used), HEADER_BYTES + timesBytes);
  out.set(text, HEADER_BYTES + timesBytes + used);
  return out;
}

/** Front-codes a batch's labels (accounts, then keys) from their strings: varints here, the rests' UTF-8 returned. */
function frontCodeStrings(newActors: string[], newKeys: string[]): Uint8Array {
  const labels = newActors.length === 0 ? newKeys : newKeys.length === 0 ? newActors : [...newActors, ...newKeys];
  const rests: string[] = new Array<string>(labels.length);
  let previous = '';
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const shared = sharedPrefix(previous, label);
    varint(shared);
    varint(label.length - shared);
    rests[i] = shared === 0 ? label : label.slice(shared);
    previous = label;
  }
  return encoder.encode(rests.join(''));
}

/** The header's last word: the publisher, and the job's publisher count above it (0: not said). */
function publisherWord(batch: Pick<EventBatch, 'publisher' | 'publishers'>): number {
  const publisher = batch.publisher ?? 0, publishers = batch.publishers ?? 0;
  if (!(publisher >= 0 && publisher < 2 ** 16 && publishers >= 0 && publishers < 2 ** 16)) throw new RangeError(`publisher ${publisher} of ${publishers}: both must be below 65536`);
  return (publisher | (publishers << 16)) >>> 0;
}

/** An end marker: the partition's (or, with several publishers, the publisher's) last message, saying how many batches precede it. */
export function encodeEnd(batches: number, publisher = 0, publishers?: number): Uint8Array {
  return encodeBatch({ b: batches, end: true, publisher, publishers, newActors: [], newKeys: [], newKeyTraces: [], count: 0, actor: new Int32Array(0), key: new Int32Array(0), time: new Float64Array(0) });
}

const headerWord = (bytes: Uint8Array): number => (bytes.length >= HEADER_BYTES ? new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES).getUint32(HEADER_BYTES - 4, true) : 0);

/** The publisher index a batch's header names, without decoding it (0 for a single publisher's). */
export function batchPublisher(bytes: Uint8Array): number {
  return headerWord(bytes) & 0xffff;
}

/** The job's publisher count a batch's header says, without decoding it (stream-publish --threads n); 0: not said. */
export function batchPublishers(bytes: Uint8Array): number {
  return headerWord(bytes) >>> 16;
}

/** Reads `encodeBatch`'s bytes (either version); throws a LockstepError naming `where` and what is wrong. */
export function decodeBatch(input: Uint8Array, where: string, options: DecodeOptions = {}): EventBatch {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not an event batch (${what})`);
  if (input.length < HEADER_BYTES) throw bad('too short');
  // Typed views need an aligned start; a message's bytes may sit anywhere in a pooled buffer (a
  // Node Buffer's slice() is a view, so copy through the Uint8Array constructor).
  const bytes = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4);
  const [magic, flags, b, n, actors, keys, textBytes, word] = header as unknown as [number, number, number, number, number, number, number, number];
  if (magic === MAGIC_2) {
    const batch = decodeV2(bytes, bad, flags, b, n, actors, keys, textBytes, word & 0xffff, options.asciiActorText === true);
    if (word >>> 16 > 0) batch.publishers = word >>> 16;
    return batch;
  }
  const publisher = word;
  if (magic !== MAGIC) throw bad('wrong magic number');
  const labels = actors + keys;
  const lengthsAt = HEADER_BYTES;
  const tracesAt = lengthsAt + 4 * labels;
  const actorAt = align8(tracesAt + keys);
  const keyAt = actorAt + 4 * n;
  const timeAt = align8(keyAt + 4 * n);
  const textAt = timeAt + 8 * n;
  if (textAt + textBytes !== bytes.length) throw bad(`length ${bytes.length}, header says ${textAt + textBytes}`);
  const lengths = new Uint32Array(bytes.buffer, bytes.byteOffset + lengthsAt, labels);
  const text = decoder.decode(bytes.subarray(textAt));
  const all: string[] = new Array<string>(labels);
  let at = 0;
  for (let i = 0; i < labels; i++) {
    all[i] = text.slice(at, at + lengths[i]!);
    at += lengths[i]!;
  }
  if (at !== text.length) throw bad('label lengths do not match the labels');
  const newKeyTraces: StreamTrace[] = new Array<StreamTrace>(keys);
  for (let i = 0; i < keys; i++) {
    const trace = STREAM_TRACES[bytes[tracesAt + i]!];
    if (trace === undefined) throw bad(`unknown trace ${bytes[tracesAt + i]}`);
    newKeyTraces[i] = trace;
  }
  return {
    b, publisher, end: (flags & END) !== 0, newActors: all.slice(0, actors), newKeys: all.slice(actors), newKeyTraces, count: n,
    actor: new Int32Array(bytes.buffer, bytes.byteOffset + actorAt, n),
    key: new Int32Array(bytes.buffer, bytes.byteOffset + keyAt, n),
    time: new Float64Array(bytes.buffer, bytes.byteOffset + timeAt, n),
  };
}

/** Version 2's body (see the layout above). */
function decodeV2(bytes: Uint8Array, bad: (what: string) => LockstepError, flags: number, b: number, n: number, actors: number, keys: number, varintBytes: number, publisher: number, asciiActorText: boolean): EventBatch {
  const raw = (flags & RAW_TIMES) !== 0;
  const timesAt = HEADER_BYTES, varintAt = timesAt + (raw ? 8 * n : n > 0 ? 8 : 0), textAt = varintAt + varintBytes;
  if (textAt > bytes.length) throw bad(`length ${bytes.length}, header says at least ${textAt}`);
  let at = varintAt;
  const next = (): number => {
    let value = 0, scale = 1, byte = 0;
    do {
      if (at >= textAt) throw bad('varint section ends early');
      byte = bytes[at++]!;
      value += (byte & 127) * scale;
      scale *= 128;
    } while (byte >= 128);
    return value;
  };
  const labels = actors + keys;
  const shared = new Int32Array(labels), rest = new Int32Array(labels);
  for (let i = 0; i < labels; i++) {
    shared[i] = next();
    rest[i] = next();
  }
  const newKeyTraces: StreamTrace[] = new Array<StreamTrace>(keys);
  for (let i = 0; i < keys; i++) {
    const index = next();
    const trace = STREAM_TRACES[index];
    if (trace === undefined) throw bad(`unknown trace ${index}`);
    newKeyTraces[i] = trace;
  }
  const actor = new Int32Array(n), key = new Int32Array(n);
  const time = raw ? new Float64Array(bytes.buffer.slice(bytes.byteOffset + timesAt, bytes.byteOffset + timesAt + 8 * n)) : new Float64Array(n);
  let last = n > 0 && !raw ? new Float64Array(bytes.buffer, bytes.byteOffset + timesAt, 1)[0]! : 0;
  for (let e = 0; e < n; e++) {
    actor[e] = next();
    key[e] = next() - 1;
    if (!raw) {
      const zigzag = next();
      last += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
      time[e] = last;
    }
  }
  if (at !== textAt) throw bad('varint section longer than the header says');
  if (asciiActorText && isAscii(bytes, textAt)) {
    checkFrontCoding(bytes.length - textAt, shared, rest, bad);
    const actorText = { bytes, textAt, shared: shared.subarray(0, actors), rest: rest.subarray(0, actors) };
    return { b, publisher, end: (flags & END) !== 0, newActors: [], newKeys: [], actorText, newKeyTraces, count: n, actor, key, time };
  }
  const all = asciiLabels(bytes, textAt, shared, rest, bad) ?? utf8Labels(bytes, textAt, shared, rest, bad);
  return { b, publisher, end: (flags & END) !== 0, newActors: all.slice(0, actors), newKeys: all.slice(actors), newKeyTraces, count: n, actor, key, time };
}

/**
 * A message's batch number, whether it is an end marker, and its event count, from the header
 * alone (either version; null if `bytes` is not an event batch): a continuous worker holds a
 * batch by its number before reading it (nats/continuous-work.ts).
 */
export function batchHeader(bytes: Uint8Array): { b: number; end: boolean; count: number } | null {
  if (bytes.length < HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC && magic !== MAGIC_2) return null;
  return { b: view.getUint32(8, true), end: (view.getUint32(4, true) & END) !== 0, count: view.getUint32(12, true) };
}
