/**
 * A worker's partial for one partition (pair weights that sum across partitions, per-account
 * activity), and its bytes as stored between a worker and the coordinator.
 */
import { z } from 'zod';
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import type { PartialPairs } from './trace-window.js';

/** What one worker reports for one partition: sums that merge exactly across partitions. */
export interface PartitionPartial {
  partition: number;
  actors: string[];
  /**
   * Per trace: pair columns (actor = index into `actors`), and per actor its distinct keys. Workers
   * list `actors` in label order and group the rows by `a` ascending (sorted-partial.ts), which
   * lets the coordinator merge without hashing; partials in any other order merge the slower way.
   */
  traces: { trace: StreamTrace; pairs: PartialPairs; activity: { actor: Int32Array; keys: Int32Array } }[];
  events: number;
  duplicates: number;
  /** A continuous job's slice partial: the event time (exclusive) its horizon ends at. */
  upTo?: number;
}

/**
 * A partial as bytes: a length-prefixed JSON header (partition, counts, actor labels) and the
 * typed columns raw after it — a partition's pairs run to millions, and JSON numbers would be
 * most of a worker's and the coordinator's time. Columns are as narrow as their values allow,
 * per trace (the header says): account ids in 2 bytes while a partition has at most 65,536
 * accounts, shared keys and co-actions in 1 byte while none passes 255 (nearly every pair has
 * one of each). Σ ln n_k goes as a table of its distinct values and a 2-byte index per pair
 * while it has at most 65,536 (nearly every pair shares one key, so the values are one per key's
 * n_k: 630 over the bench's 991k pairs), and Σ |Δt| in 4 bytes while every sum is a whole number
 * of ms below 2^32 (event times are whole ms); both exact to the bit. On the bench's partials
 * that is 22 bytes a pair at most (26.0 MB) and 12 with both (14.2 MB), and gzip's time and
 * output shrink with it (docs/streaming.md).
 */
export function encodePartial(partial: PartitionPartial): Uint8Array {
  const idBytes = partial.actors.length <= 65_536 ? 2 : 4;
  const columns: ArrayBufferView[] = [];
  const widths: { ids: 2 | 4; counts: 1 | 4; logN: number; delays: 4 | 8 }[] = [];
  for (const { pairs, activity } of partial.traces) {
    const n = pairs.size;
    let most = 0;
    for (let row = 0; row < n; row++) most = Math.max(most, pairs.shared[row]!, pairs.coActions[row]!);
    const counts = most <= 255 ? 1 : 4;
    const logN = distinctValues(pairs.sumLogN.subarray(0, n));
    const delays = wholeMs(pairs.sumDelta.subarray(0, n));
    widths.push({ ids: idBytes, counts, logN: logN === null ? 0 : logN.values.length, delays: delays === null ? 8 : 4 });
    const ids = (column: Int32Array): ArrayBufferView => (idBytes === 2 ? Uint16Array.from(column.subarray(0, n)) : column.subarray(0, n));
    const tally = (column: Int32Array): ArrayBufferView => (counts === 1 ? Uint8Array.from(column.subarray(0, n)) : column.subarray(0, n));
    if (logN === null) columns.push(pairs.sumLogN.subarray(0, n));
    else columns.push(logN.values, logN.index);
    columns.push(delays ?? pairs.sumDelta.subarray(0, n), ids(pairs.a), ids(pairs.b), tally(pairs.shared), tally(pairs.coActions), activity.actor, activity.keys);
  }
  const header = new TextEncoder().encode(JSON.stringify({
    partition: partial.partition, actors: partial.actors, events: partial.events, duplicates: partial.duplicates, ...(partial.upTo === undefined ? {} : { upTo: partial.upTo }),
    traces: partial.traces.map((entry, t) => ({ trace: entry.trace, pairs: entry.pairs.size, activity: entry.activity.actor.length, ...widths[t] })),
  }));
  return frameColumns(header, columns);
}

/** Most distinct values a column's table may hold (its index is 2 bytes a row). */
const MAX_DISTINCT = 65_536;

/**
 * A float column as its distinct values (by bit pattern, in order of first use) and each row's
 * index into them, or null if it has more than MAX_DISTINCT. Open addressing on the two 32-bit
 * halves of each value: a Map keyed by numbers cost more than the bytes it saved.
 */
export function distinctValues(column: Float64Array): { values: Float64Array; index: Uint16Array } | null {
  const n = column.length;
  const words = new Uint32Array(column.buffer, column.byteOffset, 2 * n);
  const slotCount = 1 << Math.max(4, Math.ceil(Math.log2(2 * Math.min(n, MAX_DISTINCT) + 1)));
  const mask = slotCount - 1;
  const slots = new Int32Array(slotCount);
  const firstRow = new Int32Array(Math.min(n, MAX_DISTINCT));
  const index = new Uint16Array(n);
  let size = 0;
  for (let row = 0; row < n; row++) {
    const lo = words[2 * row]!, hi = words[2 * row + 1]!;
    let slot = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca77) >>> 7) & mask;
    for (;;) {
      const stored = slots[slot]!;
      if (stored === 0) {
        if (size === MAX_DISTINCT) return null;
        firstRow[size] = row;
        slots[slot] = ++size;
        index[row] = size - 1;
        break;
      }
      const at = firstRow[stored - 1]!;
      if (words[2 * at] === lo && words[2 * at + 1] === hi) {
        index[row] = stored - 1;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const values = new Float64Array(size);
  for (let e = 0; e < size; e++) values[e] = column[firstRow[e]!]!;
  return { values, index };
}

/** The column as 4-byte whole numbers, or null if any value is not a whole number in [0, 2^32) (or is -0). */
function wholeMs(column: Float64Array): Uint32Array | null {
  const out = new Uint32Array(column.length);
  for (let row = 0; row < column.length; row++) {
    const value = column[row]!;
    if (value !== value >>> 0 || (value === 0 && 1 / value < 0)) return null;
    out[row] = value;
  }
  return out;
}

/**
 * The partial's layout: the header's length (u32), the JSON header, then each column's bytes, each
 * starting on an 8-byte boundary so the reader can view them in place.
 */
export function frameColumns(header: Uint8Array, columns: readonly ArrayBufferView[]): Uint8Array {
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const out = new Uint8Array(start + columns.reduce((sum, column) => sum + Math.ceil(column.byteLength / 8) * 8, 0));
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let offset = start;
  for (const column of columns) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
    offset += Math.ceil(column.byteLength / 8) * 8;
  }
  return out;
}

const PartialHeader = z.object({
  partition: z.number().int().nonnegative(), actors: z.array(z.string()), events: z.number(), duplicates: z.number(), upTo: z.number().optional(),
  traces: z.array(z.object({
    trace: z.enum(STREAM_TRACES), pairs: z.number().int().nonnegative(), activity: z.number().int().nonnegative(),
    // Absent in partials written before session 6: 4-byte columns.
    ids: z.union([z.literal(2), z.literal(4)]).default(4), counts: z.union([z.literal(1), z.literal(4)]).default(4),
    // Absent before session 11: Σ ln n_k and Σ |Δt| as 8-byte floats.
    logN: z.number().int().min(0).max(MAX_DISTINCT).default(0), delays: z.union([z.literal(4), z.literal(8)]).default(8),
  })),
});

/** Reads `encodePartial`'s bytes; throws a LockstepError naming what is wrong. */
export function decodePartial(bytes: Uint8Array, where: string): PartitionPartial {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not a partial (${what})`);
  if (bytes.length < 4) throw bad('too short');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  } catch {
    throw bad('unreadable header');
  }
  const parsed = PartialHeader.safeParse(header);
  if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? 'bad header');
  let offset = Math.ceil((4 + length) / 8) * 8;
  const take = <T>(count: number, width: number, make: (buffer: ArrayBuffer) => T): T => {
    const end = offset + count * width;
    if (end > bytes.length) throw bad('truncated');
    // A copy into a buffer of its own (aligned; `bytes` may be a Node Buffer, whose slice is a view of a pool).
    const column = make(new Uint8Array(bytes.subarray(offset, end)).buffer);
    offset += Math.ceil((count * width) / 8) * 8;
    return column;
  };
  const f64 = (n: number): Float64Array => take(n, 8, (buffer) => new Float64Array(buffer));
  const i32 = (n: number): Int32Array => take(n, 4, (buffer) => new Int32Array(buffer));
  const int = (n: number, width: 1 | 2 | 4): Int32Array => (width === 4 ? i32(n) : take(n, width, (buffer) => new Int32Array(width === 2 ? new Uint16Array(buffer) : new Uint8Array(buffer))));
  const actorCount = parsed.data.actors.length;
  const fromTable = (values: Float64Array, index: Uint16Array, trace: string): Float64Array => {
    const column = new Float64Array(index.length);
    for (let row = 0; row < index.length; row++) {
      const value = values[index[row]!];
      if (value === undefined) throw bad(`${trace}: pair ${row} names a value outside the ${values.length} of its table`);
      column[row] = value;
    }
    return column;
  };
  const traces = parsed.data.traces.map(({ trace, pairs: n, activity: m, ids, counts, logN, delays }) => {
    const sumLogN = logN === 0 ? f64(n) : fromTable(f64(logN), take(n, 2, (buffer) => new Uint16Array(buffer)), trace);
    const sumDelta = delays === 8 ? f64(n) : take(n, 4, (buffer) => Float64Array.from(new Uint32Array(buffer)));
    const a = int(n, ids), b = int(n, ids), shared = int(n, counts), coActions = int(n, counts);
    const actor = i32(m), keys = i32(m);
    for (let row = 0; row < n; row++) if (!(a[row]! < actorCount && b[row]! < actorCount && a[row]! >= 0 && b[row]! >= 0)) throw bad(`${trace}: pair ${row} names an account outside the ${actorCount} it lists`);
    return { trace, pairs: { a, b, shared, sumLogN, coActions, sumDelta, size: n }, activity: { actor, keys } };
  });
  const { partition, actors, events, duplicates, upTo } = parsed.data;
  return { partition, actors, events, duplicates, traces, ...(upTo === undefined ? {} : { upTo }) };
}

