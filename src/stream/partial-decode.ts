/**
 * The coordinator's reading of a partial's bytes (partial-codec.ts writes them; format 2 is read
 * by partial-codec-v2.ts). Each column is read from the bytes once, into the array the merge
 * takes, with its checks in the same loop: no index or copy arrays between (on the bench's 8
 * partials, 12 of the 44 bytes allocated a row, and a quarter of the unpack's time was GC).
 */
import { z } from 'zod';
import { LockstepError } from '../model/index.js';
import { ByteReader } from './byte-stream.js';
import { STREAM_TRACES } from './extract.js';
import { decodePartialV2, readHeader } from './partial-codec-v2.js';
import type { PartitionPartial } from './partial-codec.js';

/** The format `encodePartial` writes; its mark is 'LSC' and this byte. */
export const PARTIAL_FORMAT = 3;
export const PARTIAL_MARK = [0x4c, 0x53, 0x43] as const; // 'LSC'
/** Format 3 with pruned rows' sums (pruned-partial.ts): read alike. */
export const PRUNED_PARTIAL_FORMAT = 4;
/** Σ |Δt| of one row in 2 bytes below this; this value says "the next escaped varint". */
export const DELAY_ESCAPE = 0xffff;

const Count = z.number().int().nonnegative();
const PartialHeader = z.object({
  partition: Count, actors: Count, labels: z.string(), events: z.number(), duplicates: z.number(), upTo: z.number().optional(), prunedAgainst: z.array(Count).optional(),
  traces: z.array(z.object({
    trace: z.enum(STREAM_TRACES), pairs: Count, activity: Count, ids: z.union([z.literal(2), z.literal(4)]), a: z.enum(['runs', 'ids']),
    logN: Count, delays: z.union([z.literal(2), z.literal(8)]), exceptions: Count, pruned: z.object({ minShared: Count, pairs: Count }).optional(),
  })),
});

/** Reads `encodePartial`'s bytes, or format 2's; throws a LockstepError naming what is wrong. */
export function decodePartial(bytes: Uint8Array, where: string): PartitionPartial {
  const bad = (what: string): LockstepError => new LockstepError('detect/bad-input', `${where}: not a partial (${what})`);
  if (!PARTIAL_MARK.every((byte, i) => bytes[i] === byte)) return decodePartialV2(bytes, where);
  const format = bytes[3];
  if (format !== PARTIAL_FORMAT && format !== PRUNED_PARTIAL_FORMAT) {
    throw new LockstepError('detect/bad-input', `${where}: a partial in format ${format ?? '(none)'}, which this lockstep does not read (it reads formats 2 to ${PRUNED_PARTIAL_FORMAT}): run the coordinator from the same version as the workers`);
  }
  const { length, header } = readHeader(bytes, 4, PartialHeader, bad);
  const { partition, actors: actorCount, labels, events, duplicates, upTo, prunedAgainst } = header;
  if ((format === PRUNED_PARTIAL_FORMAT) !== (prunedAgainst !== undefined)) throw bad(`format ${format} ${prunedAgainst === undefined ? 'without' : 'with'} the partitions it was pruned against`);
  const body = new ByteReader(bytes, 8 + length, bad);
  const actors = readLabels(actorCount, labels, body, bad);
  const traces = header.traces.map(({ trace, pairs: n, activity: m, ids, a: aLayout, logN, delays, exceptions, pruned }) => {
    const outside = (row: number): LockstepError => bad(`${trace}: pair ${row} names an account outside the ${actorCount} it lists`);
    const a = new Int32Array(n), b = new Int32Array(n);
    // Runs name only listed accounts; a column and `b` may name any.
    if (aLayout === 'runs') readRuns(a, actorCount, body, () => bad(`${trace}: its accounts' row counts do not add up to its ${n} pairs`));
    else readIds(a, ids, actorCount, body, outside, bad);
    readIds(b, ids, actorCount, body, outside, bad);
    const sumLogN = logN === 0 ? body.floats(n) : readLogN(body.floats(logN), n, body, () => bad(`${trace}: a pair names a value outside the ${logN} of its table`));
    const sumDelta = delays === 8 ? body.floats(n) : readDelays(n, body, bad);
    const shared = new Int32Array(n).fill(1), coActions = new Int32Array(n).fill(1);
    for (let e = 0, row = 0; e < exceptions; e++) {
      row += body.varint();
      if (row >= n) throw bad(`${trace}: an exception past its ${n} pairs`);
      shared[row] = body.varint();
      coActions[row] = body.varint();
    }
    const actor = new Int32Array(m), keys = new Int32Array(m);
    body.varints(actor, 0, m);
    for (let i = 0, last = 0; i < m; i++) actor[i] = last += (actor[i]! >>> 1) ^ -(actor[i]! & 1);
    body.varints(keys, 0, m);
    const entry = { trace, pairs: { a, b, shared, sumLogN, coActions, sumDelta, size: n }, activity: { actor, keys } };
    if (pruned === undefined) return entry;
    const strength = new Int32Array(actorCount);
    body.varints(strength, 0, actorCount);
    return { ...entry, pruned: { ...pruned, strength } };
  });
  if (body.at !== bytes.length) throw bad(`${bytes.length - body.at} bytes past its columns`);
  return { partition, actors, events, duplicates, traces, ...(upTo === undefined ? {} : { upTo }), ...(prunedAgainst === undefined ? {} : { prunedAgainst }) };
}

function readLabels(count: number, rests: string, body: ByteReader, bad: (what: string) => Error): string[] {
  const labels = new Array<string>(count);
  let previous = '', at = 0;
  for (let i = 0; i < count; i++) {
    const shared = body.varint(), rest = body.varint();
    if (shared > previous.length || at + rest > rests.length) throw bad(`label ${i} reaches past what it is made of`);
    previous = labels[i] = previous.slice(0, shared) + rests.slice(at, at + rest);
    at += rest;
  }
  if (at !== rests.length) throw bad('labels leave text over');
  return labels;
}

/** Rows grouped by `a` ascending from a row count per account (one store a row: a fill call per account cost more). */
function readRuns(a: Int32Array, actorCount: number, body: ByteReader, mismatch: () => Error): void {
  let row = 0;
  for (let actor = 0; actor < actorCount; actor++) {
    const count = body.varint();
    if (count > a.length - row) throw mismatch();
    for (const end = row + count; row < end; row++) a[row] = actor;
  }
  if (row !== a.length) throw mismatch();
}

/** Account ids of `width` bytes (little-endian; 4: int32), each checked to name one of the `actorCount` listed. */
function readIds(out: Int32Array, width: 2 | 4, actorCount: number, body: ByteReader, outside: (row: number) => Error, bad: (what: string) => Error): void {
  const n = out.length;
  if (body.at + width * n > body.bytes.length) throw bad('truncated');
  const bytes = body.bytes;
  let at = body.at;
  if (width === 2) {
    for (let row = 0; row < n; row++, at += 2) {
      const id = bytes[at]! | (bytes[at + 1]! << 8);
      if (id >= actorCount) throw outside(row);
      out[row] = id;
    }
  } else {
    for (let row = 0; row < n; row++, at += 4) {
      const id = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
      if (!(id >= 0 && id < actorCount)) throw outside(row);
      out[row] = id;
    }
  }
  body.at = at;
}

/** Σ ln n_k from its table by a varint index a row, read and looked up in one pass. */
function readLogN(table: Float64Array, n: number, body: ByteReader, outside: () => Error): Float64Array {
  const column = new Float64Array(n), bytes = body.bytes, size = table.length;
  let at = body.at;
  for (let row = 0; row < n; row++) {
    const byte = bytes[at];
    let index: number;
    if (byte !== undefined && byte < 0x80) {
      index = byte;
      at++;
    } else {
      body.at = at;
      index = body.varint();
      at = body.at;
    }
    if (index >= size) throw outside();
    column[row] = table[index]!;
  }
  body.at = at;
  return column;
}

/** Σ |Δt| from 2 bytes a row, DELAY_ESCAPE rows from the varints after the column. */
function readDelays(n: number, body: ByteReader, bad: (what: string) => Error): Float64Array {
  if (body.at + 2 * n > body.bytes.length) throw bad('truncated');
  const column = new Float64Array(n), bytes = body.bytes;
  let escaped = false;
  for (let row = 0, at = body.at; row < n; row++, at += 2) {
    const value = bytes[at]! | (bytes[at + 1]! << 8);
    column[row] = value;
    if (value === DELAY_ESCAPE) escaped = true;
  }
  body.at += 2 * n;
  if (escaped) for (let row = 0; row < n; row++) if (column[row] === DELAY_ESCAPE) column[row] = body.varint();
  return column;
}
