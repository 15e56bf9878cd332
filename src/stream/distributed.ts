/**
 * The pure half of scale-out: the partitioner (partitioner.ts) turns actions into trace events
 * partitioned by key (all events on one key meet in one worker, which is what the windowed
 * co-action rule needs) in numbered binary batches; a worker turns its partitions' batches into a
 * partial (pair weights that sum across partitions, and per-actor activity); the coordinator
 * merges the partials and runs the batch engine's null model, fusion and clustering. Every step is
 * idempotent: the partitioner drops repeated actions, a worker takes each batch number once however
 * often it is delivered, and the coordinator each partition once.
 */
import { coActionPairs } from '../detect/kernel/index.js';
import { keyRuns } from '../detect/significance/rare-objects.js';
import type { TraceEvents } from '../detect/kernel/index.js';
import type { StreamTrace } from './extract.js';
import type { PartitionPartial } from './partial-codec.js';
import type { PartialPairs } from './trace-window.js';
import { PartitionEvents } from './partition-events.js';
import { columnStrings, LabelUnits } from './label-units.js';
import type { LabelColumn } from './label-units.js';
import { unitsPartial } from './partial-codec.js';
import { inLabelOrder, LabelOrder, unitsAscending } from './sorted-partial.js';
import type { TraceColumns } from './partition-events.js';

export { ASSEMBLE_DEFAULTS, assemblePartials, jobResultSummary } from './assemble.js';
export type { AssembleOptions } from './assemble.js';
export { decodePartial, encodePartial } from './partial-codec.js';
export type { PartitionPartial } from './partial-codec.js';

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
  readonly #events: PartitionEvents;
  /** The accounts in label order, kept as batches come (the partial's order; see LabelOrder). */
  readonly #labelOrder = new LabelOrder();
  /** The accounts' labels, as code units (label-units.ts: no string a label in the heap). */
  readonly #labelUnits = new LabelUnits();
  #newest = -Infinity;
  #outOfOrder = false;
  readonly #latenessMs: number;

  /**
   * `latenessMs` only sets what `outOfOrder` reports (default 5 s): the result is the same in any
   * arrival order.
   */
  constructor(readonly partition: number, readonly options: { traces: readonly StreamTrace[]; windowMs: number; maxPartnersPerEvent: number; latenessMs?: number }) {
    this.#latenessMs = options.latenessMs ?? 5_000;
    this.#events = new PartitionEvents(partition, options.traces, { taken: (times) => this.#watchOrder(times), labels: (from) => this.#labelOrder.add(this.#labelUnits, from), labelUnits: this.#labelUnits });
  }

  #watchOrder(times: Float64Array): void {
    for (let i = 0; i < times.length; i++) {
      const time = times[i]!;
      if (time > this.#newest) this.#newest = time;
      else if (time < this.#newest - this.#latenessMs) this.#outOfOrder = true;
    }
  }

  /** Whether an event arrived more than the lateness after a newer one (informational: order does not change the result). */
  get outOfOrder(): boolean {
    return this.#outOfOrder;
  }

  /** Whether the end marker and every batch before it have been applied. */
  get complete(): boolean {
    return this.#events.complete;
  }

  /** Batches applied so far. */
  get batches(): number {
    return this.#events.batches;
  }

  /** Events of redelivered batches, not counted. */
  get duplicates(): number {
    return this.#events.duplicates;
  }

  /**
   * Takes one message of the partition (a batch or the end marker; `where` names it in errors).
   * Returns false if that batch was already taken (a redelivery).
   */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    return this.#events.add(bytes, where);
  }

  /** Events taken (each once). */
  get size(): number {
    return this.#events.size;
  }

  /** The partition's partial: per trace, the kernel's pairs over its events, and each account's distinct keys. */
  finish(): PartitionPartial {
    return partialOfColumns(this.columns(), this.options);
  }

  /**
   * What `finish` works from, as typed columns and labels only (a worker thread can take them:
   * nats/finish-pool.ts); `partialOfColumns` of them is `finish()`. The accounts come in label
   * order, kept as batches came (sorted-partial.ts LabelOrder), so the finish need not sort them.
   */
  columns(): PartitionColumns {
    return { partition: this.partition, ...this.#events.traceColumns(Infinity, false, this.#labelOrder.order), duplicates: this.duplicates };
  }
}

/** A partition's events per trace, as `PartitionWork.columns` gives them. */
export interface PartitionColumns {
  partition: number;
  /** The accounts' labels (empty when `actorUnits` holds them, as PartitionWork's do). */
  actors: string[];
  actorUnits?: LabelColumn;
  traces: TraceColumns[];
  events: number;
  duplicates: number;
}

/** `PartitionWork.finish` of its columns: per trace, the kernel's pairs and each account's distinct keys. */
export function partialOfColumns(columns: PartitionColumns, options: { windowMs: number; maxPartnersPerEvent: number }): PartitionPartial {
  const { partition, events, duplicates, actorUnits } = columns;
  // Label units in label order (PartitionWork's, always) stay units: the encoder reads them.
  if (actorUnits !== undefined && unitsAscending(actorUnits)) {
    return unitsPartial({ partition, actorUnits, traces: columns.traces.map((entry) => ({ trace: entry.trace, ...tracePartial(entry.events, options) })), events, duplicates });
  }
  const { actors, traces } = inLabelOrder(actorUnits === undefined ? columns.actors : columnStrings(actorUnits), columns.traces);
  return { partition, actors, traces: traces.map((entry) => ({ trace: entry.trace, ...tracePartial(entry.events, options) })), events, duplicates };
}

/**
 * One trace's share of a partial: the batch kernel's pairs with Σ ln n_k in place of the IDF (the
 * kernel's idf is Σ ln(N / n_k) over the same keys, N the trace's actors here), grouped by their
 * first account (with the accounts in label order, sorted-partial.ts, the coordinator merges them
 * without hashing), and per account its distinct keys.
 */
export function tracePartial(events: TraceEvents, options: { windowMs: number; maxPartnersPerEvent: number }): { pairs: PartialPairs; activity: { actor: Int32Array; keys: Int32Array } } {
  // The co-actions are counted-sorted by first account (pairsBySort: finish 2.3-2.8 -> 1.1-1.4
  // µs/event on the bench's 878k events); past MAX_SORTED_RECORDS the hash tables take them, and
  // nearly every co-action in a partition is a new pair (its hashtag keys are few and busy), so
  // those are presized for one pair each: half that left most to grow twice.
  const { pairs, stats } = coActionPairs(events, { window: options.windowMs, maxPartnersPerEvent: options.maxPartnersPerEvent, pairsPerEventPair: 1, groupByFirstActor: true, pairsBySort: true });
  const n = pairs.size;
  const logN = Math.log(Math.max(1, stats.actors));
  // Σ ln n_k over the IDF column in place: the kernel's result is this call's (a column fewer of
  // fresh pages, 8 bytes a pair).
  const sumLogN = pairs.idf;
  for (let row = 0; row < n; row++) sumLogN[row] = pairs.shared[row]! * logN - sumLogN[row]!;
  // Distinct keys per account: the events bucketed by key, each bucket's accounts stamped once.
  // A job's columns come grouped by key (PartitionEvents.traceColumns): they are their own buckets.
  const { start, actors } = keyRuns(events);
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
    pairs: { a: pairs.a.subarray(0, n), b: pairs.b.subarray(0, n), shared: pairs.shared.subarray(0, n), sumLogN: sumLogN.subarray(0, n), coActions: pairs.coActions.subarray(0, n), sumDelta: pairs.sumDelta.subarray(0, n), size: n },
    activity,
  };
}
