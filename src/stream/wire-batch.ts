/**
 * Event batches on the wire between the partitioner (the front end) and the workers: binary, no
 * JSON and no object per event. Accounts and keys travel as partition-local integer ids; a batch
 * carries the labels of the ids first used in it (a dictionary that grows batch by batch, so a
 * worker reads every label once per partition, not once per event), then three columns.
 *
 * Layout (little-endian; every column starts on an 8-byte boundary):
 * - header, 8 × u32: magic, flags (bit 0: end marker), batch number (an end marker: the batches
 *   before it), events, new accounts, new keys, label bytes, publisher (0 when a job has one; with
 *   several, each numbers its batches and ids on its own: nats/publisher-merge.ts joins them);
 * - u32 per new label: its length in UTF-16 code units (accounts first, then keys);
 * - u8 per new key: its trace, as an index into STREAM_TRACES;
 * - i32 per event: account id; i32 per event: key id (-1: an action with no trace event, which
 *   still counts its account); f64 per event: time, ms;
 * - the labels, UTF-8, one after another.
 */
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';

const MAGIC = 0x3142_534c; // "LSB1"
const HEADER_BYTES = 32;
const END = 1;

/** A decoded batch; the columns may be views into the bytes it came from. */
export interface EventBatch {
  /** Batch number within its partition (0, 1, …); for an end marker, how many batches came before it. */
  b: number;
  /** Which of a job's publishers sent it (batch numbers and ids are per publisher); absent: 0. */
  publisher?: number;
  end: boolean;
  /** Labels of the account ids first used here (`platform NUL id`), in id order. */
  newActors: string[];
  /** Labels of the key ids first used here, in id order, and each key's trace. */
  newKeys: string[];
  newKeyTraces: StreamTrace[];
  count: number;
  actor: Int32Array;
  key: Int32Array;
  time: Float64Array;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TRACE_INDEX = new Map<StreamTrace, number>(STREAM_TRACES.map((trace, index) => [trace, index]));

/**
 * Encodes a batch (the first `count` entries of each column are sent).
 * @example encodeBatch({ b: 0, end: false, newActors: ['bluesky\u0000did:plc:a'], newKeys: ['x'], newKeyTraces: ['co-hashtag'], count: 1, actor: Int32Array.of(0), key: Int32Array.of(0), time: Float64Array.of(1) })
 */
export function encodeBatch(batch: EventBatch): Uint8Array {
  const labels = [...batch.newActors, ...batch.newKeys];
  const text = encoder.encode(labels.join(''));
  const n = batch.count;
  const lengthsAt = HEADER_BYTES;
  const tracesAt = lengthsAt + 4 * labels.length;
  const actorAt = align8(tracesAt + batch.newKeys.length);
  const keyAt = actorAt + 4 * n;
  const timeAt = align8(keyAt + 4 * n);
  const textAt = timeAt + 8 * n;
  const out = new Uint8Array(textAt + text.length);
  const u32 = new Uint32Array(out.buffer, 0, HEADER_BYTES / 4 + labels.length);
  u32.set([MAGIC, batch.end ? END : 0, batch.b, n, batch.newActors.length, batch.newKeys.length, text.length, batch.publisher ?? 0]);
  for (let i = 0; i < labels.length; i++) u32[HEADER_BYTES / 4 + i] = labels[i]!.length;
  for (let i = 0; i < batch.newKeys.length; i++) out[tracesAt + i] = TRACE_INDEX.get(batch.newKeyTraces[i]!) ?? 255;
  new Int32Array(out.buffer, actorAt, n).set(batch.actor.subarray(0, n));
  new Int32Array(out.buffer, keyAt, n).set(batch.key.subarray(0, n));
  new Float64Array(out.buffer, timeAt, n).set(batch.time.subarray(0, n));
  out.set(text, textAt);
  return out;
}

/** An end marker: the partition's (or, with several publishers, the publisher's) last message, saying how many batches precede it. */
export function encodeEnd(batches: number, publisher = 0): Uint8Array {
  return encodeBatch({ b: batches, end: true, publisher, newActors: [], newKeys: [], newKeyTraces: [], count: 0, actor: new Int32Array(0), key: new Int32Array(0), time: new Float64Array(0) });
}

/** Reads `encodeBatch`'s bytes; throws a LockstepError naming `where` and what is wrong. */
export function decodeBatch(input: Uint8Array, where: string): EventBatch {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not an event batch (${what})`);
  if (input.length < HEADER_BYTES) throw bad('too short');
  // Typed views need an aligned start; a message's bytes may sit anywhere in a pooled buffer (a
  // Node Buffer's slice() is a view, so copy through the Uint8Array constructor).
  const bytes = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4);
  const [magic, flags, b, n, actors, keys, textBytes, publisher] = header as unknown as [number, number, number, number, number, number, number, number];
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
