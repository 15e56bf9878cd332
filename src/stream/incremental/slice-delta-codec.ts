/**
 * A slice delta (slice-delta.ts) as bytes ("LSD2"): a 48-byte header (magic, partition, labelsFrom,
 * label count, trace count, upTo and events as f64, slice as u32 and follows as i32), the labels (u32 length and UTF-8 bytes each),
 * then every column as a u32 element count and its little-endian elements, 8-byte aligned, so a
 * decoder takes each column as a copy of its bytes. Per trace: its index in STREAM_TRACES, then
 * its twelve columns in TraceDelta's order.
 */
import { LockstepError } from '../../model/index.js';
import { STREAM_TRACES } from '../extract.js';
import type { SliceDelta, TraceDelta } from './slice-delta.js';

// "LSD2": LSD1 had no slice numbers.
const MAGIC = 0x3244_534c;
const HEADER = 48;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Column = Int32Array | Int8Array | Float64Array;

const traceColumns = (t: TraceDelta): Column[] => [t.keyId, t.keyActors, t.activityActor, t.activityChange, t.memberA, t.memberB, t.memberKey, t.memberSign, t.pairA, t.pairB, t.pairCoActions, t.pairDelay];
const align8 = (n: number): number => (n + 7) & ~7;

/** @example decodeSliceDelta(encodeSliceDelta(delta), 'partition 3') // equal to delta */
export function encodeSliceDelta(delta: SliceDelta): Uint8Array {
  const labels = delta.labels.map((label) => encoder.encode(label));
  let size = HEADER;
  for (const label of labels) size += 4 + label.length;
  size = align8(size);
  const columns: Column[] = [delta.accountsBegan, delta.accountsEnded];
  for (const trace of delta.traces) columns.push(...traceColumns(trace));
  size += 8 * delta.traces.length;
  for (const column of columns) size += 8 + align8(column.byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, delta.partition, true);
  view.setUint32(8, delta.labelsFrom, true);
  view.setUint32(12, labels.length, true);
  view.setUint32(16, delta.traces.length, true);
  view.setFloat64(24, delta.upTo, true);
  view.setFloat64(32, delta.events, true);
  view.setUint32(40, delta.slice, true);
  view.setInt32(44, delta.follows, true);
  let at = HEADER;
  for (const label of labels) {
    view.setUint32(at, label.length, true);
    bytes.set(label, at + 4);
    at += 4 + label.length;
  }
  at = align8(at);
  const put = (column: Column): void => {
    view.setUint32(at, column.length, true);
    bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at + 8);
    at += 8 + align8(column.byteLength);
  };
  put(delta.accountsBegan);
  put(delta.accountsEnded);
  for (const trace of delta.traces) {
    view.setUint32(at, STREAM_TRACES.indexOf(trace.trace), true);
    at += 8;
    for (const column of traceColumns(trace)) put(column);
  }
  return bytes;
}

export function decodeSliceDelta(bytes: Uint8Array, where: string): SliceDelta {
  const bad = (reason: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not a slice delta (${reason})`);
  if (bytes.length < HEADER) throw bad(`${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw bad('magic');
  const labelCount = view.getUint32(12, true), traceCount = view.getUint32(16, true);
  let at = HEADER;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw bad(`cut short at byte ${at}`);
  };
  const labels: string[] = [];
  for (let i = 0; i < labelCount; i++) {
    need(4);
    const length = view.getUint32(at, true);
    need(4 + length);
    labels.push(decoder.decode(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  at = align8(at);
  const take = <C extends Column>(make: (buffer: ArrayBuffer, length: number) => C, width: number): C => {
    need(8);
    const length = view.getUint32(at, true);
    need(8 + length * width);
    const copy = bytes.slice(at + 8, at + 8 + length * width);
    at += 8 + align8(length * width);
    return make(copy.buffer, length);
  };
  const i32 = (): Int32Array => take((buffer, length) => new Int32Array(buffer, 0, length), 4);
  const accountsBegan = i32(), accountsEnded = i32();
  const traces: TraceDelta[] = [];
  for (let t = 0; t < traceCount; t++) {
    need(8);
    const trace = STREAM_TRACES[view.getUint32(at, true)];
    if (trace === undefined) throw bad(`trace ${view.getUint32(at, true)}`);
    at += 8;
    const [keyId, keyActors, activityActor, activityChange, memberA, memberB, memberKey] = [i32(), i32(), i32(), i32(), i32(), i32(), i32()];
    const memberSign = take((buffer, length) => new Int8Array(buffer, 0, length), 1);
    const [pairA, pairB, pairCoActions] = [i32(), i32(), i32()];
    const pairDelay = take((buffer, length) => new Float64Array(buffer, 0, length), 8);
    traces.push({ trace, keyId, keyActors, activityActor, activityChange, memberA, memberB, memberKey, memberSign, pairA, pairB, pairCoActions, pairDelay });
  }
  return { partition: view.getUint32(4, true), slice: view.getUint32(40, true), follows: view.getInt32(44, true), labelsFrom: view.getUint32(8, true), labels, upTo: view.getFloat64(24, true), events: view.getFloat64(32, true), accountsBegan, accountsEnded, traces };
}
