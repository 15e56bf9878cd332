/**
 * The pure half of scale-out: the partitioner (partitioner.ts) turns actions into trace events
 * partitioned by key (all events on one key meet in one worker, which is what the windowed
 * co-action rule needs) in numbered binary batches; a worker turns its partitions' batches into a
 * partial (pair weights that sum across partitions, and per-actor activity); the coordinator
 * merges the partials and runs the batch engine's null model, fusion and clustering. Every step is
 * idempotent: the partitioner drops repeated actions, a worker takes each batch number once however
 * often it is delivered, and the coordinator each partition once.
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from '../detect/clusters.js';
import type { ClusterOptions, DetectedCluster } from '../detect/clusters.js';
import { fuseTraces } from '../detect/fuse.js';
import type { FusedGraph, TraceEdges } from '../detect/fuse.js';
import { actorsByKey, coActionPairs, PairIndex } from '../detect/kernel/index.js';
import { MAX_ENTRIES as MAX_PAIR_ENTRIES } from '../detect/kernel/pair-index.js';
import type { PairTable, TraceEvents } from '../detect/kernel/index.js';
import { SIGNIFICANCE_DEFAULTS, significantPairs } from '../detect/significance/index.js';
import { z } from 'zod';
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { grownF64, grownI32 } from './int-table.js';
import type { PartialPairs } from './trace-window.js';
import { decodeBatch } from './wire-batch.js';
import type { EventBatch } from './wire-batch.js';

/** What one worker reports for one partition: sums that merge exactly across partitions. */
export interface PartitionPartial {
  partition: number;
  actors: string[];
  /** Per trace: pair columns (actor = index into `actors`), and per actor its distinct keys. */
  traces: { trace: StreamTrace; pairs: PartialPairs; activity: { actor: Int32Array; keys: Int32Array } }[];
  events: number;
  duplicates: number;
}

/**
 * A worker's co-action work for one partition of a job. It takes the partitioner's binary batches
 * (wire-batch.ts) in batch-number order — a batch that comes early is held until the ones before
 * it have come, and one that comes again is counted as a duplicate and ignored — and keeps events
 * as integer ids in typed columns (a partition holds millions; objects would be most of a
 * worker's memory and GC time). Labels of accounts are read once per partition from the batches'
 * dictionaries; keys need only their trace (a partial names no key).
 *
 * Taking a batch is a copy of its columns and nothing more: `finish` runs the batch kernel
 * (detect/kernel, the rule the stream windows apply event by event: per key, each event against
 * its nearest `maxPartnersPerEvent` predecessors at most `windowMs` before it) on each trace's
 * events at once. The kernel sorts by (key, time, arrival), so arrival order never matters, and
 * sizes its pair tables from the exact count of in-window event pairs, so nothing grows from
 * empty; a partition's pair weights are final only at its end anyway (shared keys and n_k need
 * every event). Measured against the windows applied as batches came (bench/stream-worker.mjs):
 * see docs/streaming.md.
 */
export class PartitionWork {
  /** Per STREAM_TRACES index: the job's trace index, or -1 if this job does not keep the trace. */
  readonly #traceIndex: Int32Array;
  /** Partition-local account id → label. */
  readonly #actorLabels: string[] = [];
  /** Partition-local key id → the job's trace index (-1: not kept). */
  #keyTrace = new Int32Array(1024);
  #keys = 0;
  #actor = new Int32Array(1024);
  /** Partition-local key id, or -1 for an action without a trace event. */
  #key = new Int32Array(1024);
  #time = new Float64Array(1024);
  #size = 0;
  /** The next batch number to apply, the batches that came before their turn, and the end marker's count. */
  #next = 0;
  readonly #early = new Map<number, EventBatch>();
  #expected = -1;
  duplicates = 0;
  #newest = -Infinity;
  #outOfOrder = false;
  readonly #latenessMs: number;

  /**
   * `latenessMs` only sets what `outOfOrder` reports (default 5 s): the result is the same in any
   * arrival order.
   */
  constructor(readonly partition: number, readonly options: { traces: readonly StreamTrace[]; windowMs: number; maxPartnersPerEvent: number; latenessMs?: number }) {
    this.#traceIndex = Int32Array.from(STREAM_TRACES, (trace) => options.traces.indexOf(trace));
    this.#latenessMs = options.latenessMs ?? 5_000;
  }

  /** Whether an event arrived more than the lateness after a newer one (informational: order does not change the result). */
  get outOfOrder(): boolean {
    return this.#outOfOrder;
  }

  /** Whether the end marker and every batch before it have been applied. */
  get complete(): boolean {
    return this.#expected >= 0 && this.#next >= this.#expected;
  }

  /** Batches applied so far. */
  get batches(): number {
    return this.#next;
  }

  /**
   * Takes one message of the partition (a batch or the end marker; `where` names it in errors).
   * Returns false if that batch was already taken (a redelivery).
   */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    const batch = decodeBatch(bytes, where);
    if (batch.end) {
      this.#expected = batch.b;
      return true;
    }
    if (batch.b < this.#next || this.#early.has(batch.b)) {
      this.duplicates += batch.count;
      return false;
    }
    if (batch.b > this.#next) {
      // Views into a message's buffer: keep a copy of its own.
      this.#early.set(batch.b, decodeBatch(new Uint8Array(bytes), where));
      return true;
    }
    this.#apply(batch);
    for (let next = this.#early.get(this.#next); next !== undefined; next = this.#early.get(this.#next)) {
      this.#early.delete(next.b);
      this.#apply(next);
    }
    return true;
  }

  #apply(batch: EventBatch): void {
    this.#next = batch.b + 1;
    for (const label of batch.newActors) this.#actorLabels.push(label);
    const newKeys = batch.newKeyTraces.length;
    this.#keyTrace = grownI32(this.#keyTrace, this.#keys + newKeys);
    for (let i = 0; i < newKeys; i++) this.#keyTrace[this.#keys++] = this.#traceIndex[STREAM_TRACES.indexOf(batch.newKeyTraces[i]!)]!;
    const n = batch.count;
    if (this.#size + n > this.#time.length) this.#grow(this.#size + n);
    const actors = this.#actorLabels.length, keys = this.#keys;
    const actorIn = batch.actor, keyIn = batch.key, timeIn = batch.time;
    for (let i = 0; i < n; i++) {
      const actor = actorIn[i]!, key = keyIn[i]!, time = timeIn[i]!;
      if (!(actor >= 0 && actor < actors && key >= -1 && key < keys && Number.isFinite(time))) {
        throw new LockstepError('detect/bad-input', `partition ${this.partition}, batch ${batch.b}: event ${i} names account ${actor} or key ${key} not sent yet, or time ${time}`);
      }
      if (time > this.#newest) this.#newest = time;
      else if (time < this.#newest - this.#latenessMs) this.#outOfOrder = true;
    }
    this.#actor.set(actorIn, this.#size);
    this.#key.set(keyIn, this.#size);
    this.#time.set(timeIn, this.#size);
    this.#size += n;
  }

  #grow(length: number): void {
    const size = Math.max(length, 2 * this.#time.length);
    this.#actor = grownI32(this.#actor, size);
    this.#key = grownI32(this.#key, size);
    this.#time = grownF64(this.#time, size);
  }

  /** Events taken (each once). */
  get size(): number {
    return this.#size;
  }

  /** The partition's partial: per trace, the kernel's pairs over its events, and each account's distinct keys. */
  finish(): PartitionPartial {
    const traces = this.options.traces;
    const size = this.#size, keyOf = this.#key, keyTrace = this.#keyTrace;
    // Each trace's events in arrival order, keys numbered densely per trace.
    const count = new Int32Array(traces.length);
    for (let i = 0; i < size; i++) {
      const k = keyOf[i]!;
      if (k >= 0 && keyTrace[k]! >= 0) count[keyTrace[k]!]!++;
    }
    const columns = traces.map((_, t) => ({ actor: new Int32Array(count[t]!), key: new Int32Array(count[t]!), time: new Float64Array(count[t]!), keyCount: 0, at: 0 }));
    const local = new Int32Array(this.#keys).fill(-1);
    for (let i = 0; i < size; i++) {
      const k = keyOf[i]!;
      if (k < 0) continue;
      const t = keyTrace[k]!;
      if (t < 0) continue;
      const column = columns[t]!;
      if (local[k]! < 0) local[k] = column.keyCount++;
      const at = column.at++;
      column.actor[at] = this.#actor[i]!;
      column.key[at] = local[k]!;
      column.time[at] = this.#time[i]!;
    }
    const actorCount = this.#actorLabels.length;
    return {
      partition: this.partition,
      actors: this.#actorLabels.slice(),
      traces: traces.map((trace, t) => {
        const { actor, key, time, keyCount } = columns[t]!;
        return { trace, ...tracePartial({ actor, key, time, actorCount, keyCount }, this.options) };
      }),
      events: size,
      duplicates: this.duplicates,
    };
  }
}

/**
 * One trace's share of a partial: the batch kernel's pairs with Σ ln n_k in place of the IDF (the
 * kernel's idf is Σ ln(N / n_k) over the same keys, N the trace's actors here), and per account
 * its distinct keys.
 */
function tracePartial(events: TraceEvents, options: { windowMs: number; maxPartnersPerEvent: number }): { pairs: PartialPairs; activity: { actor: Int32Array; keys: Int32Array } } {
  const { pairs, stats } = coActionPairs(events, { window: options.windowMs, maxPartnersPerEvent: options.maxPartnersPerEvent });
  const n = pairs.size;
  const logN = Math.log(Math.max(1, stats.actors));
  const sumLogN = new Float64Array(n);
  for (let row = 0; row < n; row++) sumLogN[row] = pairs.shared[row]! * logN - pairs.idf[row]!;
  // Distinct keys per account: the events bucketed by key, each bucket's accounts stamped once.
  const { start, actors } = actorsByKey(events);
  const stamp = new Int32Array(events.actorCount);
  const keys = new Int32Array(events.actorCount);
  let active = 0;
  for (let k = 0; k < events.keyCount; k++) {
    for (let p = start[k]!, end = start[k + 1]!; p < end; p++) {
      const a = actors[p]!;
      if (stamp[a] === k + 1) continue;
      stamp[a] = k + 1;
      if (keys[a]!++ === 0) active++;
    }
  }
  const activity = { actor: new Int32Array(active), keys: new Int32Array(active) };
  for (let a = 0, row = 0; a < keys.length; a++) {
    if (keys[a] === 0) continue;
    activity.actor[row] = a;
    activity.keys[row++] = keys[a]!;
  }
  return {
    pairs: { a: pairs.a.subarray(0, n), b: pairs.b.subarray(0, n), shared: pairs.shared.subarray(0, n), sumLogN, coActions: pairs.coActions.subarray(0, n), sumDelta: pairs.sumDelta.subarray(0, n), size: n },
    activity,
  };
}

/**
 * A partial as bytes: a length-prefixed JSON header (partition, counts, actor labels) and the
 * typed columns raw after it — a partition's pairs run to millions, and JSON numbers would be
 * most of a worker's and the coordinator's time. Columns are as narrow as their values allow,
 * per trace (the header says): account ids in 2 bytes while a partition has at most 65,536
 * accounts, shared keys and co-actions in 1 byte while none passes 255 (nearly every pair has
 * one of each). On the bench's partials that is 22.0 MB instead of 35.5, and gzip's time and
 * output shrink with it (0.21-0.25 s and 6.8 MB against 0.30-0.35 s and 8.0 MB).
 */
export function encodePartial(partial: PartitionPartial): Uint8Array {
  const idBytes = partial.actors.length <= 65_536 ? 2 : 4;
  const columns: ArrayBufferView[] = [];
  const widths: { ids: 2 | 4; counts: 1 | 4 }[] = [];
  for (const { pairs, activity } of partial.traces) {
    const n = pairs.size;
    let most = 0;
    for (let row = 0; row < n; row++) most = Math.max(most, pairs.shared[row]!, pairs.coActions[row]!);
    const counts = most <= 255 ? 1 : 4;
    widths.push({ ids: idBytes, counts });
    const ids = (column: Int32Array): ArrayBufferView => (idBytes === 2 ? Uint16Array.from(column.subarray(0, n)) : column.subarray(0, n));
    const tally = (column: Int32Array): ArrayBufferView => (counts === 1 ? Uint8Array.from(column.subarray(0, n)) : column.subarray(0, n));
    columns.push(pairs.sumLogN.subarray(0, n), pairs.sumDelta.subarray(0, n), ids(pairs.a), ids(pairs.b), tally(pairs.shared), tally(pairs.coActions), activity.actor, activity.keys);
  }
  const header = new TextEncoder().encode(JSON.stringify({
    partition: partial.partition, actors: partial.actors, events: partial.events, duplicates: partial.duplicates,
    traces: partial.traces.map((entry, t) => ({ trace: entry.trace, pairs: entry.pairs.size, activity: entry.activity.actor.length, ...widths[t] })),
  }));
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
  partition: z.number().int().nonnegative(), actors: z.array(z.string()), events: z.number(), duplicates: z.number(),
  traces: z.array(z.object({
    trace: z.enum(STREAM_TRACES), pairs: z.number().int().nonnegative(), activity: z.number().int().nonnegative(),
    // Absent in partials written before session 6: 4-byte columns.
    ids: z.union([z.literal(2), z.literal(4)]).default(4), counts: z.union([z.literal(1), z.literal(4)]).default(4),
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
  const traces = parsed.data.traces.map(({ trace, pairs: n, activity: m, ids, counts }) => {
    const sumLogN = f64(n), sumDelta = f64(n), a = int(n, ids), b = int(n, ids), shared = int(n, counts), coActions = int(n, counts);
    const actor = i32(m), keys = i32(m);
    for (let row = 0; row < n; row++) if (!(a[row]! < actorCount && b[row]! < actorCount && a[row]! >= 0 && b[row]! >= 0)) throw bad(`${trace}: pair ${row} names an account outside the ${actorCount} it lists`);
    return { trace, pairs: { a, b, shared, sumLogN, coActions, sumDelta, size: n }, activity: { actor, keys } };
  });
  return { partition: parsed.data.partition, actors: parsed.data.actors, events: parsed.data.events, duplicates: parsed.data.duplicates, traces };
}

export interface AssembleOptions {
  traces: readonly StreamTrace[];
  fdr: number;
  minShared: number;
  cluster: Partial<ClusterOptions>;
}

export const ASSEMBLE_DEFAULTS: Readonly<AssembleOptions> = Object.freeze({ traces: [], fdr: SIGNIFICANCE_DEFAULTS.fdr, minShared: SIGNIFICANCE_DEFAULTS.minShared, cluster: CLUSTER_DEFAULTS });

/**
 * The coordinator's merge: one partial per partition (a partition given twice counts once), then
 * the batch engine's null model, fusion and clustering on the summed pair weights.
 */
export function assemblePartials(partials: readonly PartitionPartial[], options?: Partial<AssembleOptions>): { actorIds: string[]; actorPlatforms: string[]; graph: FusedGraph; clusters: DetectedCluster[] } {
  const opts = { ...ASSEMBLE_DEFAULTS, ...options };
  const byPartition = new Map(partials.map((partial) => [partial.partition, partial]));
  const everyone = new Set<string>();
  for (const partial of byPartition.values()) for (const actor of partial.actors) everyone.add(actor);
  // `platform NUL id` in code-unit order is (platform, id) order: NUL sorts before any character.
  const labels = [...everyone].sort();
  const index = new Map(labels.map((label, i) => [label, i]));
  const sorted = labels.map((label) => label.split('\u0000') as [string, string]);
  const n = sorted.length;
  const edges: TraceEdges[] = [];
  const traceOrder = opts.traces.length > 0 ? opts.traces : [...new Set([...byPartition.values()].flatMap((partial) => partial.traces.map((entry) => entry.trace)))];
  const partitions = [...byPartition.values()];
  // Partition-local actor id -> global id, once per partition.
  const globals = partitions.map((partial) => Int32Array.from(partial.actors, (label) => index.get(label) ?? 0));
  for (const trace of traceOrder) {
    const activity = new Float64Array(n);
    const entries = partitions.map((partial) => partial.traces.find((candidate) => candidate.trace === trace));
    // Pairs summed in an index sized once for every row (entries in first-seen order, as rows come),
    // with typed value columns: a Map of arrays made an object per pair (1.8-3.0 s for 1M pairs).
    let rowsIn = 0;
    for (const entry of entries) rowsIn += entry?.pairs.size ?? 0;
    const sums = new PairIndex(Math.min(Math.max(16, rowsIn), MAX_PAIR_ENTRIES));
    // Per entry, interleaved (one cache line per pair): shared, Σ ln n_k, co-actions, summed delay.
    let values = new Float64Array(4 * sums.capacity);
    for (let p = 0; p < partitions.length; p++) {
      const entry = entries[p];
      if (entry === undefined) continue;
      const global = globals[p]!;
      for (let i = 0; i < entry.activity.actor.length; i++) {
        const actor = global[entry.activity.actor[i]!] ?? 0;
        activity[actor] = activity[actor]! + entry.activity.keys[i]!;
      }
      const rows = entry.pairs;
      for (let row = 0; row < rows.size; row++) {
        const x = global[rows.a[row]!] ?? 0, y = global[rows.b[row]!] ?? 0;
        const v = 4 * sums.entryOf(x < y ? x : y, x < y ? y : x);
        // Only past MAX_PAIR_ENTRIES rows does the index grow.
        if (v >= values.length) values = grownF64(values, 4 * sums.capacity);
        values[v] = values[v]! + rows.shared[row]!;
        values[v + 1] = values[v + 1]! + rows.sumLogN[row]!;
        values[v + 2] = values[v + 2]! + rows.coActions[row]!;
        values[v + 3] = values[v + 3]! + rows.sumDelta[row]!;
      }
    }
    const size = sums.size;
    if (size === 0) continue;
    let actorsInTrace = 0;
    for (let actor = 0; actor < n; actor++) if ((activity[actor] ?? 0) > 0) actorsInTrace++;
    const logN = Math.log(actorsInTrace);
    const keys = sums.keys;
    const pairs: PairTable = { a: new Int32Array(size), b: new Int32Array(size), shared: new Int32Array(size), idf: new Float64Array(size), coActions: new Int32Array(size), sumDelta: new Float64Array(size), size };
    for (let e = 0; e < size; e++) {
      pairs.a[e] = keys[2 * e]!;
      pairs.b[e] = keys[2 * e + 1]!;
      pairs.shared[e] = values[4 * e]!;
      pairs.idf[e] = values[4 * e]! * logN - values[4 * e + 1]!;
      pairs.coActions[e] = values[4 * e + 2]!;
      pairs.sumDelta[e] = values[4 * e + 3]!;
    }
    const significance = significantPairs(pairs, activity, { fdr: opts.fdr, minShared: opts.minShared });
    edges.push({ trace, pairs, kept: significance.kept, logP: significance.logP });
  }
  const graph = fuseTraces(n, edges);
  return { actorIds: sorted.map(([, id]) => id), actorPlatforms: sorted.map(([platform]) => platform), graph, clusters: clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...opts.cluster }) };
}
