/**
 * A partition's events as a worker takes them, shared by the bounded job's `PartitionWork`
 * (distributed.ts) and the continuous job's `WindowedPartition` (nats/continuous-work.ts).
 * Batches (wire-batch.ts) are taken in batch-number order: one that comes early is held until
 * the ones before it have come, one that comes again is counted as a duplicate and ignored. Events
 * are kept as integer ids in typed columns (a partition holds millions; objects would be most of
 * a worker's memory and GC time); account labels are read once from the batches' dictionaries,
 * keys need only their trace (a partial names no key).
 */
import { LockstepError } from '../model/index.js';
import type { TraceEvents } from '../detect/kernel/index.js';
import { STREAM_TRACES } from './extract.js';
import type { StreamTrace } from './extract.js';
import { grownF64, grownI32 } from './int-table.js';
import { BatchOrder } from './batch-order.js';
import type { LabelColumn, LabelUnits } from './label-units.js';
import { decodeBatch } from './wire-batch.js';
import type { DecodeOptions, EventBatch } from './wire-batch.js';

export interface PartitionEventsHooks {
  /** Called on every decoded message before anything is taken from it (throw to refuse it). */
  accept?: (batch: EventBatch, where: string) => void;
  /** Called with the times of each batch just taken, in batch order. */
  taken?: (times: Float64Array) => void;
  /** Called as each batch's new account labels are taken, in batch order: the ids from `from` on are new. */
  labels?: (from: number) => void;
  /**
   * Keeps the account labels here as code units (label-units.ts) instead of in `actorLabels`, which
   * stays empty: a bounded job's worker (PartitionWork). Ids are then never freed.
   */
  labelUnits?: LabelUnits;
}

/** One trace's events of a partition, keys numbered densely within the trace. */
export interface TraceColumns {
  trace: StreamTrace;
  events: TraceEvents;
}

export class PartitionEvents {
  /** Per STREAM_TRACES index: the job's trace index, or -1 if this job does not keep the trace. */
  readonly #traceIndex: Int32Array;
  /** Partition-local account id → label ('' once freed: freeActors); empty with hooks.labelUnits, which holds them. */
  readonly actorLabels: string[] = [];
  readonly #units: LabelUnits | null;
  /** Account ids freed (a continuous job's publisher reuses them), taken by new labels last first. */
  readonly #freeActors: number[] = [];
  /** Partition-local key id → the job's trace index (-1: not kept). */
  #keyTrace = new Int32Array(1024);
  #keys = 0;
  #actor = new Int32Array(1024);
  /** Partition-local key id, or -1 for an action without a trace event. */
  #key = new Int32Array(1024);
  #time = new Float64Array(1024);
  #size = 0;
  readonly #order: BatchOrder;
  /** With label units, ASCII labels are copied there from the batch's bytes (no string each). */
  readonly #decode: DecodeOptions;
  /** Events ever taken. */
  taken = 0;

  constructor(readonly partition: number, readonly traces: readonly StreamTrace[], private readonly hooks: PartitionEventsHooks = {}) {
    this.#traceIndex = Int32Array.from(STREAM_TRACES, (trace) => traces.indexOf(trace));
    this.#units = hooks.labelUnits ?? null;
    this.#decode = { asciiActorText: this.#units !== null };
    this.#order = new BatchOrder(0, this.#decode);
  }

  /** Account ids sent so far (freed ones too). */
  get #actorCount(): number {
    return this.#units === null ? this.actorLabels.length : this.#units.count;
  }

  /** Batches applied so far (the next batch number expected). */
  get batches(): number {
    return this.#order.next;
  }

  /** Whether the end marker and every batch before it have been applied. */
  get complete(): boolean {
    return this.#order.complete;
  }

  /** Events of batches taken again (redeliveries), not counted. */
  get duplicates(): number {
    return this.#order.duplicates;
  }

  /** Events held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Takes one message of the partition (a batch or the end marker; `where` names it in errors).
   * Returns false if that batch was already taken (a redelivery).
   */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    const batch = decodeBatch(bytes, where, this.#decode);
    this.hooks.accept?.(batch, where);
    return this.#order.take(batch, bytes, where, (taken) => this.#apply(taken, where));
  }

  #apply(batch: EventBatch, where: string): void {
    const labelsBefore = this.#actorCount;
    if (this.#units !== null) {
      if (batch.actorText !== undefined) this.#units.pushFrontCoded(batch.actorText);
      else for (const label of batch.newActors) this.#units.push(label);
    } else {
      for (const label of batch.newActors) {
        const reused = this.#freeActors.pop();
        if (reused === undefined) this.actorLabels.push(label);
        else this.actorLabels[reused] = label;
      }
    }
    if (this.#actorCount > labelsBefore) this.hooks.labels?.(labelsBefore);
    const newKeys = batch.newKeyTraces.length;
    this.#keyTrace = grownI32(this.#keyTrace, this.#keys + newKeys);
    for (let i = 0; i < newKeys; i++) this.#keyTrace[this.#keys++] = this.#traceIndex[STREAM_TRACES.indexOf(batch.newKeyTraces[i]!)]!;
    const n = batch.count;
    if (this.#size + n > this.#time.length) {
      const size = Math.max(this.#size + n, 2 * this.#time.length);
      this.#actor = grownI32(this.#actor, size);
      this.#key = grownI32(this.#key, size);
      this.#time = grownF64(this.#time, size);
    }
    const actors = this.#actorCount, keys = this.#keys;
    const actorIn = batch.actor, keyIn = batch.key, timeIn = batch.time;
    for (let i = 0; i < n; i++) {
      const actor = actorIn[i]!, key = keyIn[i]!, time = timeIn[i]!;
      if (!(actor >= 0 && actor < actors && key >= -1 && key < keys && Number.isFinite(time))) {
        throw new LockstepError('detect/bad-input', `${where}, batch ${batch.b}: event ${i} names account ${actor} or key ${key} not sent yet, or time ${time}`);
      }
    }
    this.#actor.set(actorIn.subarray(0, n), this.#size);
    this.#key.set(keyIn.subarray(0, n), this.#size);
    this.#time.set(timeIn.subarray(0, n), this.#size);
    this.#size += n;
    this.taken += n;
    this.hooks.taken?.(timeIn.subarray(0, n));
  }

  /**
   * Frees account ids, the publisher's way (a continuous job's slice marker: every event of theirs
   * already dropped): their labels go, and the next new labels take them, the last freed first,
   * as the publisher numbers them (Partitioner.forgetActorsBefore).
   */
  freeActors(ids: ArrayLike<number>): void {
    if (this.hooks.labels !== undefined || this.#units !== null) throw new Error('freeActors: label order hooks and label units expect ids that only grow');
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < this.actorLabels.length)) throw new LockstepError('detect/bad-input', `partition ${this.partition}: freeing account ${id}, which was never sent`);
      this.actorLabels[id] = '';
      this.#freeActors.push(id);
    }
  }

  /**
   * What a continuous worker's checkpoint keeps besides the labels (worker-checkpoint.ts): the
   * freed ids, bottom to top, and each key id's trace as a STREAM_TRACES index (a trace this job
   * does not keep as any such trace: it is read back as not kept).
   */
  dictionaries(): { freeStack: Int32Array; keyTraces: Uint8Array } {
    const notKept = STREAM_TRACES.findIndex((trace) => !this.traces.includes(trace));
    const streamIndex = Int32Array.from(this.traces, (trace) => STREAM_TRACES.indexOf(trace));
    const keyTraces = new Uint8Array(this.#keys);
    for (let k = 0; k < this.#keys; k++) keyTraces[k] = this.#keyTrace[k]! < 0 ? notKept : streamIndex[this.#keyTrace[k]!]!;
    return { freeStack: Int32Array.from(this.#freeActors), keyTraces };
  }

  /** Account ids in use (sent and not freed). */
  get liveActors(): number {
    return this.#actorCount - this.#freeActors.length;
  }

  /**
   * Keeps only the events at `from` or later (the columns shrink when three quarters are free);
   * returns how many were dropped.
   */
  keepFrom(from: number): number {
    const size = this.#size;
    let kept = 0;
    for (let i = 0; i < size; i++) {
      const time = this.#time[i]!;
      if (time < from) continue;
      this.#actor[kept] = this.#actor[i]!;
      this.#key[kept] = this.#key[i]!;
      this.#time[kept++] = time;
    }
    this.#size = kept;
    if (kept < this.#time.length / 4 && this.#time.length > 4096) {
      const length = Math.max(4096, 2 * kept);
      this.#actor = this.#actor.slice(0, length);
      this.#key = this.#key.slice(0, length);
      this.#time = this.#time.slice(0, length);
    }
    return size - kept;
  }

  /**
   * Each kept trace's events before `upTo` (all events when Infinity), and the labels of their
   * accounts. With `dense`, only the accounts of those events, numbered in order of first
   * appearance; else every account taken, by its partition-local id, or with `order` (every
   * account's id in the order wanted: sorted-partial.ts LabelOrder) by its place in `order`. A
   * trace's keys are numbered in order of first appearance and its events placed grouped by key, in arrival order within a
   * key: the kernel sorts events by (key, time, arrival), and a feed whose keys' events come in
   * time order is then in its order already and skips its sort (and the sort's 16 bytes an event
   * of fresh columns). Placing by key costs no pass more.
   */
  traceColumns(upTo: number, dense: boolean, order?: Int32Array): { actors: string[]; actorUnits?: LabelColumn; traces: TraceColumns[]; events: number } {
    const size = this.#size, keyOf = this.#key, keyTrace = this.#keyTrace, time = this.#time;
    const labelCount = this.#actorCount, units = this.#units;
    const denseOf = dense ? new Int32Array(labelCount).fill(-1) : null;
    const labels = this.actorLabels;
    const ordered = dense ? undefined : order;
    const renumber = denseOf ?? (ordered === undefined ? null : placesOf(ordered, labelCount));
    // Label units (hooks.labelUnits) go on as a column in the accounts' order, not as strings.
    const actorUnits = units === null || dense ? undefined : units.column(ordered ?? Int32Array.from({ length: labelCount }, (_, id) => id));
    const actors: string[] = dense || actorUnits !== undefined ? [] : ordered === undefined ? labels.slice() : Array.from(ordered, (id) => labels[id]!);
    // Per partition key: its events, then (once each trace's keys are laid out) where its next event goes.
    const place = new Int32Array(this.#keys);
    const local = new Int32Array(this.#keys).fill(-1);
    const byLocal = this.traces.map(() => [] as number[]);
    const count = new Int32Array(this.traces.length);
    let events = 0;
    for (let i = 0; i < size; i++) {
      if (!(time[i]! < upTo)) continue;
      events++;
      if (denseOf !== null) {
        const a = this.#actor[i]!;
        if (denseOf[a]! < 0) {
          denseOf[a] = actors.length;
          actors.push(units === null ? labels[a]! : units.label(a));
        }
      }
      const k = keyOf[i]!;
      if (k < 0 || keyTrace[k]! < 0) continue;
      const t = keyTrace[k]!;
      count[t]!++;
      if (place[k]!++ === 0) {
        local[k] = byLocal[t]!.length;
        byLocal[t]!.push(k);
      }
    }
    for (const keys of byLocal) {
      let at = 0;
      for (const k of keys) {
        const n = place[k]!;
        place[k] = at;
        at += n;
      }
    }
    const columns = this.traces.map((_, t) => ({ actor: new Int32Array(count[t]!), key: new Int32Array(count[t]!), time: new Float64Array(count[t]!) }));
    for (let i = 0; i < size; i++) {
      if (!(time[i]! < upTo)) continue;
      const k = keyOf[i]!;
      if (k < 0) continue;
      const t = keyTrace[k]!;
      if (t < 0) continue;
      const column = columns[t]!;
      const at = place[k]!++;
      column.actor[at] = renumber === null ? this.#actor[i]! : renumber[this.#actor[i]!]!;
      column.key[at] = local[k]!;
      column.time[at] = time[i]!;
    }
    const actorCount = actorUnits?.count ?? actors.length;
    return {
      actors,
      ...(actorUnits === undefined ? {} : { actorUnits }),
      traces: this.traces.map((trace, t) => {
        const { actor, key, time: times } = columns[t]!;
        return { trace, events: { actor, key, time: times, actorCount, keyCount: byLocal[t]!.length } };
      }),
      events,
    };
  }
}

/** Each id's place in `order`, which must hold each of the `count` ids once. */
function placesOf(order: Int32Array, count: number): Int32Array {
  if (order.length !== count) throw new Error(`traceColumns: an order of ${order.length} accounts for ${count}`);
  const place = new Int32Array(count);
  for (let r = 0; r < count; r++) place[order[r]!] = r;
  return place;
}
