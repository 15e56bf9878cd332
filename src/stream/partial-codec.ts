/**
 * A worker's partial for one partition (pair weights that sum across partitions, per-account
 * activity), and its bytes as stored between a worker and the coordinator.
 */
import { ByteWriter } from './byte-stream.js';
import { distinctValues } from './distinct-values.js';
import { columnStrings, unitsString } from './label-units.js';
import type { LabelColumn } from './label-units.js';
import type { StreamTrace } from './extract.js';
import { DELAY_ESCAPE, PARTIAL_FORMAT, PARTIAL_MARK, PRUNED_PARTIAL_FORMAT } from './partial-decode.js';
import type { PartialPairs } from './trace-window.js';

/** What one worker reports for one partition: sums that merge exactly across partitions. */
export interface PartitionPartial {
  partition: number;
  actors: string[];
  /**
   * A worker's partial: the same labels as code units (label-units.ts), which encodePartial reads;
   * `actors` is then made from them only if asked for (unitsPartial).
   */
  actorUnits?: LabelColumn;
  /**
   * Per trace: pair columns (actor = index into `actors`), and per actor its distinct keys. Workers
   * list `actors` in label order and group the rows by `a` ascending (sorted-partial.ts), which
   * lets the coordinator merge without hashing; partials in any other order merge the slower way.
   */
  traces: { trace: StreamTrace; pairs: PartialPairs; activity: { actor: Int32Array; keys: Int32Array }; pruned?: PrunedPairs }[];
  events: number;
  duplicates: number;
  /** A continuous job's slice partial: the event time (exclusive) its horizon ends at. */
  upTo?: number;
  /**
   * A pruned partial (pruned-partial.ts): the partitions whose pair filters its rows were checked
   * against. Its pruned pairs are in no other of them, so the coordinator must have no partition
   * outside this list.
   */
  prunedAgainst?: number[];
}

/**
 * A partial whose labels are `actorUnits`: its `actors` are strings made from them the first time
 * they are read (a worker's own partial is encoded and stored, its labels never read as strings;
 * a spread of it reads them). A finish thread sends it without them (finish-pool.ts sendable).
 */
export function unitsPartial(fields: Omit<PartitionPartial, 'actors'> & { actorUnits: LabelColumn }): PartitionPartial {
  let actors: string[] | null = null;
  return {
    ...fields,
    get actors(): string[] {
      return (actors ??= columnStrings(fields.actorUnits));
    },
  };
}

/**
 * The rows a pruned partial leaves out: pairs in this partition only, each with fewer than
 * `minShared` shared keys, so none can pass the null model, which reads them only as tests
 * (`pairs`, added to the distinct pairs) and through each account's strength (Σ shared keys).
 */
export interface PrunedPairs {
  minShared: number;
  pairs: number;
  /** Per account of `actors`: Σ shared keys over its pruned pairs. */
  strength: Int32Array;
}

export { decodePartial, PARTIAL_FORMAT } from './partial-decode.js';

/**
 * A partial as bytes (format 3): the mark, a length-prefixed JSON header (partition, counts, per
 * trace the layout chosen), then byte columns with no general-purpose compressor — each says what
 * nearly every row of the bench's partials holds in as few bytes as it takes, exactly:
 * - actor labels front-coded (they come in label order: each is the code units it shares with the
 *   one before, and the rest, all rests joined in one JSON string of the header);
 * - `a` as a row count per account (varints) while rows are grouped by `a` ascending (workers'
 *   order), else a column; `b` in 2 bytes while a partition has at most 65,536 accounts, else 4;
 * - Σ ln n_k as a table of its distinct values, most used first, and a varint index a row (one
 *   byte for the 128 most used), or 8-byte floats past 65,536 distinct values;
 * - Σ |Δt| in 2 bytes while whole ms (event times are) below 65,535, larger ones escaped to a
 *   varint after the column, or 8-byte floats if any is not a whole number of ms below 2^32;
 * - shared keys and co-actions as the rows where either is not 1 (row gap, shared, co-actions);
 * - activity as varints (account as the gap from the one before, zigzag, and its keys);
 * - format 4 only (a pruned partial, pruned-partial.ts): the header lists the partitions it was
 *   checked against and per trace its pruned pairs' count and bound, and the body each account's
 *   pruned strength (varints) after the trace's activity. Unpruned partials stay format 3.
 * On the bench's partials (878k events) that is 24.7 bytes an event against format 2's 62.5 (33.5
 * gzipped); its labels are synthetic and front-code to 0.55 bytes an event, real did:plc labels
 * would take more. Format 2 (partial-codec-v2.ts, no mark) is still read; a legacy partial would
 * need a 55 MB header for its length to look like this mark.
 */
export function encodePartial(partial: PartitionPartial): Uint8Array {
  const units = partial.actorUnits;
  const actorCount = units?.count ?? partial.actors.length;
  const idBytes = actorCount <= 65_536 ? 2 : 4;
  const pruned = partial.prunedAgainst !== undefined;
  const rows = partial.traces.reduce((sum, entry) => sum + entry.pairs.size, 0);
  const body = spareBody ?? new ByteWriter();
  spareBody = null;
  body.length = 0;
  body.reserve(8 * rows + 4 * actorCount + 1_024);
  const labels = units === undefined ? frontCoded(partial.actors, body) : frontCodedUnits(units, body);
  const layouts = partial.traces.map(({ pairs, activity, pruned }) => {
    const n = pairs.size;
    const runs = groupedAscending(pairs.a, n, actorCount);
    if (runs) writeRuns(pairs.a, n, actorCount, body);
    else body.fixed(pairs.a, 0, n, idBytes);
    body.fixed(pairs.b, 0, n, idBytes);
    const logN = writeLogN(pairs.sumLogN.subarray(0, n), body);
    const delays = writeDelays(pairs.sumDelta.subarray(0, n), body);
    const exceptions = writeExceptions(pairs, body);
    let last = 0;
    for (let i = 0; i < activity.actor.length; i++) {
      const gap = activity.actor[i]! - last;
      body.varint((gap << 1) ^ (gap >> 31));
      last = activity.actor[i]!;
    }
    for (let i = 0; i < activity.keys.length; i++) body.varint(activity.keys[i]!);
    if (pruned !== undefined) for (let i = 0; i < actorCount; i++) body.varint(pruned.strength[i]!);
    return { a: runs ? ('runs' as const) : ('ids' as const), logN, delays, exceptions, ...(pruned === undefined ? {} : { pruned: { minShared: pruned.minShared, pairs: pruned.pairs } }) };
  });
  const header = new TextEncoder().encode(JSON.stringify({
    partition: partial.partition, actors: actorCount, labels, events: partial.events, duplicates: partial.duplicates, ...(partial.upTo === undefined ? {} : { upTo: partial.upTo }),
    ...(partial.prunedAgainst === undefined ? {} : { prunedAgainst: partial.prunedAgainst }),
    traces: partial.traces.map((entry, t) => ({ trace: entry.trace, pairs: entry.pairs.size, activity: entry.activity.actor.length, ids: idBytes, ...layouts[t]! })),
  }));
  const out = new Uint8Array(8 + header.length + body.length);
  out.set([...PARTIAL_MARK, pruned ? PRUNED_PARTIAL_FORMAT : PARTIAL_FORMAT]);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  out.set(body.result(), 8 + header.length);
  spareBody = body;
  return out;
}

/**
 * The body's writer, kept from one encode to the next (grown, never shrunk): a partition's body in
 * fresh pages (about 4 MB on the bench) cost page faults and the collector's external-memory GCs
 * every time. Null while an encode holds it.
 */
let spareBody: ByteWriter | null = null;

/**
 * Writes each label's code units shared with the one before and its rest's length; returns the
 * rests joined. Still the largest part of encoding in the bench (10-15 ms a partition of 20k
 * labels): a worker's labels are cons strings (wire-batch.ts builds each as the label before's
 * prefix + its rest), slow to read however they are compared. Comparing them as they are cost
 * about three quarters of comparing inside one joined copy, whose join flattened every label
 * (session 17); comparing as bytes was no faster (session 16).
 */
function frontCoded(labels: readonly string[], body: ByteWriter): string {
  const rests: string[] = [];
  let previous = '';
  for (const label of labels) {
    const length = label.length, most = Math.min(length, previous.length);
    let shared = 0;
    while (shared < most && label.charCodeAt(shared) === previous.charCodeAt(shared)) shared++;
    body.varint(shared);
    body.varint(length - shared);
    if (shared < length) rests.push(label.slice(shared));
    previous = label;
  }
  return rests.join('');
}

/** `frontCoded` of labels as code units (label-units.ts): the same varints and rests, read from one buffer in order. */
function frontCodedUnits(column: LabelColumn, body: ByteWriter): string {
  const { units, starts, count } = column;
  const rests = new Uint16Array(starts[count]!);
  let length = 0, previous = 0, previousEnd = 0;
  for (let i = 0; i < count; i++) {
    const at = starts[i]!, end = starts[i + 1]!, most = Math.min(end - at, previousEnd - previous);
    let shared = 0;
    while (shared < most && units[at + shared] === units[previous + shared]) shared++;
    body.varint(shared);
    body.varint(end - at - shared);
    for (let u = at + shared; u < end; u++) rests[length++] = units[u]!;
    previous = at;
    previousEnd = end;
  }
  return unitsString(rests, 0, length);
}

/** Whether `a` never decreases and names only listed accounts (else it goes as a column, and a bad id is the reader's to refuse). */
function groupedAscending(a: Int32Array, n: number, actorCount: number): boolean {
  for (let row = 1; row < n; row++) if (a[row]! < a[row - 1]!) return false;
  return n === 0 || (a[0]! >= 0 && a[n - 1]! < actorCount);
}

/** Rows grouped by `a` ascending as a count per account (0 for accounts with none). */
function writeRuns(a: Int32Array, n: number, actorCount: number, body: ByteWriter): void {
  const counts = new Int32Array(actorCount);
  for (let row = 0; row < n; row++) counts[a[row]!]!++;
  for (let actor = 0; actor < actorCount; actor++) body.varint(counts[actor]!);
}

/** Σ ln n_k as a table, most used value first, and a varint index a row; returns the table's size (0: 8-byte floats). */
function writeLogN(column: Float64Array, body: ByteWriter): number {
  const distinct = distinctValues(column);
  if (distinct === null || distinct.values.length === 0) {
    body.raw(column);
    return 0;
  }
  const { values, index } = distinct;
  const uses = new Int32Array(values.length);
  for (let row = 0; row < index.length; row++) uses[index[row]!]!++;
  const byUse = Array.from(values, (_, e) => e).sort((x, y) => uses[y]! - uses[x]! || x - y);
  const rank = new Int32Array(values.length);
  byUse.forEach((e, r) => (rank[e] = r));
  body.raw(Float64Array.from(byUse, (e) => values[e]!));
  // Indexes are below 2^16: at most 3 bytes each, written here rather than a call a row.
  body.reserve(3 * index.length);
  const bytes = body.bytes;
  let at = body.length;
  for (let row = 0; row < index.length; row++) {
    let v = rank[index[row]!]!;
    while (v >= 0x80) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at++] = v;
  }
  body.length = at;
  return values.length;
}

/** Σ |Δt| in 2 bytes a row and escaped varints (returns 2), or 8-byte floats (returns 8). */
function writeDelays(column: Float64Array, body: ByteWriter): 2 | 8 {
  const n = column.length, from = body.length;
  body.reserve(2 * n);
  const bytes = body.bytes;
  let at = from, escaped = 0;
  for (let row = 0; row < n; row++, at += 2) {
    const value = column[row]!;
    if (value !== value >>> 0 || (value === 0 && 1 / value < 0)) {
      body.length = from;
      body.raw(column);
      return 8;
    }
    const stored = value < DELAY_ESCAPE ? value : DELAY_ESCAPE;
    if (stored === DELAY_ESCAPE) escaped++;
    bytes[at] = stored;
    bytes[at + 1] = stored >>> 8;
  }
  body.length = at;
  if (escaped > 0) for (let row = 0; row < n; row++) if (column[row]! >= DELAY_ESCAPE) body.varint(column[row]!);
  return 2;
}

/** The rows whose shared keys or co-actions are not 1: gap from the one before, shared, co-actions; returns how many. */
function writeExceptions(pairs: PartialPairs, body: ByteWriter): number {
  let count = 0, last = 0;
  for (let row = 0; row < pairs.size; row++) {
    if (pairs.shared[row] === 1 && pairs.coActions[row] === 1) continue;
    body.varint(row - last);
    body.varint(pairs.shared[row]!);
    body.varint(pairs.coActions[row]!);
    last = row;
    count++;
  }
  return count;
}
