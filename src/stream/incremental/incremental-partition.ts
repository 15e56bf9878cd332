/**
 * The worker's half of incremental continuous slices: fed the same messages as WindowedPartition
 * (nats/continuous-work.ts), it keeps each key's events of the horizon in the kernel's order and,
 * at each slice's close, returns what changed since the previous slice (slice-delta.ts) instead of
 * the partition's whole partial. A slice costs its own events (inserted, and the ones dropped past
 * the horizon) and the partners they move (key-events.ts), not the horizon's events.
 *
 * The horizon and arrival order are WindowedPartition's: at `deltaAt(upTo)` the events with
 * `upTo − H ≤ time < upTo` are in, newer ones wait for a later slice, older ones leave; events of
 * one key at the same time keep their arrival (batch) order, the kernel's tie-break.
 */
import { LockstepError } from '../../model/index.js';
import { BatchOrder } from '../batch-order.js';
import { STREAM_TRACES } from '../extract.js';
import type { StreamTrace } from '../extract.js';
import { grownI32 } from '../int-table.js';
import { SliceGate } from '../nats/slice-gate.js';
import { decodeBatch } from '../wire-batch.js';
import type { EventBatch } from '../wire-batch.js';
import { ExpiryHeap } from './expiry-heap.js';
import { KeyEvents } from './key-events.js';
import { PairChanges } from './pair-changes.js';
import type { SliceDelta } from './slice-delta.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-bytes.js';
import { takeTraceDelta } from './trace-changes.js';
import type { TraceState } from './trace-changes.js';

// "IPCK", version 1: IncrementalPartition's checkpoint (snapshot-bytes.ts).
const MAGIC = 0x4b43_5049;
const VERSION = 1;

export interface IncrementalPartitionOptions {
  traces: readonly StreamTrace[];
  windowMs: number;
  maxPartnersPerEvent: number;
  horizonMs: number;
}

export class IncrementalPartition {
  /** Per STREAM_TRACES index: the job's trace index, or -1. */
  readonly #traceIndex: Int32Array;
  readonly #labels: string[] = [];
  #labelsSent = 0;
  #keyTrace = new Int32Array(1024);
  #keyCount = 0;
  readonly #keys = new Map<number, KeyEvents>();
  readonly #traces: TraceState[];
  // Events taken and not yet in a slice (time ≥ the last upTo, or late), in arrival order.
  #waitTime: number[] = [];
  #waitActor: number[] = [];
  #waitKey: number[] = [];
  #waitSeq: number[] = [];
  #seq = 0;
  /** Events in the horizon: by time, to drop; and per account, for the account set. */
  #expiry = new ExpiryHeap();
  #perAccount = new Int32Array(1024);
  #present = new Uint8Array(1024);
  #inHorizon = 0;
  /** Batch order, as PartitionEvents takes it (batch-order.ts). */
  #order = new BatchOrder();
  /** Batches past the next slice's marker, held as WindowedPartition holds them (slice-gate.ts). */
  #gate = new SliceGate();
  /** The slice of the last delta made (−1: none): the next delta follows it. */
  #lastSlice = -1;
  taken = 0;
  /** Events dropped past the horizon (in it once, or too late to be). */
  dropped = 0;

  constructor(readonly partition: number, readonly options: IncrementalPartitionOptions) {
    if (!(options.horizonMs >= options.windowMs)) throw new LockstepError('detect/bad-input', `horizon (${options.horizonMs} ms) must be at least the window (${options.windowMs} ms)`);
    this.#traceIndex = Int32Array.from(STREAM_TRACES, (trace) => options.traces.indexOf(trace));
    this.#traces = options.traces.map((trace) => ({ trace, changes: new PairChanges(), activity: new Map(), dirtyKeys: new Set() }));
  }

  get batches(): number {
    return this.#order.next;
  }

  get ended(): boolean {
    return this.#order.complete;
  }

  /** Events held: in the horizon, or waiting for a slice. */
  get size(): number {
    return this.#inHorizon + this.#waitTime.length;
  }

  /** Events of batches taken again (redeliveries, held or applied), not counted. */
  get duplicates(): number {
    return this.#order.duplicates;
  }

  /** Whether a slice marker naming `batches` batches has them all. */
  ready(marker: { batches: number }, where = `partition ${this.partition}`): boolean {
    for (const bytes of this.#gate.release(marker.batches)) this.#takeBatch(bytes, where);
    return this.#order.next >= marker.batches;
  }

  /** Takes one event batch or end marker; false if that batch was taken already. */
  add(bytes: Uint8Array, where = `partition ${this.partition}`): boolean {
    const verdict = this.#gate.hold(bytes);
    if (verdict.kind === 'take') return this.#takeBatch(bytes, where);
    if (verdict.kind === 'repeat') this.#order.duplicates += verdict.events;
    return verdict.kind === 'held';
  }

  #takeBatch(bytes: Uint8Array, where: string): boolean {
    const batch = decodeBatch(bytes, where);
    if ((batch.publisher ?? 0) !== 0) throw new LockstepError('detect/bad-input', `${where}: a batch from publisher ${batch.publisher}; a continuous job has one publisher`);
    return this.#order.take(batch, bytes, where, (taken) => this.#apply(taken, where));
  }

  #apply(batch: EventBatch, where: string): void {
    for (const label of batch.newActors) this.#labels.push(label);
    this.#keyTrace = grownI32(this.#keyTrace, this.#keyCount + batch.newKeyTraces.length);
    for (const trace of batch.newKeyTraces) this.#keyTrace[this.#keyCount++] = this.#traceIndex[STREAM_TRACES.indexOf(trace)]!;
    const actors = this.#labels.length;
    for (let i = 0; i < batch.count; i++) {
      const actor = batch.actor[i]!, key = batch.key[i]!, time = batch.time[i]!;
      if (!(actor >= 0 && actor < actors && key >= -1 && key < this.#keyCount && Number.isFinite(time))) {
        throw new LockstepError('detect/bad-input', `${where}, batch ${batch.b}: event ${i} names account ${actor} or key ${key} not sent yet, or time ${time}`);
      }
      this.#waitTime.push(time);
      this.#waitActor.push(actor);
      this.#waitKey.push(key);
      this.#waitSeq.push(this.#seq++);
    }
    this.taken += batch.count;
  }

  /**
   * A checkpoint, taken between slices (snapshot-bytes.ts: versioned, length checks, checksum).
   * What a worker restarted from it must read again: every batch of the partition numbered
   * `batches` (the snapshot's) or more, and every slice marker after the snapshot's last slice.
   * Batches that had come early (past a gap) are not in the snapshot, so they too are read again.
   * A continuous job has one publisher, so this one batch number is the whole position; in
   * JetStream terms the partition's consumer resumes at batch `batches`' message. The events
   * taken but not yet in a slice (newer than the last upTo, or late) are in the snapshot with the
   * horizon's, so nothing before that batch is needed again.
   */
  snapshot(): Uint8Array {
    const out = new SnapshotWriter(MAGIC, VERSION);
    out.u32(this.partition);
    out.f64(this.options.windowMs);
    out.f64(this.options.horizonMs);
    out.u32(this.options.maxPartnersPerEvent);
    out.string(this.options.traces.join());
    out.u32(this.#labels.length);
    for (const label of this.#labels) out.string(label);
    out.u32(this.#labelsSent);
    out.column(this.#keyTrace.subarray(0, this.#keyCount));
    const keyIds: number[] = [], lengths: number[] = [], time: number[] = [], seq: number[] = [], actor: number[] = [];
    for (const [key, events] of this.#keys) {
      keyIds.push(key);
      lengths.push(events.size);
      for (let i = events.start; i < events.time.length; i++) {
        time.push(events.time[i]!);
        seq.push(events.seq[i]!);
        actor.push(events.actor[i]!);
      }
    }
    for (const column of [Int32Array.from(keyIds), Int32Array.from(lengths), Float64Array.from(time), Float64Array.from(seq), Int32Array.from(actor)]) out.column(column);
    for (const column of [Float64Array.from(this.#waitTime), Int32Array.from(this.#waitActor), Int32Array.from(this.#waitKey), Float64Array.from(this.#waitSeq)]) out.column(column);
    this.#expiry.writeTo(out);
    const accounts = this.#labels.length;
    out.column(this.#perAccount.subarray(0, Math.min(accounts, this.#perAccount.length)));
    out.column(this.#present.subarray(0, Math.min(accounts, this.#present.length)));
    for (const value of [this.#seq, this.#inHorizon, this.#order.next, this.#order.expected, this.#lastSlice, this.#order.duplicates, this.taken, this.dropped]) out.f64(value);
    return out.finish();
  }

  /** The worker a snapshot was taken of (then read what `snapshot` says); refused if cut short, damaged, of another version or for other options. */
  static restore(bytes: Uint8Array, partition: number, options: IncrementalPartitionOptions, where = `partition ${partition}`): IncrementalPartition {
    const work = new IncrementalPartition(partition, options);
    const input = new SnapshotReader(bytes, MAGIC, VERSION, where);
    const theirs = [input.u32(), input.f64(), input.f64(), input.u32(), input.string()];
    const mine = [partition, options.windowMs, options.horizonMs, options.maxPartnersPerEvent, options.traces.join()];
    if (theirs.join('|') !== mine.join('|')) throw input.bad(`taken for partition, window, horizon, cap, traces ${theirs.join(' | ')}`);
    for (let i = input.u32(); i > 0; i--) work.#labels.push(input.string());
    work.#labelsSent = input.u32();
    const keyTrace = input.i32s();
    work.#keyCount = keyTrace.length;
    work.#keyTrace = grownI32(keyTrace, 1);
    const [keyIds, lengths] = [input.i32s(), input.i32s()];
    const time = input.f64s(), seq = input.f64s(), actor = input.i32s();
    const scratch = new PairChanges();
    for (let k = 0, at = 0; k < keyIds.length; k++) {
      const end = at + lengths[k]!;
      if (!(keyIds[k]! < work.#keyCount && end <= time.length)) throw input.bad(`key ${keyIds[k]}'s events`);
      work.#keys.set(keyIds[k]!, KeyEvents.restored(keyIds[k]!, options.windowMs, options.maxPartnersPerEvent, [...time.subarray(at, end)], [...seq.subarray(at, end)], [...actor.subarray(at, end)], scratch));
      at = end;
    }
    work.#waitTime = [...input.f64s()];
    work.#waitActor = [...input.i32s()];
    work.#waitKey = [...input.i32s()];
    work.#waitSeq = [...input.f64s()];
    work.#expiry = ExpiryHeap.readFrom(input);
    work.#perAccount = grownI32(input.i32s(), 1);
    const present = input.u8s();
    work.#present = new Uint8Array(Math.max(1024, present.length));
    work.#present.set(present);
    [work.#seq, work.#inHorizon, work.#order.next, work.#order.expected, work.#lastSlice, work.#order.duplicates, work.taken, work.dropped] = [input.f64(), input.f64(), input.f64(), input.f64(), input.f64(), input.f64(), input.f64(), input.f64()];
    input.end();
    // Batches past the snapshot's are read again; each waits for its slice's marker.
    work.#gate = new SliceGate(work.#order.next);
    return work;
  }

  /**
   * Moves the horizon to `[upTo − H, upTo)` and returns what changed in the partition's partial
   * since the previous call: slice `slice`'s delta, following the previous one's.
   */
  deltaAt(upTo: number, slice: number): SliceDelta {
    if (!(Number.isInteger(slice) && slice > this.#lastSlice)) throw new LockstepError('detect/bad-input', `partition ${this.partition}: slice ${slice} after slice ${this.#lastSlice}`);
    const from = upTo - this.options.horizonMs;
    const touchedAccounts: number[] = [];
    this.#perAccount = grownI32(this.#perAccount, this.#labels.length);
    if (this.#present.length < this.#labels.length) {
      const grown = new Uint8Array(Math.max(this.#labels.length, 2 * this.#present.length));
      grown.set(this.#present);
      this.#present = grown;
    }
    // Old events leave first (their keys' prefixes), then the slice's events come in.
    const leaving = this.#expiry.popBefore(from);
    const dropKeys = new Set<KeyEvents>();
    for (let i = 0; i < leaving.actor.length; i++) {
      const actor = leaving.actor[i]!;
      const left = this.#perAccount[actor]! - 1;
      this.#perAccount[actor] = left;
      if (left === 0) touchedAccounts.push(actor);
      const keyEvents = this.#keys.get(leaving.key[i]!);
      if (keyEvents !== undefined) dropKeys.add(keyEvents);
    }
    this.#inHorizon -= leaving.actor.length;
    this.dropped += leaving.actor.length;
    for (const keyEvents of dropKeys) {
      const state = this.#traces[this.#keyTrace[keyEvents.key]!]!;
      state.dirtyKeys.add(keyEvents);
      keyEvents.dropBefore(from, state.changes, (actor) => state.activity.set(actor, (state.activity.get(actor) ?? 0) - 1));
    }
    this.#admit(from, upTo, touchedAccounts);
    return this.#take(upTo, slice, touchedAccounts);
  }

  /** The waiting events in the horizon go in, grouped by key in (time, arrival) order; newer ones wait on. */
  #admit(from: number, upTo: number, touchedAccounts: number[]): void {
    const byKey = new Map<number, number[]>();
    const waitTime: number[] = [], waitActor: number[] = [], waitKey: number[] = [], waitSeq: number[] = [];
    for (let i = 0; i < this.#waitTime.length; i++) {
      const time = this.#waitTime[i]!, actor = this.#waitActor[i]!, key = this.#waitKey[i]!;
      if (time >= upTo) {
        waitTime.push(time);
        waitActor.push(actor);
        waitKey.push(key);
        waitSeq.push(this.#waitSeq[i]!);
        continue;
      }
      if (time < from) {
        this.dropped++;
        continue;
      }
      this.#inHorizon++;
      this.#expiry.push(time, actor, key);
      if (this.#perAccount[actor]!++ === 0) touchedAccounts.push(actor);
      if (key < 0 || this.#keyTrace[key]! < 0) continue;
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [i]);
      else list.push(i);
    }
    for (const [key, list] of byKey) {
      // Arrival order within a key already; sort by time, stably (ties keep arrival order).
      list.sort((x, y) => this.#waitTime[x]! - this.#waitTime[y]! || x - y);
      let keyEvents = this.#keys.get(key);
      if (keyEvents === undefined) {
        keyEvents = new KeyEvents(key, this.options.windowMs, this.options.maxPartnersPerEvent);
        this.#keys.set(key, keyEvents);
      }
      const state = this.#traces[this.#keyTrace[key]!]!;
      state.dirtyKeys.add(keyEvents);
      keyEvents.insert(list.map((i) => this.#waitTime[i]!), list.map((i) => this.#waitSeq[i]!), list.map((i) => this.#waitActor[i]!), state.changes, (actor) => state.activity.set(actor, (state.activity.get(actor) ?? 0) + 1));
    }
    this.#waitTime = waitTime;
    this.#waitActor = waitActor;
    this.#waitKey = waitKey;
    this.#waitSeq = waitSeq;
  }

  #take(upTo: number, slice: number, touchedAccounts: readonly number[]): SliceDelta {
    const began: number[] = [], ended: number[] = [];
    for (const actor of new Set(touchedAccounts)) {
      const now = this.#perAccount[actor]! > 0 ? 1 : 0;
      if (now === this.#present[actor]) continue;
      this.#present[actor] = now;
      (now === 1 ? began : ended).push(actor);
    }
    const labelsFrom = this.#labelsSent;
    this.#labelsSent = this.#labels.length;
    const follows = this.#lastSlice;
    this.#lastSlice = slice;
    return {
      partition: this.partition, slice, follows, upTo, events: this.#inHorizon, labelsFrom, labels: this.#labels.slice(labelsFrom),
      accountsBegan: Int32Array.from(began), accountsEnded: Int32Array.from(ended),
      traces: this.#traces.map((state) => takeTraceDelta(state, this.#keys)),
    };
  }
}
