/**
 * The pure half of scale-out: actions become trace events partitioned by key (all events on one
 * key meet in one worker, which is what the windowed co-action rule needs); a worker turns its
 * partitions' events into a partial (pair weights that sum across partitions, and per-actor
 * activity); the coordinator merges the partials and runs the batch engine's null model, fusion
 * and clustering. Every step is idempotent: events carry their action's id and index, and a
 * worker counts each once however often it is delivered.
 */
import { CLUSTER_DEFAULTS, clusterAccounts } from '../detect/clusters.js';
import type { ClusterOptions, DetectedCluster } from '../detect/clusters.js';
import { fuseTraces } from '../detect/fuse.js';
import type { FusedGraph, TraceEdges } from '../detect/fuse.js';
import type { PairTable } from '../detect/kernel/index.js';
import { SIGNIFICANCE_DEFAULTS, significantPairs } from '../detect/significance/index.js';
import { z } from 'zod';
import type { Action } from '../model/index.js';
import { LockstepError } from '../model/index.js';
import { STREAM_TRACES, traceEvents } from './extract.js';
import type { StreamTrace } from './extract.js';
import { ExpiringInterner } from './interner.js';
import { TraceWindow } from './trace-window.js';
import type { PartialPairs } from './trace-window.js';

/** One event on the wire: `u` its id (action id # index), `a` the actor (platform NUL id), trace null for an action with no trace event (the account still counts). */
export interface WireEvent {
  u: string;
  a: string;
  t: StreamTrace | null;
  k: string;
  ms: number;
}

/** FNV-1a 32-bit: stable across processes and machines. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function partitionOf(trace: string, key: string, partitions: number): number {
  return hash(`${trace}\u0000${key}`) % partitions;
}

/**
 * The wire events of actions, by partition (event order kept within a partition).
 * @example partitionEvents(actions, DEFAULT_STREAM_TRACES, 8).get(3) // events whose key hashes to partition 3
 */
export function partitionEvents(actions: Iterable<Action>, traces: readonly StreamTrace[], partitions: number): Map<number, WireEvent[]> {
  const out = new Map<number, WireEvent[]>();
  const put = (partition: number, event: WireEvent): void => {
    let list = out.get(partition);
    if (list === undefined) out.set(partition, (list = []));
    list.push(event);
  };
  for (const action of actions) {
    const actor = `${action.platform}\u0000${action.actorId}`;
    const uid = `${action.platform}\u0000${action.id}`;
    const events = traceEvents(action, traces);
    if (events.length === 0) put(hash(actor) % partitions, { u: `${uid}#-`, a: actor, t: null, k: '', ms: action.time });
    events.forEach((event, index) => put(partitionOf(event.trace, event.key, partitions), { u: `${uid}#${index}`, a: actor, t: event.trace, k: event.key, ms: action.time }));
  }
  return out;
}

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
 * A worker's windowed co-action state for one partition of a job. Events are counted once by id
 * and kept as interned ids in typed columns (a partition holds millions; objects would be most of
 * a worker's memory and GC time); `finish` releases them in (time, delivery order) order through
 * the trace windows.
 */
export class PartitionWork {
  readonly #seen = new Set<string>();
  readonly #actors = new ExpiringInterner();
  readonly #windows: TraceWindow[];
  readonly #traceIndex: Map<StreamTrace, number>;
  #actor = new Int32Array(1024);
  #key = new Int32Array(1024);
  /** Index into #windows, or -1 for an action without a trace event. */
  #trace = new Int32Array(1024);
  #time = new Float64Array(1024);
  #order = new Float64Array(1024);
  #size = 0;
  duplicates = 0;
  /** Events not yet applied to the windows (they may still be preceded by a later delivery). */
  #pending: number[] = [];
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
    this.#traceIndex = new Map(options.traces.map((trace, index) => [trace, index]));
    this.#latenessMs = options.latenessMs ?? 5_000;
  }

  #newWindows(): TraceWindow[] {
    return this.options.traces.map(() => new TraceWindow({ windowMs: this.options.windowMs, horizonMs: Infinity, maxPartnersPerEvent: this.options.maxPartnersPerEvent }));
  }

  /** Whether an event arrived later than the lateness (finish replays in order then). */
  get outOfOrder(): boolean {
    return this.#outOfOrder;
  }

  /** Adds events; `order` ranks deliveries (the stream sequence), so ties in time break alike on every run. */
  add(events: readonly WireEvent[], order: number): void {
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      if (this.#seen.has(event.u)) {
        this.duplicates++;
        continue;
      }
      this.#seen.add(event.u);
      // An action without a trace event (or on a trace this job does not keep) still counts its account.
      const trace = event.t === null ? -1 : this.#traceIndex.get(event.t) ?? -1;
      const n = this.#size++;
      if (n === this.#time.length) this.#grow();
      this.#actor[n] = this.#actors.intern(event.a, event.ms);
      this.#trace[n] = trace;
      this.#key[n] = trace < 0 ? -1 : this.#windows[trace]!.keys.intern(event.k, event.ms);
      this.#time[n] = event.ms;
      this.#order[n] = order * 65_536 + index;
      if (event.ms < this.#released) this.#outOfOrder = true;
      if (event.ms > this.#newest) this.#newest = event.ms;
      this.#pending.push(n);
    }
    if (!this.#outOfOrder) this.#release(this.#newest - this.#latenessMs);
  }

  /** Applies the pending events up to `until` in (time, delivery) order. */
  #release(until: number): void {
    const time = this.#time, order = this.#order;
    const due = this.#pending.filter((i) => time[i]! <= until);
    if (due.length === 0) return;
    this.#pending = this.#pending.filter((i) => time[i]! > until);
    due.sort((x, y) => time[x]! - time[y]! || order[x]! - order[y]!);
    for (const i of due) {
      const trace = this.#trace[i]!;
      if (trace >= 0) this.#windows[trace]!.addKey(this.#actor[i]!, this.#key[i]!, time[i]!);
    }
    this.#released = time[due[due.length - 1]!]!;
  }

  #grow(): void {
    const grow = <T extends Int32Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const out = make(2 * column.length);
      out.set(column);
      return out;
    };
    this.#actor = grow(this.#actor, (n) => new Int32Array(n));
    this.#key = grow(this.#key, (n) => new Int32Array(n));
    this.#trace = grow(this.#trace, (n) => new Int32Array(n));
    this.#time = grow(this.#time, (n) => new Float64Array(n));
    this.#order = grow(this.#order, (n) => new Float64Array(n));
  }

  get size(): number {
    return this.#size;
  }

  finish(): PartitionPartial {
    let windows = this.#windows;
    if (!this.#outOfOrder) this.#release(Infinity);
    else {
      // Replay everything in order through fresh windows, keys re-interned by label.
      windows = this.#newWindows();
      const remap = this.#windows.map(() => new Map<number, number>());
      const time = this.#time, order = this.#order;
      const sorted = Uint32Array.from({ length: this.#size }, (_, i) => i).sort((x, y) => time[x]! - time[y]! || order[x]! - order[y]!);
      for (const i of sorted) {
        const trace = this.#trace[i]!;
        if (trace < 0) continue;
        const old = this.#key[i]!;
        let key = remap[trace]!.get(old);
        if (key === undefined) remap[trace]!.set(old, (key = windows[trace]!.keys.intern(this.#windows[trace]!.keys.label(old), time[i]!)));
        windows[trace]!.addKey(this.#actor[i]!, key, time[i]!);
      }
    }
    return {
      partition: this.partition,
      actors: [...this.#actors.liveIds()].map((id) => this.#actors.label(id)),
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
