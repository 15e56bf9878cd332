/** Test helpers: pair tables as string-keyed maps, random traces for property tests. */
import fc from 'fast-check';
import type { ReferencePair } from '../reference.js';
import type { PairSink, PairTable, TraceEvents } from '../types.js';

export function pairMap(table: PairTable): Map<string, ReferencePair> {
  const map = new Map<string, ReferencePair>();
  for (let i = 0; i < table.size; i++) {
    const a = table.a[i]!;
    const b = table.b[i]!;
    const id = `${a},${b}`;
    if (map.has(id)) throw new Error(`pair ${id} appears twice`);
    if (!(a < b)) throw new Error(`pair ${id} is not ordered a < b`);
    map.set(id, { a, b, shared: table.shared[i]!, idf: table.idf[i]!, coActions: table.coActions[i]!, sumDelta: table.sumDelta[i]! });
  }
  return map;
}

export function close(x: number, y: number): boolean {
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

export function traceOf(rows: ReadonlyArray<readonly [actor: number, key: number, time: number]>): TraceEvents {
  return {
    actor: Int32Array.from(rows.map((r) => r[0])),
    key: Int32Array.from(rows.map((r) => r[1])),
    time: Float64Array.from(rows.map((r) => r[2])),
    actorCount: rows.reduce((m, r) => Math.max(m, r[0] + 1), 0),
    keyCount: rows.reduce((m, r) => Math.max(m, r[1] + 1), 0),
  };
}

/** Small random traces: few actors and keys so that co-actions, repeats and ties are frequent. */
export const arbitraryTrace: fc.Arbitrary<TraceEvents> = fc
  .record({ actors: fc.integer({ min: 1, max: 8 }), keys: fc.integer({ min: 1, max: 6 }), integral: fc.boolean() })
  .chain(({ actors, keys, integral }) =>
    fc
      .array(
        fc.tuple(
          fc.integer({ min: 0, max: actors - 1 }),
          fc.integer({ min: 0, max: keys - 1 }),
          integral ? fc.integer({ min: -50, max: 100 }) : fc.double({ min: -50, max: 100, noNaN: true }),
        ),
        { maxLength: 70 },
      )
      .map((rows) => ({ ...traceOf(rows), actorCount: actors, keyCount: keys })),
  );

/** An in-memory stand-in for a disk spill adapter; counts what went through it. */
export class MemorySink implements PairSink {
  spilled = 0;
  rows = 0;
  private readonly chunks = new Map<number, PairTable[]>();

  spill(partition: number, chunk: PairTable): void {
    // Copy, as a disk adapter would serialise: later kernel work must not reach these arrays.
    const copy: PairTable = {
      a: chunk.a.slice(0, chunk.size), b: chunk.b.slice(0, chunk.size), shared: chunk.shared.slice(0, chunk.size),
      idf: chunk.idf.slice(0, chunk.size), coActions: chunk.coActions.slice(0, chunk.size),
      sumDelta: chunk.sumDelta.slice(0, chunk.size), size: chunk.size,
    };
    const list = this.chunks.get(partition) ?? [];
    list.push(copy);
    this.chunks.set(partition, list);
    this.spilled++;
    this.rows += chunk.size;
  }

  take(partition: number): Iterable<PairTable> {
    const list = this.chunks.get(partition) ?? [];
    this.chunks.delete(partition);
    return list;
  }

  get pending(): number {
    let n = 0;
    for (const list of this.chunks.values()) n += list.length;
    return n;
  }
}
