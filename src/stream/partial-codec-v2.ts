/**
 * The partial's bytes as workers wrote them up to session 15 (format 2): kept so a coordinator
 * reads partials stored by an older worker, and to measure format 3 against.
 */
import { z } from 'zod';
import { LockstepError } from '../model/index.js';
import { distinctValues, MAX_DISTINCT } from './distinct-values.js';
import { STREAM_TRACES } from './extract.js';
import type { PartitionPartial } from './partial-codec.js';

/**
 * Format 2: a length-prefixed JSON header (partition, counts, actor labels) and the
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
export function encodePartialV2(partial: PartitionPartial): Uint8Array {
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

/** Reads `encodePartialV2`'s bytes; throws a LockstepError naming what is wrong. */
export function decodePartialV2(bytes: Uint8Array, where: string): PartitionPartial {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not a partial (${what})`);
  const { length, header: parsed } = readHeader(bytes, 0, PartialHeader, bad);
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
  const actorCount = parsed.actors.length;
  const fromTable = (values: Float64Array, index: Uint16Array, trace: string): Float64Array => {
    const column = new Float64Array(index.length);
    for (let row = 0; row < index.length; row++) {
      const value = values[index[row]!];
      if (value === undefined) throw bad(`${trace}: pair ${row} names a value outside the ${values.length} of its table`);
      column[row] = value;
    }
    return column;
  };
  const traces = parsed.traces.map(({ trace, pairs: n, activity: m, ids, counts, logN, delays }) => {
    const sumLogN = logN === 0 ? f64(n) : fromTable(f64(logN), take(n, 2, (buffer) => new Uint16Array(buffer)), trace);
    const sumDelta = delays === 8 ? f64(n) : take(n, 4, (buffer) => Float64Array.from(new Uint32Array(buffer)));
    const a = int(n, ids), b = int(n, ids), shared = int(n, counts), coActions = int(n, counts);
    const actor = i32(m), keys = i32(m);
    for (let row = 0; row < n; row++) if (!(a[row]! < actorCount && b[row]! < actorCount && a[row]! >= 0 && b[row]! >= 0)) throw bad(`${trace}: pair ${row} names an account outside the ${actorCount} it lists`);
    return { trace, pairs: { a, b, shared, sumLogN, coActions, sumDelta, size: n }, activity: { actor, keys } };
  });
  const { partition, actors, events, duplicates, upTo } = parsed;
  return { partition, actors, events, duplicates, traces, ...(upTo === undefined ? {} : { upTo }) };
}


/** A partial's JSON header: its u32 length at `at`, the header after it, checked against `schema`. */
export function readHeader<T>(bytes: Uint8Array, at: number, schema: z.ZodType<T>, bad: (what: string) => LockstepError): { length: number; header: T } {
  if (bytes.length < at + 4) throw bad('too short');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + length)));
  } catch {
    throw bad('unreadable header');
  }
  const parsed = schema.safeParse(header);
  if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? 'bad header');
  return { length, header: parsed.data };
}
