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
import type { PairTable } from '../detect/kernel/index.js';
import { SIGNIFICANCE_DEFAULTS, significantPairs } from '../detect/significance/index.js';
import { z } from 'zod';
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { grownI32 } from './int-table.js';
import { TraceWindow } from './trace-window.js';
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
 * A worker's windowed co-action state for one partition of a job. It takes the partitioner's
 * binary batches (wire-batch.ts) in batch-number order — a batch that comes early is held until
 * the ones before it have come, and one that comes again is counted as a duplicate and ignored —
 * and keeps events as integer ids in typed columns (a partition holds millions; objects would be
 * most of a worker's memory and GC time). Labels are read once per partition from the batches'
 * dictionaries; `finish` releases every event in (time, arrival) order through the trace windows.
 */
export class PartitionWork {
  readonly #windows: TraceWindow[];
  /** Per STREAM_TRACES index: the window it goes to, or -1 if this job does not keep the trace. */
  readonly #windowOfTrace: Int32Array;
  /** Partition-local account id → label; partition-local key id → window and the window's key id. */
  readonly #actorLabels: string[] = [];
  #keyWindow = new Int32Array(1024);
  #keyId = new Int32Array(1024);
  #keys = 0;
  #actor = new Int32Array(1024);
  /** Partition-local key id, or -1 for an action without a trace event (or on a trace this job does not keep). */
  #key = new Int32Array(1024);
  #time = new Float64Array(1024);
  #size = 0;
  /** The next batch number to apply, the batches that came before their turn, and the end marker's count. */
  #next = 0;
  readonly #early = new Map<number, EventBatch>();
  #expected = -1;
  duplicates = 0;
  /** Events not yet applied to the windows (a later batch may still hold older events): #pending, and ids from #pendingFrom up. */
  #pending: number[] = [];
  #pendingFrom = 0;
  #newest = -Infinity;
  /** Time of the last event applied; an event older than it makes the order inexact. */
  #released = -Infinity;
  /** An event came too late to apply in order: finish rebuilds the windows from the columns. */
  #outOfOrder = false;
  readonly #latenessMs: number;

  /**
   * `latenessMs`: events are applied to the windows as they come, once an event this much newer
   * has arrived, so the work overlaps delivery (default 5 s). One later than that is not lost:
   * `finish` then replays every event in order.
   */
  constructor(readonly partition: number, readonly options: { traces: readonly StreamTrace[]; windowMs: number; maxPartnersPerEvent: number; latenessMs?: number }) {
    this.#windows = this.#newWindows();
    this.#windowOfTrace = Int32Array.from(STREAM_TRACES, (trace) => options.traces.indexOf(trace));
    this.#latenessMs = options.latenessMs ?? 5_000;
  }

  #newWindows(): TraceWindow[] {
    return this.options.traces.map(() => new TraceWindow({ windowMs: this.options.windowMs, horizonMs: Infinity, maxPartnersPerEvent: this.options.maxPartnersPerEvent }));
  }

  /** Whether an event arrived later than the lateness (finish replays in order then). */
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
    if (!this.#outOfOrder) this.#release(this.#newest - this.#latenessMs);
    return true;
  }

  #apply(batch: EventBatch): void {
    this.#next = batch.b + 1;
    for (const label of batch.newActors) this.#actorLabels.push(label);
    for (let i = 0; i < batch.newKeys.length; i++) {
      const id = this.#keys++;
      this.#keyWindow = grownI32(this.#keyWindow, id + 1);
      this.#keyId = grownI32(this.#keyId, id + 1);
      const window = this.#windowOfTrace[STREAM_TRACES.indexOf(batch.newKeyTraces[i]!)]!;
      this.#keyWindow[id] = window;
      this.#keyId[id] = window < 0 ? -1 : this.#windows[window]!.keys.intern(batch.newKeys[i]!, 0);
    }
    const n = batch.count;
    if (this.#size + n > this.#time.length) this.#grow(this.#size + n);
    const actors = this.#actorLabels.length, keys = this.#keys;
    for (let i = 0; i < n; i++) {
      const actor = batch.actor[i]!, key = batch.key[i]!, time = batch.time[i]!;
      if (!(actor >= 0 && actor < actors && key >= -1 && key < keys && Number.isFinite(time))) {
        throw new LockstepError('detect/bad-input', `partition ${this.partition}, batch ${batch.b}: event ${i} names account ${actor} or key ${key} not sent yet, or time ${time}`);
      }
      const at = this.#size++;
      this.#actor[at] = actor;
      this.#key[at] = key;
      this.#time[at] = time;
      if (time < this.#released) this.#outOfOrder = true;
      if (time > this.#newest) this.#newest = time;
    }
  }

  /** Applies the pending events up to `until` in (time, arrival) order. */
  #release(until: number): void {
    const time = this.#time;
    const due: number[] = [];
    const later: number[] = [];
    for (let i = this.#pendingFrom; i < this.#size; i++) (time[i]! <= until ? due : later).push(i);
    for (const i of this.#pending) (time[i]! <= until ? due : later).push(i);
    this.#pendingFrom = this.#size;
    this.#pending = later;
    if (due.length === 0) return;
    // Most runs arrive in time order already (and ids ascend within each part): sort only if not.
    let sorted = true;
    for (let j = 1; j < due.length && sorted; j++) sorted = time[due[j - 1]!]! < time[due[j]!]! || (time[due[j - 1]!] === time[due[j]!] && due[j - 1]! < due[j]!);
    if (!sorted) due.sort((x, y) => time[x]! - time[y]! || x - y);
    const windows = this.#windows, keyWindow = this.#keyWindow, keyId = this.#keyId, actor = this.#actor, key = this.#key;
    for (const i of due) {
      const k = key[i]!;
      if (k < 0) continue;
      const window = keyWindow[k]!;
      if (window >= 0) windows[window]!.addKey(actor[i]!, keyId[k]!, time[i]!);
    }
    this.#released = time[due[due.length - 1]!]!;
  }

  #grow(length: number): void {
    const size = Math.max(length, 2 * this.#time.length);
    const grow = <T extends Int32Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const out = make(size);
      out.set(column);
      return out;
    };
    this.#actor = grow(this.#actor, (n) => new Int32Array(n));
    this.#key = grow(this.#key, (n) => new Int32Array(n));
    this.#time = grow(this.#time, (n) => new Float64Array(n));
  }

  /** Events taken (each once). */
  get size(): number {
    return this.#size;
  }

  finish(): PartitionPartial {
    let windows = this.#windows;
    if (!this.#outOfOrder) this.#release(Infinity);
    else {
      // Replay everything in (time, arrival) order through fresh windows, keys re-interned by label.
      windows = this.#newWindows();
      const keyId = new Int32Array(this.#keys).fill(-1);
      const time = this.#time;
      const sorted = Uint32Array.from({ length: this.#size }, (_, i) => i).sort((x, y) => time[x]! - time[y]! || x - y);
      for (const i of sorted) {
        const k = this.#key[i]!;
        if (k < 0) continue;
        const w = this.#keyWindow[k]!;
        if (w < 0) continue;
        if (keyId[k]! < 0) keyId[k] = windows[w]!.keys.intern(this.#windows[w]!.keys.label(this.#keyId[k]!), 0);
        windows[w]!.addKey(this.#actor[i]!, keyId[k]!, time[i]!);
      }
    }
    return {
      partition: this.partition,
      actors: this.#actorLabels.slice(),
      traces: this.options.traces.map((trace, index) => {
        const window = windows[index]!;
        const activity = [...window.activityEntries()];
        return { trace, pairs: window.pairPartials(), activity: { actor: Int32Array.from(activity, ([actor]) => actor), keys: Int32Array.from(activity, ([, keys]) => keys) } };
      }),
      events: this.#size,
      duplicates: this.duplicates,
    };
  }
}

/**
 * A partial as bytes: a length-prefixed JSON header (partition, counts, actor labels) and the
 * typed columns raw after it — a partition's pairs run to millions, and JSON numbers would be
 * most of a worker's and the coordinator's time.
 */
export function encodePartial(partial: PartitionPartial): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({
    partition: partial.partition, actors: partial.actors, events: partial.events, duplicates: partial.duplicates,
    traces: partial.traces.map((entry) => ({ trace: entry.trace, pairs: entry.pairs.size, activity: entry.activity.actor.length })),
  }));
  const columns: ArrayBufferView[] = [];
  for (const { pairs, activity } of partial.traces) {
    columns.push(pairs.sumLogN.subarray(0, pairs.size), pairs.sumDelta.subarray(0, pairs.size), pairs.a.subarray(0, pairs.size), pairs.b.subarray(0, pairs.size),
      pairs.shared.subarray(0, pairs.size), pairs.coActions.subarray(0, pairs.size), activity.actor, activity.keys);
  }
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
  traces: z.array(z.object({ trace: z.enum(STREAM_TRACES), pairs: z.number().int().nonnegative(), activity: z.number().int().nonnegative() })),
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
  const traces = parsed.data.traces.map(({ trace, pairs: n, activity: m }) => {
    const sumLogN = f64(n), sumDelta = f64(n), a = i32(n), b = i32(n), shared = i32(n), coActions = i32(n);
    return { trace, pairs: { a, b, shared, sumLogN, coActions, sumDelta, size: n }, activity: { actor: i32(m), keys: i32(m) } };
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
  const sorted = [...everyone].map((label) => label.split('\u0000') as [string, string])
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  const index = new Map(sorted.map(([platform, id], i) => [`${platform}\u0000${id}`, i]));
  const n = sorted.length;
  const edges: TraceEdges[] = [];
  const traceOrder = opts.traces.length > 0 ? opts.traces : [...new Set([...byPartition.values()].flatMap((partial) => partial.traces.map((entry) => entry.trace)))];
  for (const trace of traceOrder) {
    const activity = new Float64Array(n);
    const sums = new Map<number, [number, number, number, number]>();
    for (const partial of byPartition.values()) {
      const entry = partial.traces.find((candidate) => candidate.trace === trace);
      if (entry === undefined) continue;
      const global = partial.actors.map((label) => index.get(label) ?? 0);
      for (let i = 0; i < entry.activity.actor.length; i++) {
        const actor = global[entry.activity.actor[i]!] ?? 0;
        activity[actor] = activity[actor]! + entry.activity.keys[i]!;
      }
      const rows = entry.pairs;
      for (let row = 0; row < rows.size; row++) {
        const x = rows.a[row]!, y = rows.b[row]!, shared = rows.shared[row]!, sumLogN = rows.sumLogN[row]!, coActions = rows.coActions[row]!, sumDelta = rows.sumDelta[row]!;
        const a = Math.min(global[x] ?? 0, global[y] ?? 0);
        const b = Math.max(global[x] ?? 0, global[y] ?? 0);
        const id = a * n + b;
        const sum = sums.get(id);
        if (sum === undefined) sums.set(id, [shared, sumLogN, coActions, sumDelta]);
        else {
          sum[0] += shared;
          sum[1] += sumLogN;
          sum[2] += coActions;
          sum[3] += sumDelta;
        }
      }
    }
    if (sums.size === 0) continue;
    let actorsInTrace = 0;
    for (let actor = 0; actor < n; actor++) if ((activity[actor] ?? 0) > 0) actorsInTrace++;
    const logN = Math.log(actorsInTrace);
    const size = sums.size;
    const pairs: PairTable = { a: new Int32Array(size), b: new Int32Array(size), shared: new Int32Array(size), idf: new Float64Array(size), coActions: new Int32Array(size), sumDelta: new Float64Array(size), size };
    let row = 0;
    for (const [id, [shared, sumLogN, coActions, sumDelta]] of sums) {
      pairs.a[row] = Math.floor(id / n);
      pairs.b[row] = id % n;
      pairs.shared[row] = shared;
      pairs.idf[row] = shared * logN - sumLogN;
      pairs.coActions[row] = coActions;
      pairs.sumDelta[row] = sumDelta;
      row++;
    }
    const significance = significantPairs(pairs, activity, { fdr: opts.fdr, minShared: opts.minShared });
    edges.push({ trace, pairs, kept: significance.kept, logP: significance.logP });
  }
  const graph = fuseTraces(n, edges);
  return { actorIds: sorted.map(([, id]) => id), actorPlatforms: sorted.map(([platform]) => platform), graph, clusters: clusterAccounts(graph, { ...CLUSTER_DEFAULTS, ...opts.cluster }) };
}
